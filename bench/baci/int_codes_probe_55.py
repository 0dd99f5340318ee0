"""Probe (issue 15), again with DataFusion 55 (pivot's version): is the on-demand dyad-year
GROUP BY over integer-coded countries fast enough to beat DuckDB by 1.5x, now that pivot reads
text as string views? Same files as int_codes_probe.py (it rewrites a pivot store's BACI
`trade_flows` per year with DuckDB, one writer for every layout):
  strings  - exporter, importer as ISO3 text, as pivot stores them
  codes    - exporter, importer as SMALLINT (rank of the ISO3 code)
Readers, in-process (no start-up), alternating, RUNS runs each (default 3):
  df55-view   - DataFusion 55, text read as Utf8View (what pivot does)
  df55-utf8   - DataFusion 55, text read as Utf8
  duckdb      - DuckDB
Query: SELECT year, exporter, importer, SUM(value_usd_m) ... GROUP BY 1, 2, 3.

    python -m venv /tmp/dfvenv && /tmp/dfvenv/bin/pip install datafusion==55.0.0 duckdb==2.0.1 pyarrow
    /tmp/dfvenv/bin/python bench/baci/int_codes_probe_55.py STORE WORKDIR
"""
import os, sys, time

import datafusion
import duckdb
from datafusion import SessionConfig, SessionContext
from probe_store import baci_trade_files, duckdb_with_codes, years_to_write

store, work = sys.argv[1], sys.argv[2]
runs = int(os.environ.get("RUNS", "3"))
files, years = baci_trade_files(store)
con = duckdb_with_codes(files)
LAYOUTS = {
    "strings": "SELECT year, exporter, importer, product, value_usd_m FROM read_parquet({fs})",
    "codes": "SELECT year, e.code AS exporter, i.code AS importer, product, value_usd_m "
    "FROM read_parquet({fs}) t JOIN cm e ON e.iso = t.exporter JOIN cm i ON i.iso = t.importer",
}
for layout, select in LAYOUTS.items():
    for _, fs, out in years_to_write(files, years, os.path.join(work, layout)):
        con.execute(f"COPY ({select.format(fs=fs)}) TO '{out}' (FORMAT parquet, ROW_GROUP_SIZE 1048576)")
Q = "SELECT year, exporter, importer, SUM(value_usd_m) AS v FROM t GROUP BY year, exporter, importer"
print("datafusion", datafusion.__version__, "duckdb", duckdb.__version__, "cores", os.cpu_count(), flush=True)


def df(folder, views):
    cfg = SessionConfig().with_target_partitions(os.cpu_count())
    cfg = cfg.set("datafusion.execution.parquet.schema_force_view_types", "true" if views else "false")
    ctx = SessionContext(cfg)
    ctx.register_parquet("t", folder)
    t0 = time.time()
    n = ctx.sql(Q).count()
    return n, time.time() - t0


for _ in range(runs):
    for layout in LAYOUTS:
        folder = os.path.join(work, layout)
        n1, view_s = df(folder, True)
        n2, utf8_s = df(folder, False)
        t0 = time.time()
        glob = os.path.join(folder, "*.parquet")
        (n3,) = con.execute(f"SELECT count(*) FROM ({Q.replace('FROM t', f'FROM read_parquet({glob!r})')})").fetchone()
        duck_s = time.time() - t0
        assert n1 == n2 == n3, (n1, n2, n3)
        print(f"{layout:8s} groups {n1}  df55-view {view_s:.2f} s  df55-utf8 {utf8_s:.2f} s  duckdb {duck_s:.2f} s", flush=True)
