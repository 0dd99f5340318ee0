//! Separation in Poisson models, detected as ppmlhdfe does (Correia,
//! Guimarães & Zylkin 2021, "Verifying the existence of maximum likelihood
//! estimates for generalized linear models", arXiv:1903.01633; the ppmlhdfe
//! documentation and its `separation()` option).
//!
//! An observation with `y = 0` is *separated* when some linear combination
//! `z = Xγ + Dα` of the regressors and fixed effects is 0 on every `y > 0`
//! observation, ≥ 0 on every `y = 0` one and > 0 on it: along that direction
//! the likelihood keeps increasing, its mean tends to 0 and the MLE does not
//! exist. Dropping the separated observations gives the same estimates of
//! the identified coefficients as the limit (the regressors of `γ` then
//! become collinear and are removed). The methods:
//!
//! * `fe` — observations in a fixed-effect group whose outcome is zero
//!   throughout (iteratively; the special case `z` = that group's dummy).
//! * `simplex` — the regressors alone (plus the constant, which the fixed
//!   effects span): `γ` in the null space of the `y > 0` rows of `X`, and a
//!   linear program `max Σ z_i s.t. 0 ≤ z_i ≤ 1` over the `y = 0` rows finds
//!   those that can be positive. Exact, but blind to fixed effects.
//! * `relu` — the iterated rectifier: regress `u` (start: `1(y = 0)`) on the
//!   regressors and fixed effects by least squares with a huge weight `M` on
//!   `y > 0` rows (which forces the fit to ≈ 0 there), set `u = max(fit, 0)`
//!   on the `y = 0` rows, and repeat until no fit is negative (the positive
//!   ones are separated) or no residual is negative. Handles any mix of
//!   regressors and fixed effects. Tolerances are ppmlhdfe's: `M =
//!   ⌈ε^(−1/2)⌉`, `tol = 1e-4`, zero tolerance `1e-8`, 100 iterations.
//! * `mu` — during IRLS, a `y = 0` observation whose linear predictor falls
//!   below `ln(1e-6)` (for the outcome scaled to unit standard deviation,
//!   lowered when `min η` over `y > 0` is below −5) is flagged; flagged
//!   observations are dropped and IRLS restarts. A heuristic backstop.
//!
//! ppmlhdfe's default is `fe simplex relu`; so is pivot's
//! ([`Separation::default`]).

use std::fmt;

use crate::demean::demean_columns;
use crate::demean::{ColumnState, DemeanControl, Demeaner};
use crate::design::Design;
use crate::error::{GravityError, Result};
use crate::linalg::{chol_solve, cholesky};

pub use crate::separation_method::SeparationMethod;

/// The set of separation checks PPML runs (ppmlhdfe's `separation()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Separation(u8);

impl Separation {
    /// No check (fixest's `fixef.rm = "none"`).
    pub const NONE: Separation = Separation(0);
    /// Only all-zero fixed-effect groups: fixest's and pyfixest's default.
    pub const FE: Separation = Separation(1);
    /// ppmlhdfe's default: `fe simplex relu`.
    pub const DEFAULT: Separation = Separation(0b0111);
    /// Every method: `fe simplex relu mu`.
    pub const ALL: Separation = Separation(0b1111);

    /// This set with `m` added.
    pub fn with(self, m: SeparationMethod) -> Separation {
        Separation(self.0 | m.bit())
    }

    /// This set without `m`.
    pub fn without(self, m: SeparationMethod) -> Separation {
        Separation(self.0 & !m.bit())
    }

    /// Whether `m` is in the set.
    pub fn contains(self, m: SeparationMethod) -> bool {
        self.0 & m.bit() != 0
    }

    /// The methods in the set, in the order they run.
    pub fn methods(self) -> Vec<SeparationMethod> {
        SeparationMethod::ALL
            .into_iter()
            .filter(|m| self.contains(*m))
            .collect()
    }

    /// The accepted spellings, for help texts.
    pub const HELP: &'static str =
        "comma-separated methods fe, simplex, relu, mu; or none, default (fe,simplex,relu), all";
}

impl Default for Separation {
    fn default() -> Self {
        Separation::DEFAULT
    }
}

impl fmt::Display for Separation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("none");
        }
        let v: Vec<&str> = self.methods().iter().map(|m| m.name()).collect();
        f.write_str(&v.join(","))
    }
}

