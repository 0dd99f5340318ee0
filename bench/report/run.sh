#!/usr/bin/env bash
# `pivot report` on the bundled data, warm (the store already loaded), with hyperfine.
# Usage, from the repository root:  bash bench/report/run.sh
# Needs cargo and hyperfine (apt-get install hyperfine). Builds pivot in release mode into
# $REPORT_TARGET_DIR (default ~/.cache/pivot-target-release; a cold build takes 25-40 min on
# a 2-core machine). Outputs go to bench/out/report (gitignored).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${REPORT_TARGET_DIR:-$HOME/.cache/pivot-target-release}"
[ -n "${NO_BUILD:-}" ] || nice -n 19 cargo build --release -p pivot-cli >&2
PIVOT="$CARGO_TARGET_DIR/release/pivot"
OUT="$ROOT/bench/out/report"
rm -rf "$OUT"; mkdir -p "$OUT"
# Cold: the first run loads every bundled dataset into a fresh store.
/usr/bin/time -f "cold (fresh store, bundled data loaded): %e s wall, %M KiB peak RSS" \
  "$PIVOT" --store "$OUT/store" report --out "$OUT/first" > /dev/null
# Warm: the store exists; each run opens it, computes every measure and claim, writes
# report.html, report.md, the SVG charts and the CSV files.
hyperfine -N --warmup 2 --runs "${RUNS:-10}" --export-markdown "$OUT/hyperfine.md" \
  "$PIVOT --store $OUT/store report --out $OUT/r"
/usr/bin/time -f "warm: %e s wall, %M KiB peak RSS" "$PIVOT" --store "$OUT/store" report --out "$OUT/r" > /dev/null
ls "$OUT/r" "$OUT/r/charts" | head -40
