#!/usr/bin/env bash
# Reverse sync measured from outside: builds nexus-sync-bench and what it needs, then runs
# io.nexussync.bench.ReverseBenchmark in one JVM with embedded PostgreSQL 17, embedded Neo4j 5 (with the nexus-sync
# plugin) and the service: for each rate, Cypher title edits paced to that many per second for N s after a 5 s warm-up,
# each timed from its graph commit to the commit of the PostgreSQL transaction that wrote it (p50/p95/p99/max); then
# what the plugin costs a graph write: the same edits against this server and a second one without the plugin.
#
#   bench/run-reverse.sh [RATE ...] [--seconds N] [--edits N]
#       (default: 100 1000 edits/s, 30 s each; 20,000 edits for the cost)
#
# Writes $BENCH_RESULTS/reverse.md (the Markdown report, also printed). Environment: BENCH_JAVA_OPTS (default
# "-Xms1g -Xmx2g"); NEXUS_SYNC_* settings are passed through to the service; BENCH_MVN_FLAGS, BENCH_SKIP_BUILD,
# BENCH_RESULTS as in bench/common.sh.
set -euo pipefail

expect_number=""
for arg in "$@"; do
  if [ -n "$expect_number" ] || [[ "$arg" != --* ]]; then
    if ! [[ "$arg" =~ ^[0-9_]+$ ]] || [ "${arg//_/}" -lt 1 ]; then
      echo "usage: $0 [RATE ...] [--seconds N] [--edits N]   (positive numbers; default 100 1000 --seconds 30 --edits 20000)" >&2
      exit 2
    fi
    expect_number=""
  elif [ "$arg" = "--seconds" ] || [ "$arg" = "--edits" ]; then
    expect_number=1
  else
    echo "unknown option $arg; usage: $0 [RATE ...] [--seconds N] [--edits N]" >&2
    exit 2
  fi
done
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} $bench_jit_opts \
  -Dbench.command="bench/run-reverse.sh${*:+ $*}" -Dbench.results="$bench_results" \
  -cp "$bench_classpath" io.nexussync.bench.ReverseBenchmark "$@" | tee "$bench_results/reverse.md"