impl std::str::FromStr for Separation {
    type Err = GravityError;
    /// Parses `fe,simplex,relu,mu` (any subset, commas or spaces; `ir` is
    /// `relu`, as in ppmlhdfe), `none`, `default` or `all`.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "none" | "no" | "off" => return Ok(Separation::NONE),
            "" | "default" | "def" | "on" => return Ok(Separation::DEFAULT),
            "all" | "full" => return Ok(Separation::ALL),
            _ => {}
        }
        let mut set = Separation::NONE;
        for part in t.split([',', ' ']).filter(|p| !p.is_empty()) {
            let m = match part {
                "fe" => SeparationMethod::Fe,
                "simplex" => SeparationMethod::Simplex,
                "relu" | "ir" => SeparationMethod::Relu,
                "mu" => SeparationMethod::Mu,
                other => {
                    return Err(GravityError::InvalidParameter {
                        name: "separation",
                        value: other.to_string(),
                        reason: Separation::HELP.into(),
                    });
                }
            };
            set = set.with(m);
        }
        Ok(set)
    }
}

/// What the separation checks did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeparationReport {
    /// The methods that ran.
    pub methods: Vec<SeparationMethod>,
    /// Observations dropped by each method that ran (in run order).
    pub dropped: Vec<(SeparationMethod, usize)>,
    /// Panel rows dropped by any method (ascending).
    pub rows: Vec<usize>,
    /// Regressors that were identified on the full sample but became
    /// constant or collinear once the separated observations were dropped
    /// (their estimates would be ±∞); removed from the model.
    pub collinear: Vec<String>,
    /// Iterations of the ReLU method (0 when it did not run).
    pub relu_iterations: usize,
    /// Checks that could not finish (iteration caps), with their last state.
    pub notes: Vec<String>,
}

impl SeparationReport {
    /// Observations dropped by `m`.
    pub fn count(&self, m: SeparationMethod) -> usize {
        self.dropped
            .iter()
            .filter(|(k, _)| *k == m)
            .map(|(_, c)| c)
            .sum()
    }
}

// ---------------------------------------------------------------------------
// Simplex

/// Regressor columns used by the simplex and dense ReLU solvers: the
/// design's, plus a constant when fixed effects absorb the intercept.
fn regressors_with_constant(d: &Design) -> Vec<Vec<f64>> {
    let mut x = d.x.clone();
    if !d.fe.dims.is_empty() {
        x.push(vec![1.0; d.y.len()]);
    }
    x
}

/// Result of the linear program: the maximal `z` found.
struct LpOutcome {
    z: Vec<f64>,
    converged: bool,
}

