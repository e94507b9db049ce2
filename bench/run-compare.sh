#!/usr/bin/env bash
# Before and after in one run: the same end-to-end and latency benchmarks, on this checkout and on an
# earlier commit, one after the other on this machine, so that a change inside the service can be
# reported as a ratio rather than against figures taken on another day.
#
#   bench/run-compare.sh BASE_COMMIT [CHANGES] [RATE]
#
# BASE_COMMIT is checked out into a temporary git worktree and built there (bench/common.sh, no
# install). The end-to-end benchmark (bench/run-e2e.sh CHANGES, default 100000) and the latency
# benchmark at one rate (bench/run-latency.sh RATE --seconds 30, default 1000) run for the base, then
# for this checkout, then again for the base and this checkout (ROUNDS=2 by default), so that drift
# over the run shows. Reports go to $BENCH_RESULTS/compare/ (one file per run) and the summary to
# $BENCH_RESULTS/compare.md.
set -euo pipefail

base="${1:?usage: $0 BASE_COMMIT [CHANGES] [RATE]}"
changes="${2:-100000}"
rate="${3:-1000}"
rounds="${ROUNDS:-2}"
cd "$(dirname "$0")/.."
here="$PWD"
base_commit="$(git rev-parse --verify "$base^{commit}")"
head_commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/results' || echo '+changes')"
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results/compare"

worktree="${TMPDIR:-/tmp}/nexus-sync-base-${base_commit:0:12}"
if [ ! -d "$worktree" ]; then
  git worktree add --detach "$worktree" "$base_commit" >/dev/null
fi

# Builds both once; each run then skips the build (BENCH_SKIP_BUILD) so that no run pays for Maven.
(cd "$worktree" && . bench/common.sh && bench_build)
(. bench/common.sh && bench_build)

run_one() { # label dir
  local label="$1" dir="$2" round="$3"
  (cd "$dir" && BENCH_SKIP_BUILD=1 BENCH_RESULTS="$here/$results/compare/$label-$round" bench/run-e2e.sh "$changes" >/dev/null)
  (cd "$dir" && BENCH_SKIP_BUILD=1 BENCH_RESULTS="$here/$results/compare/$label-$round" bench/run-latency.sh "$rate" --seconds 30 >/dev/null)
}

for round in $(seq 1 "$rounds"); do
  run_one base "$worktree" "$round"
  run_one head "$here" "$round"
done

# A table row's last cell (WAL changes/s) for the e2e rows; p50/p99 from the latency table.
# A table row's cell by the start of the row's first cell (WAL changes/s is the 8th field).
cell() { grep -F "| $2" "$1" | head -1 | awk -F'|' -v c="$3" '{gsub(/[ ,]/, "", $c); print $c}'; }
{
  echo "## Before and after: ${base_commit:0:7} (base) and $head_commit (head)"
  echo
  echo "Command: \`bench/run-compare.sh $base $changes $rate\` ($rounds rounds, base then head each round)"
  echo
  echo "| round | build | drain changes/s (WAL) | live changes/s (WAL) | raw Neo4j, batches of 1,000 grouped by statement, changes/s | latency p50 ms at $rate/s | p99 ms |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
  for round in $(seq 1 "$rounds"); do
    for label in base head; do
      e2e="$results/compare/$label-$round/e2e-$changes.md"
      lat="$results/compare/$label-$round/latency.md"
      printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$round" "$label" \
        "$(cell "$e2e" 'nexus-sync, backlog drain' 8)" "$(cell "$e2e" 'nexus-sync, live' 8)" \
        "$(cell "$e2e" 'raw Neo4j, windows of 1,000 grouped by statement' 8)" \
        "$(grep -E "^\| ${rate/000/,000} \|" "$lat" | awk -F'|' '{gsub(/[ ,]/, "", $7); print $7}')" \
        "$(grep -E "^\| ${rate/000/,000} \|" "$lat" | awk -F'|' '{gsub(/[ ,]/, "", $9); print $9}')"
    done
  done
} | tee "$results/compare.md"
python3 - "$results/compare.md" <<'EOF'
import sys
rows = [l.split('|')[1:-1] for l in open(sys.argv[1]) if l.startswith('| ') and l.split('|')[2].strip() in ('base', 'head')]
def mean(build, col):
    vals = [float(r[col]) for r in rows if r[1].strip() == build and r[col].strip()]
    return sum(vals) / len(vals) if vals else float('nan')
lines = ["", "Head / base, means over the rounds (throughput: above 1 is faster; latency: below 1 is faster):", ""]
for name, col in [("drain", 2), ("live", 3), ("raw Neo4j (the benchmark's own writes, no nexus-sync code: the embedded Neo4j's speed in each build)", 4), ("latency p50", 5), ("latency p99", 6)]:
    lines.append(f"* {name}: **{mean('head', col) / mean('base', col):.2f}**")
def norm(build, col):
    vals = [float(r[col]) / float(r[4]) for r in rows if r[1].strip() == build and r[col].strip() and r[4].strip()]
    return sum(vals) / len(vals) if vals else float('nan')
for name, col in [("drain / raw Neo4j of the same run", 2), ("live / raw Neo4j of the same run", 3)]:
    lines.append(f"* {name}: base {norm('base', col):.2f}, head {norm('head', col):.2f}, head/base **{norm('head', col) / norm('base', col):.2f}**")
open(sys.argv[1], 'a').write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
