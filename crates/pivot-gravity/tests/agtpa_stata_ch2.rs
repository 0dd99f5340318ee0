//! Reproduces the book authors' own Stata estimate of the RTA effect
//! (AGTPA ch. 2 application 2, `RTAsEffects.log`, see
//! `data/agtpa_gravity/reference_estimates_stata_log_ch2.csv`):
//! `ppml trade PAIR_FE* EXPORTER_TIME_FE* IMPORTER_TIME_FE* RTA, noconst`,
//! years 1986–2006 every 4 years, domestic flows included and all domestic
//! pairs sharing one pair fixed effect.

mod common;

use std::collections::HashMap;

use common::{ch1_panel, data_dir};
use pivot_gravity::{DropReason, Formula, Ppml, Ssc, VcovSpec};

#[test]
fn stata_ppml_rta_estimate_and_robust_se() {
    let mut rdr =
        csv::Reader::from_path(data_dir().join("reference_estimates_stata_log_ch2.csv")).unwrap();
    let r: HashMap<String, String> = rdr.deserialize().next().unwrap().unwrap();
    let est: f64 = r["estimate"].parse().unwrap();
    let se_ref: f64 = r["std_error"].parse().unwrap();
    let n_ref: usize = r["n_obs"].parse().unwrap();
    let n_excl: usize = r["n_obs_excluded"].parse().unwrap();
    let ll_ref: f64 = r["pseudo_log_likelihood"].parse().unwrap();
    // The values in the reference file (AGTPA ch.2 RTAsEffects.log via tradepolicy).
    assert_eq!(
        (est, se_ref, n_ref, n_excl),
        (0.5571853, 0.055771, 28_482, 84)
    );

    let p = ch1_panel();
    let f = Formula::parse("trade ~ rta | exporter^year + importer^year + pair_id_2").unwrap();
    let fit = Ppml::params()
        .tol(1e-10)
        .check()
        .unwrap()
        .fit(&f, &p)
        .unwrap();
    // N and the 84 observations of the 14 pairs that never trade, dropped
    // because their pair fixed effect would be -inf (Stata: "84 obs excluded").
    assert_eq!(fit.nobs(), n_ref);
    assert_eq!(fit.n_dropped(), n_excl);
    assert!(matches!(
        &fit.dropped()[0].reason,
        DropReason::AllZeroFeGroup { fe } if fe == "pair_id_2"
    ));
    // Point estimate: the log prints 7 significant digits.
    assert!(
        (fit.coef("rta").unwrap() - est).abs() < 5e-8,
        "{}",
        fit.coef("rta").unwrap()
    );
    // Stata's robust ("semi-robust") variance for ppml is the HC0 sandwich
    // times n/(n-1) (Stata's _robust default multiplier): our `hetero` with
    // Ssc::cluster_only(). Printed to 5 significant digits.
    let rob = fit
        .vcov_ssc(VcovSpec::Hetero, Ssc::cluster_only(), &p)
        .unwrap();
    let se = rob.se("rta").unwrap();
    assert!((se - se_ref).abs() < 5e-7 + 1e-9, "se {se}");
    // Log pseudo-likelihood, printed to one decimal: Σ (y ln μ − μ − ln Γ(y+1)).
    assert!(
        (fit.loglik().unwrap() - ll_ref).abs() < 0.05 + 1e-6,
        "ll {}",
        fit.loglik().unwrap()
    );
    // Parameters: Stata counts 3,162 = RTA + (pairs − 1) + exporter-years +
    // (importer-years − 6): the do-file drops the domestic pair dummy and the
    // six importer-time dummies of the reference country. Our level counts
    // after dropping give the same number.
    let sizes: HashMap<String, usize> = fit.fe_sizes().into_iter().collect();
    assert_eq!(sizes["pair_id_2"], 2340);
    assert_eq!(
        1 + (sizes["pair_id_2"] - 1) + sizes["exporter^year"] + (sizes["importer^year"] - 6),
        3162
    );
}
