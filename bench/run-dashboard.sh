#!/usr/bin/env bash
# The README's picture of the Grafana dashboard, drawn from its JSON against real metrics: runs `./nexus-sync demo`
# (embedded PostgreSQL and Neo4j, the sample workload) for SECONDS, has a real Prometheus scrape its /metrics every
# 2 s, then sends every panel's PromQL to that Prometheus over the run and draws the answers (DashboardRender).
#
#   bench/run-dashboard.sh [SECONDS] [--rate TX_PER_S]     (default 180 s at 200 application transactions/s)
#
# Needs Debian's prometheus package (installed here when missing and run as root). Writes
# $BENCH_RESULTS/dashboard.png and dashboard.md. Environment as in bench/common.sh.
set -euo pipefail
seconds=180
rate=200
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) rate="${2:?--rate needs a number}"; shift 2 ;;
    *[!0-9]*|'') echo "usage: $0 [SECONDS] [--rate TX_PER_S]" >&2; exit 2 ;;
    *) seconds="$1"; shift ;;
  esac
done
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
bench_build

if ! command -v prometheus >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "prometheus is missing: apt-get install prometheus (Debian), then run this again" >&2
    exit 2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >&2
fi
dashboard=ops/grafana/nexus-sync-dashboard.json
[ -f "$dashboard" ] || { echo "no $dashboard in this checkout" >&2; exit 2; }

work="$(mktemp -d)"
admin_port=18089
prom_port=19090
cleanup() {
  [ -n "${demo_pid:-}" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
  [ -n "${prom_pid:-}" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/prometheus.yml" <<YAML
global: {scrape_interval: 2s, evaluation_interval: 2s}
scrape_configs:
  - job_name: nexus-sync
    static_configs: [{targets: ['127.0.0.1:$admin_port']}]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
prom_pid=$!

start=$(date +%s)
NEXUS_SYNC_ADMIN_PORT=$admin_port NEXUS_SYNC_LOG_LEVEL=WARN ./nexus-sync demo --duration "$seconds" --rate "$rate" \
  >"$work/demo.log" 2>&1 &
demo_pid=$!
wait "$demo_pid" || { echo "the demo failed:" >&2; tail -20 "$work/demo.log" >&2; exit 1; }
demo_pid=""
end=$(date +%s)
sleep 3  # the last scrape

out="$bench_results/dashboard.png"
summary=$(java -Djava.awt.headless=true -cp "$bench_classpath" io.nexussync.bench.DashboardRender "http://127.0.0.1:$prom_port" \
  "$dashboard" "$start" "$end" "$out")
{
  echo "## The Grafana dashboard's panels against a demo run"
  echo
  echo "Command: \`bench/run-dashboard.sh $seconds --rate $rate\` on $(git rev-parse --short HEAD); Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') scraping every 2 s."
  echo
  echo "* $summary"
  echo "* each panel is the dashboard JSON's own query (Grafana's \$__rate_interval read as 1m, template variables as 'all'), drawn by DashboardRender, not by Grafana"
} | tee "$bench_results/dashboard.md"
