//! The measures of issue 3 on the bundled real data, through the engine. Expected values are
//! computed independently in each test by direct SQL over the canonical tables (an oracle that
//! shares only the loaded data with the measure) or come from SOURCES.md spot checks.

mod common;

use std::sync::OnceLock;

use pivot_engine::claims::table_rows;
use pivot_engine::measure::MeasureRequest;
use pivot_engine::{Engine, SqlLimits};
use serde_json::Value;

/// One store shared by every test process (nextest runs each test in its own process), built
/// once under a file lock and keyed by this test binary's modification time.
fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let (root, lock) = common::per_binary("engine-store");
        let lock = std::fs::File::create(lock).unwrap();
        lock.lock().unwrap();
        let e = Engine::open(&root).unwrap();
        drop(lock);
        e
    })
}

fn measure(
    name: &str,
    focal: &str,
    partners: &[&str],
    years: Option<&str>,
    by: Option<&str>,
    params: &[(&str, &str)],
) -> Vec<Value> {
    let mut req = MeasureRequest::new(name).param("focal", focal);
    if !partners.is_empty() {
        req = req.param("partners", partners.to_vec());
    }
    if let Some(y) = years {
        req = req.param("years", y);
    }
    if let Some(b) = by {
        req = req.param("by", b);
    }
    for (k, v) in params {
        req = req.param(*k, *v);
    }
    let t = engine().measure(&req).unwrap();
    assert!(
        !t.provenance.datasets.is_empty(),
        "{name}: provenance names no dataset"
    );
    table_rows(&t).unwrap()
}

