#!/usr/bin/env bash
# Kafka roles under kills (CI runs one): KafkaRolesIT N times in a row, each a fresh
# database, graph and topics with its own seed; per run capture and two apply instances (KAFKA_APPLY_INSTANCES) as child JVMs under the
# contract workload, capture and one apply instance SIGKILLed six times in all, then graph == database with history,
# each change once in the topic, no Kafka record applied twice. Counts the runs that end clean.
#
#   bench/run-kafka-crash.sh [runs] [first-seed]          (default 10 runs from seed 1)
#
# Writes $BENCH_RESULTS/kafka-crash-<instances>-apply.md (also printed); exits 1 when any run was not clean. About 2 min a run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
seed="${2:-1}"
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results"
log="$results/kafka-crash-maven.log"
status=0
# shellcheck disable=SC2086 # BENCH_MVN_FLAGS is a list of flags
mvn -B -T 1 ${BENCH_MVN_FLAGS:-} -pl nexus-sync-dist,nexus-sync-it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=KafkaRolesIT -Dkafka.runs="$runs" -Dkafka.seed="$seed" \
  -Dkafka.applyInstances="${KAFKA_APPLY_INSTANCES:-2}" > "$log" 2>&1 || status=$?
{
  echo "# Kafka roles crash benchmark"
  echo
  echo "\`KAFKA_APPLY_INSTANCES=${KAFKA_APPLY_INSTANCES:-2} bench/run-kafka-crash.sh $runs $seed\` on commit $(git rev-parse --short HEAD) ($(date -u +%Y-%m-%d)), $(nproc) cores"
  echo
  grep -E '^kafka roles run [(0-9]' "$log" | sed 's/^/- /' || true
  echo
  grep -E '^kafka roles runs:' "$log" || echo "no summary: the test did not finish; see $log"
} | tee "$results/kafka-crash-${KAFKA_APPLY_INSTANCES:-2}-apply.md"
exit "$status"
