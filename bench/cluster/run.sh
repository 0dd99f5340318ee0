#!/usr/bin/env bash
# pivot's SQL on this machine vs on a DataFusion Ballista cluster of one scheduler and two
# executors started here on loopback (`pivot cluster scheduler|executor`), same store, same
# queries, outputs compared byte for byte. SYNTHETIC BACI rows (generated, not real trade).
# Usage, from the repository root:
#   bash bench/cluster/run.sh                 # 50 M rows, 3 runs of each query
#   ROWS=5000000 REPEAT=1 bash bench/cluster/run.sh
# Release build with the `ballista` feature in $CLUSTER_TARGET_DIR (default
# ~/.cache/pivot-target-release; NO_BUILD=1 skips the build). Data, store and logs go to
# bench/out/cluster (gitignored).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
ROWS="${ROWS:-50000000}"
REPEAT="${REPEAT:-3}"
OUT="$ROOT/bench/out/cluster"
mkdir -p "$OUT"
export CARGO_TARGET_DIR="${CLUSTER_TARGET_DIR:-$HOME/.cache/pivot-target-release}"
[ -n "${NO_BUILD:-}" ] || nice -n 19 cargo build --release -p pivot-cli --features ballista >&2
PIVOT="$CARGO_TARGET_DIR/release/pivot"

DATA="$OUT/data_$ROWS"
if [ ! -f "$DATA/.done" ]; then
  rm -rf "$DATA"
  "$PIVOT" data synth baci --rows "$ROWS" --out "$DATA" --seed 42 >&2
  touch "$DATA/.done"
fi
STORE="$OUT/store_$ROWS"
if [ ! -f "$STORE/.done" ]; then
  rm -rf "$STORE"
  "$PIVOT" --store "$STORE" data ingest baci "$DATA" >&2
  touch "$STORE/.done"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "nothing on port $1" >&2; return 1; }
PIDS=()
stop() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT
SCHED=$(free_port)
"$PIVOT" cluster scheduler --bind "127.0.0.1:$SCHED" > "$OUT/scheduler.log" 2>&1 & PIDS+=($!)
wait_port "$SCHED"
for i in 1 2; do
  P=$(free_port); G=$(free_port)
  mkdir -p "$OUT/work-$i"
  "$PIVOT" cluster executor --scheduler "df://127.0.0.1:$SCHED" --port "$P" --grpc-port "$G" \
    --concurrent-tasks "${TASKS:-2}" --work-dir "$OUT/work-$i" > "$OUT/executor-$i.log" 2>&1 & PIDS+=($!)
  wait_port "$P"; wait_port "$G"
done
CLUSTER="df://127.0.0.1:$SCHED"

wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.0f\n", $2/1024}' "$1"; }
# Same rows, text identical, numbers equal to 1e-12 relative: a floating-point SUM's last bits
# depend on the order partial sums meet (from run to run as between machines).
same_numbers() {
  python3 - "$1" "$2" <<'PY'
import sys
a, b = (open(p).read().splitlines() for p in sys.argv[1:3])
def close(x, y):
    try:
        x, y = float(x), float(y)
    except ValueError:
        return x == y
    return abs(x - y) <= 1e-12 * max(abs(x), abs(y))
ok = len(a) == len(b) and all(len(r.split(",")) == len(s.split(",")) and all(close(x, y) for x, y in zip(r.split(","), s.split(","))) for r, s in zip(a, b))
print("yes" if open(sys.argv[1]).read() == open(sys.argv[2]).read() else ("to 1e-12" if ok else "NO"))
PY
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

Q_DYAD="SELECT year, COUNT(*) AS dyads, SUM(v) AS value FROM (SELECT year, exporter, importer, SUM(value_usd_m) AS v FROM trade_flows WHERE source = 'baci' GROUP BY year, exporter, importer) GROUP BY year ORDER BY year"
Q_YEAR="SELECT year, SUM(value_usd_m) FROM trade_flows GROUP BY year ORDER BY year"
run_q() { # name where args... -> $OUT/<name>.<where>.<r>.{out,time}
  local name="$1" where="$2" r; shift 2
  for r in $(seq 1 "$REPEAT"); do
    if [ "$where" = local ]; then
      /usr/bin/time -v "$PIVOT" --store "$STORE" "$@" > "$OUT/$name.$where.$r.out" 2> "$OUT/$name.$where.$r.time"
    else
      /usr/bin/time -v "$PIVOT" --store "$STORE" --cluster "$CLUSTER" "$@" > "$OUT/$name.$where.$r.out" 2> "$OUT/$name.$where.$r.time"
    fi
  done
}
echo "rows: $ROWS; runs: $REPEAT; cores: $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %10s %10s %10s %12s %s\n' query local_s cluster_s ratio client_MiB same_output
for name in dyad_year_groupby year_sum partner_share; do
  case "$name" in
    dyad_year_groupby) args=(sql --format csv "$Q_DYAD") ;;
    year_sum) args=(sql --format csv "$Q_YEAR") ;;
    partner_share) args=(measure partner-share --focal DEU --years 2019-2023 -p source=baci --format csv) ;;
  esac
  # One untimed run of each first (the cluster's executors start their sessions).
  "$PIVOT" --store "$STORE" "${args[@]}" > /dev/null
  "$PIVOT" --store "$STORE" --cluster "$CLUSTER" "${args[@]}" > /dev/null
  run_q "$name" local "${args[@]}"
  run_q "$name" cluster "${args[@]}"
  l=$(for r in $(seq 1 "$REPEAT"); do wall "$OUT/$name.local.$r.time"; done | median)
  c=$(for r in $(seq 1 "$REPEAT"); do wall "$OUT/$name.cluster.$r.time"; done | median)
  m=$(for r in $(seq 1 "$REPEAT"); do rss "$OUT/$name.cluster.$r.time"; done | median)
  same=$(same_numbers "$OUT/$name.local.1.out" "$OUT/$name.cluster.1.out")
  printf '%-28s %10s %10s %10.2f %12s %s\n' "$name" "$l" "$c" "$(awk -v c="$c" -v l="$l" 'BEGIN {print c / l}')" "$m" "$same"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
