#!/usr/bin/env bash
# The whole benchmark suite, one command: builds once, then runs in sequence
#
#   bench/run-lanes.sh 200000        critical changes while a low-lane backlog drains
#   bench/run-latency.sh 1000 5000   commit-to-visible latency at paced rates, 60 s each
#   bench/run-e2e.sh 100000          end-to-end throughput (drain, live, raw Neo4j and naive references, peak heap)
#   bench/run-jmh.sh                 JMH: pgoutput decoding, value conversion, planning (+ the scheduler)
#   bench/run-e2e.sh 1000000         (the longest, last)
#
# and collects every report into $BENCH_RESULTS (default bench/results): each script's Markdown
# (e2e-100000.md, e2e-1000000.md, latency.md, lanes.md, jmh.md), the PNGs, JMH's own output, this
# run's log (run-all.log) and README.md: the commit, the machine, each exact command line with its
# duration and outcome, then every report and plot. Expect about an hour and a half on 2 cores.
#
#   bench/run-all.sh            the full sizes above
#   bench/run-all.sh --quick    the same commands at trial sizes (a few minutes), to check that the
#                               suite works end to end; its figures mean little
#
# Environment: NEXUS_SYNC_* settings (batch size, apply workers, ...) reach every service run;
# BENCH_MVN_FLAGS (e.g. -o), BENCH_RESULTS, BENCH_JAVA_OPTS as in the scripts it runs.
set -uo pipefail

quick=""
case "${1:-}" in
  "") ;;
  --quick) quick=1 ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build || exit 1
export BENCH_SKIP_BUILD=1 BENCH_RESULTS="$bench_results"

if [ -n "$quick" ]; then
  steps=("bench/run-e2e.sh 1000"
         "bench/run-e2e.sh 3000"
         "bench/run-latency.sh 200 --seconds 15 --warmup 5"
         "bench/run-lanes.sh 5000"
         "bench/run-jmh.sh -f 1 -wi 1 -i 1 -w 1s -r 1s")
else
  # The longest run last, so that a cut-short session still has the others.
  steps=("bench/run-lanes.sh 200000"
         "bench/run-latency.sh 1000 5000"
         "bench/run-e2e.sh 100000"
         "bench/run-jmh.sh"
         "bench/run-e2e.sh 1000000")
fi

log="$bench_results/run-all.log"
summary="$bench_results/README.md"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
: > "$log"
rows=()
reports=()
failed=0
for step in "${steps[@]}"; do
  echo "== $step" | tee -a "$log"
  begin=$SECONDS
  # shellcheck disable=SC2086 # a step is a command line
  $step > >(tee -a "$log") 2> >(tee -a "$log" >&2)
  status=$?
  wait # for the tee processes, so the log is complete
  duration=$((SECONDS - begin))
  outcome="ok"
  [ "$status" -ne 0 ] && { outcome="**failed (exit $status)**"; failed=1; }
  read -r script first _ <<< "$step"
  case "$script" in
    *run-e2e.sh) report="e2e-$first.md" ;;
    *run-latency.sh) report="latency.md" ;;
    *run-lanes.sh) report="lanes.md" ;;
    *run-jmh.sh) report="jmh.md" ;;
  esac
  rows+=("| \`$step\` | $outcome | $((duration / 60)) min $((duration % 60)) s | [$report]($report) |")
  reports+=("$report")
done

{
  echo "# nexus-sync benchmark results"
  echo
  echo "Suite: \`bench/run-all.sh${quick:+ --quick}\`, started $started; commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/results' 2>/dev/null || echo ' (with uncommitted changes)')."
  echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) memory, $(java -version 2>&1 | head -1);" \
    "NEXUS_SYNC_* settings: $(env | grep '^NEXUS_SYNC_' | grep -v '^NEXUS_SYNC_LOG_LEVEL=' | sort | tr '\n' ' ' | sed 's/ $//' | grep . || echo 'none (defaults)')."
  echo
  echo "| command | outcome | duration | report |"
  echo "|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  for report in "${reports[@]}"; do
    echo
    if [ -s "$bench_results/$report" ]; then
      # each report starts with its own "## " title
      grep -q '^## ' "$bench_results/$report" || echo "## $report"
      cat "$bench_results/$report"
    else
      echo "## $report"
      echo
      echo "(no report: see run-all.log)"
    fi
    if [ "$report" = latency.md ] || [ "$report" = lanes.md ]; then
      echo
      for png in $(grep -o '[a-z0-9-]*\.png' "$bench_results/$report" 2>/dev/null | sort -u); do
        echo "![$png]($png)"
      done
    fi
  done
} > "$summary"
echo "Reports collected in $summary"
exit $failed
