"""pivot's Python module against the bundled data: real values with where they come from.

Run by .ci/run in a fresh virtual environment (`pip install ./python`, then pytest). The store
is a temporary directory (PIVOT_TEST_STORE reuses one), loaded from the bundled data once.
"""

from __future__ import annotations

import json
import os
import threading

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pivot

REPO = os.path.join(os.path.dirname(__file__), "..", "..")


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> pivot.Engine:
    store = os.environ.get("PIVOT_TEST_STORE") or str(tmp_path_factory.mktemp("store"))
    return pivot.Engine(store)


# AGTPA ch.1 Table 3 col. 4 / ch.2 application 2: PPML of trade on RTA with exporter-year,
# importer-year and pair fixed effects, 1986-2006 every four years, domestic flows included.
AGTPA_RTA = "trade ~ rta | exporter^year + importer^year + pair_id"
AGTPA_YEARS = "year IN (1986, 1990, 1994, 1998, 2002, 2006)"


def test_partner_share_china_first_in_russias_2014_trade(engine: pivot.Engine) -> None:
    # COW Dyadic Trade v4.0: Russia-China trade in 2014 (both directions) is 93,942 million USD
    # of Russia's 768,339 million total with all partners: 12.227 %, first of 183 partners.
    t = engine.measure("partner-share", focal="RUS", years="2014", source="cow_trade")
    assert isinstance(t, pa.Table)
    first = t.slice(0, 1).to_pylist()[0]
    assert first["partner"] == "CHN"
    assert first["rank"] == 1
    assert first["share"] == pytest.approx(0.12227, abs=5e-6)
    assert first["value"] == pytest.approx(93_942e6)
    assert first["n_partners"] == 183
    df = t.to_pandas()
    assert df.iloc[0]["partner"] == "CHN"


def test_provenance_rides_in_the_schema_metadata(engine: pivot.Engine, tmp_path) -> None:
    t = engine.measure("partner-share", focal="Russia", years=2014, top=3, source="cow_trade")
    raw = t.schema.metadata[b"pivot.provenance"]
    d = json.loads(raw)
    assert d["method"] == "partner-share"
    # Parameters as applied, defaults included; the country resolved once.
    assert d["parameters"]["focal"] == "RUS"
    assert d["parameters"]["top"] == "3"
    assert d["parameters"]["direction"] == "total"
    assert [x["id"] for x in d["datasets"]] == ["cow_trade"]
    assert d["datasets"][0]["version"] == "v4.0"
    p = pivot.provenance(t)
    assert p.method == "partner-share"
    assert str(p).startswith("Method: partner-share (pivot ")
    assert "Source: cow_trade v4.0" in str(p)
    # It survives a Parquet round trip, as the CLI's --format parquet output.
    f = tmp_path / "share.parquet"
    pq.write_table(t, f)
    assert pivot.provenance(f) == p
    assert t.num_rows == 3


def test_unknown_keyword_is_a_type_error_naming_it(engine: pivot.Engine) -> None:
    with pytest.raises(TypeError, match="bogus") as info:
        engine.measure("partner-share", focal="RUS", bogus=1)
    e = info.value
    assert isinstance(e, pivot.UnknownParameterError)
    assert isinstance(e, pivot.InputError) and isinstance(e, pivot.PivotError)
    assert e.param == "bogus"
    assert e.measure == "partner-share"
    assert "top" in e.accepted


def test_bad_value_is_a_value_error_naming_it(engine: pivot.Engine) -> None:
    with pytest.raises(ValueError, match="top") as info:
        engine.measure("partner-share", focal="RUS", top="abc")
    e = info.value
    assert isinstance(e, pivot.ParameterError) and not isinstance(e, TypeError)
    assert (e.param, e.value, e.problem) == ("top", "abc", "not an integer")
    with pytest.raises(pivot.ParameterError, match="direction"):
        engine.measure("partner-share", focal="RUS", direction="sideways")
    with pytest.raises(pivot.InputError, match="Atlantis"):
        engine.measure("partner-share", focal="Atlantis")


def test_unknown_measure_suggests_the_closest(engine: pivot.Engine) -> None:
    with pytest.raises(pivot.UnknownMeasureError) as info:
        engine.measure("partner-shares", focal="RUS")
    assert info.value.suggestion == "partner-share"


def test_missing_data_is_a_data_error(engine: pivot.Engine) -> None:
    # BACI is not bundled (users ingest their own download).
    with pytest.raises(pivot.DataError, match="pivot data ingest baci"):
        engine.measure("partner-share", focal="RUS", source="baci")