/// `max Σ_i a_i·δ  s.t.  0 ≤ a_i·δ ≤ 1` over free `δ ∈ R^d`, by the
/// dictionary simplex method with Bland's rule (no cycling), starting from
/// the feasible `δ = 0`. Returns `z = Aδ`.
fn lp_max_sum(a: &[Vec<f64>], d: usize, max_pivots: usize) -> LpOutcome {
    let n0 = a.len();
    let nn = 2 * d; // δ⁺, δ⁻
    let m = 2 * n0;
    let tol = 1e-9;
    // Dictionary: x_B = b − D x_N; objective = z0 + c·x_N.
    let mut dm = vec![0.0; m * nn];
    let mut b = vec![0.0; m];
    for (i, ai) in a.iter().enumerate() {
        for j in 0..d {
            // s_i = 1 − a_i δ
            dm[(2 * i) * nn + j] = ai[j];
            dm[(2 * i) * nn + d + j] = -ai[j];
            // t_i = a_i δ
            dm[(2 * i + 1) * nn + j] = -ai[j];
            dm[(2 * i + 1) * nn + d + j] = ai[j];
        }
        b[2 * i] = 1.0;
    }
    let mut c = vec![0.0; nn];
    for ai in a {
        for j in 0..d {
            c[j] += ai[j];
            c[d + j] -= ai[j];
        }
    }
    let mut nonbasic: Vec<usize> = (0..nn).collect();
    let mut basic: Vec<usize> = (nn..nn + m).collect();
    let mut converged = false;
    for _ in 0..max_pivots {
        // Bland: entering = smallest variable index with positive reduced cost.
        let mut enter: Option<usize> = None;
        for j in 0..nn {
            if c[j] > tol && enter.is_none_or(|e| nonbasic[j] < nonbasic[e]) {
                enter = Some(j);
            }
        }
        let Some(j) = enter else {
            converged = true;
            break;
        };
        let mut leave: Option<(usize, f64)> = None;
        for r in 0..m {
            let v = dm[r * nn + j];
            if v > tol {
                let ratio = b[r] / v;
                leave = match leave {
                    None => Some((r, ratio)),
                    Some((lr, lv)) => {
                        if ratio < lv - 1e-12 || (ratio <= lv + 1e-12 && basic[r] < basic[lr]) {
                            Some((r, ratio))
                        } else {
                            Some((lr, lv))
                        }
                    }
                };
            }
        }
        let Some((r, _)) = leave else {
            // Unbounded cannot happen (the objective is at most n0); stop.
            break;
        };
        let piv = dm[r * nn + j];
        // Row r.
        b[r] /= piv;
        for k in 0..nn {
            if k != j {
                dm[r * nn + k] /= piv;
            }
        }
        dm[r * nn + j] = 1.0 / piv;
        // Other rows.
        for i in 0..m {
            if i == r {
                continue;
            }
            let f = dm[i * nn + j];
            if f == 0.0 {
                continue;
            }
            b[i] -= f * b[r];
            for k in 0..nn {
                if k != j {
                    dm[i * nn + k] -= f * dm[r * nn + k];
                }
            }
            dm[i * nn + j] = -f / piv;
        }
        let cj = c[j];
        for k in 0..nn {
            if k != j {
                c[k] -= cj * dm[r * nn + k];
            }
        }
        c[j] = -cj / piv;
        std::mem::swap(&mut basic[r], &mut nonbasic[j]);
    }
    let mut x = vec![0.0; nn];
    for (r, &v) in basic.iter().enumerate() {
        if v < nn {
            x[v] = b[r];
        }
    }
    let delta: Vec<f64> = (0..d).map(|j| x[j] - x[d + j]).collect();
    let z = a
        .iter()
        .map(|ai| ai.iter().zip(&delta).map(|(p, q)| p * q).sum())
        .collect();
    LpOutcome { z, converged }
}

/// `simplex` method: separated observations of `d` found from the
/// regressors (and constant) alone. Returns the mask and a note when the
/// linear program hit its pivot cap.
pub(crate) fn simplex_separated(d: &Design) -> (Vec<bool>, Option<String>) {
    let n = d.y.len();
    let mut sep = vec![false; n];
    let x = regressors_with_constant(d);
    let p = x.len();
    let zeros: Vec<usize> = (0..n).filter(|&i| d.y[i] == 0.0).collect();
    if p == 0 || zeros.is_empty() {
        return (sep, None);
    }
    // Standardise columns (scale by max |x|) so tolerances are relative.
    let scale: Vec<f64> = x
        .iter()
        .map(|c| c.iter().fold(0.0f64, |m, v| m.max(v.abs())))
        .collect();
    let pos: Vec<usize> = (0..n).filter(|&i| d.y[i] > 0.0).collect();
    // Null space of the y > 0 rows: R of a QR, then the SVD of R.
    let xp = nalgebra::DMatrix::from_fn(pos.len(), p, |r, c| {
        if scale[c] > 0.0 {
            x[c][pos[r]] / scale[c]
        } else {
            0.0
        }
    });
    let rmat = if pos.len() > p {
        xp.qr().r()
    } else {
        xp.clone()
    };
    let mut rsq = nalgebra::DMatrix::zeros(p.max(rmat.nrows()), p);
    rsq.view_mut((0, 0), (rmat.nrows(), p)).copy_from(&rmat);
    let svd = rsq.svd(false, true);
    let Some(vt) = svd.v_t else {
        return (sep, Some("simplex: SVD failed; skipped".into()));
    };
    let smax = svd.singular_values.iter().fold(0.0f64, |m, v| m.max(*v));
    let null: Vec<Vec<f64>> = (0..p)
        .filter(|&k| svd.singular_values[k] <= 1e-9 * smax.max(1e-300) || smax == 0.0)
        .map(|k| (0..p).map(|c| vt[(k, c)]).collect())
        .collect();
    if null.is_empty() {
        return (sep, None);
    }
    let dn = null.len();
    // z_i = a_i δ with a_i = x_i N (standardised x).
    let mut rows: Vec<usize> = Vec::new();
    let mut a: Vec<Vec<f64>> = Vec::new();
    for &i in &zeros {
        let ai: Vec<f64> = (0..dn)
            .map(|k| {
                (0..p)
                    .map(|c| {
                        if scale[c] > 0.0 {
                            x[c][i] / scale[c] * null[k][c]
                        } else {
                            0.0
                        }
                    })
                    .sum()
            })
            .collect();
        if ai.iter().any(|v| v.abs() > 1e-9) {
            rows.push(i);
            a.push(ai);
        }
    }
    let mut note = None;
    // Repeat: each LP finds at least one separated row or none are left.
    while !a.is_empty() {
        let out = lp_max_sum(&a, dn, 20_000);
        if !out.converged {
            note = Some(format!(
                "simplex: linear program stopped at its pivot cap (20000) with {} candidate rows",
                a.len()
            ));
        }
        let found: Vec<bool> = out.z.iter().map(|z| *z > 1e-7).collect();
        if !found.iter().any(|f| *f) {
            break;
        }
        let mut na = Vec::new();
        let mut nr = Vec::new();
        for (k, f) in found.iter().enumerate() {
            if *f {
                sep[rows[k]] = true;
            } else {
                na.push(a[k].clone());
                nr.push(rows[k]);
            }
        }
        a = na;
        rows = nr;
        if note.is_some() {
            break;
        }
    }
    (sep, note)
}

