//! PPML (Poisson pseudo-maximum likelihood) and OLS with high-dimensional
//! fixed effects: parameter builders and the fitting routines.

use rayon::prelude::*;

use crate::demean::{
    ColumnState, DemeanControl, Demeaner, FeLayout, demean_columns, demean_columns_tol,
};
use crate::design::{Design, DesignOptions, DropReason};
use crate::error::{GravityError, Result};
use crate::fit::{Convergence, Estimator, Fit, FitParts, FitStore, StopReason};
use crate::formula::Formula;
use crate::linalg::{chol_solve, cholesky};
use crate::panel::Panel;
use crate::separation::{ReluControl, Separation, SeparationMethod, SeparationReport};
use crate::vcov::{Ssc, VcovSpec};

/// Explicit parallelism for the numeric kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Par {
    /// Run on the calling thread only.
    Seq,
    /// Use rayon's global pool.
    Rayon,
    /// Use a dedicated pool with this many threads.
    Threads(usize),
}

/// Unchecked PPML parameters; call [`PpmlParamsBuilder::check`].
#[derive(Debug, Clone)]
pub struct PpmlParamsBuilder {
    tol: f64,
    max_iter: usize,
    fe_tol: f64,
    fe_max_iter: usize,
    collin_tol: f64,
    offset: Option<String>,
    weights: Option<String>,
    separation: Separation,
    relu: ReluControl,
    mu_tol: f64,
    vcov: VcovSpec,
    par: Par,
}

/// Validated PPML parameters.
#[derive(Debug, Clone)]
pub struct PpmlParams(PpmlParamsBuilder);

/// Unchecked OLS parameters; call [`OlsParamsBuilder::check`].
#[derive(Debug, Clone)]
pub struct OlsParamsBuilder {
    fe_tol: f64,
    fe_max_iter: usize,
    collin_tol: f64,
    weights: Option<String>,
    vcov: VcovSpec,
    par: Par,
}

/// Validated OLS parameters.
#[derive(Debug, Clone)]
pub struct OlsParams(OlsParamsBuilder);

/// Entry point for Poisson pseudo-maximum-likelihood with fixed effects.
#[derive(Debug, Clone, Copy)]
pub struct Ppml;

/// Entry point for OLS with fixed effects.
#[derive(Debug, Clone, Copy)]
pub struct Ols;

impl Ppml {
    /// Default parameters: deviance tolerance 1e-8 (relative, fixest's
    /// `glm.tol`), 100 IRLS iterations, demeaning tolerance 1e-10 and at most
    /// 10,000 sweeps per column and call (fixest's `fixef.iter`),
    /// collinearity tolerance 1e-10, ppmlhdfe's separation checks
    /// (`fe simplex relu`), iid variance, rayon pool.
    pub fn params() -> PpmlParamsBuilder {
        PpmlParamsBuilder {
            tol: 1e-8,
            max_iter: 100,
            fe_tol: 1e-10,
            fe_max_iter: 10_000,
            collin_tol: 1e-10,
            offset: None,
            weights: None,
            separation: Separation::DEFAULT,
            relu: ReluControl::default(),
            mu_tol: 1e-6,
            vcov: VcovSpec::Iid,
            par: Par::Rayon,
        }
    }
}

impl Ols {
    /// Default parameters: demeaning tolerance 1e-10, collinearity tolerance
    /// 1e-10, iid variance, rayon pool.
    pub fn params() -> OlsParamsBuilder {
        OlsParamsBuilder {
            fe_tol: 1e-10,
            fe_max_iter: 10_000,
            collin_tol: 1e-10,
            weights: None,
            vcov: VcovSpec::Iid,
            par: Par::Rayon,
        }
    }
}

fn check_tol(name: &'static str, v: f64) -> Result<()> {
    if !(v > 0.0 && v < 1.0) {
        return Err(GravityError::InvalidParameter {
            name,
            value: v.to_string(),
            reason: "must be in (0, 1)".into(),
        });
    }
    Ok(())
}

fn check_iter(name: &'static str, v: usize) -> Result<()> {
    if v == 0 {
        return Err(GravityError::InvalidParameter {
            name,
            value: "0".into(),
            reason: "must be at least 1".into(),
        });
    }
    Ok(())
}

fn check_par(p: Par) -> Result<()> {
    if p == Par::Threads(0) {
        return Err(GravityError::InvalidParameter {
            name: "threads",
            value: "0".into(),
            reason: "must be at least 1 (use Par::Seq for the calling thread)".into(),
        });
    }
    Ok(())
}