def test_un_agreement_russia_china(engine: pivot.Engine) -> None:
    t = engine.measure("un-alignment", focal="RUS", partners=["CHN", "USA"], years="2010-2014")
    rows = t.to_pylist()
    assert {r["partner"] for r in rows} == {"CHN", "USA"}
    assert pivot.provenance(t).method == "un-alignment"
    assert any(d["id"].startswith("un") for d in pivot.provenance(t).datasets)


def test_sql_returns_arrow(engine: pivot.Engine) -> None:
    # COW v4.0: China's exports to Russia in 2014 (flow1 of the dyad), million USD.
    t = engine.sql(
        "SELECT value_usd_m FROM trade_flows WHERE source='cow_trade' AND year=2014 "
        "AND exporter='CHN' AND importer='RUS'"
    )
    assert t.num_rows == 1
    assert pivot.provenance(t).method == "sql"
    with pytest.raises(pivot.InputError, match="no_such_table"):
        engine.sql("SELECT * FROM no_such_table")


def test_store_information(engine: pivot.Engine) -> None:
    ids = engine.datasets().column("id").to_pylist()
    assert "cow_trade" in ids and "agtpa" in ids
    c = engine.country("Viet Nam")
    assert (c["iso3"], c["iso2"], c["m49"]) == ("VNM", "VN", 704)
    assert "Barbieri" in engine.cite()
    assert "@" in engine.cite(bibtex=True)
    names = engine.measures().column("name").to_pylist()
    assert "partner-share" in names
    info = engine.measure_info("partner-share")
    assert "top" in [p["name"] for p in info["parameters"]]
    assert "partner-share" in engine.help("partner-share")


def test_gravity_agtpa_rta_from_the_store_table(engine: pivot.Engine) -> None:
    # The book authors' Stata estimate (AGTPA ch.2, RTAsEffects.log): 0.5571853; 84 observations
    # of pairs that never trade are dropped (fe separation); N = 28,482. The clustered SE is
    # capybara's 0.1022 (reference_estimates_ch1_r_capybara.csv, fit_endg_rta) times fixest's
    # small-sample factor sqrt((n-1)/(n-K)) with the pair FE nested in the clusters.
    r = engine.gravity_fit("agtpa_gravity", AGTPA_RTA, vcov="cluster(pair_id)", filter=AGTPA_YEARS)
    assert r.coef()["rta"] == pytest.approx(0.557185, abs=5e-7)
    assert r.se()["rta"] == pytest.approx(0.103753, abs=5e-7)
    assert r.nobs == 28_482
    tidy = r.tidy()
    assert list(tidy.columns) == ["Estimate", "Std. Error", "z value", "Pr(>|z|)", "2.5%", "97.5%"]
    assert tidy.index.name == "Coefficient"
    assert "rta" in r.summary() and "Clustered (pair_id)" in r.summary()
    assert r.provenance.method == "gravity-ppml"
    assert r.provenance.parameters["vcov"] == "cluster(pair_id)"


def test_gravity_from_dataframes_matches_the_store_table(engine: pivot.Engine) -> None:
    data = engine.sql(f"SELECT * FROM agtpa_gravity WHERE {AGTPA_YEARS}")
    from_arrow = engine.gravity_fit(data, AGTPA_RTA, vcov="cluster(pair_id)")
    assert from_arrow.coef()["rta"] == pytest.approx(0.557185, abs=5e-7)
    assert from_arrow.se()["rta"] == pytest.approx(0.103753, abs=5e-7)
    assert from_arrow.provenance.parameters["data"].startswith("in-memory pyarrow")
    pd = pytest.importorskip("pandas")
    df = data.to_pandas()
    assert isinstance(df, pd.DataFrame)
    from_pandas = engine.gravity_fit(df, AGTPA_RTA, vcov="hetero")
    # Stata's robust SE 0.055771 is HC0 x n/(n-1); fixest's hetero adds (n-1)/(n-K).
    assert from_pandas.coef()["rta"] == pytest.approx(0.557185, abs=5e-7)
    assert from_pandas.se()["rta"] == pytest.approx(0.059235, abs=5e-7)


def test_gravity_from_polars(engine: pivot.Engine) -> None:
    pl = pytest.importorskip("polars")
    df = pl.from_arrow(engine.sql(f"SELECT * FROM agtpa_gravity WHERE {AGTPA_YEARS}"))
    r = engine.gravity_fit(df, AGTPA_RTA, vcov="cluster(pair_id)")
    assert r.coef()["rta"] == pytest.approx(0.557185, abs=5e-7)


def test_gravity_bad_vcov_is_an_input_error(engine: pivot.Engine) -> None:
    with pytest.raises(pivot.InputError, match="vcov"):
        engine.gravity_fit("agtpa_gravity", AGTPA_RTA, vcov="sandwich", filter=AGTPA_YEARS)


