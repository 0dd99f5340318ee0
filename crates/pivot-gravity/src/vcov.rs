//! Variance–covariance estimators chosen after fitting, with fixest-style
//! small-sample corrections.
//!
//! All estimators are sandwiches around the bread `B = (X̃'WX̃)⁻¹`, where `X̃`
//! are the regressors demeaned by the fixed effects with the final IRLS
//! weights `W` (PPML: `w_i = ω_i μ_i`; OLS: `w_i = ω_i`, `ω` the prior weights).
//! The score of observation `i` is `s_i = ω_i (y_i − μ_i) x̃_i` (PPML) or
//! `s_i = ω_i e_i x̃_i` (OLS, `e` the residual).
//!
//! * `iid`: PPML `V = B`; OLS `V = σ² B` with `σ² = Σ ω e²/(n − 1)`.
//! * `hetero`: `V = B (Σ_i s_i s_i') B`.
//! * `cluster(g)`: `V = B (Σ_g S_g S_g') B`, `S_g = Σ_{i∈g} s_i`.
//! * two-way `cluster(g, h)`: `V = V_g + V_h − V_{g∩h}` (Cameron, Gelbach &
//!   Miller 2011).
//!
//! Small-sample corrections ([`Ssc`], defaults = fixest's
//! `ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE)`):
//!
//! * `adj`: multiply by `(n − 1)/(n − K)`, where `K = p + K_fe`.
//! * `fixef_k`: `None` → `K_fe = 0`; `Full` → `K_fe = Σ_q L_q − (Q − 1)` (all
//!   fixed-effect levels, one reference per extra dimension); `Nested` → as
//!   `Full` but dimensions nested in a cluster variable (every level inside one
//!   cluster) count one parameter each: `K_fe = Σ_q L_q − (Q − 1) −
//!   Σ_{q nested} (L_q − 1)` (fixest's `VCOV.R` with `fixef.force_exact =
//!   FALSE`), and 1 when every dimension is nested. Without clustering
//!   `Nested` = `Full`.
//! * `cluster_adj`: multiply by `G/(G − 1)` (one-way), by `min(G)/(min(G) − 1)`
//!   for each term of two-way clustering (fixest's `cluster.df = "min"`), and by
//!   `n/(n − 1)` for `hetero` (each observation its own cluster, so that
//!   `hetero` with `adj` is HC1 `n/(n − K)`).
//!
//! Known equivalences, checked in the tests: Stata's `ppml` "robust" is
//! `hetero` with `Ssc { adj: false, fixef_k: None, cluster_adj: true }`, i.e.
//! `n/(n−1)`; capybara's clustered SE is `cluster` with the same `Ssc`, i.e.
//! `G/(G−1)` only.

use nalgebra::DMatrix;

use crate::error::{GravityError, Result};
use crate::fit::Fit;
use crate::panel::Panel;

pub use crate::vcov_spec::{FixefK, Ssc, VcovSpec};

impl Fit {
    /// The fit from its parts, with the classical variance (fixest's small-sample defaults).
    pub(crate) fn assemble(parts: crate::fit::FitParts) -> Result<Fit> {
        let mut fit = Fit::from_parts(parts);
        let v = compute(&fit, &VcovSpec::Iid, Ssc::fixest(), None)?;
        fit.put_vcov(v, VcovSpec::Iid, Ssc::fixest());
        Ok(fit)
    }

    /// Recomputes the variance in place (no refit). `panel` must be the panel
    /// the model was fitted on (needed for cluster columns).
    pub fn set_vcov(&mut self, spec: VcovSpec, ssc: Ssc, panel: &Panel) -> Result<()> {
        let v = compute(self, &spec, ssc, Some(panel))?;
        self.put_vcov(v, spec, ssc);
        Ok(())
    }
}

fn bread(fit: &Fit) -> Result<DMatrix<f64>> {
    let p = fit.coefficients().len();
    let a = DMatrix::from_row_slice(p, p, &fit.store.xtwx);
    a.try_inverse()
        .ok_or_else(|| GravityError::Vcov("X'WX is singular".into()))
}

fn meat_groups(fit: &Fit, codes: &[u32], n_groups: usize) -> DMatrix<f64> {
    let p = fit.coefficients().len();
    let mut s = vec![0.0; n_groups * p];
    let st = &fit.store;
    for (i, &g) in codes.iter().enumerate() {
        let r = st.score_w[i];
        for j in 0..p {
            s[g as usize * p + j] += r * st.xt[j][i];
        }
    }
    let mut m = DMatrix::zeros(p, p);
    for g in 0..n_groups {
        let sg = &s[g * p..(g + 1) * p];
        for j in 0..p {
            for k in 0..p {
                m[(j, k)] += sg[j] * sg[k];
            }
        }
    }
    m
}

fn nested(fe_codes: &[u32], n_levels: usize, cl: &[u32]) -> bool {
    let mut map = vec![u32::MAX; n_levels];
    for (f, c) in fe_codes.iter().zip(cl) {
        let m = &mut map[*f as usize];
        if *m == u32::MAX {
            *m = *c;
        } else if *m != *c {
            return false;
        }
    }
    true
}