/// Setters both builders share (fixed-effect demeaning, collinearity, weights, variance,
/// parallelism).
macro_rules! common_setters {
    () => {
        /// Relative tolerance of the fixed-effect demeaning.
        pub fn fe_tol(mut self, tol: f64) -> Self {
            self.fe_tol = tol;
            self
        }
        /// Maximum sweeps of the fixed-effect demeaning per column and call.
        pub fn fe_max_iter(mut self, n: usize) -> Self {
            self.fe_max_iter = n;
            self
        }
        /// Tolerance for dropping collinear regressors (pivot / diagonal in the Cholesky).
        pub fn collin_tol(mut self, tol: f64) -> Self {
            self.collin_tol = tol;
            self
        }
        /// Column with prior (frequency/analytic) weights.
        pub fn weights(mut self, column: &str) -> Self {
            self.weights = Some(column.to_string());
            self
        }
        /// Variance computed right after fitting (can be changed later with [`Fit::vcov`]).
        pub fn vcov(mut self, v: VcovSpec) -> Self {
            self.vcov = v;
            self
        }
        /// Parallelism.
        pub fn par(mut self, p: Par) -> Self {
            self.par = p;
            self
        }
    };
}

impl PpmlParamsBuilder {
    common_setters!();
    /// Relative tolerance on the change in deviance, `|Δdev|/(0.1+|dev|)`.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// Maximum IRLS iterations.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Column with an offset (enters the linear predictor with coefficient 1).
    pub fn offset(mut self, column: &str) -> Self {
        self.offset = Some(column.to_string());
        self
    }
    /// Separation checks (default: ppmlhdfe's `fe simplex relu`).
    pub fn separation(mut self, s: Separation) -> Self {
        self.separation = s;
        self
    }
    /// ReLU method: tolerance on the fitted values (default 1e-4, ppmlhdfe's `relu_tol`).
    pub fn relu_tol(mut self, tol: f64) -> Self {
        self.relu.tol = tol;
        self
    }
    /// ReLU method: residuals below this are zero (default 1e-8, ppmlhdfe's `relu_zero_tol`).
    pub fn relu_zero_tol(mut self, tol: f64) -> Self {
        self.relu.zero_tol = tol;
        self
    }
    /// ReLU method: iteration cap (default 100, ppmlhdfe's `relu_maxiter`).
    pub fn relu_max_iter(mut self, n: usize) -> Self {
        self.relu.max_iter = n;
        self
    }
    /// `mu` method: a `y = 0` mean below this (outcome scaled to unit
    /// standard deviation) is separated (default 1e-6, ppmlhdfe's `mu_tol`).
    pub fn mu_tol(mut self, tol: f64) -> Self {
        self.mu_tol = tol;
        self
    }
    /// Validates the parameters.
    pub fn check(self) -> Result<PpmlParams> {
        check_tol("tol", self.tol)?;
        check_tol("fe_tol", self.fe_tol)?;
        check_tol("collin_tol", self.collin_tol)?;
        check_iter("max_iter", self.max_iter)?;
        check_iter("fe_max_iter", self.fe_max_iter)?;
        check_tol("relu_tol", self.relu.tol)?;
        check_tol("relu_zero_tol", self.relu.zero_tol)?;
        check_iter("relu_max_iter", self.relu.max_iter)?;
        if !(self.mu_tol > 0.0 && self.mu_tol < 0.1) {
            return Err(GravityError::InvalidParameter {
                name: "mu_tol",
                value: self.mu_tol.to_string(),
                reason: "must be in (0, 0.1)".into(),
            });
        }
        check_par(self.par)?;
        Ok(PpmlParams(self))
    }
}

impl OlsParamsBuilder {
    common_setters!();
    /// Validates the parameters.
    pub fn check(self) -> Result<OlsParams> {
        check_tol("fe_tol", self.fe_tol)?;
        check_tol("collin_tol", self.collin_tol)?;
        check_iter("fe_max_iter", self.fe_max_iter)?;
        check_par(self.par)?;
        Ok(OlsParams(self))
    }
}

fn with_par<T: Send>(par: Par, f: impl FnOnce() -> T + Send) -> Result<T> {
    match par {
        Par::Threads(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| GravityError::Internal(format!("thread pool: {e}")))?;
            Ok(pool.install(f))
        }
        _ => Ok(f()),
    }
}

/// Weighted cross products `X̃'WX̃` (row-major p×p) and `X̃'W z̃`.
fn cross_products(xt: &[Vec<f64>], zt: &[f64], w: &[f64], seq: bool) -> (Vec<f64>, Vec<f64>) {
    let p = xt.len();
    let n = zt.len();
    let chunk = 1 << 16;
    let body = |lo: usize, hi: usize| {
        let mut a = vec![0.0; p * p];
        let mut b = vec![0.0; p];
        for j in 0..p {
            let xj = &xt[j][lo..hi];
            let ww = &w[lo..hi];
            let mut s = 0.0;
            for ((x, wi), z) in xj.iter().zip(ww).zip(&zt[lo..hi]) {
                s += x * wi * z;
            }
            b[j] = s;
            for k in 0..=j {
                let xk = &xt[k][lo..hi];
                let mut s = 0.0;
                for ((x1, x2), wi) in xj.iter().zip(xk).zip(ww) {
                    s += x1 * x2 * wi;
                }
                a[j * p + k] = s;
                a[k * p + j] = s;
            }
        }
        (a, b)
    };
    let add = |(mut a1, mut b1): (Vec<f64>, Vec<f64>), (a2, b2): (Vec<f64>, Vec<f64>)| {
        a1.iter_mut().zip(a2).for_each(|(x, y)| *x += y);
        b1.iter_mut().zip(b2).for_each(|(x, y)| *x += y);
        (a1, b1)
    };
    if seq || n < 2 * chunk {
        body(0, n)
    } else {
        let nchunks = n.div_ceil(chunk);
        (0..nchunks)
            .into_par_iter()
            .map(|c| body(c * chunk, ((c + 1) * chunk).min(n)))
            .reduce(|| (vec![0.0; p * p], vec![0.0; p]), add)
    }
}

