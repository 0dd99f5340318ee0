//! fixest formula terms in fits, estimated fixed effects and prediction, on
//! small synthetic panels. Each expectation is an equivalence with a fit of
//! the same model written with precomputed columns (the oracle), or a
//! hand-derived identity.
#![allow(clippy::needless_range_loop)]

use pivot_gravity::{Formula, Ols, Panel, Ppml};

struct Rng(u64);
impl Rng {
    fn unif(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 240 rows: exporter e (8) × importer m (6) × 5 periods; distance d > 0,
/// a dummy r, a 4-level category g and an exposure; y with zeros.
fn panel(seed: u64) -> Panel {
    let mut rng = Rng(seed);
    let (mut e, mut m, mut g) = (vec![], vec![], vec![]);
    let (mut d, mut r, mut expo, mut y) = (vec![], vec![], vec![], vec![]);
    for i in 0..8 {
        for j in 0..6 {
            for t in 0..5 {
                let dist = 100.0 + 5000.0 * rng.unif();
                let rta = f64::from(u8::from(rng.unif() < 0.3));
                let gg = ((i + j + t) % 4) as f64;
                let ex = 0.5 + rng.unif();
                let mu =
                    (2.0 - 0.8 * dist.ln() / 5.0 + 0.4 * rta + 0.2 * gg + ex.ln() + 0.1 * i as f64
                        - 0.15 * j as f64)
                        .exp();
                let yy = if rng.unif() < 0.1 {
                    0.0
                } else {
                    mu * (0.4 + 1.2 * rng.unif())
                };
                e.push(format!("E{i}"));
                m.push(format!("M{j}"));
                g.push(gg);
                d.push(dist);
                r.push(rta);
                expo.push(ex);
                y.push(yy);
            }
        }
    }
    let mut p = Panel::new();
    p.add_categorical("e", &e).unwrap();
    p.add_categorical("m", &m).unwrap();
    p.add_numeric("g", g.clone()).unwrap();
    p.add_numeric("d", d.clone()).unwrap();
    p.add_numeric("r", r.clone()).unwrap();
    p.add_numeric("expo", expo.clone()).unwrap();
    p.add_numeric("y", y).unwrap();
    // Precomputed versions of the formula terms (the oracle's columns).
    p.add_numeric("ln_d", d.iter().map(|v| v.ln()).collect())
        .unwrap();
    p.add_numeric(
        "d_r",
        d.iter().zip(&r).map(|(a, b)| a / 1000.0 * b).collect(),
    )
    .unwrap();
    p.add_numeric("ln_d_sq", d.iter().map(|v| v.ln().powi(2)).collect())
        .unwrap();
    p.add_numeric("ln_expo", expo.iter().map(|v| v.ln()).collect())
        .unwrap();
    for lvl in [1.0, 2.0, 3.0] {
        p.add_numeric(
            &format!("g{lvl}"),
            g.iter().map(|v| f64::from(u8::from(*v == lvl))).collect(),
        )
        .unwrap();
    }
    p.add_numeric(
        "g0",
        g.iter().map(|v| f64::from(u8::from(*v == 0.0))).collect(),
    )
    .unwrap();
    p
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn expressions_equal_precomputed_columns() {
    let p = panel(1);
    let params = Ppml::params().tol(1e-12).fe_tol(1e-12).check().unwrap();
    let f1 = Formula::parse("y ~ log(d) + I(d/1000*r) + I(log(d)^2) + r | e + m").unwrap();
    let f2 = Formula::parse("y ~ ln_d + d_r + ln_d_sq + r | e + m").unwrap();
    let a = params.fit(&f1, &p).unwrap();
    let b = params.fit(&f2, &p).unwrap();
    for (x, y) in a.coefficients().iter().zip(b.coefficients()) {
        assert!(close(*x, *y, 1e-9), "{x} vs {y}");
    }
    assert_eq!(a.coef_names()[0], "log(d)");
    assert_eq!(a.coef_names()[1], "I(d/1000*r)");
}

#[test]
fn interaction_colon_is_the_product() {
    // a:b with numeric a, b is the product column; a*b adds the main effects.
    let mut p = panel(2);
    let d = p.numeric("ln_d").unwrap().to_vec();
    let r = p.numeric("r").unwrap().to_vec();
    p.add_numeric("lnd_r", d.iter().zip(&r).map(|(a, b)| a * b).collect())
        .unwrap();
    let params = Ols::params().fe_tol(1e-13).check().unwrap();
    let a = params
        .fit(&Formula::parse("y ~ ln_d*r | e").unwrap(), &p)
        .unwrap();
    let b = params
        .fit(&Formula::parse("y ~ ln_d + r + lnd_r | e").unwrap(), &p)
        .unwrap();
    assert_eq!(a.coef_names(), &["ln_d", "r", "ln_d:r"]);
    for (x, y) in a.coefficients().iter().zip(b.coefficients()) {
        assert!(close(*x, *y, 1e-10), "{x} vs {y}");
    }
}

#[test]
fn factor_dummies_and_reference_levels() {
    let p = panel(3);
    let params = Ppml::params().tol(1e-12).fe_tol(1e-12).check().unwrap();
    // i(g) drops the first level (0); i(g, ref = 2) drops level 2.
    let a = params
        .fit(&Formula::parse("y ~ r + i(g) | e + m").unwrap(), &p)
        .unwrap();
    let b = params
        .fit(&Formula::parse("y ~ r + g1 + g2 + g3 | e + m").unwrap(), &p)
        .unwrap();
    assert_eq!(a.coef_names(), &["r", "g::1", "g::2", "g::3"]);
    for (x, y) in a.coefficients().iter().zip(b.coefficients()) {
        assert!(close(*x, *y, 1e-9), "{x} vs {y}");
    }
    let c = params
        .fit(
            &Formula::parse("y ~ r + i(g, ref = 2) | e + m").unwrap(),
            &p,
        )
        .unwrap();
    let dd = params
        .fit(&Formula::parse("y ~ r + g0 + g1 + g3 | e + m").unwrap(), &p)
        .unwrap();
    assert_eq!(c.coef_names(), &["r", "g::0", "g::1", "g::3"]);
    for (x, y) in c.coefficients().iter().zip(dd.coefficients()) {
        assert!(close(*x, *y, 1e-9), "{x} vs {y}");
    }
    // factor(g) is i(g) (first level as reference); changing the reference
    // shifts the dummies by the dropped level's effect: g::1 (ref 0) −
    // g::2 (ref 0) = g::1 (ref 2) (hand-derived identity).
    let f = params
        .fit(&Formula::parse("y ~ r + factor(g) | e + m").unwrap(), &p)
        .unwrap();
    assert!(close(
        f.coef("g::1").unwrap(),
        a.coef("g::1").unwrap(),
        1e-12
    ));
    let lhs = a.coef("g::1").unwrap() - a.coef("g::2").unwrap();
    assert!(close(lhs, c.coef("g::1").unwrap(), 1e-8));
    // A reference level that does not occur is refused, naming it.
    let e = params
        .fit(&Formula::parse("y ~ r + i(g, ref = 7) | e").unwrap(), &p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("'7'"), "{e}");
}

#[test]
fn offset_term_equals_the_offset_parameter() {
    let p = panel(4);
    let a = Ppml::params()
        .tol(1e-12)
        .fe_tol(1e-12)
        .check()
        .unwrap()
        .fit(
            &Formula::parse("y ~ ln_d + r + offset(log(expo)) | e + m").unwrap(),
            &p,
        )
        .unwrap();
    let b = Ppml::params()
        .tol(1e-12)
        .fe_tol(1e-12)
        .offset("ln_expo")
        .check()
        .unwrap()
        .fit(&Formula::parse("y ~ ln_d + r | e + m").unwrap(), &p)
        .unwrap();
    for (x, y) in a.coefficients().iter().zip(b.coefficients()) {
        assert!(close(*x, *y, 1e-10), "{x} vs {y}");
    }
}

#[test]
fn stepwise_formulas_fit_each_model() {
    let p = panel(5);
    let fs = Formula::expand("y ~ csw(ln_d, r) | e + m").unwrap();
    assert_eq!(fs.len(), 2);
    let params = Ppml::params().check().unwrap();
    let fits: Vec<_> = fs.iter().map(|f| params.fit(f, &p).unwrap()).collect();
    assert_eq!(fits[0].coef_names(), &["ln_d"]);
    assert_eq!(fits[1].coef_names(), &["ln_d", "r"]);
}

#[test]
fn fixed_effects_are_normalised_and_predict_reproduces_the_fit() {
    let p = panel(6);
    let fit = Ppml::params()
        .tol(1e-12)
        .fe_tol(1e-12)
        .check()
        .unwrap()
        .fit(
            &Formula::parse("y ~ log(d) + r + offset(log(expo)) | e + m").unwrap(),
            &p,
        )
        .unwrap();
    let fe = fit.fixed_effects();
    assert_eq!(fe.len(), 2);
    assert_eq!(fe[0].reference, None);
    // The reference of the second dimension (its first level) is exactly 0.
    assert_eq!(fe[1].reference.as_deref(), Some("M0"));
    assert_eq!(fe[1].values[0], 0.0);
    // predict() on the estimation panel equals the fitted means.
    let pred = fit.predict(&p).unwrap();
    for (k, &row) in fit.rows().iter().enumerate() {
        assert!(close(pred[row], fit.fitted()[k], 1e-9), "row {row}");
    }
    // On new data: a row with levels E3/M2 and new regressor values is
    // exp(β_d ln d + β_r r + ln expo + α_E3 + γ_M2) (hand-assembled).
    let mut q = Panel::new();
    q.add_categorical("e", &["E3", "E9"]).unwrap();
    q.add_categorical("m", &["M2", "M2"]).unwrap();
    q.add_numeric("d", vec![1234.0, 1234.0]).unwrap();
    q.add_numeric("r", vec![1.0, 0.0]).unwrap();
    q.add_numeric("expo", vec![2.0, 2.0]).unwrap();
    let got = fit.predict(&q).unwrap();
    let lvl = |k: usize, name: &str| {
        let i = fe[k].levels.iter().position(|l| l == name).unwrap();
        fe[k].values[i]
    };
    let want = (fit.coef("log(d)").unwrap() * 1234f64.ln()
        + fit.coef("r").unwrap()
        + 2f64.ln()
        + lvl(0, "E3")
        + lvl(1, "M2"))
    .exp();
    assert!(close(got[0], want, 1e-12), "{} vs {want}", got[0]);
    // E9 was not in the estimation sample: NaN, as fixest gives NA.
    assert!(got[1].is_nan());
}
