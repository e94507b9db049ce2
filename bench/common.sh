# Sourced by the bench/run-*.sh scripts: builds nexus-sync-bench and what it needs, writes its runtime
# classpath, and says where results go. Run from the repository root.
#
# Environment: BENCH_MVN_FLAGS adds Maven flags (e.g. -o to build offline); BENCH_SKIP_BUILD=1 uses
# the last build and classpath (bench/run-all.sh builds once, then sets it); BENCH_RESULTS is the
# folder for reports and plots (default bench/results).

bench_results="${BENCH_RESULTS:-bench/results}"
bench_classpath_file="$PWD/nexus-sync-bench/target/bench.classpath"

# Builds (unless BENCH_SKIP_BUILD is set and a classpath is there) and sets $bench_classpath.
bench_build() {
  if [ -z "${BENCH_SKIP_BUILD:-}" ] || [ ! -s "$bench_classpath_file" ]; then
    # shellcheck disable=SC2086 # BENCH_MVN_FLAGS is a list of flags
    mvn -B -q -T 1 ${BENCH_MVN_FLAGS:-} -DskipTests -pl nexus-sync-bench -am install
    # Plain java rather than exec:java, so the JVM flags are the benchmark's own and not Maven's.
    # shellcheck disable=SC2086
    mvn -B -q ${BENCH_MVN_FLAGS:-} -pl nexus-sync-bench dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$bench_classpath_file"
  fi
  bench_classpath="nexus-sync-bench/target/classes:$(cat "$bench_classpath_file")"
  mkdir -p "$bench_results"
}
