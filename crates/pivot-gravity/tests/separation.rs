//! Separation detection on ppmlhdfe's benchmark datasets (Correia, Guimarães
//! & Zylkin; `tests/data/ppmlhdfe_separation/`, MIT licence): each file marks
//! its separated observations in a `separated` column, so the expected drops
//! are the publisher's, not ours. Also hand-built panels (regressor-driven,
//! fixed-effect combination, mixed, none), ppmlhdfe's documented examples,
//! the hang of issue 11, and property tests.
#![allow(clippy::needless_range_loop)]

use std::time::{Duration, Instant};

use pivot_gravity::{DropReason, Formula, Panel, Ppml, Separation, SeparationMethod, StopReason};
use proptest::prelude::*;

struct Case {
    panel: Panel,
    formula: Formula,
    separated: Vec<bool>,
    has_fe: bool,
}

fn load(name: &str) -> Case {
    let path = std::path::Path::new(
        &std::env::var_os("CARGO_MANIFEST_DIR")
            .expect("CARGO_MANIFEST_DIR: run by cargo or nextest"),
    )
    .join("tests/data/ppmlhdfe_separation")
    .join(name);
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); headers.len()];
    for rec in rdr.records() {
        for (j, v) in rec.unwrap().iter().enumerate() {
            cols[j].push(v.parse().unwrap());
        }
    }
    let mut panel = Panel::new();
    let mut separated = Vec::new();
    for (h, c) in headers.iter().zip(cols) {
        if h == "separated" {
            separated = c.iter().map(|v| *v == 1.0).collect();
        } else {
            panel.add_numeric(h, c).unwrap();
        }
    }
    // ppmlhdfe's benchmark: y on x*, absorbing id* (a constant without them).
    let xs: Vec<&str> = headers
        .iter()
        .filter(|h| h.starts_with('x'))
        .map(String::as_str)
        .collect();
    let ids: Vec<&str> = headers
        .iter()
        .filter(|h| h.starts_with("id"))
        .map(String::as_str)
        .collect();
    let rhs = if xs.is_empty() {
        "1".to_string()
    } else {
        xs.join(" + ")
    };
    let text = if ids.is_empty() {
        format!("y ~ {rhs}")
    } else {
        format!("y ~ {rhs} | {}", ids.join(" + "))
    };
    Case {
        panel,
        formula: Formula::parse(&text).unwrap(),
        separated,
        has_fe: !ids.is_empty(),
    }
}

const FILES: [&str; 17] = [
    "01.csv", "02.csv", "03.csv", "04.csv", "05.csv", "06.csv", "07.csv", "08.csv", "09.csv",
    "10.csv", "11.csv", "13.csv", "14.csv", "15.csv", "16.csv", "17.csv", "18.csv",
];

/// Panel rows dropped by separation (any method, including fe).
fn dropped_by_separation(fit: &pivot_gravity::Fit, n: usize) -> Vec<bool> {
    let mut v = vec![false; n];
    for r in &fit.separation().rows {
        v[*r] = true;
    }
    v
}

fn fit_with(case: &Case, sep: Separation, file: &str) -> pivot_gravity::Fit {
    let mut b = Ppml::params().separation(sep).max_iter(1000);
    if file == "07.csv" {
        // ppmlhdfe's benchmark uses these for 07.csv.
        b = b.relu_zero_tol(1e-10).relu_max_iter(1000);
    }
    b.check().unwrap().fit(&case.formula, &case.panel).unwrap()
}

fn rows(v: &[bool]) -> Vec<usize> {
    (0..v.len()).filter(|i| v[*i]).collect()
}

#[test]
fn default_methods_drop_exactly_the_marked_observations() {
    // ppmlhdfe's default (fe simplex relu) on every file: the dropped rows
    // are exactly those with separated == 1, the fit converges, and it takes
    // well under a second.
    for file in FILES {
        let case = load(file);
        let t = Instant::now();
        let fit = fit_with(&case, Separation::DEFAULT, file);
        let el = t.elapsed();
        let got = dropped_by_separation(&fit, case.separated.len());
        assert_eq!(rows(&got), rows(&case.separated), "{file}: dropped rows");
        assert!(fit.converged(), "{file}: {}", fit.convergence());
        assert!(el < Duration::from_secs(1), "{file}: {el:?}");
    }
}

