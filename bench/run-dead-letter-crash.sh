#!/usr/bin/env bash
# DeadLetterCrashIT N times in a row (SIGKILL right after dead-letter writes and after `dlq retry`, under the contract
# workload with poison rows; then graph == database): counts the clean runs, keeps the service log of each failure.
#
#   bench/run-dead-letter-crash.sh [runs]      (default 12; about a minute a run on 2 cores)
#
# Writes $BENCH_RESULTS/dead-letter-crash.md (also printed); exits 1 when any run was not clean.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-12}"
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results/dead-letter-crash"
clean=0
lines=()
for i in $(seq 1 "$runs"); do
  # shellcheck disable=SC2086 # BENCH_MVN_FLAGS is a list of flags
  if mvn -B -T 1 -q ${BENCH_MVN_FLAGS:-} -pl nexus-sync-dist,nexus-sync-it -am verify -Dtest=none \
      -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=DeadLetterCrashIT > "$results/dead-letter-crash/maven-$i.log" 2>&1; then
    clean=$((clean + 1)); lines+=("- run $i: clean")
  else
    cp nexus-sync-it/target/child-logs/dead-letter-crash.log "$results/dead-letter-crash/service-$i.log" 2>/dev/null
    lines+=("- run $i: FAILED: $(grep -m1 -E 'Expecting|expected|waited|died' "$results/dead-letter-crash/maven-$i.log" | cut -c1-200)")
  fi
done
{
  echo "# Dead-letter crash runs"
  echo
  echo "\`bench/run-dead-letter-crash.sh $runs\` on commit $(git rev-parse --short HEAD) ($(date -u +%Y-%m-%d)), $(nproc) cores"
  echo
  printf '%s\n' "${lines[@]}"
  echo
  echo "dead-letter crash runs: $clean of $runs clean"
} | tee "$results/dead-letter-crash.md"
[ "$clean" -eq "$runs" ]
