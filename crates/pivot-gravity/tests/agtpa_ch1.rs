//! Reproduces every model of AGTPA chapter 1 (Yotov, Piermartini, Monteiro &
//! Larch 2016, *An Advanced Guide to Trade Policy Analysis*, WTO/UNCTAD) as
//! replicated in R with capybara by the tradepolicy book
//! (`data/agtpa_gravity/reference_estimates_ch1_r_capybara.csv`, see
//! data/SOURCES.md §3).
//!
//! Tolerance: the reference is printed to 4 decimals, so estimates and SEs
//! must agree within 5e-5 + 1e-6 absolute.
//!
//! Standard errors: capybara's clustered sandwich multiplies by `G/(G−1)`
//! only (no `(n−1)/(n−K)` factor), i.e. `V = G/(G−1) · B (Σ_g S_g S_g') B`
//! with `B = (X̃'WX̃)⁻¹` and cluster scores `S_g = Σ_{i∈g} (y_i − μ_i) x̃_i`;
//! that is `Ssc::cluster_only()` here. For capybara's unclustered OLS
//! ("conventional") SEs the variance is `RSS/(n − p) · (X'X)⁻¹`, which is
//! `VcovSpec::Iid` with the fixest correction (no FE, so `K = p`).
//! Each test computes fixest's default too and checks the ratio is exactly
//! the documented one, so the correction is shown, not assumed.
#![allow(clippy::needless_range_loop)]

mod common;

use common::{RefRow, ch1_panel, ch1_reference, filter};
use pivot_gravity::{Fit, Formula, Ols, Panel, Ppml, Ssc, VcovSpec};

const TOL: f64 = 5e-5 + 1e-6;

#[derive(Clone, Copy)]
enum Est {
    Ols,
    Ppml,
}

fn fit(est: Est, formula: &str, p: &Panel) -> Fit {
    let f = Formula::parse(formula).unwrap();
    match est {
        Est::Ols => Ols::params().check().unwrap().fit(&f, p).unwrap(),
        Est::Ppml => Ppml::params().check().unwrap().fit(&f, p).unwrap(),
    }
}

/// Compares a fit to every reference row of `model`; `term_map` maps our term
/// names to the reference's.
fn check(model: &str, fit: &Fit, refs: &[RefRow], clustered: bool) {
    check_with(model, fit, refs, clustered, &[]);
}

/// As [`check`], but `loose` lists `(term, tolerance)` pairs that get a
/// wider, documented tolerance.
fn check_with(model: &str, fit: &Fit, refs: &[RefRow], clustered: bool, loose: &[(&str, f64)]) {
    let rows: Vec<&RefRow> = refs.iter().filter(|r| r.model == model).collect();
    assert!(!rows.is_empty(), "no reference rows for {model}");
    assert_eq!(fit.nobs(), rows[0].n_obs, "{model}: N");
    assert!(fit.converged(), "{model}: not converged");
    let mut failures = Vec::new();
    for r in &rows {
        let term = if let Some(lvl) = r.term.strip_prefix("intra_pair") {
            format!("intra_pair::{lvl}")
        } else {
            r.term.clone()
        };
        let b = fit
            .coef(&term)
            .unwrap_or_else(|| panic!("{model}: no term {term}"));
        let se = fit.se(&term).unwrap();
        let tol = loose
            .iter()
            .find(|(t, _)| *t == r.term)
            .map_or(TOL, |(_, t)| *t);
        if (b - r.estimate).abs() > tol || (se - r.std_error).abs() > tol {
            failures.push(format!(
                "{term}: ours {b:.6} ({se:.6}) vs ref {} ({})",
                r.estimate, r.std_error
            ));
        }
    }
    let _ = clustered;
    assert!(failures.is_empty(), "{model}:\n{}", failures.join("\n"));
}

