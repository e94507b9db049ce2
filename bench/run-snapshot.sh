#!/usr/bin/env bash
# The snapshot benchmark: builds nexus-sync-bench and what it needs, then runs
# io.nexussync.bench.SnapshotBenchmark in one JVM with embedded PostgreSQL 17 and Neo4j 5: for each
# size, the first start's snapshot of that many content_items rows against the same rows written
# straight to Neo4j, and the peak heap during the snapshot.
#
#   bench/run-snapshot.sh [ROWS ...]        (default: 100000 1000000)
#
# Writes $BENCH_RESULTS/snapshot.md (the Markdown report, also printed). Environment: BENCH_JAVA_OPTS
# (default "-Xmx512m": a small heap, so that memory growing with the table would show as a failure,
# not only as a figure); NEXUS_SYNC_* settings are passed through to the service; BENCH_MVN_FLAGS adds
# Maven flags (e.g. -o); BENCH_SKIP_BUILD, BENCH_RESULTS as in bench/common.sh.
set -euo pipefail

sizes=("${@:-100000 1000000}")
# shellcheck disable=SC2206 # split the default on spaces
[ $# -eq 0 ] && sizes=(100000 1000000)
for size in "${sizes[@]}"; do
  if ! [[ "$size" =~ ^[0-9]+$ ]] || [ "$size" -lt 1 ]; then
    echo "usage: $0 [ROWS ...]   (positive row counts, default 100000 1000000)" >&2
    exit 2
  fi
done
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xmx512m} $bench_jit_opts \
  -Dbench.command="bench/run-snapshot.sh ${sizes[*]}" \
  -cp "$bench_classpath" io.nexussync.bench.SnapshotBenchmark "${sizes[@]}" | tee "$bench_results/snapshot.md"