/// Drops collinear columns: returns the names removed. Columns with a
/// demeaned sum of squares below `tol` times their raw one are absorbed by the
/// fixed effects; others are found by zero pivots.
fn drop_collinear(a: &[f64], raw_ss: &[f64], p: usize, tol: f64) -> Vec<usize> {
    let mut dropped: Vec<usize> = (0..p)
        .filter(|&j| a[j * p + j] <= tol * raw_ss[j].max(f64::MIN_POSITIVE))
        .collect();
    loop {
        let keep: Vec<usize> = (0..p).filter(|j| !dropped.contains(j)).collect();
        let q = keep.len();
        let mut sub = vec![0.0; q * q];
        for (r, &i) in keep.iter().enumerate() {
            for (c, &j) in keep.iter().enumerate() {
                sub[r * q + c] = a[i * p + j];
            }
        }
        match cholesky(&sub, q, tol) {
            Ok(_) => return dropped,
            Err(j) => dropped.push(keep[j]),
        }
    }
}

pub(crate) struct Solved {
    pub beta: Vec<f64>,
    pub xtwx: Vec<f64>,
}

fn solve_wls(xt: &[Vec<f64>], zt: &[f64], w: &[f64], seq: bool) -> Result<Solved> {
    let p = xt.len();
    let (a, b) = cross_products(xt, zt, w, seq);
    if p == 0 {
        return Ok(Solved {
            beta: vec![],
            xtwx: a,
        });
    }
    // A regressor can become numerically collinear mid-IRLS when weights
    // collapse (separated observations left in): solve without it for this
    // step (its coefficient stays 0) instead of failing.
    let mut keep: Vec<usize> = (0..p).collect();
    loop {
        let q = keep.len();
        if q == 0 {
            return Ok(Solved {
                beta: vec![0.0; p],
                xtwx: a,
            });
        }
        let mut sub = vec![0.0; q * q];
        for (r, &i) in keep.iter().enumerate() {
            for (c, &j) in keep.iter().enumerate() {
                sub[r * q + c] = a[i * p + j];
            }
        }
        match cholesky(&sub, q, 1e-14) {
            Ok(l) => {
                let bs: Vec<f64> = keep.iter().map(|&i| b[i]).collect();
                let bq = chol_solve(&l, q, &bs);
                let mut beta = vec![0.0; p];
                for (k, &i) in keep.iter().enumerate() {
                    beta[i] = bq[k];
                }
                return Ok(Solved { beta, xtwx: a });
            }
            Err(j) => {
                keep.remove(j);
            }
        }
    }
}

/// Chunk length of the parallel element-wise IRLS loops.
const PAR_CHUNK: usize = 1 << 15;

/// `Σ ω (y ln y − y)` over `y > 0`: the constant part of the deviance.
fn deviance_constant(y: &[f64], pw: Option<&[f64]>) -> f64 {
    y.iter()
        .enumerate()
        .filter(|(_, v)| **v > 0.0)
        .map(|(i, v)| pw.map_or(1.0, |w| w[i]) * (v * v.ln() - v))
        .sum()
}

/// `μ = exp(η)` and the deviance `2 (C − Σ ω y η + Σ ω μ)` from η (no
/// logarithms: fixest's form), in one pass, in parallel for large samples.
/// Returns `None` when some μ is 0 or not finite.
fn mu_and_deviance(
    y: &[f64],
    eta: &[f64],
    mu: &mut [f64],
    pw: Option<&[f64]>,
    constant: f64,
    seq: bool,
) -> Option<f64> {
    let body = |lo: usize, y: &[f64], eta: &[f64], mu: &mut [f64]| -> (f64, bool) {
        let mut s = 0.0;
        let mut ok = true;
        for i in 0..y.len() {
            let m = eta[i].exp();
            mu[i] = m;
            ok &= m > 0.0 && m.is_finite();
            let w = pw.map_or(1.0, |w| w[lo + i]);
            s += w * (m - y[i] * eta[i]);
        }
        (s, ok)
    };
    let n = y.len();
    let (s, ok) = if seq || n < 2 * PAR_CHUNK {
        body(0, y, eta, mu)
    } else {
        mu.par_chunks_mut(PAR_CHUNK)
            .enumerate()
            .map(|(c, m)| {
                let lo = c * PAR_CHUNK;
                let hi = lo + m.len();
                body(lo, &y[lo..hi], &eta[lo..hi], m)
            })
            .reduce(|| (0.0, true), |a, b| (a.0 + b.0, a.1 && b.1))
    };
    let dev = 2.0 * (constant + s);
    (ok && dev.is_finite()).then_some(dev.max(0.0))
}

