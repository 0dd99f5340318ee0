//! Every documented parameter of geodep, hedging-view and event-profile is read: setting it
//! changes the result, by the amount computed by hand below. The measures run through the
//! registry with raw parameters (as every front door calls them) over `MemoryData`.

use pivot_measures::alliances::AllianceRecord;
use pivot_measures::data::{EnergyExport, UnVotes};
use pivot_measures::energy::{Carrier, EnergyFlow};
use pivot_measures::events::EventRecord;
use pivot_measures::geodep::ProductFlow;
use pivot_measures::un_alignment::{RollCall, Vote, VoteChoice};
use pivot_measures::{Computed, MemoryData, TradeFlow, registry};
use serde_json::{Map, Value, json};

fn run(name: &str, params: Value, data: &MemoryData) -> Computed {
    let raw: Map<String, Value> = params.as_object().cloned().unwrap_or_default();
    registry::find(name)
        .unwrap_or_else(|| panic!("{name} is registered"))
        .run(&raw, data)
        .unwrap_or_else(|e| panic!("{name} {params}: {e}"))
}

fn rows(c: &Computed) -> Vec<Value> {
    c.output.rows.to_json()
}

/// Every parameter the measure documents, so the tests below can show each one is covered.
fn documented(name: &str) -> Vec<String> {
    registry::find(name)
        .unwrap()
        .params()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

/// One HS6 product, 2019-2021: FRA imports it from CHN and USA and exports 5 of it to DEU.
///
/// | year | CHN→FRA | USA→FRA | importer HHI (C1) | world HHI over CHN, USA, FRA (C2) |
/// |------|---------|---------|-------------------|-----------------------------------|
/// | 2019 | 60 | 40 | .6²+.4² = 0.52 | (60²+40²+5²)/105² = 0.4739 |
/// | 2020 | 50 | 50 | 0.50           | (50²+50²+5²)/105² = 0.4558 |
/// | 2021 | 70 | 30 | 0.58           | (70²+30²+5²)/105² = 0.5283 |
///
/// C3: FRA's imports / exports = 100 / 5 = 20 every year. With the defaults (θ1 = θ2 = 0.4,
/// θ3 = 1) every year passes; the one window 2019-2021 has 3 passing years and is flagged.
fn geodep_data() -> MemoryData {
    let mut products = vec![];
    for (y, chn, usa) in [(2019, 60.0, 40.0), (2020, 50.0, 50.0), (2021, 70.0, 30.0)] {
        products.push(ProductFlow::new(y, "CHN", "FRA", "010101", chn));
        products.push(ProductFlow::new(y, "USA", "FRA", "010101", usa));
        products.push(ProductFlow::new(y, "FRA", "DEU", "010101", 5.0));
    }
    MemoryData {
        products,
        ..Default::default()
    }
}

fn passing(c: &Computed) -> Vec<(i64, i64, bool)> {
    rows(c)
        .iter()
        .map(|r| {
            (
                r["window_end"].as_i64().unwrap(),
                r["years_passing"].as_i64().unwrap(),
                r["flagged"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn each_geodep_parameter_changes_the_result() {
    let d = geodep_data();
    let fra = |extra: Value| {
        let mut p = json!({"focal": "FRA"});
        p.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        passing(&run("geodep", p, &d))
    };
    assert_eq!(fra(json!({})), [(2021, 3, true)]);
    // θ1 = 0.55: only 2021 (0.58) passes C1.
    assert_eq!(
        fra(json!({"importer_hhi_threshold": "0.55"})),
        [(2021, 1, false)]
    );
    // θ2 = 0.5: only 2021 (0.5283) passes C2.
    assert_eq!(fra(json!({"world_hhi_threshold": 0.5})), [(2021, 1, false)]);
    // θ3 = 25 > 20: C3 fails every year.
    assert_eq!(
        fra(json!({"import_export_ratio_threshold": 25})),
        [(2021, 0, false)]
    );
    // θ1 = 0.51 fails 2020 only: 2 passing years, flagged with n = 2, not with n = 3.
    assert_eq!(
        fra(json!({"importer_hhi_threshold": 0.51})),
        [(2021, 2, true)]
    );
    assert_eq!(
        fra(json!({"importer_hhi_threshold": 0.51, "min_years_passing": 3})),
        [(2021, 2, false)]
    );
    // w = 2: windows 2019-2020 and 2020-2021, each with both years passing.
    assert_eq!(
        fra(json!({"window_years": 2})),
        [(2020, 2, true), (2021, 2, true)]
    );
    // Years 2019-2020 leave no complete three-year window.
    assert_eq!(fra(json!({"years": "2019-2020"})), []);
    // Another importer: DEU imports only from FRA (HHI 1) and exports nothing (C3 holds).
    let deu = run("geodep", json!({"focal": "DEU"}), &d);
    assert_eq!(passing(&deu), [(2021, 3, true)]);
    assert_eq!(rows(&deu)[0]["leading_supplier"], "FRA");
    // No importer given: both are assessed.
    assert_eq!(rows(&run("geodep", json!({}), &d)).len(), 2);
    let covered = [
        "focal",
        "years",
        "importer_hhi_threshold",
        "world_hhi_threshold",
        "import_export_ratio_threshold",
        "window_years",
        "min_years_passing",
    ];
    assert_eq!(documented("geodep"), covered);
}

/// RUS with partners CHN and IND, one value per dimension:
/// trade 2014 RUS↔CHN 100, RUS↔IND 50 (shares 2/3, 1/3: HHI 5/9, HHI* = (5/9 − 1/2)/(1/2) = 1/9);
/// crude 2023 CHN 10, IND 30 (HHI .625, HHI* .25); arms 2012 IND 40, CHN 10 (HHI .68,
/// HHI* .36); UN session 74 (2019), two roll calls: CHN votes with RUS on both, IND on one
/// (agreement 1 and 0.5: shares 2/3, 1/3, HHI* 1/9).
fn hedging_data() -> MemoryData {
    let t = |y, a: &str, b: &str, v| TradeFlow::new(y, a, b, v);
    let crude = |imp: &str, v| EnergyExport {
        flow: EnergyFlow {
            year: 2023,
            exporter: "RUS".into(),
            importer: imp.into(),
            carrier: Carrier::CrudeOil,
            volume: v,
            unit: "million tonnes".into(),
        },
        importer_iso3: Some(imp.into()),
    };
    let vote = |rcid, c: &str, v| Vote {
        rcid,
        country: c.into(),
        vote: v,
    };
    MemoryData {
        trade: vec![
            t(2013, "RUS", "CHN", 10.0),
            t(2013, "RUS", "IND", 90.0),
            t(2014, "RUS", "CHN", 60.0),
            t(2014, "CHN", "RUS", 40.0),
            t(2014, "RUS", "IND", 50.0),
        ],
        energy: vec![crude("CHN", 10.0), crude("IND", 30.0)],
        arms: vec![
            pivot_measures::arms::ArmsTransfer {
                year: 2012,
                supplier: "RUS".into(),
                recipient: "IND".into(),
                category: None,
                tiv: 40.0,
            },
            pivot_measures::arms::ArmsTransfer {
                year: 2012,
                supplier: "RUS".into(),
                recipient: "CHN".into(),
                category: None,
                tiv: 10.0,
            },
        ],
        votes: UnVotes {
            votes: vec![
                vote(1, "RUS", VoteChoice::Yes),
                vote(1, "CHN", VoteChoice::Yes),
                vote(1, "IND", VoteChoice::No),
                vote(2, "RUS", VoteChoice::Yes),
                vote(2, "CHN", VoteChoice::Yes),
                vote(2, "IND", VoteChoice::Yes),
            ],
            calls: vec![
                RollCall {
                    rcid: 1,
                    session: 74,
                    year: 2019,
                },
                RollCall {
                    rcid: 2,
                    session: 74,
                    year: 2019,
                },
            ],
            issues: vec![],
        },
        ..Default::default()
    }
}

/// The hedging index H from the measure's summary note.
fn hedging_index(c: &Computed) -> f64 {
    let n = c
        .output
        .notes
        .iter()
        .find(|n| n.starts_with("Summary:"))
        .expect("a summary note");
    n.rsplit("hedging index ").next().unwrap().parse().unwrap()
}

#[test]
fn each_hedging_view_parameter_changes_the_result() {
    let d = hedging_data();
    let h = |extra: Value| {
        let mut p = json!({"focal": "RUS", "partners": "CHN,IND"});
        p.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        run("hedging-view", p, &d)
    };
    // 1 − HHI*: trade 8/9, energy .75, arms .64, diplomacy 8/9.
    // Equal weights: (8/9 + .75 + .64 + 8/9) / 4 = 0.7919 (the note rounds to 3 digits).
    let base = hedging_index(&h(json!({})));
    assert_eq!(base, 0.792);
    // Trade weight 0: (.75 + .64 + 8/9) / 3 = 0.7596.
    assert_eq!(hedging_index(&h(json!({"weight_trade": 0}))), 0.760);
    // Energy weight 3: (8/9 + 3·.75 + .64 + 8/9) / 6 = 0.7780.
    assert_eq!(hedging_index(&h(json!({"weight_energy": "3"}))), 0.778);
    // Arms weight 0: (8/9 + .75 + 8/9) / 3 = 0.8426.
    assert_eq!(hedging_index(&h(json!({"weight_arms": 0}))), 0.843);
    // Diplomacy weight 0: (8/9 + .75 + .64) / 3 = 0.7596.
    assert_eq!(hedging_index(&h(json!({"weight_diplomacy": 0}))), 0.760);
    // Years up to 2013: trade from 2013 (CHN 10, IND 90: HHI* = (.82 − .5)/.5 = .64), energy
    // (2023) and diplomacy (2019) drop out, arms stays: ((1 − .64) + (1 − .36)) / 2 = 0.5.
    assert_eq!(hedging_index(&h(json!({"years": "-2013"}))), 0.5);
    let trade = |c: &Computed| {
        rows(c)
            .into_iter()
            .find(|r| r["dimension"] == "trade")
            .unwrap()
    };
    assert_eq!(trade(&h(json!({})))["dominant_partner"], "CHN");
    assert_eq!(
        trade(&h(json!({"years": "-2013"})))["dominant_partner"],
        "IND"
    );
    // Partners: the default set (CHN, IND, JPN, KOR, VNM) adds three partners with nothing.
    let dflt = run("hedging-view", json!({"focal": "RUS"}), &d);
    assert_eq!(trade(&dflt)["n_partners"], 5);
    assert_eq!(trade(&h(json!({})))["n_partners"], 2);
    let covered = [
        "focal",
        "partners",
        "years",
        "weight_trade",
        "weight_energy",
        "weight_arms",
        "weight_diplomacy",
    ];
    assert_eq!(documented("hedging-view"), covered);
}

/// January 2020: RUS → CHN verbal cooperation (Goldstein +3, 1 mention), CHN → RUS material
/// conflict (−5, 3 mentions); USA → FRA in 2021 (+1, 1 mention).
fn events_data() -> MemoryData {
    let e = |year, a: &str, b: &str, q, g, m| EventRecord {
        year,
        month: 1,
        actor1: a.into(),
        actor2: b.into(),
        cameo: "042".into(),
        quad_class: q,
        goldstein: g,
        num_mentions: m,
    };
    MemoryData {
        events: vec![
            e(2020, "RUS", "CHN", 1, 3.0, 1),
            e(2020, "CHN", "RUS", 4, -5.0, 3),
            e(2021, "USA", "FRA", 1, 1.0, 1),
        ],
        ..Default::default()
    }
}

#[test]
fn each_event_profile_parameter_changes_the_result() {
    let d = events_data();
    let ev = |p: Value| rows(&run("event-profile", p, &d));
    // Undirected, by events: one CHN-RUS dyad, mean Goldstein (3 − 5)/2 = −1, cooperation
    // share 1/2.
    let r = ev(json!({"focal": "RUS"}));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["mean_goldstein"], -1.0);
    assert_eq!(r[0]["cooperation_share"], 0.5);
    // Weighted by mentions: (3·1 − 5·3)/4 = −3; cooperation 1/4.
    let r = ev(json!({"focal": "RUS", "weighting": "mentions"}));
    assert_eq!(r[0]["mean_goldstein"], -3.0);
    assert_eq!(r[0]["cooperation_share"], 0.25);
    // Directed: RUS → CHN and CHN → RUS apart.
    let r = ev(json!({"focal": "RUS", "orientation": "directed"}));
    assert_eq!(r.len(), 2);
    // Every dyad, or one year.
    assert_eq!(ev(json!({})).len(), 2);
    assert_eq!(ev(json!({"years": 2021})).len(), 1);
    assert_eq!(
        documented("event-profile"),
        ["focal", "years", "orientation", "weighting"]
    );
}

#[test]
fn refused_parameters_name_the_measure_the_parameter_and_what_is_accepted() {
    let d = MemoryData::default();
    let err = |name: &str, p: Value| {
        registry::find(name)
            .unwrap()
            .run(p.as_object().unwrap(), &d)
            .unwrap_err()
            .to_string()
    };
    let e = err("partner-share", json!({"focal": "RUS", "bogus": "1"}));
    assert!(
        e.starts_with("measure partner-share: parameter `bogus` = '1': unknown parameter"),
        "{e}"
    );
    let e = err("partner-share", json!({"focal": "RUS", "top": "abc"}));
    assert_eq!(
        e,
        "measure partner-share: parameter `top` = 'abc': not an integer"
    );
    let e = err("geodep", json!({"window_years": 3, "min_years_passing": 4}));
    assert!(
        e.contains("`min_years_passing` = '4': more than window_years = 3"),
        "{e}"
    );
    let e = err("un-alignment", json!({"focal": "RUS"}));
    assert!(e.contains("`partners`: required but not given"), "{e}");
    let e = err(
        "power-ratio",
        json!({"focal": "CHN", "partners": "RUS,USA"}),
    );
    assert!(e.contains("give exactly one partner"), "{e}");
    let e = err(
        "energy-destinations",
        json!({"focal": "RUS", "carrier": "oil"}),
    );
    assert!(
        e.contains("accepted: crude_oil, oil_products, lng, pipeline_gas, coal"),
        "{e}"
    );
}

#[test]
fn alliance_years_fill_the_range_asked_for() {
    // ATOP has RUS-CHN consultation in 2001 only; a closed range writes all-false rows for the
    // other years, an open one does not.
    let d = MemoryData {
        alliances: vec![AllianceRecord {
            year: 2001,
            state_a: "CHN".into(),
            state_b: "RUS".into(),
            defense: false,
            offense: false,
            neutral: false,
            nonagg: false,
            consul: true,
        }],
        ..Default::default()
    };
    let r = rows(&run(
        "alliance-flags",
        json!({"focal": "RUS", "partners": "CHN", "years": "2001-2003"}),
        &d,
    ));
    assert_eq!(r.len(), 3);
    assert_eq!(
        (r[0]["consul"].clone(), r[2]["any"].clone()),
        (json!(true), json!(false))
    );
    let r = rows(&run(
        "alliance-flags",
        json!({"focal": "RUS", "years": "2001-"}),
        &d,
    ));
    assert_eq!(r.len(), 1);
}
