#!/usr/bin/env bash
# The service's heap through a backlog drain: the e2e benchmark's warm-up and drain only
# (-Dbench.drain-only=true), in a JVM capped at 512 MB that holds the service and the benchmark's
# writers (PostgreSQL and Neo4j run in processes of their own), with a GC log. Reports the drain rate,
# the peak heap used and the largest old generation after a collection (what the service keeps).
#
#   bench/run-drain-heap.sh [CHANGES...]     (default: 100000 1000000)
#
# Writes $BENCH_RESULTS/drain-heap.md. BENCH_MVN_FLAGS, BENCH_SKIP_BUILD, BENCH_RESULTS as in bench/common.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
report="$bench_results/drain-heap.md"
{
  echo "## The service's heap through a backlog drain (JVM capped at 512 MB)"
  echo
  echo "Command: \`bench/run-drain-heap.sh ${sizes[*]}\` on $(git rev-parse --short HEAD); the benchmark JVM (service + writers) runs with -Xms512m -Xmx512m $bench_jit_opts"
  echo
  echo "| changes | drain (WAL changes/s) | peak heap used | largest old generation after a GC | GC pauses |"
  echo "|---:|---:|---:|---:|---:|"
} > "$report"
for n in "${sizes[@]}"; do
  log="$bench_results/drain-heap-$n-gc.log"
  out="$(env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java -Xms512m -Xmx512m $bench_jit_opts -Xlog:gc*:file="$log" -Dbench.drain-only=true \
    -Dbench.command="bench/run-drain-heap.sh $n" -cp "$bench_classpath" io.nexussync.bench.EndToEndBenchmark "$n")"
  echo "$out" >&2
  line="$(echo "$out" | grep '^nexus-sync, backlog drain' | tail -1)"
  rate="$(echo "$line" | sed -E 's/.*= ([0-9,]+) changes\/s.*/\1/')"
  peak="$(echo "$line" | sed -E 's/.*peak heap used ([0-9,]+) MiB.*/\1/')"
  # G1's per-region summary after each collection: "Old regions: a->b"; region size from the log's header
  region="$(grep -oE 'Heap Region Size: [0-9]+M' "$log" | head -1 | grep -oE '[0-9]+' || echo 1)"
  old="$(grep -oE 'Old regions: [0-9]+->[0-9]+' "$log" | sed -E 's/.*->//' | sort -n | tail -1)"
  pauses="$(grep -cE 'Pause (Young|Full|Remark|Cleanup)' "$log" || true)"
  echo "| $n | $rate | $peak MiB | $(( ${old:-0} * region )) MiB | $pauses |" >> "$report"
done
cat "$report"