fn sql_f64(q: &str) -> f64 {
    let t = engine().sql(q, SqlLimits::NONE).unwrap();
    let rows = table_rows(&t).unwrap();
    rows[0]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_f64()
        .unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn russia_partner_ranking_2014_has_china_first() {
    // COW v4.0's 2014 (the reference value 0.122267 of the README, Python and R docs): asked
    // of COW, since the spliced series takes 2012-2023 from BACI totals (issue 29).
    let rows = measure(
        "partner-share",
        "Russian Federation",
        &[],
        Some("2014"),
        None,
        &[("source", "cow_trade")],
    );
    let first = rows.iter().find(|r| r["rank"] == 1).unwrap();
    assert_eq!(first["partner"], "CHN");
    // SOURCES.md: RUS imports from CHN 51,135 and CHN imports from RUS 42,807 (million USD).
    assert!(close(
        first["value"].as_f64().unwrap(),
        (51_135.0 + 42_807.0) * 1e6,
        1e-12
    ));
    // Oracle: Russia's total trade in 2014 by direct SQL.
    let total = sql_f64(
        "SELECT SUM(value_usd_m) FROM trade_flows WHERE source='cow_trade' AND year=2014 AND (exporter='RUS' OR importer='RUS') AND exporter <> importer",
    );
    let share = first["share"].as_f64().unwrap();
    assert!(
        close(share, 93_942.0 / total, 1e-12),
        "{share} vs {}",
        93_942.0 / total
    );
    let sum: f64 = rows.iter().map(|r| r["share"].as_f64().unwrap()).sum();
    assert!(close(sum, 1.0, 1e-9));
}

#[test]
fn barbieri_russia_china_2014() {
    let rows = measure(
        "barbieri-interdependence",
        "RUS",
        &["CHN"],
        Some("2014"),
        None,
        &[("source", "cow_trade")],
    );
    let r = &rows[0];
    let tru = sql_f64(
        "SELECT SUM(value_usd_m) FROM trade_flows WHERE source='cow_trade' AND year=2014 AND (exporter='RUS' OR importer='RUS') AND exporter <> importer",
    );
    let tcn = sql_f64(
        "SELECT SUM(value_usd_m) FROM trade_flows WHERE source='cow_trade' AND year=2014 AND (exporter='CHN' OR importer='CHN') AND exporter <> importer",
    );
    let (si, sj) = (93_942.0 / tru, 93_942.0 / tcn);
    assert!(close(
        r["salience"].as_f64().unwrap(),
        (si * sj).sqrt(),
        1e-9
    ));
    assert!(close(
        r["symmetry"].as_f64().unwrap(),
        1.0 - (si - sj).abs(),
        1e-9
    ));
    // Russia needs China more than China needs Russia.
    assert!(r["asymmetry"].as_f64().unwrap() > 0.0);
}

#[test]
fn un_alignment_every_session_for_five_partners() {
    let partners = ["CHN", "USA", "IND", "JPN", "VNM"];
    let rows = measure("un-alignment", "RUS", &partners, None, None, &[]);
    for p in partners {
        let n = rows.iter().filter(|r| r["partner"] == p).count();
        let sessions = sql_f64(&format!(
            "SELECT COUNT(DISTINCT r.session) FROM un_votes a JOIN un_votes b ON a.rcid = b.rcid JOIN un_roll_calls r ON r.rcid = a.rcid WHERE a.country='RUS' AND b.country='{p}'"
        ));
        assert_eq!(n as f64, sessions, "{p}");
    }
    for r in &rows {
        let s = r["s_score"].as_f64().unwrap();
        assert!((-1.0..=1.0).contains(&s));
    }
    // Session 74 RUS-CHN agreement above RUS-USA (oracle: the sign is what the claim needs).
    let a = |p: &str| {
        rows.iter()
            .find(|r| r["partner"] == p && r["period"] == 74)
            .unwrap()["agreement"]
            .as_f64()
            .unwrap()
    };
    assert!(a("CHN") > a("USA"));
}

#[test]
fn russian_arms_deliveries_by_period() {
    let rows = measure(
        "arms-shares",
        "RUS",
        &[],
        None,
        None,
        &[("periods", "2000-2011;2012-2023")],
    );
    let get = |rec: &str, start: i64| {
        rows.iter()
            .find(|r| r["recipient"] == rec && r["period_start"] == start)
            .unwrap()
            .clone()
    };
    let ind = get("IND", 2012);
    let total = sql_f64(
        "SELECT SUM(tiv) FROM arms_dyad_year WHERE supplier_iso3='RUS' AND year BETWEEN 2012 AND 2023",
    );
    let ind_tiv = sql_f64(
        "SELECT SUM(tiv) FROM arms_dyad_year WHERE supplier_iso3='RUS' AND recipient_iso3='IND' AND year BETWEEN 2012 AND 2023",
    );
    assert!(close(ind["share"].as_f64().unwrap(), ind_tiv / total, 1e-9));
    assert_eq!(ind["rank"], 1);
    assert_eq!(get("CHN", 2000)["rank"], 1);
}

#[test]
fn power_ratios_china_russia() {
    // SOURCES.md §12: SIPRI constant 2022 USD m, 2014: China 193,619, Russia 80,482.
    let rows = measure(
        "power-ratio",
        "CHN",
        &["RUS"],
        Some("2014"),
        None,
        &[("indicator", "milex_const2022_usd_m")],
    );
    let r = rows[0]["ratio"].as_f64().unwrap();
    assert!(close(r, 193_619.0 / 80_482.0, 1e-4), "{r}");
    for ind in ["gdp_usd", "cinc"] {
        let rows = measure(
            "power-ratio",
            "CHN",
            &["RUS"],
            None,
            None,
            &[("indicator", ind)],
        );
        assert!(rows.len() > 20, "{ind}");
    }
}

#[test]
fn chinese_official_finance_to_russia() {
    let rows = measure(
        "official-finance",
        "RUS",
        &[],
        None,
        Some("cumulative"),
        &[("basis", "committed")],
    );
    let last = rows.last().unwrap();
    // SOURCES.md §11: Russia, 169.6 bn constant 2021 USD committed, the largest recipient.
    assert!(
        close(last["amount"].as_f64().unwrap(), 169.6e9, 1e-3),
        "{}",
        last["amount"]
    );
    assert_eq!(last["rank"], 1);
    let annual = measure("official-finance", "RUS", &[], None, None, &[]);
    assert!(annual.len() >= 20);
}

#[test]
fn crude_exports_asia_and_china_shares() {
    let rows = measure(
        "energy-destinations",
        "RUS",
        &[],
        None,
        None,
        &[("carrier", "crude_oil")],
    );
    let china_2023 = rows
        .iter()
        .find(|r| r["year"] == 2023 && r["importer"] == "China")
        .unwrap();
    // SOURCES.md §8: crude to China 107.02 Mt of 240.8 Mt in 2023.
    assert!(close(
        china_2023["share"].as_f64().unwrap(),
        107.02 / 240.8,
        2e-3
    ));
    let asia = measure(
        "energy-asia-share",
        "RUS",
        &[],
        None,
        None,
        &[("carrier", "crude_oil")],
    );
    assert_eq!(asia.len(), 4, "one row per energy year");
}

#[test]
fn hedging_view_for_russia() {
    let rows = measure(
        "hedging-view",
        "RUS",
        &["CHN", "IND", "JPN", "KOR", "VNM"],
        None,
        None,
        &[],
    );
    let dims: Vec<&str> = rows
        .iter()
        .map(|r| r["dimension"].as_str().unwrap())
        .collect();
    for d in ["trade", "energy", "arms", "diplomacy"] {
        assert!(dims.contains(&d), "{d} in {dims:?}");
    }
    let trade = rows.iter().find(|r| r["dimension"] == "trade").unwrap();
    assert_eq!(trade["dominant_partner"], "CHN");
    let arms = rows.iter().find(|r| r["dimension"] == "arms").unwrap();
    assert_eq!(arms["dominant_partner"], "IND");
}

#[test]
fn claims_file_gives_eight_verdicts() {
    let f = pivot_engine::claims::parse_claims(pivot_engine::report::MANKOFF_CLAIMS).unwrap();
    let v = engine().check_claims(&f).unwrap();
    assert_eq!(v.len(), 8);
    let c1 = v.iter().find(|c| c.id == "C1").unwrap();
    assert_eq!(c1.verdict, pivot_engine::Verdict::Supported);
    // Issue 29: C1 is checked at the last year of data, 2023 (BACI totals), with the partners
    // missing from Russia's reported 2023 trade beside it.
    assert!(
        c1.evidence
            .contains("China: rank in 2023: 1st (met: at most 1st)")
            && c1.evidence.contains("coverage: 2023: 83 partners of RUS")
            && c1
                .evidence
                .contains("BLR (2021: 36.5 bn USD), KOR (2022: 21.1 bn USD)"),
        "{}",
        c1.evidence
    );
    let c6 = v.iter().find(|c| c.id == "C6").unwrap();
    assert!(
        c6.evidence.contains("→ 76.7% in 2023 (up 53.8 points)")
            && c6.evidence.contains("coverage: 2023"),
        "{}",
        c6.evidence
    );
    // Issue 29: C7 compares China's and India's shares in 2011-2013 with 2021 and 2023
    // (before and after 2022). China 2021 0.185716 and 2023 0.397177, India 2021 0.015 and
    // 2023 0.116658, from BACI totals (summed with Python from the bundled file).
    let c7 = v.iter().find(|c| c.id == "C7").unwrap();
    assert!(!c7.evidence.contains("not testable"), "{}", c7.evidence);
    assert_eq!(c7.evaluated, 7, "{}", c7.evidence);
    for shown in [
        "China's share of Russia's trade rose from 2011-2013 to 2021 (after 2014) [yes]: China: share 11.0% in 2011-2013 → 18.6% in 2021 (up 7.5 points)",
        "China's share of Russia's trade rose from 2021 to 2023 (after 2022) [yes]: China: share 18.6% in 2021 → 39.7% in 2023 (up 21.1 points)",
        "India's share of Russia's trade rose from 2021 to 2023 (after 2022) [yes]: India: share 1.5% in 2021 → 11.7% in 2023 (up 10.1 points)",
    ] {
        assert!(c7.evidence.contains(shown), "{shown}\n{}", c7.evidence);
    }
    assert_eq!(
        c7.verdict,
        pivot_engine::Verdict::Supported,
        "{}",
        c7.evidence
    );
    // Issue 30: C5 checks the published ideal points over 2020-2023 (mean distances computed
    // with Python from the file's idealpointall: RUS-CHN 0.180 and RUS-USA 3.254 over
    // 2020-2023; RUS-CHN 0.313 in 2017-2019 and 0.038 in 2022-2023).
    let c5 = v.iter().find(|c| c.id == "C5").unwrap();
    assert_eq!((c5.evaluated, c5.passed), (4, 4), "{}", c5.evidence);
    assert!(
        c5.evidence
            .contains("distance in 2020-2023: China 0.180 against United States 3.254")
            && c5
                .evidence
                .contains("China: distance 0.313 in 2017-2019 → 0.038 in 2022-2023"),
        "{}",
        c5.evidence
    );
}

/// Issue 12: Russia's 2020 trade from IMF DOTS, both directions as each exporter reports them.
/// SOURCES.md §13: Russia → China 49,583.1 and China → Russia 50,608.4 million USD in 2020, so
/// China's total is 100,191.5 million USD, Russia's largest partner.
#[test]
fn partner_share_2020_comes_from_imf_dots_both_directions() {
    // The spliced series takes 2020 from BACI totals (issue 29): IMF DOTS when asked.
    let req = MeasureRequest::new("partner-share")
        .param("focal", "RUS")
        .param("years", "2020")
        .param("source", "imf_dots");
    let t = engine().measure(&req).unwrap();
    let rows = table_rows(&t).unwrap();
    assert_eq!(rows[0]["partner"], "CHN");
    assert_eq!(rows[0]["rank"], 1);
    let v = rows[0]["value"].as_f64().unwrap();
    assert!((v - 100_191.5e6).abs() < 1.0, "{v}");
    // The share's denominator is Russia's exports (its report) plus every partner's reported
    // exports to Russia: 2020 total from the same rows by SQL.
    let total = sql_f64(
        "SELECT SUM(value_usd_m) FROM trade_flows WHERE source='imf_dots' AND year=2020 AND (exporter='RUS' OR importer='RUS')",
    );
    let share = rows[0]["share"].as_f64().unwrap();
    assert!((share - 100_191.5 / total).abs() < 1e-12, "{share}");
    let ids: Vec<&str> = t
        .provenance
        .datasets
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(ids, ["imf_dots"]);
    assert!(
        t.provenance
            .notes
            .iter()
            .any(|n| n.contains("exporter-reported FOB")),
        "{:?}",
        t.provenance.notes
    );
    // One source when asked: COW has no 2020.
    let cow = engine()
        .measure(&req.clone().param("source", "cow_trade"))
        .unwrap();
    assert_eq!(cow.num_rows(), 0);
}

/// Issue 29: Russia's trade to 2023 from BACI totals, spliced after COW with no gap; the level
/// break at 2011/2012 measured on the years both hold; the partners missing in 2023 named.
#[test]
fn partner_share_to_2023_from_baci_totals() {
    let req = MeasureRequest::new("partner-share").param("focal", "RUS");
    let t = engine()
        .measure(&req.clone().param("years", "2023"))
        .unwrap();
    let rows = table_rows(&t).unwrap();
    assert_eq!(rows[0]["partner"], "CHN");
    // SOURCES.md §15: Russia → China 129,002,538.475 and China → Russia 110,013,940.831
    // thousand USD in 2023; China's 39.7 % of Russia's reported total (601.8 bn USD).
    let v = rows[0]["value"].as_f64().unwrap();
    assert!((v - 239_016_479_306.0).abs() < 1.0, "{v}");
    let total = sql_f64(
        "SELECT SUM(value_usd_m) FROM trade_flows WHERE source='baci_totals' AND year=2023 AND (exporter='RUS' OR importer='RUS')",
    );
    assert!((total - 601_787.638_512).abs() < 1e-3, "{total}");
    let share = rows[0]["share"].as_f64().unwrap();
    assert!((share - 239_016.479_306 / total).abs() < 1e-12, "{share}");
    assert!((share - 0.397177).abs() < 5e-7, "{share}");
    assert_eq!(rows[1]["partner"], "IND");
    let ids: Vec<&str> = t
        .provenance
        .datasets
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(ids, ["baci_totals"]);
    let missing = t
        .provenance
        .notes
        .iter()
        .find(|n| n.starts_with("Partners missing from RUS's reported trade"))
        .expect("a coverage note");
    // Russia–Belarus 2021: 20,643,053.517 + 15,855,181.663 thousand USD = 36.5 bn; Korea 2022
    // 21.1 bn; 83 partners with flows in 2020-2022 and none in 2023 (counted with Python).
    assert!(
        missing.contains("2023 (BACI totals: 83 partners")
            && missing
                .contains("Belarus (BLR, 2021: 36.5 bn USD), South Korea (KOR, 2022: 21.1 bn USD)")
            && missing.contains("every share is of the reported total"),
        "{missing}"
    );
    // 2016 answers from BACI totals: no gap, no splice note.
    let t16 = engine()
        .measure(&req.clone().param("years", "2016"))
        .unwrap();
    assert_eq!(table_rows(&t16).unwrap()[0]["partner"], "CHN");
    assert!(
        !t16.provenance
            .notes
            .iter()
            .any(|n| n.contains("no trade data")),
        "{:?}",
        t16.provenance.notes
    );
    // 2014: BACI totals win over COW (China 0.116548, against COW's 0.122267).
    let t14 = table_rows(
        &engine()
            .measure(&req.clone().param("years", "2014"))
            .unwrap(),
    )
    .unwrap();
    assert!((t14[0]["share"].as_f64().unwrap() - 0.116548).abs() < 5e-7);
    // 2010-2013: COW then BACI totals, the step measured on 2012-2014 (Russia's total trade,
    // BACI totals / COW v4.0: 841.5 / 846.7, 827.9 / 835.1, 784.9 / 768.3 bn USD by SQL).
    let t = engine()
        .measure(&req.clone().param("years", "2010-2013"))
        .unwrap();
    let notes = &t.provenance.notes;
    let splice = notes
        .iter()
        .find(|n| n.starts_with("Trade spliced"))
        .expect("a splice note");
    assert!(
        splice.contains("COW v4.0 for 2010-2011, BACI totals for 2012-2013"),
        "{splice}"
    );
    let step = notes
        .iter()
        .find(|n| n.starts_with("Level break at 2011/2012 (COW v4.0 → BACI totals)"))
        .expect("a level-break note");
    assert!(
        step.contains(
            "2012 841.5 bn USD from BACI totals against 846.7 bn USD from COW v4.0 (-0.6%)"
        ) && step.contains(
            "2013 827.9 bn USD from BACI totals against 835.1 bn USD from COW v4.0 (-0.9%)"
        ) && step.contains(
            "2014 784.9 bn USD from BACI totals against 768.3 bn USD from COW v4.0 (+2.2%)"
        ),
        "{step}"
    );
}

#[test]
fn report_writes_html_markdown_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let files = engine()
        .write_report(&pivot_engine::report::ReportOptions::default(), dir.path())
        .unwrap();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("claims-table"));
    // Self-contained: no external resource (citations may mention a URL as text).
    for bad in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "<script src",
        "<link",
    ] {
        assert!(!html.contains(bad), "{bad}");
    }
    assert!(dir.path().join("report.md").exists());
    assert!(
        files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "csv"))
            .count()
            >= 10
    );
    assert!(
        files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "svg"))
            .count()
            >= 8
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn measures_are_remembered_until_an_ingest_changes_the_data() {
    // A private copy of the shared store, so the ingest below touches no other test.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    copy_dir(engine().root(), &root);
    let mut e = Engine::open(&root).unwrap();
    let req = MeasureRequest::new("partner-share")
        .param("focal", "RUS")
        .param("years", "2014");
    // COW 2014: China is Russia's first partner (share 0.1223, see the partner-share test).
    let first = |e: &Engine| table_rows(&e.measure(&req).unwrap()).unwrap()[0].clone();
    assert_eq!(first(&e)["partner"], "CHN");
    assert_eq!(first(&e)["partner"], "CHN"); // the second answer comes from the cache
    // One BACI line for 2014, Russia (643) → Germany (276), 2,000 thousand USD: BACI now
    // takes precedence for trade, so Germany is the only partner, share 1 — unless a stale
    // cached answer is returned.
    let files = tempfile::tempdir().unwrap();
    let f = files.path().join("BACI_HS92_Y2014_V202301.csv");
    std::fs::write(&f, "t,i,j,k,v,q\n2014,643,276,270900,2000,\n").unwrap();
    e.ingest("baci", &[f], &|_| {}).unwrap();
    let r = first(&e);
    assert_eq!(r["partner"], "DEU");
    assert_eq!(r["share"].as_f64(), Some(1.0));
    assert_eq!(r["value"].as_f64(), Some(2_000_000.0));
    // Years BACI does not cover still come from the next source (BACI totals for 2013 since
    // issue 29), and the provenance names both datasets and says where the splice is.
    let req13 = req.clone().param("years", "2013-2014");
    let t = e.measure(&req13).unwrap();
    let rows = table_rows(&t).unwrap();
    let top = |y: i64| {
        rows.iter()
            .find(|r| r["year"].as_i64() == Some(y) && r["rank"].as_i64() == Some(1))
            .map(|r| r["partner"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(top(2013).as_deref(), Some("CHN"), "2013 from BACI totals");
    assert_eq!(top(2014).as_deref(), Some("DEU"), "2014 from BACI");
    let ids: Vec<&str> = t
        .provenance
        .datasets
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(ids, ["baci", "baci_totals"]);
    assert!(
        t.provenance
            .notes
            .iter()
            .any(|n| n.contains("BACI for 2014")),
        "{:?}",
        t.provenance.notes
    );
    // One source only when asked.
    let cow_only = req.clone().param("source", "cow_trade");
    assert_eq!(
        table_rows(&e.measure(&cow_only).unwrap()).unwrap()[0]["partner"],
        "CHN"
    );
    // The report's trade charts now name BACI as their source (from the manifest), and its
    // limits say the trade charts use BACI.
    let report = e
        .build_report(&pivot_engine::report::ReportOptions::default())
        .unwrap();
    let chart = report
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .find_map(|b| match b {
            pivot_report::Block::Chart(c) if c.id == "trade-shares" => Some(c),
            _ => None,
        })
        .expect("trade-shares chart");
    assert!(chart.source.contains("BACI"), "{}", chart.source);
    assert!(chart.source.contains("HS92 V202301"), "{}", chart.source);
    assert!(
        report.limits[0].starts_with("Dyadic trade is spliced from BACI (HS92 V202301; rows dated 2014-2014), then BACI totals"),
        "{}",
        report.limits[0]
    );
}

/// Issue 29: the trade partner-share chart runs 1992-2023 with no hole, marks where BACI
/// totals take over and measures the step there; the ranking of 2023 cites BACI totals only and
/// says which partners are missing.
#[test]
fn report_trade_chart_runs_to_2023_with_no_gap() {
    use pivot_report::{Block, XValue};
    let r = engine()
        .build_report(&pivot_engine::report::ReportOptions::default())
        .unwrap();
    let blocks: Vec<&Block> = r.sections.iter().flat_map(|s| &s.blocks).collect();
    let chart = blocks
        .iter()
        .find_map(|b| match b {
            Block::Chart(c) if c.id == "trade-shares" => Some(c.clone()),
            _ => None,
        })
        .expect("trade-shares chart");
    let china = chart.series.iter().find(|s| s.name == "China").unwrap();
    let at = |y: f64| {
        china
            .points
            .iter()
            .find(|p| p.x == XValue::Num(y))
            .map(|p| p.y)
    };
    // 2011 from COW, 2014 and 2023 from BACI totals (see partner_share_to_2023_from_baci_totals).
    assert!((at(2014.0).unwrap() - 11.6548).abs() < 1e-3);
    assert!((at(2023.0).unwrap() - 39.7177).abs() < 1e-3);
    for y in 1992..=2023 {
        assert!(at(y as f64).is_some_and(f64::is_finite), "{y} has a point");
    }
    assert_eq!(chart.annotations.len(), 1);
    assert_eq!(chart.annotations[0].x, 2012.0);
    assert_eq!(chart.annotations[0].label, "BACI totals from here");
    let ranking = blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) if t.id == "trade-ranking" => Some(t.clone()),
            _ => None,
        })
        .expect("trade-ranking table");
    assert!(ranking.title.ends_with("2023"), "{}", ranking.title);
    assert!(
        ranking.source.starts_with("Source: BACI: trade totals")
            && !ranking.source.contains("Correlates"),
        "{}",
        ranking.source
    );
    let text: String = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.as_str()),
            _ => None,
        })
        .collect();
    assert!(!text.contains("no trade data"), "{text}");
    assert!(
        text.contains("Level break at 2011/2012 (COW v4.0 → BACI totals)"),
        "{text}"
    );
    assert!(
        text.contains("Shares in 2023 are of Russia's reported trade. 83 partners")
            && text.contains("Belarus (BLR, 2021: 36.5 bn USD)")
            && text.contains("China's 39.7% is of the reported total"),
        "{text}"
    );
}

