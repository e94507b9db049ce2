#!/usr/bin/env bash
# The crash benchmark (not in CI, which runs one): CrashRecoveryIT N times in a row, each a fresh database
# and graph with its own seed, the service killed six times per run (SIGKILL at random, SIGKILL while it
# resumes, halts right after a graph commit and right before an acknowledgement) under ~1,200 row
# changes/s, then the whole contract compared, INCLUDES history included. Counts the runs that end clean.
#
#   bench/run-crash.sh [runs] [first-seed]          (default 20 runs from seed 1)
#
# Writes $BENCH_RESULTS/crash.md (also printed); exits 1 when any run was not clean. About 3 min a run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
seed="${2:-1}"
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results"
log="$results/crash-maven.log"
status=0
# shellcheck disable=SC2086 # BENCH_MVN_FLAGS is a list of flags
mvn -B -T 1 ${BENCH_MVN_FLAGS:-} -pl nexus-sync-dist,nexus-sync-it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=CrashRecoveryIT -Dcrash.runs="$runs" -Dcrash.seed="$seed" > "$log" 2>&1 || status=$?
{
  echo "# Crash benchmark"
  echo
  echo "\`bench/run-crash.sh $runs $seed\` on commit $(git rev-parse --short HEAD) ($(date -u +%Y-%m-%d)), $(nproc) cores"
  echo
  grep -E '^crash run [(0-9]' "$log" | sed 's/^/- /' || true
  echo
  grep -E '^crash runs:' "$log" || echo "no summary: the test did not finish; see $log"
} | tee "$results/crash.md"
exit "$status"