fn poisson_deviance(y: &[f64], mu: &[f64], pw: Option<&[f64]>) -> f64 {
    let mut d = 0.0;
    for i in 0..y.len() {
        let w = pw.map_or(1.0, |w| w[i]);
        let term = if y[i] > 0.0 {
            y[i] * (y[i] / mu[i]).ln() - (y[i] - mu[i])
        } else {
            mu[i]
        };
        d += w * term;
    }
    2.0 * d
}

fn poisson_loglik(y: &[f64], mu: &[f64], pw: Option<&[f64]>) -> f64 {
    let mut ll = 0.0;
    for i in 0..y.len() {
        let w = pw.map_or(1.0, |w| w[i]);
        let ylogmu = if y[i] > 0.0 { y[i] * mu[i].ln() } else { 0.0 };
        ll += w * (ylogmu - mu[i] - crate::stats::ln_gamma(y[i] + 1.0));
    }
    ll
}

/// Fixed-effect coefficients of the fit `α = α_0 − Σ_j β_j α_j` from the
/// demeaning states of the outcome (first) and regressor columns.
fn fe_coefficients(states: &[ColumnState], beta: &[f64]) -> Vec<f64> {
    let mut a = states[0].alpha().to_vec();
    for (j, b) in beta.iter().enumerate() {
        for (v, x) in a.iter_mut().zip(states[j + 1].alpha()) {
            *v -= b * x;
        }
    }
    a
}

/// Step-halvings tried per IRLS iteration before giving up (fixest tries up
/// to `glm.iter`).
const MAX_HALVINGS: usize = 30;
/// Demeaning tolerance of the first IRLS iteration (ppmlhdfe's
/// `start_inner_tol`).
const INNER_TOL_START: f64 = 1e-4;
/// The demeaning tolerance follows the IRLS criterion times this factor.
const INNER_TOL_FACTOR: f64 = 1e-3;
/// Demeaning tolerance of the regressors in the collinearity check.
const COLLIN_DEMEAN_TOL: f64 = 1e-10;
/// IRLS restarts after the `mu` method drops observations.
const MAX_MU_RESTARTS: usize = 10;

impl PpmlParams {
    /// Fits `formula` on `panel` by PPML.
    pub fn fit(&self, formula: &Formula, panel: &Panel) -> Result<Fit> {
        let p = &self.0;
        with_par(p.par, || {
            let opts = DesignOptions {
                offset: p.offset.as_deref(),
                weights: p.weights.as_deref(),
                poisson: true,
            };
            let mut design = Design::build(panel, formula, &opts)?;
            let sep = p.separation;
            let seq = p.par == Par::Seq;
            let mut report = SeparationReport {
                methods: sep.methods(),
                ..Default::default()
            };
            if sep.contains(SeparationMethod::Fe) {
                design.drop_all_zero_fe_groups();
            }
            let mut separated = false;
            let has_zero = |d: &Design| d.y.contains(&0.0);
            if sep.contains(SeparationMethod::Simplex) && has_zero(&design) {
                let (mask, note) = crate::separation::simplex_separated(&design);
                report.notes.extend(note);
                separated |= apply_separation(&mut design, &mask, SeparationMethod::Simplex, sep);
            }
            if sep.contains(SeparationMethod::Relu) && has_zero(&design) && !design.y.is_empty() {
                let out = crate::separation::relu_separated(
                    &design,
                    p.relu,
                    p.fe_tol,
                    p.fe_max_iter,
                    seq,
                )?;
                report.relu_iterations = out.iterations;
                report.notes.extend(out.note);
                separated |=
                    apply_separation(&mut design, &out.separated, SeparationMethod::Relu, sep);
            }
            let empty = |d: &Design| {
                d.y.is_empty().then(|| GravityError::NoObservations {
                    formula: formula.to_string(),
                    dropped: d.n_original,
                })
            };
            if let Some(e) = empty(&design) {
                return Err(e);
            }
            let mut start: Option<Vec<f64>> = None;
            let mut restarts = 0;
            let (design, state) = loop {
                let mu_check = sep.contains(SeparationMethod::Mu) && restarts < MAX_MU_RESTARTS;
                let (mut d, st) = irls(design, p, start.take(), mu_check, seq)?;
                match &st.mu_flagged {
                    Some(mask) => {
                        let eta: Vec<f64> = st
                            .eta
                            .iter()
                            .zip(mask)
                            .filter(|(_, m)| !**m)
                            .map(|(e, _)| *e)
                            .collect();
                        let rows_before = d.rows.clone();
                        apply_separation(&mut d, mask, SeparationMethod::Mu, sep);
                        if let Some(e) = empty(&d) {
                            return Err(e);
                        }
                        // Start values for the rows that remain (the fe
                        // check may have dropped more than the mask).
                        let mut it = rows_before
                            .iter()
                            .zip(mask)
                            .filter(|(_, m)| !**m)
                            .map(|(r, _)| *r)
                            .zip(eta);
                        let mut e2 = Vec::with_capacity(d.rows.len());
                        for r in &d.rows {
                            for (rr, v) in it.by_ref() {
                                if rr == *r {
                                    e2.push(v);
                                    break;
                                }
                            }
                        }
                        start = (e2.len() == d.rows.len()).then_some(e2);
                        separated = true;
                        restarts += 1;
                        design = d;
                    }
                    None => break (d, st),
                }
            };
            for m in sep.methods() {
                let c: usize = design
                    .dropped
                    .iter()
                    .filter(|d| match (&d.reason, m) {
                        (DropReason::AllZeroFeGroup { .. }, SeparationMethod::Fe) => true,
                        (DropReason::Separated(k), _) => *k == m,
                        _ => false,
                    })
                    .map(|d| d.count)
                    .sum();
                report.dropped.push((m, c));
            }
            for d in &design.dropped {
                if matches!(
                    d.reason,
                    DropReason::AllZeroFeGroup { .. } | DropReason::Separated(_)
                ) {
                    report.rows.extend_from_slice(&d.rows);
                }
            }
            report.rows.sort_unstable();
            if separated && !state.collinear.is_empty() {
                // Which removed regressors were identified before the drops?
                let mut pre = Design::build(panel, formula, &opts)?;
                if sep.contains(SeparationMethod::Fe) {
                    pre.drop_all_zero_fe_groups();
                }
                let ones = vec![1.0; pre.y.len()];
                let pre_col = collinear_columns(&pre, &ones, p, seq);
                report.collinear = state
                    .collinear
                    .iter()
                    .filter(|n| !pre_col.iter().any(|j| &pre.names[*j] == *n))
                    .cloned()
                    .collect();
            }
            let mut fit = finish_poisson(design, state, formula, p, report, seq)?;
            if p.vcov != VcovSpec::Iid {
                fit.set_vcov(p.vcov.clone(), Ssc::fixest(), panel)?;
            }
            Ok(fit)
        })?
    }
}

