#!/usr/bin/env bash
# VerifyRepairCrashIT N times in a row (each a fresh database and graph): verify's repair killed at repair-before-write
# and repair-after-commit, for a missing node, a wrong current INCLUDES version and a node without identity, then the
# service restarted without the crash point must finish each repair, apply nothing twice (INCLUDES history checked by
# an audit trigger) and log one repaired row per finding. Counts the clean runs.
#
#   bench/run-verify-crash.sh [runs]      (default 5; about 3 min a run on 2 cores)
#
# Writes $BENCH_RESULTS/verify-crash.md (also printed); exits 1 when any run was not clean. Takes /work/it.lock (or
# $IT_LOCK) when flock is there, so that it never runs beside another integration test on the machine.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results/verify-crash"
log="$results/verify-crash/maven.log"
lock="${IT_LOCK:-/work/it.lock}"
run_locked() { if command -v flock > /dev/null && [ -e "$(dirname "$lock")" ]; then flock "$lock" "$@"; else "$@"; fi; }
status=0
start=$(date +%s)
# shellcheck disable=SC2086 # BENCH_MVN_FLAGS is a list of flags
run_locked mvn -B -T 1 ${BENCH_MVN_FLAGS:-} -pl nexus-sync-dist,nexus-sync-it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=VerifyRepairCrashIT -Dverify.crash.runs="$runs" > "$log" 2>&1 || status=$?
took=$(( $(date +%s) - start ))
cp nexus-sync-it/target/child-logs/verify-repair-crash-*.log "$results/verify-crash/" 2>/dev/null
{
  echo "# Verify repair crash runs"
  echo
  echo "\`bench/run-verify-crash.sh $runs\` on commit $(git rev-parse --short HEAD) ($(date -u +%Y-%m-%d)), $(nproc) cores, ${took} s with the build"
  echo
  grep -E '^verify crash run [0-9]' "$log" | cut -c1-400 | sed 's/^/- /' || true
  echo
  grep -E '^verify crash runs:' "$log" || echo "no summary: the test did not finish; see $log"
} | tee "$results/verify-crash.md"
exit "$status"
