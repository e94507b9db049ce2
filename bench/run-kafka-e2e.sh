#!/usr/bin/env bash
# run vs capture + apply over Kafka: builds nexus-sync-bench and what it needs, then runs
# io.nexussync.bench.KafkaEndToEndBenchmark, which starts embedded PostgreSQL 17, Neo4j 5 and a KRaft broker
# and measures, on the end-to-end benchmark's workload, `run` alone, capture + 1 apply and capture + 2 apply
# instances (4 partitions), each nexus-sync process a JVM of its own: throughput (row changes/s from the first
# write until the graph holds the last) and commit-to-visible latency (p50/p95/p99/max and the sample count) of
# probe updates written at a fixed rate, in two phases: while that backlog is written and drained, and while the
# contract workload is paced at a steady load below all three configurations' capacity.
#
#   bench/run-kafka-e2e.sh [CHANGES] [--paced-rate N] [--paced-seconds N] [--paced-warmup N] [--probe-rate N]
#       (default 100000 row changes flat out per configuration, then 1000 changes/s paced for 30 s untimed
#        and 60 s measured; 40 probes/s throughout)
#
# Writes $BENCH_RESULTS/kafka-e2e-CHANGES.md (the Markdown report, also printed) and kafka-e2e-CHANGES-latency.png
# (probe latency over time); the roles' logs go to nexus-sync-bench/target/kafka-e2e-logs/. Environment as
# bench/run-e2e.sh: BENCH_JAVA_OPTS (default "-Xms1g -Xmx2g"; the broker runs in that JVM), NEXUS_SYNC_* settings
# passed through to every nexus-sync process, BENCH_MVN_FLAGS, BENCH_SKIP_BUILD, BENCH_RESULTS.
set -euo pipefail

usage="usage: $0 [CHANGES] [--paced-rate N] [--paced-seconds N] [--paced-warmup N] [--probe-rate N]   (positive numbers; default 100000 --paced-rate 1000 --paced-seconds 60 --paced-warmup 30 --probe-rate 40)"
changes=100000
expect_number=""
for arg in "$@"; do
  if [ -n "$expect_number" ] || [[ "$arg" != --* ]]; then
    if ! [[ "$arg" =~ ^[0-9_]+$ ]] || [ "${arg//_/}" -lt 1 ]; then
      echo "$usage" >&2
      exit 2
    fi
    if [ -z "$expect_number" ]; then
      changes="${arg//_/}"
    fi
    expect_number=""
  elif [ "$arg" = "--paced-rate" ] || [ "$arg" = "--paced-seconds" ] || [ "$arg" = "--paced-warmup" ] || [ "$arg" = "--probe-rate" ]; then
    expect_number=1
  else
    echo "unknown option $arg; $usage" >&2
    exit 2
  fi
done
if [ -n "$expect_number" ]; then
  echo "$usage" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) memory, $(uname -sr)"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} $bench_jit_opts \
  -Djava.awt.headless=true -Dbench.command="bench/run-kafka-e2e.sh${*:+ $*}" -Dbench.commit="$commit" -Dbench.machine="$machine" \
  -Dbench.date="$(date -u +%Y-%m-%d)" -Dbench.results="$bench_results" \
  -cp "$bench_classpath" io.nexussync.bench.KafkaEndToEndBenchmark "$@" | tee "$bench_results/kafka-e2e-$changes.md"
