#!/usr/bin/env bash
# The commit-to-visible latency benchmark: builds nexus-sync-bench and what it needs, then runs
# io.nexussync.bench.LatencyBenchmark in one JVM with embedded PostgreSQL 17, Neo4j 5 and the service:
# for each rate, the contract workload paced at that many row changes per second on a fresh database,
# a warm-up, then the measured window; p50/p95/p99/max commit-to-visible latency and the achieved rate.
#
#   bench/run-latency.sh [RATE ...] [--seconds N] [--warmup N] [--fresh [--warm-servers N]]
#       (default: 1000 5000 changes/s, 60 s measured after a 10 s warm-up each and a wait until caught up;
#        --fresh: the workload runs from the moment the service streams and the window opens 5 s later,
#        no catch-up wait: what a user sees after a restart. Run one rate per invocation for a fresh JVM.
#        --warm-servers N: before that, N s of the same workload synced by a service in a JVM of its own, which
#        then stops, so that PostgreSQL and Neo4j are warm and only the service restarts cold.)
#
# Writes $BENCH_RESULTS/latency.md (the Markdown report, also printed) and latency-RATE.png (lag over
# time). Environment: BENCH_JAVA_OPTS (default "-Xms1g -Xmx2g"; on two cores or fewer the launcher's
# -XX:TieredStopAtLevel=1); NEXUS_SYNC_* settings (batch size,
# apply workers, ...) are passed through to the service; BENCH_MVN_FLAGS, BENCH_SKIP_BUILD,
# BENCH_RESULTS as in bench/common.sh.
set -euo pipefail

expect_number=""
for arg in "$@"; do
  if [ -n "$expect_number" ] || [[ "$arg" != --* ]]; then
    if ! [[ "$arg" =~ ^[0-9_]+$ ]] || [ "${arg//_/}" -lt 1 ]; then
      echo "usage: $0 [RATE ...] [--seconds N] [--warmup N]   (positive numbers; default 1000 5000 --seconds 60 --warmup 10)" >&2
      exit 2
    fi
    expect_number=""
  elif [ "$arg" = "--seconds" ] || [ "$arg" = "--warmup" ] || [ "$arg" = "--warm-servers" ]; then
    expect_number=1
  elif [ "$arg" = "--fresh" ]; then
    :
  else
    echo "unknown option $arg; usage: $0 [RATE ...] [--seconds N] [--warmup N] [--fresh [--warm-servers N]]" >&2
    exit 2
  fi
done
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} $bench_jit_opts -Djava.awt.headless=true \
  -Dbench.command="bench/run-latency.sh${*:+ $*}" -Dbench.results="$bench_results" \
  -cp "$bench_classpath" io.nexussync.bench.LatencyBenchmark "$@" | tee "$bench_results/latency.md"