fn clustered(fit: &Fit, p: &Panel) -> Fit {
    let capy = fit
        .vcov_ssc(VcovSpec::cluster("pair_id"), Ssc::cluster_only(), p)
        .unwrap();
    // The fixest default differs from capybara's by exactly (n-1)/(n-K) with
    // K = p + K_fe (no FE is nested in pair_id here).
    let fx = fit.vcov(VcovSpec::cluster("pair_id"), p).unwrap();
    let n = fit.nobs() as f64;
    let q = fit.fe_sizes().len() as f64;
    let k_fe: f64 = fit.fe_sizes().iter().map(|(_, l)| *l as f64).sum::<f64>() - (q - 1.0).max(0.0);
    let k = fit.coefficients().len() as f64 + if q > 0.0 { k_fe } else { 0.0 };
    let ratio = (n - 1.0) / (n - k);
    for (a, b) in capy.std_errors().iter().zip(fx.std_errors()) {
        assert!(
            (b * b / (a * a) - ratio).abs() < 1e-9,
            "fixest/capybara ratio"
        );
    }
    capy
}

#[test]
fn ch1_application1_traditional_gravity() {
    let p = ch1_panel();
    let refs = ch1_reference();
    let ols_data = filter(&p, |i| {
        p.categorical("exporter").unwrap().value(i) != p.categorical("importer").unwrap().value(i)
            && p.numeric("trade").unwrap()[i] > 0.0
    });
    // AGTPA ch.1 Table 1 col. 1 (OLS) via tradepolicy/capybara, conventional SEs.
    let f = fit(
        Est::Ols,
        "log_trade ~ log_dist + cntg + lang + clny + log_y + log_e",
        &ols_data,
    );
    check("fit_ols_unclustered", &f, &refs, false);
    // Same, clustered by pair.
    check("fit_ols", &clustered(&f, &ols_data), &refs, true);
    // AGTPA ch.1 Table 1 col. 2 (remoteness) via tradepolicy/capybara.
    let f = fit(
        Est::Ols,
        "log_trade ~ log_dist + cntg + lang + clny + log_y + log_e + log_remoteness_exp + log_remoteness_imp",
        &ols_data,
    );
    check("fit_ols_remoteness", &clustered(&f, &ols_data), &refs, true);
    // AGTPA ch.1 Table 1 col. 3 (OLS with exporter-year and importer-year FE).
    let f = fit(
        Est::Ols,
        "log_trade ~ log_dist + cntg + lang + clny | exporter^year + importer^year",
        &ols_data,
    );
    check("fit_fe", &clustered(&f, &ols_data), &refs, true);
    // AGTPA ch.1 Table 1 col. 4 (PPML) via tradepolicy/capybara.
    let intl = filter(&p, |i| {
        p.categorical("exporter").unwrap().value(i) != p.categorical("importer").unwrap().value(i)
    });
    let f = fit(
        Est::Ppml,
        "trade ~ log_dist + cntg + lang + clny | exporter^year + importer^year",
        &intl,
    );
    check("fit_ppml", &clustered(&f, &intl), &refs, true);
}

const DIST_YEARS: &str =
    "log_dist_1986 + log_dist_1990 + log_dist_1994 + log_dist_1998 + log_dist_2002 + log_dist_2006";
const FE: &str = "exporter^year + importer^year";

