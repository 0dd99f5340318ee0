"""Probe (issue 15): would files sorted by (year, exporter, importer), with the order declared to
DataFusion, make the on-demand dyad-year GROUP BY faster? Reads the BACI trade_flows files of a
pivot store, rewrites them with DuckDB per year unsorted and sorted (same writer, so only the
order differs), and times the GROUP BY in DataFusion's Python package (a stand-in for pivot's
DataFusion) with and without the declared order, alternating, 3 runs each.

    python -m venv /tmp/dfvenv && /tmp/dfvenv/bin/pip install datafusion==50.0.0 duckdb pyarrow
    /tmp/dfvenv/bin/python bench/baci/sort_order_probe.py STORE WORKDIR
"""
import os, sys, time

import datafusion
import duckdb
from datafusion import SessionConfig, SessionContext, col
from probe_store import baci_trade_files, years_to_write

store, work = sys.argv[1], sys.argv[2]
files, years = baci_trade_files(store)
for kind in ["unsorted", "sorted"]:
    for _, fs, out in years_to_write(files, years, os.path.join(work, kind)):
        order = "ORDER BY exporter, importer, product" if kind == "sorted" else ""
        duckdb.sql(
            f"COPY (SELECT * FROM read_parquet({fs!r}) {order}) TO '{out}' "
            "(FORMAT parquet, ROW_GROUP_SIZE 1048576)"
        )
Q = "SELECT year, exporter, importer, SUM(value_usd_m) AS v FROM t GROUP BY year, exporter, importer"
print("datafusion", datafusion.__version__, "duckdb", duckdb.__version__)
for kind in ["unsorted", "sorted"] * 3:
    ctx = SessionContext(SessionConfig().with_target_partitions(os.cpu_count()))
    kw = {}
    if kind == "sorted":
        kw["file_sort_order"] = [[col("year").sort(), col("exporter").sort(), col("importer").sort()]]
    ctx.register_parquet("t", os.path.join(work, kind) + "/", **kw)
    t = time.time()
    n = sum(b.num_rows for b in ctx.sql(Q).collect())
    print(f"{kind}: {time.time() - t:.2f} s, {n} rows")
plan = ctx.sql("EXPLAIN " + Q).to_arrow_table().column(1).to_pylist()[-1]
print("sorted plan:", "ordering_mode=Sorted" in plan and "streaming (ordering_mode=Sorted)" or "hash")