/// Drops the rows of `mask` as separated by `m` (then, with `fe`, any
/// fixed-effect group left with only zeros). Whether anything was dropped.
fn apply_separation(d: &mut Design, mask: &[bool], m: SeparationMethod, sep: Separation) -> bool {
    if !mask.iter().any(|v| *v) {
        return false;
    }
    d.remove(mask, DropReason::Separated(m));
    if sep.contains(SeparationMethod::Fe) {
        d.drop_all_zero_fe_groups();
    }
    true
}

/// Indices of the regressors of `d` that are absorbed by the fixed effects
/// or collinear with earlier ones, with weights `w`.
fn collinear_columns(d: &Design, w: &[f64], p: &PpmlParamsBuilder, seq: bool) -> Vec<usize> {
    let n = d.y.len();
    let k = d.x.len();
    let dm = Demeaner::new(
        &d.fe,
        Some(w),
        DemeanControl {
            tol: p.fe_tol,
            max_iter: p.fe_max_iter,
        },
    );
    let mut outs = vec![vec![0.0; n]; k];
    let mut states = vec![ColumnState::default(); k];
    let inputs: Vec<&[f64]> = d.x.iter().map(|c| c.as_slice()).collect();
    demean_columns(&dm, &inputs, &mut outs, &mut states, seq);
    let (a, _) = cross_products(&outs, &vec![0.0; n], w, seq);
    let raw_ss: Vec<f64> =
        d.x.iter()
            .map(|c| c.iter().zip(w).map(|(x, w)| x * x * w).sum())
            .collect();
    drop_collinear(&a, &raw_ss, k, p.collin_tol)
}

/// The state IRLS ends in.
struct Irls {
    names: Vec<String>,
    collinear: Vec<String>,
    beta: Vec<f64>,
    eta: Vec<f64>,
    mu: Vec<f64>,
    dev: f64,
    convergence: Convergence,
    /// `mu` method: observations flagged as separated (IRLS stopped early).
    mu_flagged: Option<Vec<bool>>,
    states: Vec<ColumnState>,
    fe_alpha: Option<Vec<f64>>,
}

