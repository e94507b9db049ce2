#!/usr/bin/env bash
# ReverseCrashIT N times in a row (each a fresh database and graph, seeds 11, 12, ...): the application and a graph user
# edit the same entities at once (titles, access levels, view counts, TAGGED_WITH and INCLUDES in both systems, nodes
# created in the graph, deletes the plugin refuses) while the service is killed five times (SIGKILL at random, a halt
# right after PostgreSQL committed a reverse round, a halt right after a created node got its key). A run is clean when
# the graph equals the database by the contract (history included), every node's neo4jVersion is its number of graph
# edits, the outbox numbered exactly the graph user's transactions (nothing bounced), every conflict was settled by its
# rule and logged once, and every node created in the graph has one row. Counts the clean runs.
#
#   bench/run-reverse-crash.sh [runs]      (default 5; about 2.5 min a run on 2 cores)
#
# Writes $BENCH_RESULTS/reverse-crash.md (also printed); exits 1 when any run was not clean. Takes /work/it.lock (or
# $IT_LOCK) when flock is there, so that it never runs beside another integration test on the machine.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results/reverse-crash"
log="$results/reverse-crash/maven.log"
lock="${IT_LOCK:-/work/it.lock}"
run_locked() { if command -v flock > /dev/null && [ -e "$(dirname "$lock")" ]; then flock "$lock" "$@"; else "$@"; fi; }
status=0
start=$(date +%s)
# shellcheck disable=SC2086 # BENCH_MVN_FLAGS is a list of flags
run_locked mvn -B -T 1 ${BENCH_MVN_FLAGS:-} -pl nexus-sync-dist,nexus-sync-it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ReverseCrashIT -Dreverse.crash.runs="$runs" > "$log" 2>&1 || status=$?
took=$(( $(date +%s) - start ))
cp nexus-sync-it/target/child-logs/reverse-crash-*.log "$results/reverse-crash/" 2>/dev/null
{
  echo "# Reverse sync crash runs"
  echo
  echo "\`bench/run-reverse-crash.sh $runs\` on commit $(git rev-parse --short HEAD) ($(date -u +%Y-%m-%d)), $(nproc) cores, ${took} s with the build"
  echo
  grep -E '^reverse crash run' "$log" | cut -c1-400 | sed 's/^/- /' || true
  echo
  grep -E '^reverse crash runs:' "$log" || echo "no summary: the test did not finish; see $log"
} | tee "$results/reverse-crash.md"
exit "$status"
