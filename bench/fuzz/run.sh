#!/usr/bin/env bash
# Fuzz every parser (issue 17): each cargo-fuzz target in fuzz/ runs for FUZZ_SECONDS (default
# 180) on one core, one after the other, from the committed seed corpus fuzz/corpus/<target>
# (copied to a working corpus, so fuzzing never grows the committed one). Crashes and hangs land
# in $OUT/artifacts/<target>/; a table of time, runs and findings per target goes to
# $OUT/results.tsv and stdout. Needs the nightly toolchain and cargo-fuzz
# (cargo install cargo-fuzz).
#   bench/fuzz/run.sh                   every target
#   FUZZ_SECONDS=60 bench/fuzz/run.sh csv formula   some targets, a minute each
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivot-target-fuzz}"
secs="${FUZZ_SECONDS:-180}"
OUT="${OUT:-$CARGO_TARGET_DIR/fuzz-out}"
mkdir -p "$OUT"
cd fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
# No sanitizer: the workspace forbids unsafe code, so ASan would only slow the search; debug
# assertions and overflow checks stay on (fuzz/Cargo.toml's release profile).
cargo +nightly fuzz build -s none
printf 'target\tseconds\truns\tcorpus\tfindings\n' > "$OUT/results.tsv"
for t in "${targets[@]}"; do
  work="$OUT/corpus/$t"
  art="$OUT/artifacts/$t"
  rm -rf "$work" "$art"
  mkdir -p "$work" "$art"
  cp corpus/"$t"/* "$work"/ 2>/dev/null || true
  log="$OUT/$t.log"
  start=$(date +%s)
  set +e
  cargo +nightly fuzz run -s none "$t" "$work" -- \
    -max_total_time="$secs" -jobs=1 -workers=1 -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -artifact_prefix="$art/" -print_final_stats=1 >"$log" 2>&1
  set -e
  took=$(( $(date +%s) - start ))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  found=$(find "$art" -type f | wc -l)
  n=$(find "$work" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$took" "${runs:-?}" "$n" "$found" | tee -a "$OUT/results.tsv"
done
echo "results: $OUT/results.tsv; findings under $OUT/artifacts"