fn irls(
    mut d: Design,
    p: &PpmlParamsBuilder,
    start: Option<Vec<f64>>,
    mu_check: bool,
    seq: bool,
) -> Result<(Design, Irls)> {
    let n = d.y.len();
    let pw = d.weights.clone();
    let ctl = DemeanControl {
        tol: p.fe_tol,
        max_iter: p.fe_max_iter,
    };
    let off = |i: usize| d.offset.as_ref().map_or(0.0, |o| o[i]);
    // Start: fixest's (R's poisson()$initialize) μ = y + 0.1, or the given η.
    let (mut eta, mut mu): (Vec<f64>, Vec<f64>) = match start {
        Some(e) => {
            let m = e.iter().map(|v| v.exp()).collect();
            (e, m)
        }
        None => {
            let m: Vec<f64> = d.y.iter().map(|y| y + 0.1).collect();
            (m.iter().map(|v| v.ln()).collect(), m)
        }
    };
    let mut dev = poisson_deviance(&d.y, &mu, pw.as_deref());
    let dev_const = deviance_constant(&d.y, pw.as_deref());
    let mut collinear = Vec::new();
    let mut names = d.names.clone();
    let mut k = d.x.len();
    let mut z = vec![0.0; n];
    let mut w = vec![0.0; n];
    let mut outs: Vec<Vec<f64>> = vec![vec![0.0; n]; k + 1];
    let mut states: Vec<ColumnState> = vec![ColumnState::default(); k + 1];
    let mut beta: Vec<f64> = vec![0.0; k];
    let mut eta_new = vec![0.0; n];
    let mut mu_new = vec![0.0; n];
    let mut first = true;
    let layout = FeLayout::new(&d.fe);
    let mut conv = Convergence {
        converged: false,
        iterations: 0,
        criterion: f64::INFINITY,
        tol: p.tol,
        stop: StopReason::MaxIterations,
        demean_capped: 0,
        demean_sweeps: 0,
        step_halvings: 0,
    };
    // `mu` method: ppmlhdfe scales y to unit standard deviation.
    let ln_sd = {
        let mean = d.y.iter().sum::<f64>() / n as f64;
        let var = d.y.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0).max(1.0);
        if var > 0.0 { 0.5 * var.ln() } else { 0.0 }
    };
    let log_septol = p.mu_tol.ln();
    let mut mu_flagged = None;
    // Inner tolerance: loose while IRLS is far from the solution (as
    // ppmlhdfe), tightened with the criterion, `fe_tol` before convergence
    // can be declared.
    let mut inner_tol = p.fe_tol.max(INNER_TOL_START);
    let mut fe_alpha = None;
    while conv.iterations < p.max_iter {
        conv.iterations += 1;
        {
            let body = |lo: usize, w: &mut [f64], z: &mut [f64]| {
                for k in 0..w.len() {
                    let i = lo + k;
                    w[k] = mu[i] * pw.as_ref().map_or(1.0, |pw| pw[i]);
                    z[k] = eta[i] - off(i) + (d.y[i] - mu[i]) / mu[i];
                }
            };
            if seq || n < 2 * PAR_CHUNK {
                body(0, &mut w, &mut z);
            } else {
                w.par_chunks_mut(PAR_CHUNK)
                    .zip(z.par_chunks_mut(PAR_CHUNK))
                    .enumerate()
                    .for_each(|(c, (w, z))| body(c * PAR_CHUNK, w, z));
            }
        }
        let dm = Demeaner::with_layout(&d.fe, &layout, Some(&w), ctl);
        let tol_used = inner_tol;
        {
            let mut inputs: Vec<&[f64]> = vec![&z];
            inputs.extend(d.x.iter().map(|c| c.as_slice()));
            // The first pass finds collinear regressors: X precisely enough
            // that an absorbed column's demeaned sum of squares falls well
            // below `collin_tol` of its raw one.
            let first_x_tol = COLLIN_DEMEAN_TOL.max(p.fe_tol);
            let mut tols = vec![if first { first_x_tol } else { inner_tol }; inputs.len()];
            tols[0] = inner_tol;
            demean_columns_tol(&dm, &inputs, &mut outs, &mut states, &tols, seq);
        }
        for s in &states {
            conv.demean_sweeps += s.last_iterations;
            conv.demean_capped += usize::from(!s.last_converged);
        }
        if first {
            first = false;
            // Collinearity: compare demeaned to raw weighted sums of squares.
            let (a, _) = cross_products(&outs[1..], &outs[0], &w, seq);
            let raw_ss: Vec<f64> =
                d.x.iter()
                    .map(|c| c.iter().zip(&w).map(|(x, w)| x * x * w).sum())
                    .collect();
            let drop = drop_collinear(&a, &raw_ss, k, p.collin_tol);
            if !drop.is_empty() {
                let mut drop_sorted = drop.clone();
                drop_sorted.sort_unstable();
                for &j in drop_sorted.iter().rev() {
                    collinear.push(names.remove(j));
                    d.x.remove(j);
                    outs.remove(j + 1);
                    states.remove(j + 1);
                }
                collinear.reverse();
                d.names = names.clone();
                k = d.x.len();
                beta = vec![0.0; k];
            }
        }
        let solved = solve_wls(&outs[1..], &outs[0], &w, seq)?;
        // eta_new = offset + z - (z̃ - X̃β)
        for i in 0..n {
            let mut r = outs[0][i];
            for j in 0..k {
                r -= outs[j + 1][i] * solved.beta[j];
            }
            eta_new[i] = off(i) + z[i] - r;
        }
        // Step-halving (fixest's rule): halve towards the previous η while
        // the deviance is not finite, μ is not valid, or the deviance rose by
        // more than the tolerance; at most MAX_HALVINGS times.
        let mut dev_new;
        let mut halvings = 0;
        let mut failed = false;
        loop {
            let dv = mu_and_deviance(&d.y, &eta_new, &mut mu_new, pw.as_deref(), dev_const, seq);
            let valid = dv.is_some();
            dev_new = dv.unwrap_or(f64::INFINITY);
            let small = (dev_new - dev).abs() / (0.1 + dev_new.abs()) < p.tol;
            if valid && (conv.iterations == 1 || small || dev_new <= dev) {
                break;
            }
            if halvings >= MAX_HALVINGS {
                failed = !valid;
                break;
            }
            halvings += 1;
            for i in 0..n {
                eta_new[i] = 0.5 * (eta_new[i] + eta[i]);
            }
        }
        conv.step_halvings += halvings;
        if failed {
            conv.stop = StopReason::StepHalvingFailed;
            break;
        }
        let crit = (dev_new - dev).abs() / (0.1 + dev_new.abs());
        conv.criterion = crit;
        beta = solved.beta;
        std::mem::swap(&mut eta, &mut eta_new);
        std::mem::swap(&mut mu, &mut mu_new);
        dev = dev_new;
        // Only precise iterations flag (a loose inner solve can make η dip).
        if mu_check && tol_used <= p.fe_tol {
            let min_pos = (0..n)
                .filter(|&i| d.y[i] > 0.0)
                .map(|i| eta[i] - ln_sd)
                .fold(f64::INFINITY, f64::min);
            let thr = log_septol + (min_pos + 5.0).min(0.0);
            let mask: Vec<bool> = (0..n)
                .map(|i| d.y[i] == 0.0 && eta[i] - ln_sd <= thr)
                .collect();
            if mask.iter().any(|m| *m) {
                mu_flagged = Some(mask);
                break;
            }
        }
        // The fixed effects behind this η (exact when not step-halved).
        fe_alpha = (halvings == 0).then(|| fe_coefficients(&states, &beta));
        // A step-halved iteration never ends IRLS (fixest: a proper
        // weighted-OLS step must come last), nor one with a loose inner
        // tolerance.
        if halvings == 0 && crit < p.tol {
            if tol_used <= p.fe_tol {
                conv.converged = true;
                conv.stop = StopReason::Converged;
                break;
            }
            inner_tol = p.fe_tol;
        } else {
            inner_tol = inner_tol.min((INNER_TOL_FACTOR * crit).max(p.fe_tol));
        }
    }
    Ok((
        d,
        Irls {
            names,
            collinear,
            beta,
            eta,
            mu,
            dev,
            convergence: conv,
            mu_flagged,
            states,
            fe_alpha,
        },
    ))
}

