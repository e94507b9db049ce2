#!/usr/bin/env bash
# run vs capture + apply over Kafka: builds nexus-sync-bench and what it needs, then runs
# io.nexussync.bench.KafkaEndToEndBenchmark, which starts embedded PostgreSQL 17, Neo4j 5 and a KRaft broker
# and measures, on the end-to-end benchmark's workload, `run` alone, capture + 1 apply and capture + 2 apply
# instances (4 partitions), each nexus-sync process a JVM of its own: throughput (row changes/s from the first
# write until the graph holds the last) and commit-to-visible latency of probe updates (p50/p95/p99/max).
#
#   bench/run-kafka-e2e.sh [CHANGES]        (default 100000 row changes per configuration)
#
# Writes $BENCH_RESULTS/kafka-e2e-CHANGES.md (the Markdown report, also printed); the roles' logs go to
# nexus-sync-bench/target/kafka-e2e-logs/. Environment as bench/run-e2e.sh: BENCH_JAVA_OPTS (default "-Xms1g -Xmx2g";
# the broker runs in that JVM), NEXUS_SYNC_* settings passed through to every nexus-sync process, BENCH_MVN_FLAGS,
# BENCH_SKIP_BUILD, BENCH_RESULTS.
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

commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) memory, $(uname -sr)"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} $bench_jit_opts \
  -Dbench.command="bench/run-kafka-e2e.sh $changes" -Dbench.commit="$commit" -Dbench.machine="$machine" \
  -Dbench.date="$(date -u +%Y-%m-%d)" \
  -cp "$bench_classpath" io.nexussync.bench.KafkaEndToEndBenchmark "$changes" | tee "$bench_results/kafka-e2e-$changes.md"
