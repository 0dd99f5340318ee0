//! `un-ideal-points` and `influence` through the registry with raw parameters (as every front
//! door calls them) over `MemoryData`: every documented parameter changes the result.

use pivot_measures::alliances::AllianceRecord;
use pivot_measures::arms::ArmsTransfer;
use pivot_measures::data::UnVotes;
use pivot_measures::finance::{FinanceClass, FinanceFlow};
use pivot_measures::un_alignment::{RollCall, Vote, VoteChoice};
use pivot_measures::{Computed, IndicatorValue, MemoryData, TradeFlow, registry};
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

fn documented(name: &str) -> Vec<String> {
    registry::find(name)
        .unwrap()
        .params()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

/// Six states, 2000-2001, 12 roll calls a year with a West (USA, GBR, FRA) / rest (RUS, CHN,
/// IND) split of varying sharpness: on roll call k the West votes yes, RUS and CHN no, and
/// IND abstains on even k (no on odd k); FRA abstains on every third roll call; in 2001 RUS
/// votes yes on a third of them.
fn votes() -> MemoryData {
    use VoteChoice::{Abstain as A, No as N, Yes as Y};
    let mut calls = vec![];
    let mut votes = vec![];
    let mut rcid = 0;
    for year in [2000, 2001] {
        for k in 0..12 {
            rcid += 1;
            calls.push(RollCall {
                rcid,
                session: year - 1945,
                year,
            });
            let mut cast = |c: &str, v| {
                votes.push(Vote {
                    rcid,
                    country: c.into(),
                    vote: v,
                })
            };
            cast("USA", Y);
            cast("GBR", Y);
            cast("FRA", if k % 3 == 0 { A } else { Y });
            cast("RUS", if year == 2001 && k % 3 == 1 { Y } else { N });
            cast("CHN", N);
            cast("IND", if k % 2 == 0 { A } else { N });
        }
    }
    MemoryData {
        votes: UnVotes {
            votes,
            calls,
            issues: vec![],
        },
        ..Default::default()
    }
}

fn point(c: &Computed, country: &str, year: i64) -> f64 {
    rows(c)
        .iter()
        .find(|r| r["country"] == country && r["year"] == year)
        .and_then(|r| r["ideal_point"].as_f64())
        .unwrap_or_else(|| panic!("no {country} {year}"))
}

#[test]
fn each_ideal_points_parameter_changes_the_result() {
    let d = votes();
    let all = run("un-ideal-points", json!({}), &d);
    assert_eq!(rows(&all).len(), 12);
    for y in [2000, 2001] {
        assert!(point(&all, "USA", y) > point(&all, "FRA", y));
        assert!(point(&all, "FRA", y) > point(&all, "IND", y));
        assert!(point(&all, "IND", y) > point(&all, "CHN", y));
    }
    // Russia moves towards the West in 2001.
    assert!(point(&all, "RUS", 2001) > point(&all, "RUS", 2000));
    assert!(all.output.notes[0].starts_with("Converged after"));
    // focal and partners choose the rows printed, not the estimate.
    let rus = run("un-ideal-points", json!({"focal": "Russia"}), &d);
    assert_eq!(rows(&rus).len(), 2);
    assert_eq!(point(&rus, "RUS", 2001), point(&all, "RUS", 2001));
    let two = run(
        "un-ideal-points",
        json!({"focal": "RUS", "partners": "USA"}),
        &d,
    );
    assert_eq!(rows(&two).len(), 4);
    let only_p = run("un-ideal-points", json!({"partners": "CHN,IND"}), &d);
    assert_eq!(rows(&only_p).len(), 4);
    // years: one year estimated alone.
    let y2000 = run("un-ideal-points", json!({"years": "2000"}), &d);
    assert_eq!(rows(&y2000).len(), 6);
    assert!(rows(&y2000).iter().all(|r| r["year"] == 2000));
    // The random walk's variance: a tight walk pulls 2001 towards 2000.
    let tight = run("un-ideal-points", json!({"drift_variance": "0.001"}), &d);
    let gap = |c: &Computed| point(c, "RUS", 2001) - point(c, "RUS", 2000);
    assert!(
        gap(&tight) < gap(&all) * 0.5,
        "{} vs {}",
        gap(&tight),
        gap(&all)
    );
    // The roll calls' prior variance changes the estimate.
    let item = run("un-ideal-points", json!({"item_prior_variance": 0.5}), &d);
    assert!((point(&item, "IND", 2000) - point(&all, "IND", 2000)).abs() > 1e-4);
    // tolerance and max_iterations show in the convergence note.
    let loose = run("un-ideal-points", json!({"tolerance": 0.1}), &d);
    assert_ne!(loose.output.notes[0], all.output.notes[0]);
    assert!(loose.output.notes[0].starts_with("Converged after"));
    let capped = run("un-ideal-points", json!({"max_iterations": 1}), &d);
    assert!(capped.output.notes[0].starts_with("NOT converged"));
    assert_eq!(
        documented("un-ideal-points"),
        [
            "focal",
            "partners",
            "years",
            "drift_variance",
            "item_prior_variance",
            "tolerance",
            "max_iterations"
        ]
    );
    // Reruns are identical.
    let again = run("un-ideal-points", json!({}), &d);
    assert_eq!(rows(&again), rows(&all));
}

/// The four-state example of `influence`'s unit tests, as store rows: trade 2010 RUS–CHN 60,
/// RUS–DEU 40, RUS–BLR 20, CHN–DEU 200 (both directions); arms RUS→BLR 10, RUS→CHN 30
/// (2010), DEU→RUS 20 (2008); RUS–BLR defence + consultation pact; two UN votes; China lends
/// BLR 5e8 (GDP 5e10).
fn dyads() -> MemoryData {
    use VoteChoice::{No as N, Yes as Y};
    let t = |a: &str, b: &str, v| TradeFlow::new(2010, a, b, v);
    let arms = |y, s: &str, r: &str, tiv| ArmsTransfer {
        year: y,
        supplier: s.into(),
        recipient: r.into(),
        category: None,
        tiv,
    };
    let mut votes = vec![];
    for (rcid, c, v) in [
        (1, "RUS", Y),
        (1, "CHN", Y),
        (1, "BLR", Y),
        (1, "DEU", N),
        (2, "RUS", N),
        (2, "CHN", N),
        (2, "BLR", Y),
        (2, "DEU", Y),
    ] {
        votes.push(Vote {
            rcid,
            country: c.into(),
            vote: v,
        });
    }
    MemoryData {
        trade: vec![
            t("RUS", "CHN", 30.0),
            t("CHN", "RUS", 30.0),
            t("RUS", "DEU", 20.0),
            t("DEU", "RUS", 20.0),
            t("RUS", "BLR", 10.0),
            t("BLR", "RUS", 10.0),
            t("CHN", "DEU", 100.0),
            t("DEU", "CHN", 100.0),
        ],
        arms: vec![
            arms(2010, "RUS", "BLR", 10.0),
            arms(2010, "RUS", "CHN", 30.0),
            arms(2008, "DEU", "RUS", 20.0),
        ],
        alliances: vec![AllianceRecord {
            year: 2010,
            state_a: "BLR".into(),
            state_b: "RUS".into(),
            defense: true,
            offense: false,
            neutral: false,
            nonagg: false,
            consul: true,
        }],
        votes: UnVotes {
            votes,
            calls: (1..=2)
                .map(|rcid| RollCall {
                    rcid,
                    session: 65,
                    year: 2010,
                })
                .collect(),
            issues: vec![],
        },
        finance: vec![FinanceFlow {
            year: 2010,
            recipient: "BLR".into(),
            class: FinanceClass::OofLike,
            amount: 0.6,
            adjusted_amount: None,
        }],
        // GDP in trade's units (RUS 1200, CHN 6000, DEU 3600, BLR 60) and military
        // expenditure (RUS 100 in 2008 and 2010, CHN 200, BLR 10), as in the unit tests of
        // influence.rs.
        indicators: [
            ("gdp_usd", "RUS", 2010, 1200.0),
            ("gdp_usd", "CHN", 2010, 6000.0),
            ("gdp_usd", "DEU", 2010, 3600.0),
            ("gdp_usd", "BLR", 2010, 60.0),
            ("milex_const2022_usd_m", "RUS", 2008, 100.0),
            ("milex_const2022_usd_m", "RUS", 2010, 100.0),
            ("milex_const2022_usd_m", "CHN", 2010, 200.0),
            ("milex_const2022_usd_m", "BLR", 2010, 10.0),
        ]
        .into_iter()
        .map(|(i, c, year, value)| {
            (
                i.to_string(),
                IndicatorValue {
                    country: c.into(),
                    year,
                    value,
                },
            )
        })
        .collect(),
        ..Default::default()
    }
}

fn over(c: &Computed, target: &str) -> Vec<String> {
    rows(c)
        .iter()
        .filter(|r| r["target"] == target)
        .map(|r| r["influencer"].as_str().unwrap().to_string())
        .collect()
}

fn total(c: &Computed, i: &str, j: &str) -> f64 {
    rows(c)
        .iter()
        .find(|r| r["influencer"] == i && r["target"] == j)
        .and_then(|r| r["total"].as_f64())
        .unwrap_or_else(|| panic!("no {i} -> {j}"))
}

#[test]
fn each_influence_parameter_changes_the_result() {
    let d = dyads();
    let base =
        json!({"focal": "RUS", "years": "2010", "window_years": 1, "agreement_prior_votes": 0});
    let with = |extra: Value| {
        let mut p = base.clone();
        p.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        run("influence", p, &d)
    };
    let def = with(json!({}));
    // Default weights: CHN (trade and votes) leads over Russia, then BLR, DEU (the totals
    // are hand-computed in influence.rs's unit tests).
    assert_eq!(over(&def, "RUS"), ["CHN", "BLR", "DEU"]);
    // Security only (weight 3): only BLR (an ally with arms ties) has a security dependence.
    let sec = with(json!({"weight_economic": 0, "weight_political": 0, "weight_security": 3}));
    assert_eq!(over(&sec, "RUS"), ["BLR"]);
    // Economic only: CHN √(0.3 · 0.05) = 0.1225, DEU √(0.2 · 1/30) = 0.0816, BLR √(0.1 ·
    // 1/60) = 0.0408.
    let eco = with(json!({"weight_security": 0, "weight_political": 0}));
    assert_eq!(over(&eco, "RUS"), ["CHN", "DEU", "BLR"]);
    assert!((total(&eco, "DEU", "RUS") - (0.2f64 / 30.0).sqrt()).abs() < 1e-12);
    // Political weight 0: the total is the material score (BLR's political part, 1/140,
    // no longer halves it).
    let nopol = with(json!({"weight_political": 0}));
    assert!(total(&nopol, "BLR", "RUS") > 1.9 * total(&def, "BLR", "RUS"));
    // Finance: China lent nothing to RUS, so CHN -> RUS's material mean takes a third part
    // of 0: the total falls to 2/3.
    let fin = with(json!({"weight_finance": 1}));
    assert!((total(&fin, "CHN", "RUS") - total(&def, "CHN", "RUS") * 2.0 / 3.0).abs() < 1e-12);
    // window_years: the 2008 delivery from DEU enters with a 5-year window.
    let win = with(json!({"window_years": 5}));
    assert!(total(&win, "DEU", "RUS") > total(&def, "DEU", "RUS"));
    // agreement_prior_votes (default 20): two joint votes count 2/22 of their agreement, so
    // CHN's political part falls from 1 to 1/11 and its total by (1 + 1/11)/2.
    let shrunk = with(json!({"agreement_prior_votes": 20}));
    assert!(
        (total(&shrunk, "CHN", "RUS") - total(&def, "CHN", "RUS") * (1.0 + 1.0 / 11.0) / 2.0).abs()
            < 1e-12
    );
    // partners and top.
    assert_eq!(over(&with(json!({"partners": "DEU"})), "RUS"), ["DEU"]);
    assert_eq!(rows(&with(json!({"top": 1}))).len(), 2);
    // years outside the data: no rows; no focal: every directed dyad (top 10 per target).
    assert!(rows(&with(json!({"years": "1990"}))).is_empty());
    let every = run("influence", json!({"years": "2010", "window_years": 1}), &d);
    assert!(
        rows(&every)
            .iter()
            .any(|r| r["influencer"] == "DEU" && r["target"] == "CHN")
    );
    assert_eq!(
        documented("influence"),
        [
            "focal",
            "partners",
            "years",
            "weight_economic",
            "weight_security",
            "weight_political",
            "weight_finance",
            "window_years",
            "agreement_prior_votes",
            "top"
        ]
    );
    // Every weight 0 is refused.
    let raw: Map<String, Value> =
        json!({"weight_economic": 0, "weight_security": 0, "weight_political": 0})
            .as_object()
            .cloned()
            .unwrap();
    assert!(registry::find("influence").unwrap().run(&raw, &d).is_err());
}