// ---------------------------------------------------------------------------
// ReLU

/// Least-squares fits of a varying outcome on fixed regressors and fixed
/// effects with fixed weights.
enum LsSolver<'a> {
    /// Dense: the thin left singular vectors of `√W [X D]` (rank `r`).
    Dense {
        u: nalgebra::DMatrix<f64>,
        sw: Vec<f64>,
    },
    /// Iterative: alternating projections for the fixed effects, the
    /// demeaned regressors kept.
    Iterative {
        dm: Box<Demeaner<'a>>,
        xt: Vec<Vec<f64>>,
        keep: Vec<usize>,
        chol: Vec<f64>,
        w: &'a [f64],
        state: ColumnState,
        out: Vec<f64>,
        unconverged: usize,
    },
}

/// Problems up to this many `rows × columns²` use the dense solver.
const DENSE_WORK: f64 = 2e8;

impl<'a> LsSolver<'a> {
    fn new(d: &'a Design, w: &'a [f64], fe_tol: f64, fe_max_iter: usize, seq: bool) -> Self {
        let n = d.y.len();
        let total: usize = d.x.len() + d.fe.total_levels() + usize::from(!d.fe.dims.is_empty());
        if (n as f64) * (total as f64).powi(2) <= DENSE_WORK {
            let x = regressors_with_constant(d);
            let sw: Vec<f64> = w.iter().map(|v| v.sqrt()).collect();
            let mut cols = x.len();
            let mut offs = Vec::new();
            for dim in &d.fe.dims {
                offs.push(cols);
                cols += dim.n_levels();
            }
            let mut m = nalgebra::DMatrix::zeros(n, cols.max(1));
            for (c, col) in x.iter().enumerate() {
                for i in 0..n {
                    m[(i, c)] = col[i] * sw[i];
                }
            }
            for (q, dim) in d.fe.dims.iter().enumerate() {
                for i in 0..n {
                    m[(i, offs[q] + dim.codes[i] as usize)] = sw[i];
                }
            }
            let svd = m.svd(true, false);
            let s = &svd.singular_values;
            let smax = s.iter().fold(0.0f64, |a, b| a.max(*b));
            let keep: Vec<usize> = (0..s.len()).filter(|&k| s[k] > 1e-11 * smax).collect();
            let uf = svd.u.unwrap_or_else(|| nalgebra::DMatrix::zeros(n, 0));
            let u = nalgebra::DMatrix::from_fn(n, keep.len(), |i, k| uf[(i, keep[k])]);
            return LsSolver::Dense { u, sw };
        }
        let ctl = DemeanControl {
            // ppmlhdfe: regtol = relu_tol² = 1e-8.
            tol: fe_tol.max(1e-8),
            max_iter: fe_max_iter,
        };
        let dm = Box::new(Demeaner::new(&d.fe, Some(w), ctl));
        let k = d.x.len();
        let mut xt = vec![vec![0.0; n]; k];
        let mut states = vec![ColumnState::default(); k];
        let inputs: Vec<&[f64]> = d.x.iter().map(|c| c.as_slice()).collect();
        demean_columns(&dm, &inputs, &mut xt, &mut states, seq);
        let mut a = vec![0.0; k * k];
        for j in 0..k {
            for l in 0..=j {
                let s: f64 = (0..n).map(|i| xt[j][i] * xt[l][i] * w[i]).sum();
                a[j * k + l] = s;
                a[l * k + j] = s;
            }
        }
        let mut keep: Vec<usize> = (0..k).collect();
        let chol = loop {
            let q = keep.len();
            let mut sub = vec![0.0; q * q];
            for (r, &i) in keep.iter().enumerate() {
                for (c, &j) in keep.iter().enumerate() {
                    sub[r * q + c] = a[i * k + j];
                }
            }
            match cholesky(&sub, q, 1e-9) {
                Ok(l) => break l,
                Err(j) => {
                    keep.remove(j);
                }
            }
        };
        let unconverged = states.iter().filter(|s| !s.last_converged).count();
        LsSolver::Iterative {
            dm,
            xt,
            keep,
            chol,
            w,
            state: ColumnState::default(),
            out: vec![0.0; n],
            unconverged,
        }
    }

