# Sourced by the bench/run-*.sh scripts: builds nexus-sync-bench and what it needs, writes its runtime
# classpath, and says where results go. Run from the repository root.
#
# Environment: BENCH_MVN_FLAGS adds Maven flags (e.g. -o to build offline); BENCH_SKIP_BUILD=1 uses
# the last build and classpath (bench/run-all.sh builds once, then sets it); BENCH_RESULTS is the
# folder for reports and plots (default bench/results).

bench_results="${BENCH_RESULTS:-bench/results}"
# The JIT flag the ./nexus-sync launcher gives the service on two cores or fewer (see there), so that a benchmark
# JVM holding the service runs it as the launcher would; added to BENCH_JAVA_OPTS too, unless that says how to compile
# (any -XX:...Tiered... flag).
bench_jit_opts=""
if [ "$(nproc 2>/dev/null || echo 4)" -le 2 ] && [[ "${BENCH_JAVA_OPTS:-}" != *Tiered* ]]; then
  bench_jit_opts="-XX:TieredStopAtLevel=1"
fi
bench_classpath_file="$PWD/nexus-sync-bench/target/bench.classpath"

# Builds (unless BENCH_SKIP_BUILD is set and a classpath is there) and sets $bench_classpath.
#
# package, not install, with the classpath resolved in the same reactor: the classpath names this
# checkout's own module jars (nexus-sync-*/target/*.jar), never the copies in ~/.m2, which another
# checkout's `mvn install` may replace while a benchmark runs (seen: NoClassDefFoundError mid-run),
# and the benchmark's build leaves the copies in ~/.m2 alone for the others.
bench_build() {
  if [ -z "${BENCH_SKIP_BUILD:-}" ] || [ ! -s "$bench_classpath_file" ]; then
    # Plain java rather than exec:java, so the JVM flags are the benchmark's own and not Maven's.
    # (Each module of the reactor writes its own target/bench.classpath; the bench module's is the one used.)
    # shellcheck disable=SC2086 # BENCH_MVN_FLAGS is a list of flags
    mvn -B -q -T 1 ${BENCH_MVN_FLAGS:-} -DskipTests -pl nexus-sync-bench -am package dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile=target/bench.classpath
  fi
  bench_classpath="nexus-sync-bench/target/classes:$(cat "$bench_classpath_file")"
  mkdir -p "$bench_results"
}
