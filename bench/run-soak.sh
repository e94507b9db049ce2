#!/usr/bin/env bash
# The soak run (not in CI): the service as a child JVM under the contract workload for N minutes with a
# fault every 30-90 s (SIGKILL, SIGTERM, Neo4j stopped 5-30 s, PostgreSQL connections cut) and a poison
# row with each; at the end the poison is fixed and retried and the graph is compared with the database.
#
#   bench/run-soak.sh [--minutes N] [--rate N] [--seed N]     (default 30 minutes at 300 changes/s, seed 1)
#
# Writes $BENCH_RESULTS/soak.md (also printed) and soak-service.log; exits 1 when anything differs.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
java ${BENCH_JAVA_OPTS:--Xms512m -Xmx2g} $bench_jit_opts -Dbench.command="bench/run-soak.sh${*:+ $*}" -Dbench.results="$bench_results" \
  -cp "$bench_classpath" io.nexussync.bench.SoakRun "$@" | tee "$bench_results/soak.md"