#[test]
fn ch1_application2_distance_puzzle() {
    let p = ch1_panel();
    let refs = ch1_reference();
    let is_intl = |i: usize| {
        p.categorical("exporter").unwrap().value(i) != p.categorical("importer").unwrap().value(i)
    };
    let ols_data = filter(&p, |i| is_intl(i) && p.numeric("trade").unwrap()[i] > 0.0);
    let intl = filter(&p, is_intl);
    // AGTPA ch.1 Table 2 col. 1 (OLS) via tradepolicy/capybara.
    let f = fit(
        Est::Ols,
        &format!("log_trade ~ {DIST_YEARS} + cntg + lang + clny | {FE}"),
        &ols_data,
    );
    check(
        "fit_ols_distance_puzzle",
        &clustered(&f, &ols_data),
        &refs,
        true,
    );
    // AGTPA ch.1 Table 2 col. 2 (PPML).
    let f = fit(
        Est::Ppml,
        &format!("trade ~ {DIST_YEARS} + cntg + lang + clny | {FE}"),
        &intl,
    );
    check(
        "fit_ppml_distance_puzzle",
        &clustered(&f, &intl),
        &refs,
        true,
    );
    // AGTPA ch.1 Table 2 col. 3 (internal distance).
    let f = fit(
        Est::Ppml,
        &format!("trade ~ {DIST_YEARS} + cntg + lang + clny + log_dist_intra | {FE}"),
        &p,
    );
    check(
        "fit_ppml_intra_distance_puzzle",
        &clustered(&f, &p),
        &refs,
        true,
    );
    // AGTPA ch.1 Table 2 col. 4 (internal distance and home bias).
    let f = fit(
        Est::Ppml,
        &format!("trade ~ {DIST_YEARS} + cntg + lang + clny + log_dist_intra + smctry | {FE}"),
        &p,
    );
    check(
        "fit_ppml_home_distance_puzzle",
        &clustered(&f, &p),
        &refs,
        true,
    );
}

#[test]
fn ch1_application2_distance_puzzle_country_specific_fe() {
    let p = ch1_panel();
    let refs = ch1_reference();
    // AGTPA ch.1 Table 2 col. 5 (country-specific intra-national FE).
    let f = fit(
        Est::Ppml,
        &format!("trade ~ {DIST_YEARS} + cntg + lang + clny + i(intra_pair) | {FE}"),
        &p,
    );
    // The intra-national dummies of MWI and NER (tiny domestic flows) lie on a
    // nearly flat likelihood: fixest stopped at its iteration limit on this
    // model ("Absence of convergence ... Final deviance: 4,983,518.2",
    // tradepolicy book, earlier fixest rendering) and capybara printed
    // MWI 3.6429 in one rendering and 3.611 in another. Our IRLS converges
    // to the same deviance (checked below, 4,983,518.2 to the printed
    // precision) and the estimates are stable under tol = 1e-6 ... 1e-13
    // (MWI 3.64349, NER 2.76637). The reference for these terms is therefore
    // only good to ~1e-3; three SEs (CAN, KEN, SEN) sit 5.5e-5 away, at the
    // rounding boundary, for the same reason. All other 79 rows use 5.1e-5.
    assert!(
        (f.deviance() - 4_983_518.2).abs() < 0.05,
        "deviance {}",
        f.deviance()
    );
    let loose = [
        ("intra_pairMWI", 1e-3),
        ("intra_pairNER", 1e-3),
        ("intra_pairCAN", 1e-4),
        ("intra_pairKEN", 1e-4),
        ("intra_pairSEN", 1e-4),
    ];
    check_with(
        "fit_fe_distance_puzzle",
        &clustered(&f, &p),
        &refs,
        true,
        &loose,
    );
}

