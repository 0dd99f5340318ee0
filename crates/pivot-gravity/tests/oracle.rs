//! Oracle tests: on small generated panels (synthetic data) the
//! fixed-effects estimators equal a Poisson GLM / least squares with
//! explicit dummy variables, solved here by a dense Newton method, to 1e-8.
#![allow(clippy::needless_range_loop)]

use pivot_gravity::{Formula, Ols, Panel, Ppml, Ssc, VcovSpec};

/// Minimal deterministic generator (SplitMix64) for synthetic test data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Synth {
    panel: Panel,
    /// Dense design: regressors then dummies (one reference dropped per extra FE).
    dense: Vec<Vec<f64>>,
    y: Vec<f64>,
    w: Vec<f64>,
    off: Vec<f64>,
}

/// Synthetic 3-way panel: a (5 levels) x b (4 levels) x c (3 levels) with two
/// regressors; some cells missing; outcome with zeros.
fn synth(seed: u64) -> Synth {
    let mut r = Rng(seed);
    let mut a = vec![];
    let mut b = vec![];
    let mut c = vec![];
    let mut x1 = vec![];
    let mut x2 = vec![];
    let mut y = vec![];
    let mut w = vec![];
    let mut off = vec![];
    for i in 0..5 {
        for j in 0..4 {
            for k in 0..3 {
                if r.next() < 0.15 {
                    continue;
                }
                let v1 = r.next() * 2.0 - 1.0;
                let v2 = r.next();
                let mu =
                    (0.5 * v1 - 0.8 * v2 + 0.3 * i as f64 - 0.2 * j as f64 + 0.1 * k as f64 + 1.0)
                        .exp();
                let yy = if r.next() < 0.2 {
                    0.0
                } else {
                    mu * (0.5 + r.next())
                };
                a.push(format!("a{i}"));
                b.push(format!("b{j}"));
                c.push(format!("c{k}"));
                x1.push(v1);
                x2.push(v2);
                y.push(yy);
                w.push(0.5 + r.next());
                off.push(0.3 * (r.next() - 0.5));
            }
        }
    }
    let n = y.len();
    let mut panel = Panel::new();
    panel.add_categorical("a", &a).unwrap();
    panel.add_categorical("b", &b).unwrap();
    panel.add_categorical("c", &c).unwrap();
    panel.add_numeric("x1", x1.clone()).unwrap();
    panel.add_numeric("x2", x2.clone()).unwrap();
    panel.add_numeric("y", y.clone()).unwrap();
    panel.add_numeric("w", w.clone()).unwrap();
    panel.add_numeric("off", off.clone()).unwrap();
    let mut dense = vec![x1, x2];
    for (vals, lv, skip_first) in [(&a, 5, false), (&b, 4, true), (&c, 3, true)] {
        for l in (if skip_first { 1 } else { 0 })..lv {
            let name = format!("{}{l}", &vals[0][..1]);
            dense.push(
                (0..n)
                    .map(|i| f64::from(u8::from(vals[i] == name)))
                    .collect(),
            );
        }
    }
    Synth {
        panel,
        dense,
        y,
        w,
        off,
    }
}

/// Dense Poisson GLM by Newton's method; returns (beta, inverse Hessian).
fn dense_poisson(
    x: &[Vec<f64>],
    y: &[f64],
    w: &[f64],
    off: &[f64],
) -> (Vec<f64>, nalgebra::DMatrix<f64>) {
    let p = x.len();
    let n = y.len();
    let mut beta = nalgebra::DVector::<f64>::zeros(p);
    let ybar = y.iter().sum::<f64>() / n as f64;
    beta[2] = ybar.ln(); // first level of `a` acts as intercept
    let mut hinv = nalgebra::DMatrix::<f64>::zeros(p, p);
    for _ in 0..200 {
        let mut g = nalgebra::DVector::<f64>::zeros(p);
        let mut h = nalgebra::DMatrix::<f64>::zeros(p, p);
        for i in 0..n {
            let eta: f64 = off[i] + (0..p).map(|j| x[j][i] * beta[j]).sum::<f64>();
            let mu = eta.exp();
            for j in 0..p {
                g[j] += w[i] * (y[i] - mu) * x[j][i];
                for k in 0..p {
                    h[(j, k)] += w[i] * mu * x[j][i] * x[k][i];
                }
            }
        }
        hinv = h.clone().try_inverse().unwrap();
        let step = &hinv * g;
        beta += &step;
        if step.amax() < 1e-14 {
            break;
        }
    }
    (beta.iter().copied().collect(), hinv)
}

