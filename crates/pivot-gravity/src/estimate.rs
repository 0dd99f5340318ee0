//! PPML (Poisson pseudo-maximum likelihood) and OLS with high-dimensional
//! fixed effects: parameter builders and the fitting routines.

use rayon::prelude::*;

use crate::demean::{ColumnState, DemeanControl, Demeaner, FeLayout};
use crate::design::{Design, DesignOptions, DropReason};
use crate::error::{GravityError, Result};
use crate::fit::{Estimator, Fit, FitStore};
use crate::formula::Formula;
use crate::panel::Panel;
use crate::vcov::{Ssc, VcovSpec};

/// Which separation checks PPML runs before fitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separation {
    /// Only remove observations in fixed-effect groups whose outcome is all
    /// zero (iteratively). This is fixest's and pyfixest's default.
    FixedEffects,
    /// Also run the ReLU check of Correia, Guimarães & Zylkin (2021), as ppmlhdfe does.
    FixedEffectsAndRelu,
}

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
    /// `glm.tol`), 100 IRLS iterations, demeaning tolerance 1e-10, collinearity
    /// tolerance 1e-10, FE-group separation only, iid variance, rayon pool.
    pub fn params() -> PpmlParamsBuilder {
        PpmlParamsBuilder {
            tol: 1e-8,
            max_iter: 100,
            fe_tol: 1e-10,
            fe_max_iter: 100_000,
            collin_tol: 1e-10,
            offset: None,
            weights: None,
            separation: Separation::FixedEffects,
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
            fe_max_iter: 100_000,
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
    /// Separation checks.
    pub fn separation(mut self, s: Separation) -> Self {
        self.separation = s;
        self
    }
    /// Validates the parameters.
    pub fn check(self) -> Result<PpmlParams> {
        check_tol("tol", self.tol)?;
        check_tol("fe_tol", self.fe_tol)?;
        check_tol("collin_tol", self.collin_tol)?;
        check_iter("max_iter", self.max_iter)?;
        check_iter("fe_max_iter", self.fe_max_iter)?;
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

/// Demeans several columns (in parallel unless `seq`).
pub(crate) fn demean_columns(
    dm: &Demeaner<'_>,
    inputs: &[&[f64]],
    outputs: &mut [Vec<f64>],
    states: &mut [ColumnState],
    seq: bool,
) {
    if seq || inputs.len() == 1 {
        for ((x, o), s) in inputs.iter().zip(outputs.iter_mut()).zip(states.iter_mut()) {
            dm.demean(x, o, s);
        }
    } else {
        inputs
            .par_iter()
            .zip(outputs.par_iter_mut())
            .zip(states.par_iter_mut())
            .for_each(|((x, o), s)| {
                dm.demean(x, o, s);
            });
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

/// Cholesky of a symmetric p×p matrix with detection of (near-)zero pivots.
/// Returns `Err(j)` with the first column whose pivot is ≤ `tol · a_jj`.
pub(crate) fn cholesky(a: &[f64], p: usize, tol: f64) -> std::result::Result<Vec<f64>, usize> {
    let mut l = vec![0.0; p * p];
    for j in 0..p {
        let mut d = a[j * p + j];
        for k in 0..j {
            d -= l[j * p + k] * l[j * p + k];
        }
        if d <= tol * a[j * p + j].abs() || d <= 0.0 || !d.is_finite() {
            return Err(j);
        }
        let dj = d.sqrt();
        l[j * p + j] = dj;
        for i in j + 1..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            l[i * p + j] = s / dj;
        }
    }
    Ok(l)
}

pub(crate) fn chol_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..p {
        let mut s = y[i];
        for k in 0..i {
            s -= l[i * p + k] * y[k];
        }
        y[i] = s / l[i * p + i];
    }
    for i in (0..p).rev() {
        let mut s = y[i];
        for k in i + 1..p {
            s -= l[k * p + i] * y[k];
        }
        y[i] = s / l[i * p + i];
    }
    y
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
    let l = cholesky(&a, p, 1e-14).map_err(|j| {
        GravityError::Singular(format!("regressor {j} became collinear during IRLS"))
    })?;
    Ok(Solved {
        beta: chol_solve(&l, p, &b),
        xtwx: a,
    })
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

impl PpmlParams {
    /// Fits `formula` on `panel` by PPML.
    pub fn fit(&self, formula: &Formula, panel: &Panel) -> Result<Fit> {
        let p = &self.0;
        with_par(p.par, || {
            let mut design = Design::build(
                panel,
                formula,
                &DesignOptions {
                    offset: p.offset.as_deref(),
                    weights: p.weights.as_deref(),
                    poisson: true,
                },
            )?;
            if p.separation == Separation::FixedEffectsAndRelu {
                let sep = crate::separation::relu_separated(&design, p.fe_tol, p.par == Par::Seq)?;
                design.remove(&sep, DropReason::Separated);
                if design.rows.is_empty() {
                    return Err(GravityError::NoObservations {
                        formula: formula.to_string(),
                        dropped: design.n_original,
                    });
                }
            }
            let mut fit = fit_poisson(design, formula, p)?;
            if p.vcov != VcovSpec::Iid {
                fit.set_vcov(p.vcov.clone(), Ssc::fixest(), panel)?;
            }
            Ok(fit)
        })?
    }
}

fn fit_poisson(mut d: Design, formula: &Formula, p: &PpmlParamsBuilder) -> Result<Fit> {
    let seq = p.par == Par::Seq;
    let n = d.y.len();
    let pw = d.weights.clone();
    let ctl = DemeanControl {
        tol: p.fe_tol,
        max_iter: p.fe_max_iter,
    };
    let wmean = {
        let (s, sw) = d.y.iter().enumerate().fold((0.0, 0.0), |(s, sw), (i, y)| {
            let w = pw.as_ref().map_or(1.0, |w| w[i]);
            (s + w * y, sw + w)
        });
        s / sw
    };
    let off = |i: usize| d.offset.as_ref().map_or(0.0, |o| o[i]);
    let mut mu: Vec<f64> = d.y.iter().map(|y| (y + wmean) / 2.0).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut dev = poisson_deviance(&d.y, &mu, pw.as_deref());
    let mut collinear = Vec::new();
    let mut names = d.names.clone();
    let mut k = d.x.len();
    let mut z = vec![0.0; n];
    let mut w = vec![0.0; n];
    let mut outs: Vec<Vec<f64>> = vec![vec![0.0; n]; k + 1];
    let mut states: Vec<ColumnState> = vec![ColumnState::default(); k + 1];
    let mut beta: Vec<f64> = Vec::new();
    let mut converged = false;
    let mut iterations = 0;
    let mut eta_new = vec![0.0; n];
    let mut mu_new = vec![0.0; n];
    let mut first = true;
    let layout = FeLayout::new(&d.fe);
    while iterations < p.max_iter {
        iterations += 1;
        for i in 0..n {
            w[i] = mu[i] * pw.as_ref().map_or(1.0, |pw| pw[i]);
            z[i] = eta[i] - off(i) + (d.y[i] - mu[i]) / mu[i];
        }
        let dm = Demeaner::with_layout(&d.fe, &layout, Some(&w), ctl);
        {
            let mut inputs: Vec<&[f64]> = vec![&z];
            inputs.extend(d.x.iter().map(|c| c.as_slice()));
            demean_columns(&dm, &inputs, &mut outs, &mut states, seq);
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
                k = d.x.len();
            }
        }
        let solved = solve_wls(&outs[1..], &outs[0], &w, seq)?;
        beta = solved.beta;
        // eta_new = offset + z - (z̃ - X̃β)
        for i in 0..n {
            let mut r = outs[0][i];
            for j in 0..k {
                r -= outs[j + 1][i] * beta[j];
            }
            eta_new[i] = off(i) + z[i] - r;
        }
        let mut dev_new;
        let mut halvings = 0;
        loop {
            for i in 0..n {
                mu_new[i] = eta_new[i].exp();
            }
            dev_new = poisson_deviance(&d.y, &mu_new, pw.as_deref());
            let ok = dev_new.is_finite() && mu_new.iter().all(|m| *m > 0.0 && m.is_finite());
            if ok && (dev_new <= dev * (1.0 + 1e-10) + 1e-10 || halvings >= 20 || iterations == 1) {
                break;
            }
            halvings += 1;
            for i in 0..n {
                eta_new[i] = 0.5 * (eta_new[i] + eta[i]);
            }
        }
        let crit = (dev_new - dev).abs() / (0.1 + dev_new.abs());
        std::mem::swap(&mut eta, &mut eta_new);
        std::mem::swap(&mut mu, &mut mu_new);
        dev = dev_new;
        if crit < p.tol {
            converged = true;
            break;
        }
    }
    // Final demeaning of X with the weights at the solution (for the variance).
    for i in 0..n {
        w[i] = mu[i] * pw.as_ref().map_or(1.0, |pw| pw[i]);
    }
    let dm = Demeaner::with_layout(&d.fe, &layout, Some(&w), ctl);
    let mut xt: Vec<Vec<f64>> = vec![vec![0.0; n]; k];
    {
        let inputs: Vec<&[f64]> = d.x.iter().map(|c| c.as_slice()).collect();
        demean_columns(&dm, &inputs, &mut xt, &mut states[1..], seq);
    }
    let (xtwx, _) = cross_products(&xt, &vec![0.0; n], &w, seq);
    // Scores s_i = pw_i (y_i - mu_i) x̃_i.
    let score_w: Vec<f64> = (0..n)
        .map(|i| pw.as_ref().map_or(1.0, |pw| pw[i]) * (d.y[i] - mu[i]))
        .collect();
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
    };
    Fit::assemble(
        Estimator::Ppml,
        formula.clone(),
        names,
        beta,
        collinear,
        d.dropped,
        d.n_original,
        iterations,
        converged,
        dev,
        null_deviance,
        Some((loglik, null_loglik)),
        store,
    )
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
    };
    Fit::assemble(
        Estimator::Ols,
        formula.clone(),
        names,
        beta,
        collinear,
        d.dropped,
        d.n_original,
        1,
        true,
        rss,
        tss,
        None,
        store,
    )
}
