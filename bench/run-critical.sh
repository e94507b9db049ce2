#!/usr/bin/env bash
# Critical writes measured from outside: builds nexus-sync-bench and what it needs, then runs
# io.nexussync.bench.CriticalBenchmark in one JVM with embedded PostgreSQL 17, embedded Neo4j 5 and the service: the
# latency of one access-level change as a plain COMMIT, as a plain COMMIT until the graph shows it, and as a critical
# write (PREPARE TRANSACTION 'nexus_sync:...' until no longer prepared), interleaved in one run; then ordinary changes per
# second from two writers alone and beside a third making critical writes back to back.
#
#   bench/run-critical.sh [--ops N] [--seconds N]      (default 500 of each kind; 20 s of writes per run)
#
# Writes $BENCH_RESULTS/critical.md (the Markdown report, also printed). Environment: BENCH_JAVA_OPTS (default
# "-Xms1g -Xmx2g"); NEXUS_SYNC_* settings are passed through to the service; BENCH_MVN_FLAGS, BENCH_SKIP_BUILD,
# BENCH_RESULTS as in bench/common.sh.
set -euo pipefail

expect_number=""
for arg in "$@"; do
  if [ -n "$expect_number" ]; then
    if ! [[ "$arg" =~ ^[0-9_]+$ ]] || [ "${arg//_/}" -lt 1 ]; then
      echo "usage: $0 [--ops N] [--seconds N]   (positive numbers; default --ops 500 --seconds 20)" >&2
      exit 2
    fi
    expect_number=""
  elif [ "$arg" = "--ops" ] || [ "$arg" = "--seconds" ]; then
    expect_number=1
  else
    echo "unknown argument $arg; usage: $0 [--ops N] [--seconds N]" >&2
    exit 2
  fi
done
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} $bench_jit_opts \
  -Dbench.command="bench/run-critical.sh${*:+ $*}" -Dbench.results="$bench_results" \
  -cp "$bench_classpath" io.nexussync.bench.CriticalBenchmark "$@" | tee "$bench_results/critical.md"
