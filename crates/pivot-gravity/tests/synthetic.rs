//! Parameter recovery and properties on SYNTHETIC panels with known β
//! (generated here; not real data).
#![allow(clippy::needless_range_loop)]

use pivot_gravity::{
    DropReason, Formula, Ols, Panel, Ppml, Separation, SeparationMethod, VcovSpec,
};
use proptest::prelude::*;

/// SplitMix64 uniform generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    /// Poisson draw (inversion; fine for the moderate means used here).
    fn poisson(&mut self, lambda: f64) -> f64 {
        let mut k = 0.0;
        let mut p = (-lambda).exp();
        let mut s = p;
        let u = self.next();
        while u > s && k < 10_000.0 {
            k += 1.0;
            p *= lambda / k;
            s += p;
        }
        k
    }
}

/// Synthetic gravity-like panel: `n` obs, FEs with `l1`, `l2`, `l3` levels,
/// y ~ Poisson(exp(0.5 x1 - 0.3 x2 + fe)).
fn synthetic(n: usize, l1: usize, l2: usize, l3: usize, seed: u64) -> Panel {
    let mut r = Rng(seed);
    let a1: Vec<f64> = (0..l1).map(|_| 0.5 * r.normal()).collect();
    let a2: Vec<f64> = (0..l2).map(|_| 0.5 * r.normal()).collect();
    let a3: Vec<f64> = (0..l3).map(|_| 0.5 * r.normal()).collect();
    let (mut f1, mut f2, mut f3, mut x1, mut x2, mut y) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let (i, j, k) = (
            (r.next() * l1 as f64) as usize,
            (r.next() * l2 as f64) as usize,
            (r.next() * l3 as f64) as usize,
        );
        let v1 = r.normal();
        let v2 = r.normal() + 0.3 * a1[i];
        let mu = (0.5 * v1 - 0.3 * v2 + a1[i] + a2[j] + a3[k]).exp();
        f1.push(i as f64);
        f2.push(j as f64);
        f3.push(k as f64);
        x1.push(v1);
        x2.push(v2);
        y.push(r.poisson(mu));
    }
    let mut p = Panel::new();
    for (name, v) in [
        ("f1", f1),
        ("f2", f2),
        ("f3", f3),
        ("x1", x1),
        ("x2", x2),
        ("y", y),
    ] {
        p.add_numeric(name, v).unwrap();
    }
    p
}

#[test]
fn ppml_recovers_known_beta_on_synthetic_panel() {
    // 40,000 synthetic obs with 2,000 / 200 / 20 levels; β = (0.5, -0.3).
    let p = synthetic(40_000, 2_000, 200, 20, 11);
    let f = Formula::parse("y ~ x1 + x2 | f1 + f2 + f3").unwrap();
    let fit = Ppml::params().check().unwrap().fit(&f, &p).unwrap();
    let fit = fit.vcov(VcovSpec::Hetero, &p).unwrap();
    assert!(fit.converged());
    for (t, b) in [("x1", 0.5), ("x2", -0.3)] {
        let est = fit.coef(t).unwrap();
        let se = fit.se(t).unwrap();
        // Within 4 standard errors of the truth (and SEs are small).
        assert!((est - b).abs() < 4.0 * se, "{t}: {est} ± {se}");
        assert!(se < 0.02, "{t} se {se}");
    }
}

#[test]
fn collinear_regressors_are_dropped_and_reported() {
    let mut p = synthetic(2_000, 50, 10, 5, 3);
    let x1 = p.numeric("x1").unwrap().to_vec();
    let f1 = p.numeric("f1").unwrap().to_vec();
    p.add_numeric("x1_copy", x1.iter().map(|v| 2.0 * v).collect())
        .unwrap();
    p.add_numeric("f1_only", f1.iter().map(|v| v * v).collect())
        .unwrap();
    let f = Formula::parse("y ~ x1 + x1_copy + f1_only + x2 | f1 + f2").unwrap();
    let fit = Ppml::params().check().unwrap().fit(&f, &p).unwrap();
    assert_eq!(
        fit.collinear(),
        &["x1_copy".to_string(), "f1_only".to_string()]
    );
    assert_eq!(fit.coef_names(), &["x1".to_string(), "x2".to_string()]);
    let t = fit.to_table();
    assert!(t.contains("Collinear (removed): x1_copy, f1_only"), "{t}");
}