fn finish_poisson(
    d: Design,
    st: Irls,
    formula: &Formula,
    p: &PpmlParamsBuilder,
    separation: SeparationReport,
    seq: bool,
) -> Result<Fit> {
    let n = d.y.len();
    let k = d.x.len();
    let pw = d.weights.clone();
    let ctl = DemeanControl {
        tol: p.fe_tol,
        max_iter: p.fe_max_iter,
    };
    let Irls {
        names,
        collinear,
        beta,
        eta,
        mu,
        dev,
        mut convergence,
        mut states,
        fe_alpha,
        ..
    } = st;
    // Final demeaning of X with the weights at the solution (for the variance).
    let w: Vec<f64> = (0..n)
        .map(|i| mu[i] * pw.as_ref().map_or(1.0, |pw| pw[i]))
        .collect();
    let layout = FeLayout::new(&d.fe);
    let dm = Demeaner::with_layout(&d.fe, &layout, Some(&w), ctl);
    let mut xt: Vec<Vec<f64>> = vec![vec![0.0; n]; k];
    {
        let inputs: Vec<&[f64]> = d.x.iter().map(|c| c.as_slice()).collect();
        demean_columns(&dm, &inputs, &mut xt, &mut states[1..], seq);
    }
    for s in &states[1..] {
        convergence.demean_capped += usize::from(!s.last_converged);
    }
    let (xtwx, _) = cross_products(&xt, &vec![0.0; n], &w, seq);
    // Scores s_i = pw_i (y_i - mu_i) x̃_i.
    let score_w: Vec<f64> = (0..n)
        .map(|i| pw.as_ref().map_or(1.0, |pw| pw[i]) * (d.y[i] - mu[i]))
        .collect();
    let wmean = {
        let (s, sw) = d.y.iter().enumerate().fold((0.0, 0.0), |(s, sw), (i, y)| {
            let w = pw.as_ref().map_or(1.0, |w| w[i]);
            (s + w * y, sw + w)
        });
        s / sw
    };
    let null_mu = vec![wmean; n];
    let null_deviance = poisson_deviance(&d.y, &null_mu, pw.as_deref());
    let loglik = poisson_loglik(&d.y, &mu, pw.as_deref());
    let null_loglik = poisson_loglik(&d.y, &null_mu, pw.as_deref());
    let store = FitStore {
        rows: d.rows.clone(),
        xt,
        score_w,
        xtwx,
        fe: d.fe,
        linear_predictor: eta,
        fitted: mu,
        offset: d.offset,
        x: d.x,
        y: d.y,
        rss_weights: None,
        fe_alpha,
    };
    Fit::assemble(FitParts {
        estimator: Estimator::Ppml,
        formula: formula.clone(),
        names,
        beta,
        collinear,
        dropped: d.dropped,
        n_original: d.n_original,
        convergence,
        deviance: dev,
        null_deviance,
        loglik: Some((loglik, null_loglik)),
        store,
        separation,
        offset_column: p.offset.clone(),
    })
}

