#!/usr/bin/env bash
# The version trigger benchmark: builds nexus-sync-bench and what it needs, then runs
# io.nexussync.bench.VersionTriggerBenchmark against one embedded PostgreSQL 17: single-row UPDATEs of a
# row holding a 1 MiB text value (left alone, replaced) and of a small row, on a table with today's
# version trigger, one with the trigger from before issue 10, and one with none; per UPDATE, the
# backend's CPU time and the client's wall time, medians over the rounds.
#
#   bench/run-trigger.sh [ROUNDS]        (default: 7)
#
# Writes $BENCH_RESULTS/trigger.md (the Markdown report, also printed). Environment: BENCH_JAVA_OPTS
# (default "-Xmx1g"); BENCH_MVN_FLAGS, BENCH_SKIP_BUILD, BENCH_RESULTS as in bench/common.sh.
set -euo pipefail

rounds="${1:-7}"
if ! [[ "$rounds" =~ ^[0-9]+$ ]] || [ "$rounds" -lt 1 ]; then
  echo "usage: $0 [ROUNDS]   (a positive number of rounds, default 7)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
java ${BENCH_JAVA_OPTS:--Xmx1g} -Dbench.command="bench/run-trigger.sh${1:+ $1}" \
  -cp "$bench_classpath" io.nexussync.bench.VersionTriggerBenchmark "$rounds" | tee "$bench_results/trigger.md"