fn dense(codes: Vec<u32>) -> (Vec<u32>, usize) {
    let mut map = std::collections::HashMap::new();
    let out = codes
        .into_iter()
        .map(|c| {
            let n = map.len() as u32;
            *map.entry(c).or_insert(n)
        })
        .collect();
    (out, map.len())
}

/// Computes the variance matrix (row-major p×p) for `fit`.
pub(crate) fn compute(
    fit: &Fit,
    spec: &VcovSpec,
    ssc: Ssc,
    panel: Option<&Panel>,
) -> Result<Vec<f64>> {
    let p = fit.coefficients().len();
    if p == 0 {
        return Ok(vec![]);
    }
    let n = fit.nobs() as f64;
    let b = bread(fit)?;
    let st = &fit.store;
    let fe = &st.fe;
    let q = fe.dims.len();
    let k_fe_full = if q == 0 {
        0.0
    } else {
        fe.total_levels() as f64 - (q as f64 - 1.0)
    };
    let mut clusters: Vec<(Vec<u32>, usize)> = Vec::new();
    if let VcovSpec::Cluster(names) = spec {
        if names.is_empty() || names.len() > 2 {
            return Err(GravityError::Vcov(format!(
                "clustering needs one or two variables, got {}",
                names.len()
            )));
        }
        let panel = panel.ok_or_else(|| {
            GravityError::Vcov("clustered variance needs the panel the model was fitted on".into())
        })?;
        for nm in names {
            let cat = panel.as_categorical(nm)?;
            if cat.len() != fit.n_original() {
                return Err(GravityError::Vcov(format!(
                    "cluster column '{nm}' has {} rows but the model was fitted on {}",
                    cat.len(),
                    fit.n_original()
                )));
            }
            let codes: Vec<u32> = st.rows.iter().map(|r| cat.codes()[*r]).collect();
            clusters.push(dense(codes));
        }
    }
    let k_fe = match ssc.fixef_k {
        FixefK::None => 0.0,
        FixefK::Full => k_fe_full,
        FixefK::Nested => {
            if clusters.is_empty() {
                k_fe_full
            } else {
                let non_nested: Vec<usize> = (0..q)
                    .filter(|&d| {
                        !clusters
                            .iter()
                            .any(|(c, _)| nested(&fe.dims[d].codes, fe.dims[d].n_levels(), c))
                    })
                    .collect();
                if non_nested.len() == q {
                    k_fe_full
                } else if non_nested.is_empty() {
                    // fixest: all FE removed, one parameter for the intercept.
                    1.0
                } else {
                    // fixest (VCOV.R, fixef.force_exact = FALSE): the full
                    // count minus (L_q − 1) for each nested dimension.
                    let nested_levels: f64 = (0..q)
                        .filter(|d| !non_nested.contains(d))
                        .map(|d| fe.dims[d].n_levels() as f64 - 1.0)
                        .sum();
                    k_fe_full - nested_levels
                }
            }
        }
    };
    let kk = p as f64 + k_fe;
    let adj = if ssc.adj { (n - 1.0) / (n - kk) } else { 1.0 };
    let v: DMatrix<f64> = match spec {
        VcovSpec::Iid => {
            let sigma2 = match &st.rss_weights {
                Some(w) => {
                    // OLS: score_w = w e, so Σ w e² = Σ score_w² / w.
                    let rss: f64 = st.score_w.iter().zip(w).map(|(s, w)| s * s / w).sum();
                    rss / (n - 1.0)
                }
                None => 1.0,
            };
            &b * sigma2 * adj
        }
        VcovSpec::Hetero => {
            let codes: Vec<u32> = (0..fit.nobs() as u32).collect();
            let m = meat_groups(fit, &codes, fit.nobs());
            let c = if ssc.cluster_adj { n / (n - 1.0) } else { 1.0 };
            &b * m * &b * (adj * c)
        }
        VcovSpec::Cluster(_) => {
            let gmin = clusters.iter().map(|(_, g)| *g).min().unwrap_or(1) as f64;
            let c = if ssc.cluster_adj && gmin > 1.0 {
                gmin / (gmin - 1.0)
            } else {
                1.0
            };
            if clusters.len() == 1 {
                let (codes, g) = &clusters[0];
                let m = meat_groups(fit, codes, *g);
                &b * m * &b * (adj * c)
            } else {
                let (c1, g1) = &clusters[0];
                let (c2, g2) = &clusters[1];
                let (c12, g12) = dense(
                    c1.iter()
                        .zip(c2)
                        .map(|(a, b)| a * (*g2 as u32) + b)
                        .collect(),
                );
                let m = meat_groups(fit, c1, *g1) + meat_groups(fit, c2, *g2)
                    - meat_groups(fit, &c12, g12);
                &b * m * &b * (adj * c)
            }
        }
    };
    let mut out = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            out[i * p + j] = v[(i, j)];
        }
    }
    Ok(out)
}