fn ppml_matches_dense(weights: bool, offset: bool) {
    for seed in [1u64, 7, 42] {
        let s = synth(seed);
        let n = s.y.len();
        let w = if weights { s.w.clone() } else { vec![1.0; n] };
        let off = if offset { s.off.clone() } else { vec![0.0; n] };
        let (beta, hinv) = dense_poisson(&s.dense, &s.y, &w, &off);
        let mut params = Ppml::params().tol(1e-14).fe_tol(1e-14);
        if weights {
            params = params.weights("w");
        }
        if offset {
            params = params.offset("off");
        }
        let f = Formula::parse("y ~ x1 + x2 | a + b + c").unwrap();
        let fit = params.check().unwrap().fit(&f, &s.panel).unwrap();
        for (j, t) in ["x1", "x2"].iter().enumerate() {
            let b = fit.coef(t).unwrap();
            assert!(
                (b - beta[j]).abs() < 1e-8,
                "seed {seed} {t}: {b} vs {}",
                beta[j]
            );
        }
        // Model-based variance without corrections equals the inverse Hessian block.
        let v = fit.vcov_ssc(VcovSpec::Iid, Ssc::none(), &s.panel).unwrap();
        for j in 0..2 {
            let se = v.std_errors()[j];
            assert!(
                (se - hinv[(j, j)].sqrt()).abs() < 1e-8,
                "seed {seed} se {j}"
            );
        }
        // Fitted means agree with the dense model.
        for i in 0..n {
            let eta: f64 = off[i]
                + (0..beta.len())
                    .map(|j| s.dense[j][i] * beta[j])
                    .sum::<f64>();
            assert!((fit.fitted()[i] - eta.exp()).abs() < 1e-7 * eta.exp().max(1.0));
        }
    }
}

#[test]
fn ppml_equals_dummy_glm() {
    ppml_matches_dense(false, false);
}

#[test]
fn ppml_equals_dummy_glm_with_weights() {
    ppml_matches_dense(true, false);
}

#[test]
fn ppml_equals_dummy_glm_with_offset() {
    ppml_matches_dense(false, true);
}

#[test]
fn ppml_equals_dummy_glm_with_weights_and_offset() {
    ppml_matches_dense(true, true);
}

#[test]
fn ols_equals_dummy_least_squares_with_weights() {
    let s = synth(3);
    let n = s.y.len();
    let x = &s.dense;
    let p = x.len();
    let mut a = nalgebra::DMatrix::<f64>::zeros(p, p);
    let mut b = nalgebra::DVector::<f64>::zeros(p);
    for i in 0..n {
        for j in 0..p {
            b[j] += s.w[i] * x[j][i] * s.y[i];
            for k in 0..p {
                a[(j, k)] += s.w[i] * x[j][i] * x[k][i];
            }
        }
    }
    let beta = a.clone().try_inverse().unwrap() * b;
    let f = Formula::parse("y ~ x1 + x2 | a + b + c").unwrap();
    let fit = Ols::params()
        .fe_tol(1e-14)
        .weights("w")
        .check()
        .unwrap()
        .fit(&f, &s.panel)
        .unwrap();
    assert!((fit.coef("x1").unwrap() - beta[0]).abs() < 1e-8);
    assert!((fit.coef("x2").unwrap() - beta[1]).abs() < 1e-8);
    // Hetero-robust with the dense design and HC1 using K = all parameters
    // equals ours with fixef.K = full (fixest's hetero correction n/(n-K)).
    let resid: Vec<f64> = (0..n)
        .map(|i| s.y[i] - (0..p).map(|j| x[j][i] * beta[j]).sum::<f64>())
        .collect();
    let ainv = a.try_inverse().unwrap();
    let mut meat = nalgebra::DMatrix::<f64>::zeros(p, p);
    for i in 0..n {
        for j in 0..p {
            for k in 0..p {
                meat[(j, k)] += (s.w[i] * resid[i]).powi(2) * x[j][i] * x[k][i];
            }
        }
    }
    let v = &ainv * meat * &ainv * (n as f64 / (n - p) as f64);
    let h = fit.vcov(VcovSpec::Hetero, &s.panel).unwrap();
    for j in 0..2 {
        assert!(
            (h.std_errors()[j] - v[(j, j)].sqrt()).abs() < 1e-9,
            "se {j}"
        );
    }
}