#[test]
fn all_zero_fe_groups_are_dropped_and_relu_finds_separation() {
    let mut p = synthetic(3_000, 60, 12, 4, 5);
    let mut y = p.numeric("y").unwrap().to_vec();
    let f1 = p.numeric("f1").unwrap().to_vec();
    // Level 0 of f1 gets only zeros (its FE would be -inf).
    for (yy, g) in y.iter_mut().zip(&f1) {
        if *g == 0.0 {
            *yy = 0.0;
        }
    }
    // A separating regressor: s > 0 only where y == 0 (for some zeros).
    let s: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(i, yy)| if *yy == 0.0 && i % 3 == 0 { 1.0 } else { 0.0 })
        .collect();
    let n_sep = s
        .iter()
        .zip(&f1)
        .filter(|(v, g)| **v > 0.0 && **g != 0.0)
        .count();
    p.set_numeric("y", y).unwrap();
    p.add_numeric("s", s).unwrap();
    let f = Formula::parse("y ~ x1 + s | f1 + f2").unwrap();
    let fit = Ppml::params()
        .separation(Separation::DEFAULT)
        .check()
        .unwrap()
        .fit(&f, &p)
        .unwrap();
    let zero_group = f1.iter().filter(|g| **g == 0.0).count();
    let d = fit.dropped();
    assert_eq!(d[0].reason, DropReason::AllZeroFeGroup { fe: "f1".into() });
    assert_eq!(d[0].count, zero_group);
    assert_eq!(
        d[1].reason,
        DropReason::Separated(SeparationMethod::Simplex)
    );
    assert!(d[1].count >= n_sep, "{} < {n_sep}", d[1].count);
    // After removing the separated observations `s` is identically 0: collinear.
    assert_eq!(fit.collinear(), &["s".to_string()]);
    assert!(fit.converged());
}

#[test]
fn parameter_builders_reject_bad_values() {
    let e = Ppml::params().tol(0.0).check().unwrap_err().to_string();
    assert!(e.contains("tol"), "{e}");
    let e = Ppml::params().max_iter(0).check().unwrap_err().to_string();
    assert!(e.contains("max_iter"), "{e}");
    let e = Ols::params().fe_tol(2.0).check().unwrap_err().to_string();
    assert!(e.contains("fe_tol"), "{e}");
    let p = synthetic(100, 5, 5, 5, 1);
    let f = Formula::parse("y ~ x1 + nope | f1").unwrap();
    let e = Ppml::params()
        .check()
        .unwrap()
        .fit(&f, &p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("'nope'"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// OLS with FE on y = 2 x + FE + noise: the estimate does not depend on
    /// adding a constant per FE level to y (the FE absorb it exactly).
    #[test]
    fn ols_invariant_to_fe_level_shifts(seed in 0u64..10_000, shift in -50.0f64..50.0) {
        let p = synthetic(300, 7, 5, 3, seed);
        let x = p.numeric("x1").unwrap().to_vec();
        let g = p.numeric("f1").unwrap().to_vec();
        let mut r = Rng(seed + 1);
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v + r.normal()).collect();
        let y2: Vec<f64> = y.iter().zip(&g).map(|(v, gg)| v + shift * gg).collect();
        let mut a = p.clone();
        a.set_numeric("y", y).unwrap();
        let mut b = p.clone();
        b.set_numeric("y", y2).unwrap();
        let f = Formula::parse("y ~ x1 | f1 + f2").unwrap();
        let params = Ols::params().fe_tol(1e-13).check().unwrap();
        let fa = params.fit(&f, &a).unwrap();
        let fb = params.fit(&f, &b).unwrap();
        prop_assert!((fa.coef("x1").unwrap() - fb.coef("x1").unwrap()).abs() < 1e-8);
    }

    /// PPML is scale-equivariant: multiplying y by c leaves β unchanged.
    #[test]
    fn ppml_invariant_to_outcome_scale(seed in 0u64..10_000, c in 0.01f64..100.0) {
        let p = synthetic(400, 8, 6, 3, seed);
        let y = p.numeric("y").unwrap().to_vec();
        let mut q = p.clone();
        q.set_numeric("y", y.iter().map(|v| v * c).collect()).unwrap();
        let f = Formula::parse("y ~ x1 + x2 | f1 + f2").unwrap();
        let params = Ppml::params().tol(1e-12).fe_tol(1e-12).check().unwrap();
        let a = params.fit(&f, &p).unwrap();
        let b = params.fit(&f, &q).unwrap();
        for t in ["x1", "x2"] {
            prop_assert!((a.coef(t).unwrap() - b.coef(t).unwrap()).abs() < 1e-7);
        }
    }
}
