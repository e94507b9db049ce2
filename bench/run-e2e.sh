#!/usr/bin/env bash
# The end-to-end load benchmark: builds nexus-sync-bench and what it needs, then runs
# io.nexussync.bench.EndToEndBenchmark in one JVM with embedded PostgreSQL 17 and Neo4j 5.
#
#   bench/run-e2e.sh [CHANGES]        (default 100000 row changes)
#
# Environment: BENCH_JAVA_OPTS (default "-Xms1g -Xmx2g") sets the benchmark JVM's flags;
# BENCH_MVN_FLAGS adds Maven flags (e.g. -o to build offline).
set -euo pipefail

changes="${1:-100000}"
if ! [[ "$changes" =~ ^[0-9]+$ ]] || [ "$changes" -lt 1 ]; then
  echo "usage: $0 [CHANGES]   (a positive number of row changes, default 100000)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."

# shellcheck disable=SC2086 # BENCH_MVN_FLAGS is a list of flags
mvn -B -q -T 1 ${BENCH_MVN_FLAGS:-} -DskipTests -pl nexus-sync-bench -am install

# Plain java rather than exec:java, so the JVM flags are the benchmark's own and not Maven's.
classpath_file="$PWD/nexus-sync-bench/target/bench.classpath"
# shellcheck disable=SC2086
mvn -B -q ${BENCH_MVN_FLAGS:-} -pl nexus-sync-bench dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$classpath_file"

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
exec env NEXUS_SYNC_LOG_LEVEL="${NEXUS_SYNC_LOG_LEVEL:-WARN}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx2g} \
  -Dbench.command="bench/run-e2e.sh $changes" \
  -cp "nexus-sync-bench/target/classes:$(cat "$classpath_file")" \
  io.nexussync.bench.EndToEndBenchmark "$changes"