#[test]
fn relu_alone_drops_exactly_the_marked_observations() {
    // ppmlhdfe's benchmark asserts separated == sep_relu (ReLU alone).
    for file in FILES {
        let case = load(file);
        let fit = fit_with(&case, Separation::NONE.with(SeparationMethod::Relu), file);
        let got = dropped_by_separation(&fit, case.separated.len());
        assert_eq!(rows(&got), rows(&case.separated), "{file}: relu rows");
        assert_eq!(
            fit.separation().count(SeparationMethod::Relu),
            case.separated.iter().filter(|s| **s).count(),
            "{file}"
        );
    }
}

#[test]
fn simplex_alone_is_exact_without_fixed_effects() {
    // The simplex method sees only the regressors: on the files without
    // fixed effects it must find every separated observation, and on the
    // others it may find only some but never a non-separated one.
    for file in FILES {
        let case = load(file);
        let fit = fit_with(
            &case,
            Separation::NONE.with(SeparationMethod::Simplex),
            file,
        );
        let got = dropped_by_separation(&fit, case.separated.len());
        for i in 0..got.len() {
            assert!(
                !got[i] || case.separated[i],
                "{file}: row {i} is not separated"
            );
        }
        if !case.has_fe {
            assert_eq!(rows(&got), rows(&case.separated), "{file}: simplex rows");
        }
    }
}

#[test]
fn fe_and_mu_never_drop_a_non_separated_observation() {
    // fe (all-zero groups) and mu (vanishing means) are partial checks:
    // whatever they drop must be marked separated. mu, a heuristic, finds
    // every marked row except on 03.csv, where IRLS converges before the two
    // separated means fall below its threshold (pinned here); fe finds 82 of
    // 04.csv's 83 (the 83rd needs a combination of groups) and nothing else.
    for file in FILES {
        let case = load(file);
        for m in [SeparationMethod::Fe, SeparationMethod::Mu] {
            let fit = fit_with(&case, Separation::NONE.with(m), file);
            let got = dropped_by_separation(&fit, case.separated.len());
            for i in 0..got.len() {
                assert!(
                    !got[i] || case.separated[i],
                    "{file} {m}: row {i} is not separated"
                );
            }
            let n = got.iter().filter(|g| **g).count();
            let marked = case.separated.iter().filter(|s| **s).count();
            let want = match (m, file) {
                (SeparationMethod::Mu, "03.csv") => 0,
                (SeparationMethod::Mu, _) => marked,
                (_, "04.csv") => 82,
                _ => 0,
            };
            assert_eq!(n, want, "{file} {m}");
        }
    }
}

#[test]
fn issue_11_separated_three_fe_panel_finishes_fast() {
    // Issue 11: 03.csv (16 rows, 3 fixed effects, rows 0 and 1 separated by a
    // combination of fixed effects) made the fit spin for 10 minutes: the
    // step-halving loop had no exit when μ underflowed. With separation
    // checks off the fit must still end quickly and say why it stopped.
    let case = load("03.csv");
    for sep in [
        Separation::NONE,
        Separation::FE,
        Separation::DEFAULT,
        Separation::ALL,
    ] {
        let t = Instant::now();
        let fit = Ppml::params()
            .separation(sep)
            .check()
            .unwrap()
            .fit(&case.formula, &case.panel)
            .unwrap();
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "{sep}: {:?}",
            t.elapsed()
        );
        let c = fit.convergence();
        assert!(c.converged || c.stop != StopReason::Converged, "{sep}: {c}");
        assert!(c.criterion.is_finite() || !c.converged, "{sep}: {c}");
    }
}

