#!/usr/bin/env bash
# End-to-end PPML benchmark: pivot-gravity vs fixest (R) fepois vs pyfixest fepois.
# Usage: bash bench/gravity/run.sh   (from the repository root)
# fixest: bash ../shared/peers/fixest/install.sh (R from Debian, fixest 0.12.2).
# Each tool runs REPEAT times per model (default 3), tools alternating so they
# see similar load; the table shows medians of wall time, fit time and peak
# memory, and the ratios pivot/fixest and pivot/pyfixest of the medians.
# fixest's fit time is that of a second fit in the same R process (the first
# pays R's one-off loading costs; printed as cold_fit_seconds in its .out).
# pivot runs twice: with its default separation checks (ppmlhdfe's fe,simplex,
# relu) and with fe only (fixest's and pyfixest's rule), same data.
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
Rscript -e 'library(fixest)' >/dev/null 2>&1 || { echo "fixest missing: bash ../shared/peers/fixest/install.sh" >&2; exit 1; }
# A target dir of its own, so the release build does not contend with other builds.
export CARGO_TARGET_DIR="${GRAVITY_TARGET_DIR:-$HOME/.cache/pivot-target-gravity-release}"
REPEAT="${REPEAT:-3}"
cargo build --release -p pivot-gravity --bin pivot-gravity-bench >&2
BIN="$CARGO_TARGET_DIR/release/pivot-gravity-bench"
[ -f "$OUT/synthetic_1m.csv" ] || "$PY" bench/gravity/gen_data.py "$OUT" data/agtpa_gravity/agtpa_applications.csv.gz >&2
TOOLS="pivot pivot_fe fixest pyfixest"

run() { # tag tool file formula rep -> writes $OUT/<tool>_<tag>.<rep>.{out,time}
  local tag="$1" tool="$2" file="$3" formula="$4" rep="$5" o="$OUT/${2}_${1}.${5}"
  case "$tool" in
    pivot) /usr/bin/time -v "$BIN" "$file" "$formula" > "$o.out" 2> "$o.time" ;;
    pivot_fe) /usr/bin/time -v "$BIN" "$file" "$formula" fe > "$o.out" 2> "$o.time" ;;
    fixest) /usr/bin/time -v Rscript bench/gravity/run_fixest.R "$file" "$formula" > "$o.out" 2> "$o.time" ;;
    pyfixest) /usr/bin/time -v "$PY" bench/gravity/run_pyfixest.py "$file" "$formula" > "$o.out" 2> "$o.time" ;;
  esac
}
wall() { # seconds from /usr/bin/time -v "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:12.34"
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1"
}
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }
fitsec() { awk -F, '/^fit_seconds/ {print $2}' "$1"; }
iters() { awk -F, '/^iterations/ {print $2}' "$1"; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
med() { # tool tag fn -> median of fn over the repetitions
  local tool="$1" tag="$2" fn="$3" r ext=time
  [ "$fn" = fitsec ] && ext=out
  for r in $(seq 1 "$REPEAT"); do "$fn" "$OUT/${tool}_${tag}.${r}.${ext}"; echo; done | grep . | median
}
reldiff() { # max relative coefficient difference between two .out files
  "$PY" - "$1" "$2" <<'PYEOF'
import sys
def coefs(p):
    return {l.split(",")[1]: float(l.split(",")[2]) for l in open(p) if l.startswith("coef,")}
a, b = coefs(sys.argv[1]), coefs(sys.argv[2])
print(f"{max(abs(a[k]-b[k])/max(abs(b[k]),1e-300) for k in b):.1e}")
PYEOF
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores; fixest $(Rscript -e 'cat(as.character(packageVersion("fixest")))') (threads ${FIXEST_THREADS:-2}); pyfixest $("$PY" -c 'import pyfixest; print(pyfixest.__version__)')"
printf '%-22s %-9s %8s %8s %8s %6s %11s  %s\n' model tool wall_s fit_s rss_MiB iters "rel_diff_vs" "fit_s of each run"
for spec in "synthetic_1m_x1|$OUT/synthetic_1m.csv|y ~ x1 | f1 + f2 + f3" \
            "synthetic_1m_x3|$OUT/synthetic_1m.csv|y ~ x1 + x2 + x3 | f1 + f2 + f3" \
            "agtpa_rta_pairfe|$OUT/agtpa_rta.csv|trade ~ rta | exp_year + imp_year + pair2"; do
  IFS='|' read -r tag file formula <<< "$spec"
  for r in $(seq 1 "$REPEAT"); do
    for tool in $TOOLS; do run "$tag" "$tool" "$file" "$formula" "$r"; done
  done
  for tool in $TOOLS; do
    runs=$(for r in $(seq 1 "$REPEAT"); do fitsec "$OUT/${tool}_${tag}.${r}.out"; done | paste -sd' ')
    d=$(reldiff "$OUT/${tool}_${tag}.1.out" "$OUT/fixest_${tag}.1.out")
    printf '%-22s %-9s %8s %8s %8s %6s %11s  %s\n' "$tag" "$tool" "$(med "$tool" "$tag" wall)" \
      "$(med "$tool" "$tag" fitsec)" "$(med "$tool" "$tag" rss)" "$(iters "$OUT/${tool}_${tag}.1.out")" "fixest $d" "$runs"
  done
  for tool in pivot pivot_fe; do
    awk -v t="$tag" -v p="$tool" -v pf="$(med "$tool" "$tag" fitsec)" -v ff="$(med fixest "$tag" fitsec)" \
        -v yf="$(med pyfixest "$tag" fitsec)" -v pm="$(med "$tool" "$tag" rss)" -v fm="$(med fixest "$tag" rss)" \
        -v ym="$(med pyfixest "$tag" rss)" \
      'BEGIN {printf "%-22s %-9s fit/fixest %.2f  fit/pyfixest %.2f  rss/fixest %.2f  rss/pyfixest %.2f\n", t, p, pf/ff, pf/yf, pm/fm, pm/ym}'
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