    /// Fitted values of the weighted regression of `u`.
    fn fitted(&mut self, u: &[f64]) -> Vec<f64> {
        match self {
            LsSolver::Dense { u: uu, sw } => {
                let n = u.len();
                let v = nalgebra::DVector::from_fn(n, |i, _| u[i] * sw[i]);
                let coef = uu.tr_mul(&v);
                let p = &*uu * coef;
                (0..n).map(|i| p[i] / sw[i]).collect()
            }
            LsSolver::Iterative {
                dm,
                xt,
                keep,
                chol,
                w,
                state,
                out,
                unconverged,
            } => {
                let n = u.len();
                dm.demean(u, out, state);
                if !state.last_converged {
                    *unconverged += 1;
                }
                let b: Vec<f64> = keep
                    .iter()
                    .map(|&j| (0..n).map(|i| xt[j][i] * w[i] * out[i]).sum())
                    .collect();
                let beta = chol_solve(chol, keep.len(), &b);
                (0..n)
                    .map(|i| {
                        let mut r = out[i];
                        for (c, &j) in keep.iter().enumerate() {
                            r -= xt[j][i] * beta[c];
                        }
                        u[i] - r
                    })
                    .collect()
            }
        }
    }

    fn unconverged(&self) -> usize {
        match self {
            LsSolver::Dense { .. } => 0,
            LsSolver::Iterative { unconverged, .. } => *unconverged,
        }
    }
}

/// Tolerances of the ReLU method (ppmlhdfe's defaults).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReluControl {
    pub tol: f64,
    pub zero_tol: f64,
    pub max_iter: usize,
}

impl Default for ReluControl {
    fn default() -> Self {
        ReluControl {
            tol: 1e-4,
            zero_tol: 1e-8,
            max_iter: 100,
        }
    }
}

/// Outcome of the ReLU method.
pub(crate) struct ReluOutcome {
    pub separated: Vec<bool>,
    pub iterations: usize,
    pub note: Option<String>,
}

