#!/usr/bin/env bash
# The verify benchmark: builds nexus-sync-bench and what it needs, then runs io.nexussync.bench.VerifyBenchmark
# in one JVM with embedded PostgreSQL 17 and Neo4j 5: a contract database of about ENTITIES entities (rows of the
# six mapped tables, ~30% content_items, ~35% thread_content, ~25% content_tags, the rest threads, messages and
# tags) synced by the service's own initial snapshot and stream (untimed), then, with the service stopped, the
# naive full comparison, verify with no drift, and verify after 1,000 discrepancies written into the graph (all
# must be found, counted by kind): time, entities/s, peak heap, where verify's time went.
#
#   bench/run-verify.sh [ENTITIES]        (default: 1000000)
#
# Writes $BENCH_RESULTS/verify.md (the Markdown report, also printed) and exits 1 if verify reported drift where
# there is none or missed an injected discrepancy. Environment: BENCH_JAVA_OPTS (default "-Xmx2g": room for the naive
# comparison's largest table at 1,000,000 entities, which holds both sides of it at once; verify's own live set is
# reported beside it, and a naive comparison that runs out of memory is reported as such); NEXUS_SYNC_* settings reach
# the service; BENCH_MVN_FLAGS adds Maven flags (e.g. -o); BENCH_SKIP_BUILD, BENCH_RESULTS as in bench/common.sh.
set -euo pipefail

entities="${1:-1000000}"
if ! [[ "$entities" =~ ^[0-9]+$ ]] || [ "$entities" -lt 10000 ]; then
  echo "usage: $0 [ENTITIES]   (at least 10000, default 1000000)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

machine="$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/^Mem:/ {print $2}') GiB memory"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xmx2g} $bench_jit_opts \
  -Dbench.command="bench/run-verify.sh $entities" -Dbench.commit="$commit" -Dbench.machine="$machine" \
  -cp "$bench_classpath" io.nexussync.bench.VerifyBenchmark "$entities" | tee "$bench_results/verify.md"
exit "${PIPESTATUS[0]}"