#[test]
fn ppmlhdfe_documented_examples() {
    // guides/separation_benchmarks.md: 10 rows, obs 1 and 5 separated by
    // z = x2 − x1; ppmlhdfe is the only command that converges, to
    // b[x3] = 0.066 (printed to 3 digits).
    let mut p = Panel::new();
    p.add_numeric("y", vec![0., 0., 0., 0., 0., 2., 3., 5., 7., 10.])
        .unwrap();
    p.add_numeric("x1", vec![0., 0., 0., 0., 1., 21., 0., 0., 0., -18.])
        .unwrap();
    p.add_numeric("x2", vec![1., 0., 0., 0., 9., 21., 0., 0., 0., -18.])
        .unwrap();
    p.add_numeric("x3", vec![0., 0., 0., 0., 0., 21., 0., 0., 0., 0.])
        .unwrap();
    let f = Formula::parse("y ~ x1 + x2 + x3").unwrap();
    let fit = Ppml::params().check().unwrap().fit(&f, &p).unwrap();
    assert_eq!(fit.separation().rows, vec![0, 4]);
    assert!(
        (fit.coef("x3").unwrap() - 0.066).abs() < 5e-4,
        "{}",
        fit.coef("x3").unwrap()
    );
    assert!(fit.converged());
    // example1.csv of the same guide: obs 5 separated by x1 − x2; after
    // dropping it x1 = x2 and one is omitted; _cons = 0.59095 (ppmlhdfe).
    let mut p = Panel::new();
    p.add_numeric("y", vec![0., 0., 0., 0., 0., 2., 2., 2., 2., 4., 6., 6.])
        .unwrap();
    p.add_numeric("x1", vec![0., 0., 0., 0., 1., 0., 0., 0., 0., 0., -3., 0.])
        .unwrap();
    p.add_numeric("x2", vec![0., 0., 0., 0., 0., 0., 0., 0., 0., 0., -3., 0.])
        .unwrap();
    p.add_numeric("x3", vec![2., 0., 0., 4., 0., 0., 0., -2., 0., -3., 0., 0.])
        .unwrap();
    p.add_numeric(
        "x4",
        vec![10., -2., 6., 5., 3., 3., 4., 15., -7., 15., 4., 4.],
    )
    .unwrap();
    let f = Formula::parse("y ~ x1 + x2 + x3 + x4").unwrap();
    let fit = Ppml::params()
        .tol(1e-12)
        .check()
        .unwrap()
        .fit(&f, &p)
        .unwrap();
    assert_eq!(fit.separation().rows, vec![4]);
    assert_eq!(fit.separation().collinear, vec!["x2".to_string()]);
    assert!((fit.coef("(Intercept)").unwrap() - 0.59095).abs() < 5e-6);
    // fe3.csv of guides/csv. The guide's comment says ppmlhdfe "drops 8
    // separated obs.", but its own certificate z = 2(i=4) − 2(i=1) − 2(i=6)
    // − 6(j=1) − 6(j=3) − 2(j=4) − (j=5) + 8 is positive on exactly 7 rows
    // (0-based 4, 5, 6, 7, 8, 10, 11), and no certificate can reach row 9
    // (i=6, j=1): rows 13 and 15 share (i, j) = (1, 3) with x1 = 1 and 2, so
    // x1's coefficient is 0; the y > 0 rows force a1 + b1 = a1 + b3 = a6 +
    // b3 = 0, so z(row 9) = a6 + b1 = 0 (hand-derived). 7 it is.
    let y = [
        0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 1., 1., 5., 7.,
    ];
    let x1 = [
        0., 3., -2., 2., 2., 0., 7., 1., 2., 1., -2., 3., -5., 1., -2., 2.,
    ];
    let i = [
        1., 1., 1., 1., 1., 1., 4., 4., 4., 6., 8., 8., 1., 1., 6., 1.,
    ];
    let j = [
        1., 1., 1., 3., 5., 6., 1., 4., 5., 1., 4., 6., 1., 3., 3., 3.,
    ];
    let mut p = Panel::new();
    p.add_numeric("y", y.to_vec()).unwrap();
    p.add_numeric("x1", x1.to_vec()).unwrap();
    p.add_numeric("i", i.to_vec()).unwrap();
    p.add_numeric("j", j.to_vec()).unwrap();
    let f = Formula::parse("y ~ x1 | i + j").unwrap();
    let fit = Ppml::params().check().unwrap().fit(&f, &p).unwrap();
    assert_eq!(fit.separation().rows, vec![4, 5, 6, 7, 8, 10, 11]);
}

/// A small deterministic generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unif(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, k: u64) -> u64 {
        self.next() % k
    }
}

