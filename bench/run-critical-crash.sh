#!/usr/bin/env bash
# CriticalCrashIT N times in a row (each a fresh database and graph, seeds 5, 6, ...): the application prepares critical
# transactions ('nexus_sync:<id>': access levels, thread positions, inserts and deletes, some the graph refuses) and
# commits ordinary ones while the service is halted right after it read a PREPARE, right after the graph committed a
# critical write, just before and just after COMMIT/ROLLBACK PREPARED, SIGKILLed at random, and while Neo4j is stopped
# under it (seven kills a run). A run is clean when nothing stays prepared, every critical transaction ended the same on
# both sides (PostgreSQL's pg_xact_status against the graph's decision, and the recorded outcome), and the graph equals
# the database by the contract, history included. Counts the clean runs.
#
#   bench/run-critical-crash.sh [runs]      (default 5; about 2 min a run on 2 cores)
#
# Writes $BENCH_RESULTS/critical-crash.md (also printed); exits 1 when any run was not clean. Takes /work/it.lock (or
# $IT_LOCK) when flock is there, so that it never runs beside another integration test on the machine.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results/critical-crash"
log="$results/critical-crash/maven.log"
lock="${IT_LOCK:-/work/it.lock}"
run_locked() { if command -v flock > /dev/null && [ -e "$(dirname "$lock")" ]; then flock "$lock" "$@"; else "$@"; fi; }
status=0
start=$(date +%s)
# shellcheck disable=SC2086 # BENCH_MVN_FLAGS is a list of flags
run_locked mvn -B -T 1 ${BENCH_MVN_FLAGS:-} -pl nexus-sync-dist,nexus-sync-it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=CriticalCrashIT -Dcritical.crash.runs="$runs" > "$log" 2>&1 || status=$?
took=$(( $(date +%s) - start ))
cp nexus-sync-it/target/child-logs/critical-crash-*.log "$results/critical-crash/" 2>/dev/null
{
  echo "# Critical writes crash runs"
  echo
  echo "\`bench/run-critical-crash.sh $runs\` on commit $(git rev-parse --short HEAD) ($(date -u +%Y-%m-%d)), $(nproc) cores, ${took} s with the build"
  echo
  grep -E '^critical crash run' "$log" | cut -c1-400 | sed 's/^/- /' || true
  echo
  grep -E '^critical crash runs:' "$log" || echo "no summary: the test did not finish; see $log"
} | tee "$results/critical-crash.md"
exit "$status"