def test_claims_bundled_mankoff(engine: pivot.Engine) -> None:
    t = engine.claims()
    rows = t.to_pylist()
    assert len(rows) == 8
    assert {r["verdict"] for r in rows} <= {"supported", "not supported", "mixed", "not testable"}
    assert pivot.provenance(t).method == "claims-check"
    from_file = engine.claims(os.path.join(REPO, "claims", "mankoff-2015.toml"))
    assert from_file.column("verdict").to_pylist() == t.column("verdict").to_pylist()


def test_scenario_agtpa_nafta(engine: pivot.Engine) -> None:
    # AGTPA ch.2: removing NAFTA, USA-CAN trade falls by 37.9 % in full endowment GE
    # (crates/pivot-gravity/tests/expected/agtpa-nafta.pairs.csv).
    s = engine.scenario(os.path.join(REPO, "scenarios", "agtpa-nafta.toml"))
    pairs = {(r["exporter"], r["importer"]): r for r in s.pairs.to_pylist()}
    assert pairs[("USA", "CAN")]["trade_full_pct"] == pytest.approx(-37.948675, abs=1e-4)


def test_report_writes_files(engine: pivot.Engine, tmp_path) -> None:
    files = engine.report(tmp_path / "r", focal="RUS", partners="CHN,IND", years="2000-2014")
    assert any(f.endswith("report.html") for f in files)
    assert (tmp_path / "r" / "report.html").stat().st_size > 10_000


def test_threads_share_one_engine(engine: pivot.Engine) -> None:
    # Calls release the GIL: several threads on one engine get the same answer.
    out = []

    def run() -> None:
        t = engine.measure("partner-share", focal="RUS", years="2014", top=1)
        out.append(t.column("partner")[0].as_py())

    ts = [threading.Thread(target=run) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert out == ["CHN"] * 4


def _python_blocks(path: str) -> list:
    blocks, cur, inside = [], [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("```"):
                if inside:
                    blocks.append("".join(cur))
                    cur, inside = [], False
                elif line.strip() == "```python":
                    inside = True
                continue
            if inside:
                cur.append(line)
    return blocks


@pytest.mark.parametrize("doc", ["README.md", os.path.join("docs", "python.md")])
def test_documented_python_runs(engine: pivot.Engine, doc: str, monkeypatch, capsys) -> None:
    # Drift test: every Python block of the README and docs/python.md runs, in order, in one
    # namespace (the blocks that show an error raise the pivot error they document).
    monkeypatch.setenv("PIVOT_STORE", engine.store)
    ns: dict = {}
    blocks = _python_blocks(os.path.join(REPO, doc))
    assert blocks
    for code in blocks:
        try:
            exec(compile(code, doc, "exec"), ns)
        except pivot.PivotError as e:
            assert "bogus" in code or "abc" in code, f"{doc}: {e}"
    out = capsys.readouterr().out
    if doc.startswith("docs"):
        for shown in ["0.122267", "Source: cow_trade v4.0", "0.910526", "0.557185    0.103753"]:
            assert shown in out


def test_ingest_baci_with_progress_on_stderr(engine: pivot.Engine, tmp_path, capfd) -> None:
    import shutil

    store = tmp_path / "store"
    shutil.copytree(engine.store, store)
    e = pivot.Engine(store)
    fixture = os.path.join(REPO, "crates", "pivot-sources", "tests", "fixtures", "BACI_HS17_Y2021_V202301.csv")
    # A malformed file is a DataError naming file, line and field; the store is unchanged.
    bad = tmp_path / "BACI_HS17_Y2021_V202301.csv"
    bad.write_text("t,i,j,k,v,q\n2021,643,156,270900,abc,3\n")
    with pytest.raises(pivot.DataError, match="line 2"):
        e.ingest("baci", bad)
    with pytest.raises(pivot.DataError):
        e.measure("partner-share", focal="RUS", source="baci")
    out = e.ingest("baci", fixture)
    assert out["dataset"] == "baci" and out["rows"] > 0 and out["replaced"] is False
    assert "pivot: ingesting baci" in capfd.readouterr().err
    # Russia -> China, HS 270900 in 2021: 74,262,345.123 thousand USD in the fixture.
    t = e.measure("partner-share", focal="RUS", years="2021", source="baci", direction="exports")
    first = t.slice(0, 1).to_pylist()[0]
    assert first["partner"] == "CHN"
    assert "baci" in [d["id"] for d in pivot.provenance(t).datasets]
    # Removed: the fixture's rows (counted by the ingest above) are gone; not bundled, so not
    # reloaded. An unknown id is an InputError.
    assert e.remove("baci") == {"dataset": "baci", "rows": out["rows"], "reloaded": False}
    with pytest.raises(pivot.DataError):
        e.measure("partner-share", focal="RUS", source="baci")
    with pytest.raises(pivot.InputError, match="no dataset 'baci'"):
        e.remove("baci")