#[test]
fn report_has_ideal_point_chart_and_influence_table() {
    use pivot_report::{Block, Cell, XValue};
    use std::collections::BTreeSet;
    let r = engine()
        .build_report(&pivot_engine::report::ReportOptions::default())
        .unwrap();
    let blocks: Vec<&Block> = r.sections.iter().flat_map(|s| &s.blocks).collect();
    let chart = blocks
        .iter()
        .find_map(|b| match b {
            Block::Chart(c) if c.id == "un-ideal-points" => Some(c.clone()),
            _ => None,
        })
        .expect("un-ideal-points chart");
    let series = |n: &str| chart.series.iter().find(|s| s.name == n).unwrap().clone();
    let (usa, rus, chn) = (series("United States"), series("Russia"), series("China"));
    // The report's default: 1990 on (issue 18: USA above Russia and China in every year).
    let first = match rus.points[0].x {
        XValue::Num(x) => x,
        _ => panic!("numeric years"),
    };
    assert_eq!(first, 1990.0);
    for p in &rus.points {
        let at = |s: &pivot_report::Series| s.points.iter().find(|q| q.x == p.x).unwrap().y;
        if p.y.is_finite() {
            assert!(at(&usa) > p.y && at(&usa) > at(&chn), "{:?}", p.x);
        }
    }
    // The chart draws what the measure gives: Russia in 2019 from un-ideal-points itself.
    let m = measure("un-ideal-points", "RUS", &[], Some("1990-"), None, &[]);
    let want = m
        .iter()
        .find(|r| r["country"] == "RUS" && r["year"] == 2019)
        .unwrap()["ideal_point"]
        .as_f64()
        .unwrap();
    let got = rus
        .points
        .iter()
        .find(|p| p.x == XValue::Num(2019.0))
        .unwrap()
        .y;
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");

    let table = blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) if t.id == "influence-table" => Some(t.clone()),
            _ => None,
        })
        .expect("influence table");
    // 2020, rank 1: the table shows the measure's own first influencer of Russia and its
    // index (an oracle: the influence rows of 2020 by the typed call's by-name twin).
    let row = table
        .rows
        .iter()
        .find(|r| matches!(&r[0], Cell::Text(y) if y == "2020"))
        .expect("2020 rows");
    let m = measure("influence", "RUS", &[], Some("2020"), None, &[]);
    let first = m
        .iter()
        .filter(|r| r["target"] == "RUS" && r["year"] == 2020)
        .max_by(|a, b| {
            a["total"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["total"].as_f64().unwrap())
        })
        .unwrap();
    let name = pivot_vocab::Countries::bundled()
        .by_iso3(first["influencer"].as_str().unwrap())
        .unwrap()
        .name
        .clone();
    assert!(matches!(&row[2], Cell::Text(n) if *n == name), "{row:?}");
    match row[3] {
        Cell::Number { value, .. } => {
            assert!((value - first["total"].as_f64().unwrap()).abs() < 1e-12)
        }
        _ => panic!("{row:?}"),
    }
    // Years shown: those with trade and votes, five years apart, ending with the last.
    let years: BTreeSet<String> = table
        .rows
        .iter()
        .filter_map(|r| match &r[0] {
            Cell::Text(y) => Some(y.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        years.into_iter().collect::<Vec<_>>(),
        ["1994", "1999", "2004", "2009", "2014", "2020"]
    );
}

/// Slow answers are kept in the store (`result_cache`): a second engine on the same store reads
/// them back whole (rows and provenance), a damaged file is recomputed and replaced, and what is
/// in the file is what is served (so the cache is really read, and only under its own key).
#[test]
fn slow_measure_answers_are_kept_in_the_store() {
    use pivot_engine::service::parquet_bytes;
    let root = engine().root().to_path_buf();
    let req = MeasureRequest::new("un-ideal-points")
        .param("focal", "RUS")
        .param("years", "2005-2014");
    let path = engine().result_cache_path(&req).unwrap();
    let t1 = engine().measure(&req).unwrap();
    // The estimate takes seconds in a debug build, far above the 250 ms threshold.
    assert!(path.exists(), "{} was not written", path.display());
    let rows1 = table_rows(&t1).unwrap();
    assert!(!rows1.is_empty());

    let e2 = Engine::open(&root).unwrap();
    let t2 = e2.measure(&req).unwrap();
    assert_eq!(t2.provenance, t1.provenance);
    assert_eq!(t2.schema, t1.schema);
    assert_eq!(table_rows(&t2).unwrap(), rows1);

    // Damaged: recomputed (same answer) and the file replaced by a readable one.
    std::fs::write(&path, b"not parquet").unwrap();
    let e3 = Engine::open(&root).unwrap();
    assert_eq!(table_rows(&e3.measure(&req).unwrap()).unwrap(), rows1);
    assert!(std::fs::read(&path).unwrap().starts_with(b"PAR1"));

    // Another answer put under this key is what a new engine serves: the file is read.
    let other = engine()
        .measure(
            &MeasureRequest::new("partner-share")
                .param("focal", "RUS")
                .param("years", "2014"),
        )
        .unwrap();
    let saved = std::fs::read(&path).unwrap();
    std::fs::write(&path, parquet_bytes(&other).unwrap()).unwrap();
    let e4 = Engine::open(&root).unwrap();
    assert_eq!(e4.measure(&req).unwrap().provenance.method, "partner-share");
    std::fs::write(&path, saved).unwrap();
    // Other parameters, another key.
    let req2 = MeasureRequest::new("un-ideal-points")
        .param("focal", "RUS")
        .param("years", "2005-2014")
        .param("drift_variance", 0.2);
    assert_ne!(engine().result_cache_path(&req2).unwrap(), path);
}

/// Issue 15: tables with a `source` column are read as one scan per dataset whose `source` is
/// the dataset id (a constant, not the stored column). That is only right if every dataset's
/// stored `source` is its id: checked here file by file, straight from the Parquet (not through
/// the catalogue). And a filter on `source` reads that dataset's files only.
#[test]
fn stored_source_is_the_dataset_id_and_a_source_filter_reads_only_its_files() {
    let e = engine();
    let ctx = datafusion::prelude::SessionContext::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut checked = 0;
    for d in e.manifest().datasets.values() {
        for f in &d.files {
            let path = e.root().join(&f.path);
            let df = rt
                .block_on(ctx.read_parquet(
                    path.to_str().unwrap(),
                    datafusion::prelude::ParquetReadOptions::default(),
                ))
                .unwrap();
            if df.schema().field_with_unqualified_name("source").is_err() {
                continue;
            }
            let batches = rt
                .block_on(
                    df.select_columns(&["source"])
                        .unwrap()
                        .distinct()
                        .unwrap()
                        .collect(),
                )
                .unwrap();
            let values: Vec<String> = batches
                .iter()
                .flat_map(|b| {
                    let c = datafusion::arrow::compute::cast(
                        b.column(0),
                        &datafusion::arrow::datatypes::DataType::Utf8,
                    )
                    .unwrap();
                    let s = c
                        .as_any()
                        .downcast_ref::<datafusion::arrow::array::StringArray>()
                        .unwrap()
                        .clone();
                    s.into_iter()
                        .map(|v| v.unwrap_or_default().to_string())
                        .collect::<Vec<_>>()
                })
                .collect();
            assert_eq!(values, std::slice::from_ref(&d.id), "{}", f.path);
            checked += 1;
        }
    }
    // cow_trade, imf_dots (trade_flows), ei_energy, sipri_arms (2 tables), wb_wdi, sipri_milex,
    // cow_nmc (country_year), aiddata_gcdf (finance_flows).
    assert!(checked >= 9, "{checked} files checked");

    // The plan for one source scans that dataset's files only.
    let plan = e
        .sql(
            "EXPLAIN SELECT year, SUM(value_usd_m) FROM trade_flows WHERE source = 'imf_dots' GROUP BY year",
            SqlLimits::NONE,
        )
        .unwrap();
    let text = format!(
        "{}",
        datafusion::arrow::util::pretty::pretty_format_batches(&plan.batches).unwrap()
    );
    assert!(text.contains("imf_dots-"), "{text}");
    assert!(
        !text.contains("cow_trade-"),
        "COW's files are in the plan:\n{text}"
    );
    // And the answers equal the stored rows': 2019 and 2020 totals, summed exactly.
    let n = sql_f64("SELECT COUNT(*) FROM trade_flows WHERE source = 'imf_dots'");
    assert_eq!(n, 48_052.0);
}

/// A query's provenance cites the datasets its answer is read from: a `source` filter leaves
/// that dataset only (the view's other scans are gone from the optimized plan); a table read
/// whole cites every dataset with files in it; a table inside a subquery counts; a table only
/// named in a string literal does not.
#[test]
fn sql_provenance_cites_the_datasets_the_plan_reads() {
    let e = engine();
    let cited = |q: &str| -> Vec<String> {
        let t = e.sql(q, SqlLimits::NONE).unwrap();
        let mut ids: Vec<String> = t.provenance.datasets.iter().map(|d| d.id.clone()).collect();
        ids.sort();
        ids
    };
    // Bundled trade_flows datasets: COW (to 2014), IMF DOTS (2019-2020), BACI totals
    // (2012-2023).
    assert_eq!(
        cited("SELECT SUM(value_usd_m) FROM trade_flows WHERE source = 'imf_dots'"),
        ["imf_dots"]
    );
    assert_eq!(
        cited("SELECT COUNT(*) FROM trade_flows"),
        ["baci_totals", "cow_trade", "imf_dots"]
    );
    assert_eq!(
        cited("SELECT COUNT(*) FROM trade_flows WHERE source IN ('cow_trade', 'imf_dots')"),
        ["cow_trade", "imf_dots"]
    );
    // A scalar subquery over another table: SIPRI's arms transfers are read too.
    assert_eq!(
        cited(
            "SELECT SUM(value_usd_m), (SELECT COUNT(*) FROM arms_transfers) FROM trade_flows \
             WHERE source = 'cow_trade'"
        ),
        ["cow_trade", "sipri_arms"]
    );
    // The name in a string is not a read (the old name matching cited every trade dataset).
    assert_eq!(cited("SELECT 'trade_flows' AS t"), Vec::<String>::new());
}

/// Tables are read with text as Arrow string views (DataFusion groups short views about twice as
/// fast; bench/baci/RESULTS.md), but answers leave the engine with plain strings, also inside
/// lists and structs, so every front door keeps the types it had.
#[test]
fn text_is_read_as_string_views_and_answered_as_plain_strings() {
    use datafusion::arrow::datatypes::DataType;
    let e = engine();
    let t = e
        .sql(
            "SELECT exporter, arrow_typeof(exporter) AS read_as, array_agg(importer) AS importers, \
             named_struct('iso3', exporter) AS s FROM trade_flows WHERE source = 'imf_dots' \
             AND exporter = 'RUS' AND year = 2020 GROUP BY exporter",
            SqlLimits::NONE,
        )
        .unwrap();
    let read_as = t.batches[0]
        .column(1)
        .as_any()
        .downcast_ref::<datafusion::arrow::array::StringArray>()
        .expect("plain strings out")
        .value(0)
        .to_string();
    assert_eq!(read_as, "Utf8View");
    for schema in std::iter::once(t.schema.clone()).chain(t.batches.iter().map(|b| b.schema())) {
        assert_eq!(schema.field(0).data_type(), &DataType::Utf8);
        match schema.field(2).data_type() {
            DataType::List(f) => assert_eq!(f.data_type(), &DataType::Utf8),
            other => panic!("importers: {other}"),
        }
        match schema.field(3).data_type() {
            DataType::Struct(fs) => assert_eq!(
                fs.iter().map(|f| f.data_type().clone()).collect::<Vec<_>>(),
                [DataType::Utf8]
            ),
            other => panic!("s: {other}"),
        }
    }
    // 2020: Russia's DOTS partners (exporter-reported), as many as the rows.
    let n = sql_f64(
        "SELECT COUNT(*) FROM trade_flows WHERE source = 'imf_dots' AND exporter = 'RUS' AND year = 2020",
    );
    let importers = t.batches[0]
        .column(2)
        .as_any()
        .downcast_ref::<datafusion::arrow::array::ListArray>()
        .unwrap()
        .value(0)
        .len();
    assert_eq!(importers as f64, n);
}

/// Issue 28: the whole bundled report, reviewed like code — its Markdown (the version
/// redacted) and every data file behind its figures and tables. A lost figure or table, a
/// changed number or a changed source line shows up here. Values were checked against the
/// report of main at 5a27df8 (before the report was split into typed sections): every data file
/// is byte for byte the same; the changes are the source lines of Figures 3-6 (Energy
/// Institute only, no longer COW and IMF DOTS), the trade method's sources by year (from the
/// measure's provenance), the energy paragraph's missing years (from the answer) and "Limits"
/// (from the manifest).
#[test]
fn report_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    engine()
        .write_report(&pivot_engine::report::ReportOptions::default(), dir.path())
        .unwrap();
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    let mut out = md.replace(
        &format!("pivot {}", env!("CARGO_PKG_VERSION")),
        "pivot [version]",
    );
    let mut files: Vec<_> = std::fs::read_dir(dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        out.push_str(&format!(
            "\n===== data/{} =====\n",
            f.file_name().unwrap().to_string_lossy()
        ));
        out.push_str(&std::fs::read_to_string(&f).unwrap());
    }
    insta::assert_snapshot!("bundled_report", out);
}

