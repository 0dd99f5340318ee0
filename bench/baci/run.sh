#!/usr/bin/env bash
# BACI at full scale: pivot's ingest and dyad-year roll-up vs DuckDB and Polars, on SYNTHETIC
# BACI files (generated, not real trade). Usage, from the repository root:
#   bash bench/baci/run.sh            # 20M and 50M rows (10 years, 2012-2021)
#   SIZES="270000000" bash bench/baci/run.sh   # full scale: 29 years (1995-2023), HS92's shape
#   SIZES="1000000" bash bench/baci/run.sh
# Needs: a C toolchain + cargo, python3 (a venv with duckdb, polars, pyarrow is made in
# bench/.venv), /usr/bin/time. Data and outputs go to bench/out/baci (gitignored); KEEP=1 keeps them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
SIZES="${SIZES:-20000000 50000000}"
TOOLS="${TOOLS:-pivot duckdb polars}" # a subset reruns only those; the table reads every result there
want() { case " $TOOLS " in *" $1 "*) return 0;; *) return 1;; esac; }
OUT="$ROOT/bench/out/baci"
mkdir -p "$OUT"
VENV="$ROOT/bench/.venv"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -c "import duckdb, polars, pyarrow" 2>/dev/null || "$VENV/bin/pip" install --quiet duckdb polars pyarrow
# Release builds in a target dir of their own (nice: do not starve other builds).
export CARGO_TARGET_DIR="${BACI_TARGET_DIR:-$HOME/.cache/pivot-target-release}"
# The same binary as bench/cluster (feature `ballista`: one release DataFusion build for both;
# local queries run the same code with or without it).
if [ -z "${NO_BUILD:-}" ]; then
  nice -n 19 cargo build --release -p pivot-cli --features ballista >&2
fi
PIVOT="$CARGO_TARGET_DIR/release/pivot"
SYNTH="$PIVOT data synth baci"

wall() { [ -f "$1" ] || { echo NA; return; }; awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1"; }
rss() { [ -f "$1" ] || { echo NA; return; }; awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }
timed() { # name cmd... -> $OUT/<name>.time (stdout to $OUT/<name>.out)
  local name="$1"; shift
  sync
  if ! /usr/bin/time -v "$@" > "$OUT/$name.out" 2> "$OUT/$name.time"; then
    echo "FAILED: $name (see $OUT/$name.time)" >&2; tail -5 "$OUT/$name.time" >&2; return 1
  fi
}

# pivot's dyad-year roll-up is materialised at ingest (trade_dyad_year, what the measures read);
# the same roll-up computed on demand from the HS6 rows is timed too ("rollupsql").
ROLLUP_PIVOT="SELECT year, exporter, importer, value_usd_m AS value FROM trade_dyad_year WHERE source = 'baci'"
ROLLUP_PIVOT_SQL="SELECT year, exporter, importer, SUM(value_usd_m) AS value FROM trade_flows WHERE source = 'baci' GROUP BY year, exporter, importer"
# Issue 31: GROUP BYs written against the HS6 rows (trade_flows). pivot answers the first four
# from the ingest's roll-ups (its optimizer rule; "pivot_off" runs them with --no-rollups, summing
# the rows); the last filters on quantity, which no roll-up holds, so it is summed from the rows
# either way. The peers scan the same rows (their Parquet copy of the same CSV files). Every
# answer is written as CSV; the dyad-chapter one is wrapped in a count and a total so that no
# tool's time is spent writing tens of millions of rows.
QNAMES="dyad chapter year expyear qty"
pq() { case "$1" in
  dyad) echo "SELECT year, exporter, importer, SUM(value_usd_m) AS value FROM trade_flows WHERE source = 'baci' GROUP BY year, exporter, importer";;
  chapter) echo "SELECT COUNT(*) AS cells, SUM(value) AS total FROM (SELECT year, exporter, importer, substr(product, 1, 2) AS hs2, SUM(value_usd_m) AS value FROM trade_flows WHERE source = 'baci' GROUP BY 1, 2, 3, 4)";;
  year) echo "SELECT year, SUM(value_usd_m) AS value, COUNT(*) AS lines FROM trade_flows WHERE source = 'baci' GROUP BY year";;
  expyear) echo "SELECT year, exporter, SUM(value_usd_m) AS value FROM trade_flows WHERE source = 'baci' GROUP BY year, exporter";;
  qty) echo "SELECT year, exporter, importer, SUM(value_usd_m) AS value FROM trade_flows WHERE source = 'baci' AND quantity_t > 1 GROUP BY year, exporter, importer";;
