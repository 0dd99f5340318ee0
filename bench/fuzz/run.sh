#!/usr/bin/env bash
# Fuzz every parser (issue 17): each cargo-fuzz target in fuzz/ runs for FUZZ_SECONDS (default
# 180) on FUZZ_WORKERS cores (default 1), one target after the other, from the committed seed
# corpus fuzz/corpus/<target> (copied to a working corpus, so fuzzing never grows the committed
# one). The CPU seconds a target really got are measured (user + system of libFuzzer and its
# workers); with FUZZ_CPU_SECONDS set, a target whose run got less (a busy machine) runs again
# on the same working corpus until it has had that much. Crashes and hangs land in
# $OUT/artifacts/<target>/; a table of wall and CPU time, runs and findings per target goes to
# $OUT/results.tsv and stdout. Needs the nightly toolchain and cargo-fuzz
# (cargo install cargo-fuzz).
#   bench/fuzz/run.sh                   every target
#   FUZZ_SECONDS=60 bench/fuzz/run.sh csv formula   some targets, a minute each
#   FUZZ_SECONDS=300 FUZZ_WORKERS=2 FUZZ_CPU_SECONDS=600 bench/fuzz/run.sh   10 CPU-minutes each
# The targets that write their input to a file (the adapters) write under TMPDIR: on a tmpfs
# (TMPDIR=/dev/shm) they spend their time parsing, not waiting for the disk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivot-target-fuzz}"
secs="${FUZZ_SECONDS:-180}"
workers="${FUZZ_WORKERS:-1}"
want_cpu="${FUZZ_CPU_SECONDS:-0}"
OUT="${OUT:-$CARGO_TARGET_DIR/fuzz-out}"
mkdir -p "$OUT"
cd fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
# No sanitizer: the workspace forbids unsafe code, so ASan would only slow the search; debug
# assertions and overflow checks stay on (fuzz/Cargo.toml's release profile).
# FUZZ_NO_BUILD=1 runs the binaries already built (e.g. while the workspace changes meanwhile).
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  cargo +nightly fuzz build -s none
fi
# Run copies of the built binaries, so a build started meanwhile (an edit in the workspace)
# neither replaces them mid-run nor counts as fuzzing time.
bin="$OUT/bin"
rm -rf "$bin"
mkdir -p "$bin"
for t in "${targets[@]}"; do
  cp "$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$t" "$bin/$t"
done
printf 'target\tseconds\tcpu_seconds\truns\tcorpus\tfindings\n' > "$OUT/results.tsv"
for t in "${targets[@]}"; do
  work="$OUT/corpus/$t"
  art="$OUT/artifacts/$t"
  rm -rf "$work" "$art"
  mkdir -p "$work" "$art"
  cp corpus/"$t"/* "$work"/ 2>/dev/null || true
  log="$OUT/$t.log"
  : >"$log"
  start=$(date +%s)
  cpu=0
  runs=0
  left=$secs
  while :; do
    set +e
    /usr/bin/time -f 'cpu %U %S' -o "$OUT/$t.time" \
      "$bin/$t" "$work" \
      -max_total_time="$left" -jobs="$workers" -workers="$workers" -timeout=10 \
      -rss_limit_mb=2048 -max_len=16384 -artifact_prefix="$art/" -print_final_stats=1 \
      >"$log.part" 2>&1
    set -e
    cat "$log.part" >>"$log"
    # With -jobs, libFuzzer prints each worker's fuzz-N.log into its own output when the
    # worker ends (counted from there, once); the files are left in the current directory.
    rm -f fuzz-*.log
    got=$(awk '/^cpu/ {printf "%d", $2 + $3}' "$OUT/$t.time")
    cpu=$((cpu + got))
    r=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log.part" | grep -o '[0-9]*$' | paste -sd+ | bc)
    runs=$((runs + ${r:-0}))
    [ "$(find "$art" -type f | wc -l)" -gt 0 ] && break
    [ "$cpu" -ge "$want_cpu" ] && break
    left=$(( (want_cpu - cpu + workers - 1) / workers ))
  done
  rm -f "$log.part" "$OUT/$t.time"
  took=$(( $(date +%s) - start ))
  found=$(find "$art" -type f | wc -l)
  n=$(find "$work" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$took" "$cpu" "$runs" "$n" "$found" | tee -a "$OUT/results.tsv"
done
echo "results: $OUT/results.tsv; findings under $OUT/artifacts"