#[test]
fn ch1_application3_rta_effects() {
    let p = ch1_panel();
    let refs = ch1_reference();
    let is_intl = |i: usize| {
        p.categorical("exporter").unwrap().value(i) != p.categorical("importer").unwrap().value(i)
    };
    let ols_data = filter(&p, |i| is_intl(i) && p.numeric("trade").unwrap()[i] > 0.0);
    let intl = filter(&p, is_intl);
    // AGTPA ch.1 Table 3 col. 1 (OLS) via tradepolicy/capybara.
    let f = fit(
        Est::Ols,
        &format!("log_trade ~ log_dist + cntg + lang + clny + rta | {FE}"),
        &ols_data,
    );
    check("fit_ols_rta", &clustered(&f, &ols_data), &refs, true);
    // AGTPA ch.1 Table 3 col. 2 (PPML).
    let f = fit(
        Est::Ppml,
        &format!("trade ~ log_dist + cntg + lang + clny + rta | {FE}"),
        &intl,
    );
    check("fit_ppml_rta", &clustered(&f, &intl), &refs, true);
    let pos = filter(&p, |i| p.numeric("sum_trade").unwrap()[i] > 0.0);
    // AGTPA ch.1 Table 3 col. 4 (pair FE, endogeneity).
    let f = fit(Est::Ppml, &format!("trade ~ rta | {FE} + pair_id_2"), &pos);
    check("fit_endg_rta", &clustered(&f, &pos), &refs, true);
    // AGTPA ch.1 Table 3 col. 5 (reverse causality).
    let f = fit(
        Est::Ppml,
        &format!("trade ~ rta + rta_lead4 | {FE} + pair_id_2"),
        &pos,
    );
    check("fit_lead_rta", &clustered(&f, &pos), &refs, true);
    // AGTPA ch.1 Table 3 col. 6 (phasing-in).
    let f = fit(
        Est::Ppml,
        &format!("trade ~ rta + rta_lag4 + rta_lag8 + rta_lag12 | {FE} + pair_id_2"),
        &pos,
    );
    check("fit_phsng_rta", &clustered(&f, &pos), &refs, true);
    // AGTPA ch.1 Table 3 col. 7 (globalisation).
    let f = fit(
        Est::Ppml,
        &format!(
            "trade ~ rta + rta_lag4 + rta_lag8 + rta_lag12 + intl_border_1986 + intl_border_1990 + intl_border_1994 + intl_border_1998 + intl_border_2002 | {FE} + pair_id_2"
        ),
        &pos,
    );
    check("fit_glbzn_rta", &clustered(&f, &pos), &refs, true);
}

#[test]
fn ch1_application3_intra_rta() {
    let p = ch1_panel();
    let refs = ch1_reference();
    // AGTPA ch.1 Table 3 col. 3 (domestic trade diversion, intl_brdr FE).
    //
    // The row `fit_intra_rta` of reference_estimates_ch1_r_capybara.csv
    // (log_dist -0.5759 (0.0691), rta 0.5916 (0.3620)) is NOT reproduced: it
    // does not correspond to the model its `formula` column describes. The
    // same book rendered by capybara at tradepolicy commit 2ff22fa
    // (`_freeze/01-traditional-gravity/execute-results/html.json`, model
    // `fit_intra_rta`, same code and data) prints the values asserted here,
    // which we match to every printed digit, and the fixest-based rendering
    // of that chapter (commit 344cfb6, `tp_summary_app_3`) agrees to 3
    // decimals (-0.800, 0.393, 0.244, -0.182, 0.409).
    let f = fit(
        Est::Ppml,
        &format!("trade ~ log_dist + cntg + lang + clny + rta | {FE} + intl_brdr"),
        &p,
    );
    let f = clustered(&f, &p);
    assert_eq!(f.nobs(), 28_566);
    // (term, estimate, clustered SE), tradepolicy@2ff22fa via capybara.
    let printed = [
        ("log_dist", -0.8003, 0.0303),
        ("cntg", 0.3932, 0.0789),
        ("lang", 0.2437, 0.0771),
        ("clny", -0.1822, 0.1134),
        ("rta", 0.4085, 0.0688),
    ];
    for (t, b, se) in printed {
        assert!(
            (f.coef(t).unwrap() - b).abs() < TOL,
            "{t}: {}",
            f.coef(t).unwrap()
        );
        assert!(
            (f.se(t).unwrap() - se).abs() < TOL,
            "{t} se: {}",
            f.se(t).unwrap()
        );
    }
    // And the CSV row is documented as different, so this test fails if it
    // is ever corrected upstream and starts to agree (then use `check`).
    let r = refs
        .iter()
        .find(|r| r.model == "fit_intra_rta" && r.term == "log_dist")
        .unwrap();
    assert!((f.coef("log_dist").unwrap() - r.estimate).abs() > 0.1);
}