esac; }
dq() { case "$1" in # DuckDB over the Parquet file (FROM P)
  dyad) echo "SELECT t, i, j, SUM(v) AS value FROM P GROUP BY t, i, j";;
  chapter) echo "SELECT COUNT(*) AS cells, SUM(value) AS total FROM (SELECT t, i, j, substr(k, 1, 2) AS hs2, SUM(v) AS value FROM P GROUP BY ALL)";;
  year) echo "SELECT t, SUM(v) AS value, COUNT(*) AS lines FROM P GROUP BY t";;
  expyear) echo "SELECT t, i, SUM(v) AS value FROM P GROUP BY t, i";;
  qty) echo "SELECT t, i, j, SUM(v) AS value FROM P WHERE q > 1 GROUP BY t, i, j";;
esac; }
plq() { case "$1" in # Polars over the lazy frame d
  dyad) echo "d.group_by(['t','i','j']).agg(pl.col('v').sum().alias('value'))";;
  chapter) echo "d.group_by(['t','i','j',pl.col('k').str.slice(0, 2).alias('hs2')]).agg(pl.col('v').sum().alias('value')).select(pl.len().alias('cells'), pl.col('value').sum().alias('total'))";;
  year) echo "d.group_by('t').agg(pl.col('v').sum().alias('value'), pl.len().alias('lines'))";;
  expyear) echo "d.group_by(['t','i']).agg(pl.col('v').sum().alias('value'))";;
  qty) echo "d.filter(pl.col('q') > 1).group_by(['t','i','j']).agg(pl.col('v').sum().alias('value'))";;
esac; }
[ -f "$OUT/env.txt" ] || echo "cpus: $(nproc); $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs); $(free -g | awk '/Mem:/ {print $2}') GiB RAM" > "$OUT/env.txt"
[ "$(wc -l < "$OUT/env.txt")" -ge 2 ] || "$PY" -c "import duckdb, polars; print('duckdb', duckdb.__version__, '/ polars', polars.__version__)" >> "$OUT/env.txt"

