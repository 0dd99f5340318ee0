"""What the probes in this folder read from a pivot store: the BACI `trade_flows` files the
manifest lists, and their years."""
import json, os


def baci_trade_files(store):
    """(sorted file paths, sorted years) of the BACI dataset's `trade_flows` files in `store`."""
    m = json.load(open(os.path.join(store, "manifest.json")))
    ds = m["datasets"]
    d = ds["baci"] if isinstance(ds, dict) else next(x for x in ds if x["id"] == "baci")
    files = sorted(os.path.join(store, f["path"]) for f in d["files"] if f["table"] == "trade_flows")
    years = sorted({f.rsplit("-", 1)[1][:4] for f in files})
    return files, years


def years_to_write(files, years, folder):
    """(year, that year's files, output path) for each year whose rewrite in `folder` is not
    there yet (the probes rewrite a store's files once per layout, then reuse them)."""
    os.makedirs(folder, exist_ok=True)
    for y in years:
        out = os.path.join(folder, f"{y}.parquet")
        if not os.path.exists(out):
            yield y, [f for f in files if f.endswith(f"-{y}.parquet")], out


def duckdb_with_codes(files):
    """A DuckDB connection (all cores) with table `cm (iso, code)`: every country of `files`
    (exporters and importers) and its SMALLINT code, the rank of its ISO3 code."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count()}")
    con.execute(
        f"CREATE TABLE cm AS SELECT iso, (row_number() OVER (ORDER BY iso))::SMALLINT AS code FROM "
        f"(SELECT exporter AS iso FROM read_parquet({files!r}) UNION SELECT importer FROM read_parquet({files!r}))"
    )
    return con
