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

mod common;

use common::{ch1_panel, ch1_reference, filter, RefRow};
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
        let b = fit.coef(&term).unwrap_or_else(|| panic!("{model}: no term {term}"));
        let se = fit.se(&term).unwrap();
        if (b - r.estimate).abs() > TOL || (se - r.std_error).abs() > TOL {
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
        assert!((b * b / (a * a) - ratio).abs() < 1e-9, "fixest/capybara ratio");
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
    let f = fit(Est::Ols, "log_trade ~ log_dist + cntg + lang + clny + log_y + log_e", &ols_data);
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
    let f = fit(Est::Ols, "log_trade ~ log_dist + cntg + lang + clny | exporter^year + importer^year", &ols_data);
    check("fit_fe", &clustered(&f, &ols_data), &refs, true);
    // AGTPA ch.1 Table 1 col. 4 (PPML) via tradepolicy/capybara.
    let intl = filter(&p, |i| {
        p.categorical("exporter").unwrap().value(i) != p.categorical("importer").unwrap().value(i)
    });
    let f = fit(Est::Ppml, "trade ~ log_dist + cntg + lang + clny | exporter^year + importer^year", &intl);
    check("fit_ppml", &clustered(&f, &intl), &refs, true);
}