/// `relu` method: separated observations of `d` (regressors and fixed effects).
pub(crate) fn relu_separated(
    d: &Design,
    ctl: ReluControl,
    fe_tol: f64,
    fe_max_iter: usize,
    seq: bool,
) -> Result<ReluOutcome> {
    let n = d.y.len();
    let boundary: Vec<bool> = d.y.iter().map(|y| *y == 0.0).collect();
    let nb = boundary.iter().filter(|b| **b).count();
    if nb == 0 {
        return Ok(ReluOutcome {
            separated: vec![false; n],
            iterations: 0,
            note: None,
        });
    }
    let big = (f64::EPSILON.powf(-0.5)).ceil();
    let w: Vec<f64> = boundary
        .iter()
        .map(|b| if *b { 1.0 } else { big })
        .collect();
    // ‖X‖₁ (largest column sum of |x|) on each sample, as ppmlhdfe scales ε.
    let norm1 = |on_boundary: bool| -> f64 {
        d.x.iter()
            .map(|c| {
                c.iter()
                    .zip(&boundary)
                    .filter(|(_, b)| **b == on_boundary)
                    .map(|(v, _)| v.abs())
                    .sum::<f64>()
            })
            .fold(0.0, f64::max)
    };
    let (nb1, ni1) = (norm1(true), norm1(false));
    let ratio = if nb1 > 0.0 && ni1 > 0.0 {
        (nb1 / ni1).max(1.0)
    } else {
        1.0
    };
    let mut solver = LsSolver::new(d, &w, fe_tol, fe_max_iter, seq);
    let mut u: Vec<f64> = boundary.iter().map(|b| f64::from(u8::from(*b))).collect();
    for iter in 1..=ctl.max_iter {
        let fit = solver.fitted(&u);
        let uu: f64 = u.iter().map(|v| v * v).sum();
        let eps = (uu / big * ratio * ratio).max(1e-8);
        let delta = eps + ctl.tol;
        let mut xbd = fit.clone();
        for i in 0..n {
            if !boundary[i] || (xbd[i] >= -0.1 * delta && xbd[i] <= delta) {
                xbd[i] = 0.0;
            }
        }
        let mask =
            |xbd: &[f64]| -> Vec<bool> { (0..n).map(|i| boundary[i] && xbd[i] > 0.0).collect() };
        if (0..n).all(|i| !boundary[i] || xbd[i] >= 0.0) {
            return Ok(ReluOutcome {
                separated: mask(&xbd),
                iterations: iter,
                note: unconverged_note(&solver),
            });
        }
        let resid: Vec<f64> = (0..n)
            .map(|i| {
                let r = u[i] - fit[i];
                if r.abs() < ctl.zero_tol { 0.0 } else { r }
            })
            .collect();
        if (0..n).all(|i| !boundary[i] || resid[i] >= 0.0) {
            for i in 0..n {
                if boundary[i] && resid[i] > delta {
                    xbd[i] = 0.0;
                }
            }
            return Ok(ReluOutcome {
                separated: mask(&xbd),
                iterations: iter,
                note: unconverged_note(&solver),
            });
        }
        if iter == ctl.max_iter {
            let neg = (0..n).filter(|&i| boundary[i] && xbd[i] < 0.0).count();
            return Ok(ReluOutcome {
                separated: vec![false; n],
                iterations: iter,
                note: Some(format!(
                    "relu: no certificate within {} iterations ({neg} fitted values still negative); nothing dropped by relu",
                    ctl.max_iter
                )),
            });
        }
        for i in 0..n {
            u[i] = if boundary[i] { xbd[i].max(0.0) } else { 0.0 };
        }
    }
    Ok(ReluOutcome {
        separated: vec![false; n],
        iterations: ctl.max_iter,
        note: None,
    })
}

fn unconverged_note(s: &LsSolver<'_>) -> Option<String> {
    let k = s.unconverged();
    (k > 0).then(|| {
        format!("relu: {k} fixed-effect projections stopped at the sweep cap; the check may have missed separated observations")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_sets() {
        let s: Separation = "fe,simplex,relu".parse().unwrap();
        assert_eq!(s, Separation::DEFAULT);
        assert_eq!(s.to_string(), "fe,simplex,relu");
        assert_eq!("none".parse::<Separation>().unwrap(), Separation::NONE);
        assert_eq!(
            "all".parse::<Separation>().unwrap().to_string(),
            "fe,simplex,relu,mu"
        );
        assert_eq!(
            "ir mu".parse::<Separation>().unwrap().to_string(),
            "relu,mu"
        );
        let e = "fe,lp".parse::<Separation>().unwrap_err().to_string();
        assert!(e.contains("'lp'") || e.contains("lp"), "{e}");
    }

    #[test]
    fn lp_finds_the_separating_direction() {
        // Rows a_i (d = 1): z = a δ. With a = (1, 2, 0.5) the maximum of
        // Σ z s.t. 0 ≤ z ≤ 1 is at δ = 0.5: z = (0.5, 1, 0.25) (hand-computed).
        let out = lp_max_sum(&[vec![1.0], vec![2.0], vec![0.5]], 1, 100);
        assert!(out.converged);
        assert!((out.z[1] - 1.0).abs() < 1e-12 && (out.z[0] - 0.5).abs() < 1e-12);
        // Opposite signs: only δ = 0 is feasible, z = 0.
        let out = lp_max_sum(&[vec![1.0], vec![-1.0]], 1, 100);
        assert!(out.z.iter().all(|z| z.abs() < 1e-12));
    }
}