#[test]
fn hand_built_panels_with_known_separation() {
    let mut r = Rng(7);
    let n = 60;
    let g: Vec<f64> = (0..n).map(|i| (i % 6) as f64).collect();
    let h: Vec<f64> = (0..n).map(|i| ((i / 6) % 5) as f64).collect();
    let x: Vec<f64> = (0..n).map(|_| r.unif()).collect();
    let ybase: Vec<f64> = (0..n).map(|_| 1.0 + r.below(5) as f64).collect();
    // (a) Regressor-driven: s = 1 on rows 3, 9, 15 (set to y = 0), 0 elsewhere.
    //     z = s is 0 on y > 0 and positive only there: exactly those separated.
    let mut y = ybase.clone();
    let s: Vec<f64> = (0..n)
        .map(|i| f64::from(u8::from(i % 6 == 3 && i < 18)))
        .collect();
    for i in 0..n {
        if s[i] > 0.0 {
            y[i] = 0.0;
        }
    }
    y[20] = 0.0; // a zero that is not separated (s = 0 there, other zeros share its groups)
    let mut p = Panel::new();
    for (k, v) in [("y", &y), ("x", &x), ("s", &s), ("g", &g), ("h", &h)] {
        p.add_numeric(k, v.clone()).unwrap();
    }
    let fit = Ppml::params()
        .check()
        .unwrap()
        .fit(&Formula::parse("y ~ x + s | g + h").unwrap(), &p)
        .unwrap();
    assert_eq!(fit.separation().rows, vec![3, 9, 15]);
    assert_eq!(fit.separation().collinear, vec!["s".to_string()]);
    // (b) Fixed-effect combination, no all-zero group: z = 1(g = 0) − 1(h = 0).
    //     On y > 0 rows z must be 0, so keep no row with g ≠ 0 and h = 0 (z =
    //     −1), keep y > 0 on (g = 0, h = 0) (z = 0) and set y = 0 on every
    //     (g = 0, h ≠ 0) row (z = 1): exactly those are separated, while the
    //     group g = 0 still has positive rows and each h ≠ 0 has positive rows
    //     with g ≠ 0.
    let rows_b: Vec<usize> = (0..n).filter(|&i| !(g[i] != 0.0 && h[i] == 0.0)).collect();
    let gb: Vec<f64> = rows_b.iter().map(|&i| g[i]).collect();
    let hb: Vec<f64> = rows_b.iter().map(|&i| h[i]).collect();
    let xb: Vec<f64> = rows_b.iter().map(|&i| x[i]).collect();
    let yb: Vec<f64> = rows_b
        .iter()
        .map(|&i| {
            if g[i] == 0.0 && h[i] != 0.0 {
                0.0
            } else {
                ybase[i]
            }
        })
        .collect();
    let expect_b: Vec<usize> = (0..rows_b.len())
        .filter(|&k| gb[k] == 0.0 && hb[k] != 0.0)
        .collect();
    let mut p = Panel::new();
    for (k, v) in [("y", &yb), ("x", &xb), ("g", &gb), ("h", &hb)] {
        p.add_numeric(k, v.clone()).unwrap();
    }
    let fit = Ppml::params()
        .check()
        .unwrap()
        .fit(&Formula::parse("y ~ x | g + h").unwrap(), &p)
        .unwrap();
    // No group is all zero (g = 0 has h = 0 positive; each h ≠ 0 has g ≠ 0 positive).
    assert!(
        fit.dropped()
            .iter()
            .all(|d| !matches!(d.reason, DropReason::AllZeroFeGroup { .. }))
    );
    assert_eq!(fit.separation().rows, expect_b);
    assert_eq!(
        fit.separation().count(SeparationMethod::Relu),
        expect_b.len()
    );
    // (c) Mixed: z = s + 1(g = 0) − 1(h = 0) on the panel of (b) with the
    //     separating regressor s = 1 on two more zero rows.
    let mut yc = yb.clone();
    let mut sc = vec![0.0; yb.len()];
    let extra: Vec<usize> = (20..yb.len()).filter(|&k| gb[k] != 0.0).take(2).collect();
    for &k in &extra {
        sc[k] = 1.0;
        yc[k] = 0.0;
    }
    let mut expect_c = expect_b.clone();
    expect_c.extend(&extra);
    expect_c.sort_unstable();
    let mut p = Panel::new();
    for (k, v) in [("y", &yc), ("x", &xb), ("s", &sc), ("g", &gb), ("h", &hb)] {
        p.add_numeric(k, v.clone()).unwrap();
    }
    let fit = Ppml::params()
        .check()
        .unwrap()
        .fit(&Formula::parse("y ~ x + s | g + h").unwrap(), &p)
        .unwrap();
    assert_eq!(fit.separation().rows, expect_c);
    // (d) None: Poisson-like counts with zeros spread over groups and no
    //     separating direction (x continuous): nothing dropped.
    let yd: Vec<f64> = (0..n)
        .map(|i| if i % 7 == 0 { 0.0 } else { ybase[i] })
        .collect();
    let mut p = Panel::new();
    for (k, v) in [("y", &yd), ("x", &x), ("g", &g), ("h", &h)] {
        p.add_numeric(k, v.clone()).unwrap();
    }
    let fit = Ppml::params()
        .check()
        .unwrap()
        .fit(&Formula::parse("y ~ x | g + h").unwrap(), &p)
        .unwrap();
    assert!(fit.separation().rows.is_empty());
    assert!(fit.converged());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Small random panels with the troubles of real data — all-zero groups,
    /// singletons, nested and collinear fixed effects, huge and tiny y,
    /// separating regressors — under every separation setting: each fit
    /// ends within a time bound and either converges or says why not.
    #[test]
    fn every_fit_ends_and_says_why(seed in 0u64..1_000_000, n in 8usize..60, scale_pow in -8i32..9, sep_i in 0usize..4) {
        let mut r = Rng(seed.wrapping_mul(2654435761).wrapping_add(1));
        let la = 1 + r.below(6) as usize;
        let lb = 1 + r.below(5) as usize;
        let a: Vec<f64> = (0..n).map(|i| if i < la { i as f64 } else { r.below(la as u64) as f64 }).collect();
        let b: Vec<f64> = (0..n).map(|_| r.below(lb as u64) as f64).collect();
        // Nested in a (a coarser grouping) and a singleton-heavy dimension.
        let c: Vec<f64> = a.iter().map(|v| (v / 2.0).floor()).collect();
        let single: Vec<f64> = (0..n).map(|i| if i % 5 == 0 { i as f64 } else { 1000.0 }).collect();
        let x: Vec<f64> = (0..n).map(|_| r.unif() * 2.0 - 1.0).collect();
        let x2: Vec<f64> = x.iter().map(|v| 2.0 * v).collect(); // collinear with x
        let scale = 10f64.powi(scale_pow);
        let mut y: Vec<f64> = (0..n).map(|i| {
            let u = r.unif();
            if u < 0.35 { 0.0 } else { scale * (u * 5.0 + x[i]).exp() }
        }).collect();
        // An all-zero group of a.
        for i in 0..n { if a[i] == 0.0 { y[i] = 0.0; } }
        let s: Vec<f64> = y.iter().map(|v| f64::from(u8::from(*v == 0.0 && r.unif() < 0.5))).collect();
        let mut p = Panel::new();
        for (k, v) in [("y", &y), ("x", &x), ("x2", &x2), ("s", &s), ("a", &a), ("b", &b), ("c", &c), ("single", &single)] {
            p.add_numeric(k, v.clone()).unwrap();
        }
        let sep = [Separation::NONE, Separation::FE, Separation::DEFAULT, Separation::ALL][sep_i];
        for text in ["y ~ x + x2 + s | a + b + c", "y ~ x + s | a^b + single", "y ~ x + s"] {
            let f = Formula::parse(text).unwrap();
            let t = Instant::now();
            let res = Ppml::params().separation(sep).check().unwrap().fit(&f, &p);
            prop_assert!(t.elapsed() < Duration::from_secs(2), "{text} {sep}: {:?}", t.elapsed());
            match res {
                Ok(fit) => {
                    let c = fit.convergence();
                    prop_assert_eq!(c.converged, c.stop == StopReason::Converged, "{}", c);
                    prop_assert!(c.iterations <= 100);
                    prop_assert!(!c.to_string().is_empty());
                    if !c.converged {
                        prop_assert!(c.to_string().contains("NOT converged"));
                    }
                }
                // Nothing left, or every regressor collinear: an error that says so.
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }
}