impl OlsParams {
    /// Fits `formula` on `panel` by (weighted) least squares.
    pub fn fit(&self, formula: &Formula, panel: &Panel) -> Result<Fit> {
        let p = &self.0;
        with_par(p.par, || {
            let design = Design::build(
                panel,
                formula,
                &DesignOptions {
                    offset: None,
                    weights: p.weights.as_deref(),
                    poisson: false,
                },
            )?;
            let mut fit = fit_ols(design, formula, p)?;
            if p.vcov != VcovSpec::Iid {
                fit.set_vcov(p.vcov.clone(), Ssc::fixest(), panel)?;
            }
            Ok(fit)
        })?
    }
}

fn fit_ols(mut d: Design, formula: &Formula, p: &OlsParamsBuilder) -> Result<Fit> {
    let seq = p.par == Par::Seq;
    let n = d.y.len();
    let w: Vec<f64> = d.weights.clone().unwrap_or_else(|| vec![1.0; n]);
    let ctl = DemeanControl {
        tol: p.fe_tol,
        max_iter: p.fe_max_iter,
    };
    let dm = Demeaner::new(&d.fe, d.weights.as_deref(), ctl);
    let mut k = d.x.len();
    let mut outs: Vec<Vec<f64>> = vec![vec![0.0; n]; k + 1];
    let mut states: Vec<ColumnState> = vec![ColumnState::default(); k + 1];
    {
        let mut inputs: Vec<&[f64]> = vec![&d.y];
        inputs.extend(d.x.iter().map(|c| c.as_slice()));
        demean_columns(&dm, &inputs, &mut outs, &mut states, seq);
    }
    let (a, _) = cross_products(&outs[1..], &outs[0], &w, seq);
    let raw_ss: Vec<f64> =
        d.x.iter()
            .map(|c| c.iter().zip(&w).map(|(x, w)| x * x * w).sum())
            .collect();
    let drop = drop_collinear(&a, &raw_ss, k, p.collin_tol);
    let mut names = d.names.clone();
    let mut collinear = Vec::new();
    let mut drop_sorted = drop;
    drop_sorted.sort_unstable();
    for &j in drop_sorted.iter().rev() {
        collinear.push(names.remove(j));
        d.x.remove(j);
        outs.remove(j + 1);
        states.remove(j + 1);
    }
    collinear.reverse();
    k = d.x.len();
    let solved = solve_wls(&outs[1..], &outs[0], &w, seq)?;
    let beta = solved.beta;
    let mut resid = outs[0].clone();
    for j in 0..k {
        for i in 0..n {
            resid[i] -= outs[j + 1][i] * beta[j];
        }
    }
    let rss: f64 = resid.iter().zip(&w).map(|(e, w)| w * e * e).sum();
    let sw: f64 = w.iter().sum();
    let ybar = d.y.iter().zip(&w).map(|(y, w)| y * w).sum::<f64>() / sw;
    let tss: f64 =
        d.y.iter()
            .zip(&w)
            .map(|(y, w)| w * (y - ybar).powi(2))
            .sum();
    let fitted: Vec<f64> = d.y.iter().zip(&resid).map(|(y, e)| y - e).collect();
    let score_w: Vec<f64> = resid.iter().zip(&w).map(|(e, w)| e * w).collect();
    let xt: Vec<Vec<f64>> = outs.drain(1..).collect();
    let store = FitStore {
        rows: d.rows.clone(),
        xt,
        score_w,
        xtwx: solved.xtwx,
        fe: d.fe,
        linear_predictor: fitted.clone(),
        fitted,
        offset: None,
        x: d.x,
        y: d.y,
        rss_weights: Some(w),
        fe_alpha: Some(fe_coefficients(&states, &beta)),
    };
    Fit::assemble(FitParts {
        estimator: Estimator::Ols,
        formula: formula.clone(),
        names,
        beta,
        collinear,
        dropped: d.dropped,
        n_original: d.n_original,
        convergence: Convergence::exact(),
        deviance: rss,
        null_deviance: tss,
        loglik: None,
        store,
        separation: SeparationReport::default(),
        offset_column: None,
    })
}
