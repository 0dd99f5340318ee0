"""Probe (issue 15): how much faster is the on-demand dyad-year GROUP BY when countries are
stored as integer codes instead of ISO3 strings, and with the files also sorted (order declared)?
Reads the BACI trade_flows files of a pivot store and rewrites them per year with DuckDB (one
writer for every variant, so only the layout differs):
  strings        - the stored columns as they are (exporter, importer: ISO3 text)
  codes          - exporter, importer as SMALLINT: the rank of the ISO3 code in sorted order
  codes+sorted   - codes, rows sorted by (exporter, importer, product), the order declared
Then times `SELECT year, exporter, importer, SUM(value_usd_m) ... GROUP BY 1, 2, 3` in
DataFusion's Python package (a stand-in for pivot's DataFusion; strings read as Utf8, as pivot
reads them) and in DuckDB, both in-process (no start-up), alternating, 3 runs each.

    python -m venv /tmp/dfvenv && /tmp/dfvenv/bin/pip install datafusion==50.0.0 duckdb pyarrow
    /tmp/dfvenv/bin/python bench/baci/int_codes_probe.py STORE WORKDIR
"""
import os, sys, time

import datafusion
import duckdb
from datafusion import SessionConfig, SessionContext, col
from probe_store import baci_trade_files, duckdb_with_codes, years_to_write

store, work = sys.argv[1], sys.argv[2]
files, years = baci_trade_files(store)
con = duckdb_with_codes(files)
KINDS = {
    "strings": ("SELECT year, exporter, importer, product, value_usd_m FROM read_parquet({fs})", ""),
    "codes": (
        "SELECT year, e.code AS exporter, i.code AS importer, product, value_usd_m "
        "FROM read_parquet({fs}) t JOIN cm e ON e.iso = t.exporter JOIN cm i ON i.iso = t.importer",
        "",
    ),
    "codes+sorted": (
        "SELECT year, e.code AS exporter, i.code AS importer, product, value_usd_m "
        "FROM read_parquet({fs}) t JOIN cm e ON e.iso = t.exporter JOIN cm i ON i.iso = t.importer",
        "ORDER BY exporter, importer, product",
    ),
}
for kind, (select, order) in KINDS.items():
    for _, fs, out in years_to_write(files, years, os.path.join(work, kind)):
        con.execute(
            f"COPY ({select.format(fs=fs)} {order}) TO '{out}' (FORMAT parquet, ROW_GROUP_SIZE 1048576)"
        )
Q = "SELECT year, exporter, importer, SUM(value_usd_m) AS v FROM t GROUP BY year, exporter, importer"
print("datafusion", datafusion.__version__, "duckdb", duckdb.__version__, "cores", os.cpu_count())
for kind in list(KINDS) * 3:
    cfg = SessionConfig().with_target_partitions(os.cpu_count())
    cfg = cfg.set("datafusion.execution.parquet.schema_force_view_types", "false")
    ctx = SessionContext(cfg)
    kw = {}
    if kind.endswith("sorted"):
        kw["file_sort_order"] = [[col("year").sort(), col("exporter").sort(), col("importer").sort()]]
    ctx.register_parquet("t", os.path.join(work, kind), **kw)
    t0 = time.time()
    n = ctx.sql(Q).count()
    df_s = time.time() - t0
    t0 = time.time()
    (dn,) = con.execute(f"SELECT count(*) FROM ({Q.replace('FROM t', f'FROM read_parquet(' + repr(os.path.join(work, kind, '*.parquet')) + ')')})").fetchone()
    duck_s = time.time() - t0
    assert n == dn, (n, dn)
    print(f"{kind:13s} groups {n}  datafusion {df_s:.2f} s  duckdb {duck_s:.2f} s", flush=True)
