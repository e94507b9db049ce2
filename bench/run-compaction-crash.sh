#!/usr/bin/env bash
# History compaction under crashes (not in CI, which runs one): HistoryCompactionCrashIT N times in a row, each a fresh
# database and graph with its own seed; per run four compactions beside a streaming child service that is SIGKILLed
# during one, or halted right after a graph commit / right before an acknowledgement before one, then the history
# compared with an audit of every thread_content change. Counts the runs that end clean.
#
#   bench/run-compaction-crash.sh [runs] [first-seed]          (default 10 runs from seed 1)
#
# Writes $BENCH_RESULTS/compaction-crash.md (also printed); exits 1 when any run was not clean. About 2 min a run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
seed="${2:-1}"
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results"
log="$results/compaction-crash-maven.log"
status=0
# shellcheck disable=SC2086 # BENCH_MVN_FLAGS is a list of flags
mvn -B -T 1 ${BENCH_MVN_FLAGS:-} -pl nexus-sync-dist,nexus-sync-it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=HistoryCompactionCrashIT -Dcompaction.crash.runs="$runs" -Dcompaction.crash.seed="$seed" > "$log" 2>&1 || status=$?
{
  echo "# History compaction crash benchmark"
  echo
  echo "\`bench/run-compaction-crash.sh $runs $seed\` on commit $(git rev-parse --short HEAD) ($(date -u +%Y-%m-%d)), $(nproc) cores"
  echo
  grep -E '^compaction crash run [(0-9]' "$log" | sed 's/^/- /' || true
  echo
  grep -E '^compaction crash runs:' "$log" || echo "no summary: the test did not finish; see $log"
} | tee "$results/compaction-crash.md"
exit "$status"