for N in $SIZES; do
  DATA="$OUT/data_$N"
  if [ ! -f "$DATA/.done" ]; then
    rm -rf "$DATA"
    echo "df: $(df -h "$OUT" | awk 'NR==2 {print $4}') free before generating $N rows" >&2
    # Up to 50 M rows: 10 years (2012-2021); the full-scale size has HS92's 29 years.
    if [ "$N" -gt 100000000 ]; then YEARS=1995-2023; else YEARS=2012-2021; fi
    $SYNTH --rows "$N" --out "$DATA" --seed 42 --years "$YEARS" >&2
    touch "$DATA/.done"
  fi
  # pivot: a fresh store, opened once (bundled data loaded) before the timed ingest.
  STORE="$OUT/store_$N"
  if want pivot; then
    rm -rf "$STORE"
    "$PIVOT" --store "$STORE" data list > /dev/null
    timed "pivot_ingest_$N" "$PIVOT" --store "$STORE" data ingest baci "$DATA"
    timed "pivot_rollup_$N" "$PIVOT" --store "$STORE" sql --format csv "$ROLLUP_PIVOT"
    timed "pivot_rollupsql_$N" "$PIVOT" --store "$STORE" sql --format csv "$ROLLUP_PIVOT_SQL"
    for q in $QNAMES; do
      timed "pivot_q${q}_$N" "$PIVOT" --store "$STORE" sql --format csv "$(pq "$q")"
      timed "pivotoff_q${q}_$N" "$PIVOT" --store "$STORE" sql --no-rollups --format csv "$(pq "$q")"
      "$PIVOT" --store "$STORE" sql "EXPLAIN $(pq "$q")" | grep -q pivot_rollup_ && echo rollup > "$OUT/pivot_q${q}_$N.read" || echo rows > "$OUT/pivot_q${q}_$N.read"
    done
    # What an analyst runs next on the ingested data: a measure and the whole report.
    timed "pivot_measure_$N" "$PIVOT" --store "$STORE" measure partner-share --focal RUS --format csv
    # The first report on a store computes the slow measures (UN ideal points, influence) and
    # keeps them in the store's cache; the second is what an analyst waits for afterwards.
    timed "pivot_reportcold_$N" "$PIVOT" --store "$STORE" report --out "$OUT/report_$N"
    timed "pivot_report_$N" "$PIVOT" --store "$STORE" report --out "$OUT/report_$N"
    # GeoDep (product-level dependence, every HS6 line): one importer over the last three
    # years, and every importer in the last year (one-year windows).
    LAST=$(ls "$DATA"/BACI_*.csv | sed -E 's/.*_Y([0-9]{4})_.*/\1/' | sort -n | tail -1)
    # The synthetic data's largest importer (the 227 synthetic countries need not include DEU).
    FOCAL=$("$PIVOT" --store "$STORE" sql --format csv "SELECT importer FROM trade_dyad_year WHERE source = 'baci' GROUP BY importer ORDER BY SUM(value_usd_m) DESC LIMIT 1" | tail -1)
    echo "$FOCAL" > "$OUT/pivot_geodep1_$N.focal"
    timed "pivot_geodep1_$N" "$PIVOT" --store "$STORE" measure geodep --focal "$FOCAL" --years "$((LAST - 2))-$LAST" --format csv
    timed "pivot_geodepall_$N" "$PIVOT" --store "$STORE" measure geodep --years "$LAST" -p window_years=1 -p min_years_passing=1 --format csv
  fi
  # DuckDB: CSV -> Parquet, then the roll-up on the Parquet file.
  if want duckdb; then
  rm -f "$OUT/duckdb_$N.parquet"
  timed "duckdb_ingest_$N" "$PY" -c "import duckdb; duckdb.sql(\"COPY (SELECT * FROM read_csv('$DATA/BACI_*.csv', types={'k':'VARCHAR'})) TO '$OUT/duckdb_$N.parquet' (FORMAT parquet)\")"
  timed "duckdb_rollup_$N" "$PY" -c "import duckdb, sys; duckdb.sql(\"SELECT t, i, j, SUM(v) AS value FROM '$OUT/duckdb_$N.parquet' GROUP BY t, i, j\").write_csv('$OUT/duckdb_rollup_$N.csv')"
  for q in $QNAMES; do
    timed "duckdb_q${q}_$N" "$PY" -c "import duckdb; duckdb.sql(\"$(dq "$q" | sed "s|FROM P|FROM '$OUT/duckdb_$N.parquet'|")\").write_csv('$OUT/duckdb_q${q}_$N.csv')"
  done
  fi
  # Polars: streaming CSV -> Parquet, then the roll-up on the Parquet file.
  if want polars; then
  rm -f "$OUT/polars_$N.parquet"
  timed "polars_ingest_$N" "$PY" -c "import polars as pl; pl.scan_csv('$DATA/BACI_*.csv', schema_overrides={'k': pl.String}).sink_parquet('$OUT/polars_$N.parquet')"
  timed "polars_rollup_$N" "$PY" -c "import polars as pl, sys; pl.scan_parquet('$OUT/polars_$N.parquet').group_by(['t','i','j']).agg(pl.col('v').sum().alias('value')).collect().write_csv(sys.stdout)"
  for q in $QNAMES; do
    timed "polars_q${q}_$N" "$PY" -c "import polars as pl, sys; d = pl.scan_parquet('$OUT/polars_$N.parquet'); ($(plq "$q")).collect().write_csv(sys.stdout)"
  done
  fi
  [ -n "${KEEP:-}" ] || rm -rf "$OUT/report_$N" "$STORE" "$OUT/duckdb_$N.parquet" "$OUT/polars_$N.parquet"
done

