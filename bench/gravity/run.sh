#!/usr/bin/env bash
# End-to-end PPML benchmark: pivot-gravity vs pyfixest fepois.
# Usage: bash bench/gravity/run.sh   (from the repository root)
# Each tool runs REPEAT times per model (default 3); the table shows the
# median wall time, fit time and peak memory, and the speedups of the medians.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
VENV="$ROOT/bench/.venv"
OUT="$ROOT/bench/out/gravity"
mkdir -p "$OUT"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet pyfixest pandas pyarrow
fi
PY="$VENV/bin/python"
# A target dir of its own, so the release build does not contend with other builds.
export CARGO_TARGET_DIR="${GRAVITY_TARGET_DIR:-$HOME/.cache/pivot-target-gravity-release}"
REPEAT="${REPEAT:-3}"
cargo build --release -p pivot-gravity --bin pivot-gravity-bench >&2
BIN="$CARGO_TARGET_DIR/release/pivot-gravity-bench"
[ -f "$OUT/synthetic_1m.csv" ] || "$PY" bench/gravity/gen_data.py "$OUT" data/agtpa_gravity/agtpa_applications.csv.gz >&2

run() { # tag tool file formula rep -> writes $OUT/<tool>_<tag>.<rep>.{out,time}
  local tag="$1" tool="$2" file="$3" formula="$4" rep="$5"
  if [ "$tool" = pivot ]; then
    /usr/bin/time -v "$BIN" "$file" "$formula" > "$OUT/${tool}_${tag}.${rep}.out" 2> "$OUT/${tool}_${tag}.${rep}.time"
  else
    /usr/bin/time -v "$PY" bench/gravity/run_pyfixest.py "$file" "$formula" > "$OUT/${tool}_${tag}.${rep}.out" 2> "$OUT/${tool}_${tag}.${rep}.time"
  fi
}
wall() { # seconds from /usr/bin/time -v "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:12.34"
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1"
}
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }
fitsec() { awk -F, '/^fit_seconds/ {print $2}' "$1"; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
med() { # tool tag fn -> median of fn over the repetitions
  local tool="$1" tag="$2" fn="$3" r ext=time
  [ "$fn" = fitsec ] && ext=out
  for r in $(seq 1 "$REPEAT"); do "$fn" "$OUT/${tool}_${tag}.${r}.${ext}"; echo; done | grep . | median
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %-9s %9s %9s %9s %12s  %s\n' model tool wall_s fit_s rss_MiB max_rel_diff "fit_s of each run"
for spec in "synthetic_1m|$OUT/synthetic_1m.csv|y ~ x1 + x2 + x3 | f1 + f2 + f3" \
            "agtpa_rta_pairfe|$OUT/agtpa_rta.csv|trade ~ rta | exp_year + imp_year + pair2"; do
  IFS='|' read -r tag file formula <<< "$spec"
  for r in $(seq 1 "$REPEAT"); do  # alternate the tools so both see similar load
    run "$tag" pivot "$file" "$formula" "$r"
    run "$tag" pyfixest "$file" "$formula" "$r"
  done
  diff=$("$PY" - "$OUT/pivot_${tag}.1.out" "$OUT/pyfixest_${tag}.1.out" <<'PYEOF'
import sys
def coefs(p):
    return {l.split(",")[1]: float(l.split(",")[2]) for l in open(p) if l.startswith("coef,")}
a, b = coefs(sys.argv[1]), coefs(sys.argv[2])
print(f"{max(abs(a[k]-b[k])/max(abs(b[k]),1e-300) for k in b):.2e}")
PYEOF
)
  for tool in pivot pyfixest; do
    runs=$(for r in $(seq 1 "$REPEAT"); do fitsec "$OUT/${tool}_${tag}.${r}.out"; done | paste -sd' ')
    printf '%-28s %-9s %9s %9s %9s %12s  %s\n' "$tag" "$tool" "$(med "$tool" "$tag" wall)" \
      "$(med "$tool" "$tag" fitsec)" "$(med "$tool" "$tag" rss)" "$diff" "$runs"
  done
  pw=$(med pivot "$tag" wall); fw=$(med pyfixest "$tag" wall)
  pf=$(med pivot "$tag" fitsec); ff=$(med pyfixest "$tag" fitsec)
  awk -v a="$fw" -v b="$pw" -v c="$ff" -v d="$pf" -v t="$tag" \
    'BEGIN {printf "%-28s speedup (pyfixest/pivot, medians): wall %.2fx, fit only %.2fx\n", t, a/b, c/d}'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
