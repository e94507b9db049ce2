#!/usr/bin/env bash
# What failures cost: builds nexus-sync-bench and what it needs, then runs io.nexussync.bench.FailureBenchmark
# in one JVM with embedded PostgreSQL 17 and Neo4j 5: the same backlog drained clean and with 0.1% poison
# rows (dead letters), and the recovery from a Neo4j outage under a paced workload.
#
#   bench/run-failures.sh [CHANGES] [--outage SECONDS] [--rate N]   (default 100000, 30 s, 1000 changes/s)
#
# Writes $BENCH_RESULTS/failures.md (also printed). Environment as in bench/run-e2e.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} $bench_jit_opts \
  -Dbench.command="bench/run-failures.sh${*:+ $*}" \
  -cp "$bench_classpath" io.nexussync.bench.FailureBenchmark "$@" | tee "$bench_results/failures.md"
