#!/usr/bin/env bash
# As-of queries over many INCLUDES versions: builds nexus-sync-bench and what it needs, then runs
# io.nexussync.bench.AsOfBenchmark in one JVM with an embedded Neo4j 5 (no PostgreSQL, no service): VERSIONS versions
# loaded straight into the graph (threads of 100 content items, 10 versions per pair), then p50/p99 of each documented
# query (one thread as of an instant, one thread's versions in an hour, every version valid at an instant, the versions
# that began or ended in a minute), first without the validFrom/validTo relationship indexes, then with them, each
# with the operators of its plan.
#
#   bench/run-asof.sh [VERSIONS]        (default: 1000000; at least 1000)
#
# Writes $BENCH_RESULTS/asof.md (the Markdown report, also printed). Environment: BENCH_JAVA_OPTS (default
# "-Xms1g -Xmx2g"); BENCH_MVN_FLAGS, BENCH_SKIP_BUILD, BENCH_RESULTS as in bench/common.sh.
set -euo pipefail

versions="${1:-1000000}"
if ! [[ "$versions" =~ ^[0-9]+$ ]] || [ "$versions" -lt 1000 ]; then
  echo "usage: $0 [VERSIONS]   (at least 1000, default 1000000)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} $bench_jit_opts \
  -Dbench.command="bench/run-asof.sh $versions" \
  -cp "$bench_classpath" io.nexussync.bench.AsOfBenchmark "$versions" | tee "$bench_results/asof.md"
exit "${PIPESTATUS[0]}"