/// Issue 28: each figure and table of the report names exactly the datasets in the provenance
/// of the answers it draws. The oracle runs each measure by name (the front doors' path) and
/// writes the source line from its provenance and the manifest.
#[test]
fn report_sources_are_the_datasets_of_the_answers_drawn() {
    use pivot_report::Block;
    let e = engine();
    let r = e
        .build_report(&pivot_engine::report::ReportOptions::default())
        .unwrap();
    let source_of = |id: &str| {
        r.sections
            .iter()
            .flat_map(|s| &s.blocks)
            .find_map(|b| match b {
                Block::Chart(c) if c.id == id => Some(c.source.clone()),
                Block::Table(t) if t.id == id => Some(t.source.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{id} is not in the report"))
    };
    let expected = |reqs: &[MeasureRequest]| {
        let m = e.manifest();
        let ids: std::collections::BTreeSet<String> = reqs
            .iter()
            .flat_map(|q| e.measure(q).unwrap().provenance.datasets)
            .map(|d| d.id)
            .filter(|id| id != "reference")
            .collect();
        let parts: Vec<String> = ids
            .iter()
            .map(|id| format!("{}, {}", m.datasets[id].title, m.datasets[id].version))
            .collect();
        format!(
            "Source{}: {}",
            if parts.len() > 1 { "s" } else { "" },
            parts.join("; ")
        )
    };
    let rus = |name: &str| MeasureRequest::new(name).param("focal", "RUS");
    let asia = ["CHN", "IND", "JPN", "KOR", "VNM"];
    let all = ["CHN", "IND", "JPN", "KOR", "VNM", "DEU", "USA"];
    let cases: Vec<(&str, Vec<MeasureRequest>)> = vec![
        ("trade-shares", vec![rus("partner-share")]),
        // The ranking is of the last year alone (2023: BACI totals, issue 29).
        (
            "trade-ranking",
            vec![rus("partner-share").param("years", "2023")],
        ),
        (
            "asia-share",
            vec![rus("region-share").param("regions", "asia,east-south-asia")],
        ),
        (
            "energy-crude-oil",
            vec![rus("energy-destinations").param("top", "5")],
        ),
        (
            "energy-lng",
            vec![rus("energy-destinations").param("top", "5")],
        ),
        ("energy-asia", vec![rus("energy-asia-share")]),
        (
            "arms-table",
            vec![rus("arms-shares").param("periods", "2000-2011;2012-2023")],
        ),
        (
            "un-agreement",
            vec![rus("un-alignment").param("partners", all.to_vec())],
        ),
        (
            "power-ratios",
            ["gdp_usd", "cinc", "milex_const2022_usd_m"]
                .iter()
                .map(|i| {
                    MeasureRequest::new("power-ratio")
                        .param("focal", "CHN")
                        .param("partners", "RUS")
                        .param("indicator", *i)
                })
                .collect(),
        ),
        ("finance-rank", vec![rus("official-finance")]),
        (
            "hedging-table",
            vec![rus("hedging-view").param("partners", asia.to_vec())],
        ),
    ];
    for (id, reqs) in &cases {
        assert_eq!(source_of(id), expected(reqs), "{id}");
    }
    // The defect this replaces: energy figures named the trade datasets read before them.
    for id in [
        "energy-crude-oil",
        "energy-oil-products",
        "energy-pipeline-gas",
        "energy-lng",
    ] {
        let s = source_of(id);
        assert!(s.starts_with("Source: Energy trade movements"), "{id}: {s}");
        assert!(!s.contains("Correlates") && !s.contains("IMF"), "{id}: {s}");
    }
}

/// Issue 28: a measure that fails is a note in its section with the reason, and a line under
/// "Limits" — here the power section for a first partner without World Bank GDP (Taiwan is
/// not in WDI; COW NMC and SIPRI have it), while the rest of the report stands.
#[test]
fn report_says_in_the_section_why_a_measure_is_not_shown() {
    use pivot_report::Block;
    let opts = pivot_engine::report::ReportOptions {
        focal: "RUS".into(),
        partners: vec!["TWN".into(), "CHN".into()],
        years: None,
        claims: None,
        contrasts: vec![],
    };
    let r = engine().build_report(&opts).unwrap();
    let power = r.sections.iter().find(|s| s.id == "power").unwrap();
    let notes: Vec<&str> = power
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) if p.starts_with("Not shown: ") => Some(p.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        notes == ["Not shown: power-ratio indicator=gdp_usd: no rows for Taiwan and Russia."],
        "{notes:?}"
    );
    // The two ratios with data are drawn.
    assert!(power.blocks.iter().any(|b| match b {
        Block::Chart(c) => c.id == "power-ratios" && c.series.len() == 2,
        _ => false,
    }));
    assert!(
        r.limits
            .iter()
            .any(|l| l == "Not shown: power-ratio indicator=gdp_usd: no rows for Taiwan and Russia"),
        "{:?}",
        r.limits
    );
    // The trade section is still there.
    let trade = r.sections.iter().find(|s| s.id == "trade").unwrap();
    assert!(trade.blocks.iter().any(|b| matches!(b, Block::Chart(_))));
}

/// Issue 28: an answer with no rows keeps its columns, traced from the measure's row type, so
/// its CSV has a header and its Parquet a schema; and (issue 27, "the years lie in a gap") a
/// note says why it is empty: 2016 lies between COW (to 2014) and IMF DOTS (2019-2020).
#[test]
fn an_empty_answer_keeps_its_columns() {
    // 1860: before every trade source (2016, the gap this test first used, is BACI totals'
    // since issue 29).
    let req = MeasureRequest::new("partner-share")
        .param("focal", "RUS")
        .param("years", "1860");
    let t = engine().measure(&req).unwrap();
    assert_eq!(t.num_rows(), 0);
    let names: Vec<&str> = t
        .schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    assert_eq!(
        names,
        [
            "year",
            "focal",
            "partner",
            "direction",
            "value",
            "share",
            "rank",
            "n_partners"
        ]
    );
    let csv = String::from_utf8(pivot_engine::service::csv_bytes(&t).unwrap()).unwrap();
    assert_eq!(
        csv,
        "year,focal,partner,direction,value,share,rank,n_partners\n"
    );
    assert!(
        t.provenance.notes.iter().any(|n| n
            == "No trade rows of RUS in the years asked (1860); the trade data in the store cover baci_totals 2012-2023, imf_dots 2019-2020, cow_trade 1870-2014 (never interpolated; pivot data ingest baci PATH adds BACI's years)."),
        "{:?}",
        t.provenance.notes
    );
    // The same through the typed call.
    let mut p: pivot_measures::partner_share::PartnerShareParams = pivot_measures::params::parse(
        &serde_json::json!({"focal": "RUS", "years": "1860"})
            .as_object()
            .unwrap()
            .clone(),
    )
    .unwrap();
    p.top = None;
    let a = engine()
        .run::<pivot_measures::partner_share::PartnerShare>(&p)
        .unwrap();
    assert!(a.rows.is_empty());
    assert_eq!(a.provenance.notes, t.provenance.notes);
}

/// The report for another focal state says nothing that holds for Russia only: the trade
/// method's note on COW 365 (the USSR before 1992) is Russia's. Found reading the report for
/// the Holy See, whose trade method said "COW 365 covers the USSR before 1992".
#[test]
fn report_for_another_state_has_no_russian_notes() {
    use pivot_report::Block;
    let opts = pivot_engine::report::ReportOptions {
        focal: "VNM".into(),
        partners: vec!["CHN".into(), "USA".into()],
        years: None,
        claims: None,
        contrasts: vec![],
    };
    let r = engine().build_report(&opts).unwrap();
    let chart = r
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .find_map(|b| match b {
            Block::Chart(c) if c.id == "trade-shares" => Some(c),
            _ => None,
        })
        .expect("trade-shares chart");
    assert!(!chart.method.contains("USSR"), "{}", chart.method);
    assert!(
        chart.method.starts_with("partner-share: "),
        "{}",
        chart.method
    );
    // No claims section: the Mankoff claims are about Russia.
    assert!(r.sections.iter().all(|s| s.id != "claims"));
}

/// Issue 30: the published ideal points (BSV, July 2025) as a dyadic distance with its 90 %
/// interval; pivot's own `un-ideal-points` never reads them.
#[test]
fn ideal_point_distance_2022_with_intervals() {
    let req = MeasureRequest::new("ideal-point-distance")
        .param("focal", "RUS")
        .param("partners", vec!["CHN", "USA"])
        .param("years", "2022-2024");
    let t = engine().measure(&req).unwrap();
    let rows = table_rows(&t).unwrap();
    let get = |y: i64, p: &str| {
        rows.iter()
            .find(|r| r["year"].as_i64() == Some(y) && r["partner"] == p)
            .unwrap_or_else(|| panic!("{y} {p}"))
            .clone()
    };
    // SOURCES.md §14, idealpointall 2022: RUS −1.413724 (q5 −1.541091, q95 −1.288314), CHN
    // −1.407901 (q5 −1.547345, q95 −1.281682), USA 2.114955 (q5/q95 from the file below).
    let c = get(2022, "CHN");
    assert_eq!(c["series"], "all");
    assert!((c["distance"].as_f64().unwrap() - 0.005_823).abs() < 1e-6);
    // By hand: sd_RUS = 0.252777 / 3.289707 = 0.076838, sd_CHN = 0.265663 / 3.289707 =
    // 0.080756; sd_d = 0.111470; d = −0.005823 ± 1.644854 × 0.111470 spans 0: [0, 0.189176].
    assert_eq!(c["distance_lo"].as_f64(), Some(0.0));
    assert!(
        (c["distance_hi"].as_f64().unwrap() - 0.189_176).abs() < 1e-5,
        "{c}"
    );
    let u = get(2022, "USA");
    assert!((u["distance"].as_f64().unwrap() - 3.528_679).abs() < 1e-6);
    let (lo, hi) = (
        u["distance_lo"].as_f64().unwrap(),
        u["distance_hi"].as_f64().unwrap(),
    );
    assert!(
        lo > 3.2 && lo < 3.528_679 && hi > 3.528_679 && hi < 3.9,
        "{u}"
    );
    // 2024 only in the fp series: RUS −0.5984852, CHN −0.8535267; named so in rows and notes.
    let f = get(2024, "CHN");
    assert_eq!(f["series"], "fp");
    assert!((f["distance"].as_f64().unwrap() - 0.255_041_5).abs() < 1e-6);
    assert!(
        t.provenance
            .notes
            .iter()
            .any(|n| n.starts_with("2024 from the series fp"))
    );
    let ids: Vec<&str> = t
        .provenance
        .datasets
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(ids, ["un_ideal_points"]);
    // pivot's own estimate reads votes only: neither its tables nor its answer's sources name
    // the published table.
    let own = pivot_measures::registry::find("un-ideal-points").unwrap();
    assert!(!own.table_names().contains(&"un_ideal_points"));
    let t = engine()
        .measure(
            &MeasureRequest::new("un-ideal-points")
                .param("focal", "RUS")
                .param("partners", vec!["CHN"])
                .param("years", "2015-2019"),
        )
        .unwrap();
    assert!(
        t.provenance
            .datasets
            .iter()
            .all(|d| d.id != "un_ideal_points")
    );
}

/// Issue 30: the influence index on the bundled data, as properties over every year it
/// covers: in no year is a state with under 1 % of Russia's trade, no alliance with it and
/// under 1 % of its arms imports (over the index's 5-year window) among the ten most able to
/// influence Russia; China is among the first three in 2020; Belarus is first or second among
/// those Russia can influence in 2014 and 2020.
#[test]
fn influence_on_russia_passes_the_acceptance_properties() {
    use std::collections::{HashMap, HashSet};
    let e = engine();
    let t = e
        .measure(&MeasureRequest::new("influence").param("focal", "RUS"))
        .unwrap();
    let rows = table_rows(&t).unwrap();
    let shares: HashMap<(i64, String), f64> = table_rows(
        &e.measure(&MeasureRequest::new("partner-share").param("focal", "RUS"))
            .unwrap(),
    )
    .unwrap()
    .into_iter()
    .map(|r| {
        (
            (
                r["year"].as_i64().unwrap(),
                r["partner"].as_str().unwrap().to_string(),
            ),
            r["share"].as_f64().unwrap(),
        )
    })
    .collect();
    let allied: HashSet<(i64, String)> = table_rows(
        &e.sql(
            "SELECT DISTINCT year, CASE WHEN state_a = 'RUS' THEN state_b ELSE state_a END AS p \
             FROM alliances WHERE state_a = 'RUS' OR state_b = 'RUS'",
            SqlLimits::NONE,
        )
        .unwrap(),
    )
    .unwrap()
    .into_iter()
    .map(|r| {
        (
            r["year"].as_i64().unwrap(),
            r["p"].as_str().unwrap().to_string(),
        )
    })
    .collect();
    let arms: Vec<(i64, String, f64)> = table_rows(
        &e.sql(
            "SELECT year, supplier_iso3 AS s, SUM(tiv) AS tiv FROM arms_dyad_year \
             WHERE recipient_iso3 = 'RUS' AND supplier_iso3 IS NOT NULL GROUP BY year, supplier_iso3",
            SqlLimits::NONE,
        )
        .unwrap(),
    )
    .unwrap()
    .into_iter()
    .map(|r| {
        (
            r["year"].as_i64().unwrap(),
            r["s"].as_str().unwrap().to_string(),
            r["tiv"].as_f64().unwrap(),
        )
    })
    .collect();
    let arms_share = |y: i64, p: &str| {
        let w = |r: &&(i64, String, f64)| r.0 > y - 5 && r.0 <= y;
        let all: f64 = arms.iter().filter(w).map(|r| r.2).sum();
        let of: f64 = arms
            .iter()
            .filter(w)
            .filter(|r| r.1 == p)
            .map(|r| r.2)
            .sum();
        if all > 0.0 { of / all } else { 0.0 }
    };
    let years: std::collections::BTreeSet<i64> =
        rows.iter().map(|r| r["year"].as_i64().unwrap()).collect();
    // Every year with trade and GDP for the pair (the index weighs states by GDP: 1960-2023).
    assert!((1992..=2023).all(|y| years.contains(&y)), "{years:?}");
    for r in rows.iter().filter(|r| r["target"] == "RUS") {
        let (y, p) = (
            r["year"].as_i64().unwrap(),
            r["influencer"].as_str().unwrap(),
        );
        let trade = shares.get(&(y, p.to_string())).copied().unwrap_or(0.0);
        assert!(
            trade >= 0.01 || allied.contains(&(y, p.to_string())) || arms_share(y, p) >= 0.01,
            "{y}: {p} ranks {} over RUS with {trade:.4} of its trade, no alliance, {:.4} of its arms imports",
            r["rank"],
            arms_share(y, p)
        );
    }
    let rank = |y: i64, i: &str, j: &str| {
        rows.iter()
            .find(|r| r["year"] == y && r["influencer"] == i && r["target"] == j)
            .and_then(|r| r["rank"].as_u64())
    };
    assert!(rank(2020, "CHN", "RUS").is_some_and(|k| k <= 3));
    for y in [2014, 2020] {
        assert!(rank(y, "RUS", "BLR").is_some_and(|k| k <= 2), "{y}");
    }
}

/// Issue 30: the report's table "Before and after 2014 and 2022": a row per dimension, each
/// cell naming its years and source, "no data" where the data do not reach (energy before
/// 2014, AidData after 2021) — values as the measures give them (trade: China 11.0 % over
/// 2011-2013 from COW 2011 and BACI totals 2012-2013, 32.8 % over 2022-2023).
#[test]
fn report_has_the_before_and_after_table() {
    use pivot_report::{Block, Cell};
    let r = engine()
        .build_report(&pivot_engine::report::ReportOptions::default())
        .unwrap();
    let t = r
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .find_map(|b| match b {
            Block::Table(t) if t.id == "before-after-table" => Some(t.clone()),
            _ => None,
        })
        .expect("the before/after table");
    assert_eq!(
        t.columns,
        [
            "Dimension",
            "Measure",
            "Before 2014 (2011-2013)",
            "2014-2021",
            "From 2022"
        ]
    );
    let text = |c: &Cell| match c {
        Cell::Text(s) => s.clone(),
        other => panic!("{other:?}"),
    };
    let row = |label: &str| {
        t.rows
            .iter()
            .find(|r| text(&r[1]).starts_with(label))
            .unwrap_or_else(|| panic!("no row {label}"))
            .iter()
            .map(text)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("China's share of Russia's trade")[2..],
        [
            "11.0% (2011-2013; BACI totals, COW v4.0)",
            "15.4% (2014-2021; BACI totals)",
            "32.8% (2022-2023; BACI totals)"
        ]
    );
    assert_eq!(row("Asia's share of its crude exports")[2], "no data");
    assert_eq!(
        row("Asia's share of its crude exports")[4],
        "79.0% (2023; Energy Institute)"
    );
    assert!(row("China's share of Russia's arms")[4].ends_with("(2022-2023; SIPRI)"));
    assert_eq!(
        row("UN ideal-point distance to China")[4],
        "0.04 (2022-2023; BSV ideal points)"
    );
    assert_eq!(row("Chinese official finance")[4], "no data");
    for d in ["Trade", "Energy", "Arms", "Diplomacy", "Finance"] {
        assert!(t.rows.iter().any(|r| text(&r[0]) == d), "{d}");
    }
}

/// A report built only from remembered answers still stops at its time limit (the router's
/// 1 ms report once came back whole when every measure was remembered): each measure call and
/// each section check the caller's budget.
#[test]
fn a_report_from_remembered_answers_still_stops_at_its_time_limit() {
    let e = engine();
    let opts = pivot_engine::report::ReportOptions {
        focal: "JPN".into(),
        partners: vec!["CHN".into(), "USA".into()],
        ..pivot_engine::report::ReportOptions::default()
    };
    e.build_report(&opts).unwrap();
    let timed_out = pivot_engine::bounded(Some(std::time::Duration::ZERO), None, || {
        matches!(
            e.build_report(&opts),
            Err(pivot_engine::EngineError::Timeout(_))
        )
    });
    assert!(timed_out, "a whole report past a time limit of 0");
}
