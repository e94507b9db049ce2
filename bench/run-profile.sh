#!/usr/bin/env bash
# Where a drain's time goes: the end-to-end benchmark's warm-up and drain only (-Dbench.drain-only=true),
# with a JFR recording of the service's JVM and of the embedded Neo4j's child JVM (stack depth 256).
#
#   bench/run-profile.sh NAME [CHANGES] [extra JVM flags...]     (default 100000 changes)
#
# Writes $BENCH_RESULTS/NAME-svc.jfr and NAME-neo.jfr and prints the drain rate. Read them with
# `jfr print --stack-depth 300 --events jdk.ExecutionSample FILE` (jfr keeps 5 frames a stack unless told),
# `jfr print --events jdk.CPULoad FILE` (each JVM's share of the machine) and `jdk.Compilation` (the JIT).
# The Neo4j JVM's flags go through -Dnexus.sync.neo4j.java-options, which is split on spaces by the
# embedded server, so they cannot pass through BENCH_JAVA_OPTS; hence this script.
set -euo pipefail
name="${1:?usage: $0 NAME [CHANGES] [extra JVM flags...]}"
changes="${2:-100000}"
shift $(( $# >= 2 ? 2 : 1 ))
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build
results="$(cd "$bench_results" && pwd)"
env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java -Xms1g -Xmx2g -Dbench.drain-only=true "$@" \
  -XX:FlightRecorderOptions=stackdepth=256 -XX:StartFlightRecording=filename="$results/$name-svc.jfr",settings=profile \
  "-Dnexus.sync.neo4j.java-options=-Xmx2g -XX:FlightRecorderOptions=stackdepth=256 -Xlog:jfr+startup=off -XX:StartFlightRecording=filename=$results/$name-neo.jfr,settings=profile" \
  -Dbench.command="bench/run-profile.sh $name $changes" -cp "$bench_classpath" io.nexussync.bench.EndToEndBenchmark "$changes"
