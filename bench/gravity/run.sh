#!/usr/bin/env bash
# End-to-end PPML benchmark: pivot-gravity vs pyfixest fepois.
# Usage: bash bench/gravity/run.sh   (from the repository root)
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
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pivot-target}"
cargo build --release -p pivot-gravity --bin pivot-gravity-bench >&2
BIN="$CARGO_TARGET_DIR/release/pivot-gravity-bench"
[ -f "$OUT/synthetic_1m.csv" ] || "$PY" bench/gravity/gen_data.py "$OUT" data/agtpa_gravity/agtpa_applications.csv.gz >&2

run() { # tool file formula -> writes $OUT/<tool>_<tag>.{out,time}
  local tag="$1" tool="$2" file="$3" formula="$4"
  if [ "$tool" = pivot ]; then
    /usr/bin/time -v "$BIN" "$file" "$formula" > "$OUT/${tool}_${tag}.out" 2> "$OUT/${tool}_${tag}.time"
  else
    /usr/bin/time -v "$PY" bench/gravity/run_pyfixest.py "$file" "$formula" > "$OUT/${tool}_${tag}.out" 2> "$OUT/${tool}_${tag}.time"
  fi
}
wall() { # seconds from /usr/bin/time -v "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:12.34"
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1"
}
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }
fitsec() { awk -F, '/^fit_seconds/ {print $2}' "$1"; }

printf '%-28s %-9s %9s %9s %9s %12s\n' model tool wall_s fit_s rss_MiB max_rel_diff
for spec in "synthetic_1m|$OUT/synthetic_1m.csv|y ~ x1 + x2 + x3 | f1 + f2 + f3" \
            "agtpa_rta_pairfe|$OUT/agtpa_rta.csv|trade ~ rta | exp_year + imp_year + pair2"; do
  IFS='|' read -r tag file formula <<< "$spec"
  run "$tag" pivot "$file" "$formula"
  run "$tag" pyfixest "$file" "$formula"
  diff=$("$PY" - "$OUT/pivot_${tag}.out" "$OUT/pyfixest_${tag}.out" <<'PYEOF'
import sys
def coefs(p):
    return {l.split(",")[1]: float(l.split(",")[2]) for l in open(p) if l.startswith("coef,")}
a, b = coefs(sys.argv[1]), coefs(sys.argv[2])
print(f"{max(abs(a[k]-b[k])/max(abs(b[k]),1e-300) for k in b):.2e}")
PYEOF
)
  for tool in pivot pyfixest; do
    printf '%-28s %-9s %9s %9s %9s %12s\n' "$tag" "$tool" "$(wall "$OUT/${tool}_${tag}.time")" \
      "$(fitsec "$OUT/${tool}_${tag}.out")" "$(rss "$OUT/${tool}_${tag}.time")" "$diff"
  done
  pw=$(wall "$OUT/pivot_${tag}.time"); fw=$(wall "$OUT/pyfixest_${tag}.time")
  pf=$(fitsec "$OUT/pivot_${tag}.out"); ff=$(fitsec "$OUT/pyfixest_${tag}.out")
  awk -v a="$fw" -v b="$pw" -v c="$ff" -v d="$pf" -v t="$tag" \
    'BEGIN {printf "%-28s speedup (pyfixest/pivot): wall %.2fx, fit only %.2fx\n", t, a/b, c/d}'
done
