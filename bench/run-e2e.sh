#!/usr/bin/env bash
# The end-to-end load benchmark: builds nexus-sync-bench and what it needs, then runs
# io.nexussync.bench.EndToEndBenchmark in one JVM with embedded PostgreSQL 17 and Neo4j 5.
#
#   bench/run-e2e.sh [CHANGES]        (default 100000 row changes)
#
# Writes $BENCH_RESULTS/e2e-CHANGES.md (the Markdown report, also printed). Environment:
# BENCH_JAVA_OPTS (default "-Xms1g -Xmx2g") sets the benchmark JVM's flags; NEXUS_SYNC_* settings
# (batch size, apply workers, ...) are passed through to the service; BENCH_MVN_FLAGS adds Maven
# flags (e.g. -o to build offline); BENCH_SKIP_BUILD, BENCH_RESULTS as in bench/common.sh.
set -euo pipefail

changes="${1:-100000}"
if ! [[ "$changes" =~ ^[0-9]+$ ]] || [ "$changes" -lt 1 ]; then
  echo "usage: $0 [CHANGES]   (a positive number of row changes, default 100000)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} $bench_jit_opts \
  -Dbench.command="bench/run-e2e.sh $changes" \
  -cp "$bench_classpath" io.nexussync.bench.EndToEndBenchmark "$changes" | tee "$bench_results/e2e-$changes.md"