# The table.
{
  echo "Synthetic BACI (pivot_sources::synth, seed 42), $(date -u +%Y-%m-%d); $(head -1 "$OUT/env.txt")"
  sed -n 2p "$OUT/env.txt"
  echo
  echo "| rows | step | tool | wall s | rows/s | peak RSS MiB | pivot vs tool |"
  echo "|---:|---|---|---:|---:|---:|---|"
  for N in $SIZES; do
    for step in ingest rollup; do
      pw=$(wall "$OUT/pivot_${step}_$N.time")
      for tool in pivot duckdb polars; do
        w=$(wall "$OUT/${tool}_${step}_$N.time"); m=$(rss "$OUT/${tool}_${step}_$N.time")
        rate=$(awk -v n="$N" -v w="$w" 'BEGIN {if (w == "NA") print "NA"; else printf "%.2fM", n/w/1e6}')
        if [ "$tool" = pivot ]; then ratio="—"; else ratio=$(awk -v p="$pw" -v w="$w" 'BEGIN {if (p == "NA" || w == "NA") print "NA"; else printf "%.2f× faster", w/p}'); fi
        echo "| $N | $step | $tool | $w | $rate | $m | $ratio |"
      done
      if [ "$step" = rollup ]; then
        w=$(wall "$OUT/pivot_rollupsql_$N.time"); m=$(rss "$OUT/pivot_rollupsql_$N.time")
        rate=$(awk -v n="$N" -v w="$w" 'BEGIN {if (w == "NA") print "NA"; else printf "%.2fM", n/w/1e6}')
        ratio=$(awk -v w="$w" -v d="$(wall "$OUT/duckdb_rollup_$N.time")" -v p="$(wall "$OUT/polars_rollup_$N.time")" 'BEGIN {if (w == "NA" || d == "NA" || p == "NA") print "NA"; else printf "%.2f× DuckDB, %.2f× Polars", d/w, p/w}')
        echo "| $N | rollup on demand (SQL over HS6 rows) | pivot | $w | $rate | $m | $ratio |"
      fi
    done
  done
  echo
  echo "GROUP BYs written against trade_flows (issue 31): pivot with its roll-up rule (on), the same with --no-rollups (off), and the peers scanning the same rows; wall seconds, whole process; ratio = the faster peer's time / pivot's."
  echo
  echo "| rows | query | pivot read | pivot on | pivot off | DuckDB | Polars | on vs faster peer | off vs faster peer | answer rows (on/off/DuckDB/Polars) |"
  echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---|"
  for N in $SIZES; do
    for q in $QNAMES; do
      on=$(wall "$OUT/pivot_q${q}_$N.time"); off=$(wall "$OUT/pivotoff_q${q}_$N.time")
      d=$(wall "$OUT/duckdb_q${q}_$N.time"); p=$(wall "$OUT/polars_q${q}_$N.time")
      best=$(awk -v d="$d" -v p="$p" 'BEGIN {if (d == "NA") print p; else if (p == "NA" || d < p) print d; else print p}')
      r1=$(awk -v b="$best" -v w="$on" 'BEGIN {if (b == "NA" || w == "NA") print "NA"; else printf "%.2f×", b/w}')
      r2=$(awk -v b="$best" -v w="$off" 'BEGIN {if (b == "NA" || w == "NA") print "NA"; else printf "%.2f×", b/w}')
      n() { [ -f "$1" ] && echo $(($(wc -l < "$1") - 1)) || echo NA; }
      echo "| $N | $q | $(cat "$OUT/pivot_q${q}_$N.read" 2>/dev/null || echo NA) | $on | $off | $d | $p | $r1 | $r2 | $(n "$OUT/pivot_q${q}_$N.out")/$(n "$OUT/pivotoff_q${q}_$N.out")/$(n "$OUT/duckdb_q${q}_$N.csv")/$(n "$OUT/polars_q${q}_$N.out") |"
    done
  done
  echo
  for N in $SIZES; do
    echo -n "- $N rows, roll-up output rows:"
    for tool in pivot pivot-sql duckdb polars; do
      f="$OUT/${tool}_rollup_$N.out"; [ "$tool" = pivot-sql ] && f="$OUT/pivot_rollupsql_$N.out"; [ -f "$OUT/${tool}_rollup_$N.csv" ] && f="$OUT/${tool}_rollup_$N.csv"; [ -f "$f" ] && echo -n " $tool $(($(wc -l < "$f") - 1))" || echo -n " $tool NA"
    done
    echo
  done
  for N in $SIZES; do
    echo "- $N rows in the store: \`pivot measure partner-share --focal RUS\` $(wall "$OUT/pivot_measure_$N.time") s, \`pivot report\` first $(wall "$OUT/pivot_reportcold_$N.time") s ($(rss "$OUT/pivot_reportcold_$N.time") MiB), then $(wall "$OUT/pivot_report_$N.time") s ($(rss "$OUT/pivot_report_$N.time") MiB) (wall, whole process, BACI read through the roll-ups); GeoDep for $(cat "$OUT/pivot_geodep1_$N.focal" 2>/dev/null) (the largest importer) over the last three years $(wall "$OUT/pivot_geodep1_$N.time") s ($(rss "$OUT/pivot_geodep1_$N.time") MiB, $(($(wc -l < "$OUT/pivot_geodep1_$N.out") - 1)) window rows), for every importer in the last year $(wall "$OUT/pivot_geodepall_$N.time") s ($(rss "$OUT/pivot_geodepall_$N.time") MiB, $(($(wc -l < "$OUT/pivot_geodepall_$N.out") - 1)) rows)"
  done
} | tee "$OUT/table.md"
[ -n "${KEEP:-}" ] || { for N in $SIZES; do rm -rf "$OUT/data_$N" "$OUT"/duckdb_*_"$N".csv; done; }
