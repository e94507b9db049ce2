#!/usr/bin/env bash
# The lane benchmark: builds nexus-sync-bench and what it needs, then runs io.nexussync.bench.LaneBenchmark
# in one JVM with embedded PostgreSQL 17, Neo4j 5 and the service. With the service stopped, BACKLOG
# low-lane changes (content_items.view_count only) are committed; the service starts and, while it
# drains them, critical changes (access_level updates, message and tag deletes) are committed at a
# steady rate until the backlog is visible. Reports per-lane latency and how long the backlog took.
#
#   bench/run-lanes.sh [BACKLOG] [--rows N] [--critical-rate N] [--live]
#       (default: 200000 backlog changes over BACKLOG/20 rows (2,000 to 20,000), 20 critical changes/s)
#   --live: the backlog is written at full speed while the service runs (a bulk job) instead of while it is
#       stopped (a restart); writes lanes-live.md and lanes-live.png
#
# Writes $BENCH_RESULTS/lanes.md (the Markdown report, also printed) and lanes.png (lag over time per
# lane). Environment: BENCH_JAVA_OPTS (default "-Xms1g -Xmx2g"); NEXUS_SYNC_* settings are passed
# through to the service; BENCH_MVN_FLAGS, BENCH_SKIP_BUILD, BENCH_RESULTS as in bench/common.sh.
set -euo pipefail

expect_number=""
report=lanes.md
for arg in "$@"; do
  if [ -n "$expect_number" ] || [[ "$arg" != --* ]]; then
    if ! [[ "$arg" =~ ^[0-9_.]+$ ]]; then
      echo "usage: $0 [BACKLOG] [--rows N] [--critical-rate N] [--live]   (default 200000, --critical-rate 20)" >&2
      exit 2
    fi
    expect_number=""
  elif [ "$arg" = "--rows" ] || [ "$arg" = "--critical-rate" ]; then
    expect_number=1
  elif [ "$arg" = "--live" ]; then
    report=lanes-live.md
  else
    echo "unknown option $arg; usage: $0 [BACKLOG] [--rows N] [--critical-rate N] [--live]" >&2
    exit 2
  fi
done
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} $bench_jit_opts -Djava.awt.headless=true \
  -Dbench.command="bench/run-lanes.sh${*:+ $*}" -Dbench.results="$bench_results" \
  -cp "$bench_classpath" io.nexussync.bench.LaneBenchmark "$@" | tee "$bench_results/$report"
