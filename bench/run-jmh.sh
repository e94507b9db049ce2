#!/usr/bin/env bash
# The JMH micro-benchmarks of the hot code (io.nexussync.bench.jmh): pgoutput decoding, value
# conversion, planning/coalescing a 5,000-change batch. Builds nexus-sync-bench (JMH's annotation
# processor generates the benchmark list), runs org.openjdk.jmh.Main with the arguments given, and
# writes to $BENCH_RESULTS (default bench/results): jmh.txt (JMH's own output), jmh.json, jmh.md
# (the Markdown table, also printed).
#
#   bench/run-jmh.sh [JMH ARGUMENTS...]      e.g.  bench/run-jmh.sh -f 1 -wi 1 -i 1 -w 1s -r 1s
#                                                  bench/run-jmh.sh GraphPlanner      (a regexp)
#                                                  bench/run-jmh.sh -h                (JMH's options)
#
# Defaults are the benchmarks' own annotations: 1 fork, 3 warm-up and 5 measured iterations of 2 s
# (about 7 minutes for all of them). Environment: BENCH_JAVA_OPTS (default "-Xms1g -Xmx1g") sets the
# JVM flags, which the forked benchmark JVMs inherit; BENCH_MVN_FLAGS, BENCH_SKIP_BUILD, BENCH_RESULTS
# as in bench/common.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

command="bench/run-jmh.sh${*:+ $*}"
rm -f "$bench_results/jmh.json"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
java ${BENCH_JAVA_OPTS:--Xms1g -Xmx1g} -cp "$bench_classpath" org.openjdk.jmh.Main \
  -rf json -rff "$bench_results/jmh.json" "$@" | tee "$bench_results/jmh.txt"
# -h, -l and the like write no results
if [ -s "$bench_results/jmh.json" ]; then
  java -cp "$bench_classpath" io.nexussync.bench.jmh.JmhReport "$bench_results/jmh.json" "$command" | tee "$bench_results/jmh.md"
fi
