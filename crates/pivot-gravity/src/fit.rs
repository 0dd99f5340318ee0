//! Fitted models: coefficients, variance chosen after fitting, fixest-like
//! tables and tidy rows.

use std::fmt::Write as _;

use crate::demean::{ColumnState, DemeanControl, Demeaner, FixedEffects};
use crate::design::Dropped;
use crate::error::Result;
use crate::formula::{Formula, Term};
use crate::panel::Panel;
use crate::separation::SeparationReport;
use crate::stats::normal_two_sided_p;
use crate::vcov_spec::{Ssc, VcovSpec};

/// Which estimator produced a fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimator {
    /// Poisson pseudo-maximum likelihood.
    Ppml,
    /// Ordinary (weighted) least squares.
    Ols,
}

/// What the estimator keeps for post-estimation (variance, fixed effects).
#[derive(Debug, Clone)]
pub(crate) struct FitStore {
    pub rows: Vec<usize>,
    pub xt: Vec<Vec<f64>>,
    pub score_w: Vec<f64>,
    pub xtwx: Vec<f64>,
    pub fe: FixedEffects,
    pub linear_predictor: Vec<f64>,
    pub fitted: Vec<f64>,
    pub offset: Option<Vec<f64>>,
    pub x: Vec<Vec<f64>>,
    pub y: Vec<f64>,
    /// OLS: the prior weights (marks the fit as OLS for the iid variance).
    pub rss_weights: Option<Vec<f64>>,
    /// Fixed-effect coefficients (flattened by dimension) consistent with
    /// the linear predictor, from the last demeaning: `α_z − Σ_j β_j α_xj`.
    pub fe_alpha: Option<Vec<f64>>,
}

/// One row of a coefficient table.
#[derive(Debug, Clone, PartialEq)]
pub struct CoefRow {
    /// Term name.
    pub term: String,
    /// Point estimate.
    pub estimate: f64,
    /// Standard error.
    pub std_error: f64,
    /// z statistic.
    pub z: f64,
    /// Two-sided normal p-value.
    pub p: f64,
}

/// Estimated fixed-effect coefficients of one dimension (like ppmlhdfe's
/// `savefe` and fixest's `fixef()`).
///
/// Normalisation: only the sum of the fixed effects of an observation is
/// identified. The first level (in order of first appearance in the
/// estimation sample) of every dimension after the first is set to 0, and
/// the first dimension absorbs the constant, as fixest does for two
/// dimensions. With three or more dimensions, or fixed-effect graphs that
/// fall into several connected components, further levels are not
/// separately identified; the values are then one solution among many, but
/// their sums (and so predictions) are exact.
#[derive(Debug, Clone, PartialEq)]
pub struct FeEstimates {
    /// Term name (`exp^year`).
    pub name: String,
    /// Level names.
    pub levels: Vec<String>,
    /// Coefficients, one per level.
    pub values: Vec<f64>,
    /// The level set to 0 (`None` for the first dimension).
    pub reference: Option<String>,
}

/// Why IRLS stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The relative change in deviance fell below the tolerance.
    Converged,
    /// The iteration cap (`max_iter`) was reached first.
    MaxIterations,
    /// Step-halving could not find a finite deviance with valid means;
    /// the last valid iterate is reported.
    StepHalvingFailed,
    /// A closed-form fit (OLS).
    Exact,
}

/// How the fit ended: IRLS iterations and criterion, and how the
/// fixed-effect demeaning fared.
#[derive(Debug, Clone, PartialEq)]
pub struct Convergence {
    /// Whether IRLS converged.
    pub converged: bool,
    /// IRLS iterations (1 for OLS).
    pub iterations: usize,
    /// The last criterion `|dev − dev_old| / (0.1 + |dev|)` (0 for OLS).
    pub criterion: f64,
    /// The tolerance it was compared with.
    pub tol: f64,
    /// Why IRLS stopped.
    pub stop: StopReason,
    /// Demeaning calls that stopped at the sweep cap (`fe_max_iter`)
    /// before reaching `fe_tol`.
    pub demean_capped: usize,
    /// Demeaning sweeps over all IRLS iterations and columns.
    pub demean_sweeps: usize,
    /// Step-halvings over all iterations.
    pub step_halvings: usize,
}

impl Convergence {
    pub(crate) fn exact() -> Self {
        Convergence {
            converged: true,
            iterations: 1,
            criterion: 0.0,
            tol: 0.0,
            stop: StopReason::Exact,
            demean_capped: 0,
            demean_sweeps: 0,
            step_halvings: 0,
        }
    }
}

impl std::fmt::Display for Convergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.stop {
            StopReason::Exact => write!(f, "exact (least squares)")?,
            StopReason::Converged => write!(
                f,
                "converged in {} IRLS iterations (criterion {:.2e} < {:.0e})",
                self.iterations, self.criterion, self.tol
            )?,
            StopReason::MaxIterations => write!(
                f,
                "NOT converged: {} IRLS iterations reached (last criterion {:.3e}, tolerance {:.0e})",
                self.iterations, self.criterion, self.tol
            )?,
            StopReason::StepHalvingFailed => write!(
                f,
                "NOT converged: step-halving found no finite deviance at iteration {} (last criterion {:.3e}); separation not removed? try --separation all",
                self.iterations, self.criterion
            )?,
        }
        if self.demean_capped > 0 {
            write!(
                f,
                "; {} demeaning calls stopped at the sweep cap",
                self.demean_capped
            )?;
        }
        Ok(())
    }
}

/// Everything a fit is assembled from.
pub(crate) struct FitParts {
    pub estimator: Estimator,
    pub formula: Formula,
    pub names: Vec<String>,
    pub beta: Vec<f64>,
    pub collinear: Vec<String>,
    pub dropped: Vec<Dropped>,
    pub n_original: usize,
    pub convergence: Convergence,
    pub deviance: f64,
    pub null_deviance: f64,
    pub loglik: Option<(f64, f64)>,
    pub store: FitStore,
    pub separation: SeparationReport,
    pub offset_column: Option<String>,
}

/// A fitted PPML or OLS model.
#[derive(Debug, Clone)]
pub struct Fit {
    estimator: Estimator,
    formula: Formula,
    names: Vec<String>,
    beta: Vec<f64>,
    collinear: Vec<String>,
    dropped: Vec<Dropped>,
    n_original: usize,
    convergence: Convergence,
    deviance: f64,
    null_deviance: f64,
    loglik: Option<(f64, f64)>,
    pub(crate) store: FitStore,
    vcov: Vec<f64>,
    vcov_spec: VcovSpec,
    ssc: Ssc,
    separation: SeparationReport,
    offset_column: Option<String>,
}

impl Fit {
    /// The fit from its parts, without a variance yet (`vcov.rs` computes it: see
    /// `Fit::assemble`).
    pub(crate) fn from_parts(parts: FitParts) -> Fit {
        Fit {
            estimator: parts.estimator,
            formula: parts.formula,
            names: parts.names,
            beta: parts.beta,
            collinear: parts.collinear,
            dropped: parts.dropped,
            n_original: parts.n_original,
            convergence: parts.convergence,
            deviance: parts.deviance,
            null_deviance: parts.null_deviance,
            loglik: parts.loglik,
            store: parts.store,
            vcov: vec![],
            vcov_spec: VcovSpec::Iid,
            ssc: Ssc::fixest(),
            separation: parts.separation,
            offset_column: parts.offset_column,
        }
    }

    /// Set the variance as computed for `spec` and `ssc` (by `vcov.rs`).
    pub(crate) fn put_vcov(&mut self, vcov: Vec<f64>, spec: VcovSpec, ssc: Ssc) {
        self.vcov = vcov;
        self.vcov_spec = spec;
        self.ssc = ssc;
    }

    /// A copy of this fit with another variance (fixest's small-sample
    /// defaults). No refit.
    pub fn vcov(&self, spec: VcovSpec, panel: &Panel) -> Result<Fit> {
        self.vcov_ssc(spec, Ssc::fixest(), panel)
    }

    /// A copy of this fit with another variance and small-sample correction.
    pub fn vcov_ssc(&self, spec: VcovSpec, ssc: Ssc, panel: &Panel) -> Result<Fit> {
        let mut f = self.clone();
        f.set_vcov(spec, ssc, panel)?;
        Ok(f)
    }

    /// The estimator.
    pub fn estimator(&self) -> Estimator {
        self.estimator
    }
    /// The formula.
    pub fn formula(&self) -> &Formula {
        &self.formula
    }
    /// Names of the estimated coefficients (collinear ones removed).
    pub fn coef_names(&self) -> &[String] {
        &self.names
    }
    /// Coefficient estimates, in the order of [`Fit::coef_names`].
    pub fn coefficients(&self) -> &[f64] {
        &self.beta
    }
    /// The estimate of one term.
    pub fn coef(&self, term: &str) -> Option<f64> {
        self.index(term).map(|i| self.beta[i])
    }
    fn index(&self, term: &str) -> Option<usize> {
        self.names.iter().position(|n| n == term)
    }
    /// The variance matrix, row-major p×p.
    pub fn vcov_matrix(&self) -> &[f64] {
        &self.vcov
    }
    /// The variance in use.
    pub fn vcov_spec(&self) -> &VcovSpec {
        &self.vcov_spec
    }
    /// The small-sample correction in use.
    pub fn ssc(&self) -> Ssc {
        self.ssc
    }
    /// Standard errors in coefficient order.
    pub fn std_errors(&self) -> Vec<f64> {
        let p = self.beta.len();
        (0..p).map(|i| self.vcov[i * p + i].sqrt()).collect()
    }
    /// Standard error of one term.
    pub fn se(&self, term: &str) -> Option<f64> {
        let p = self.beta.len();
        self.index(term).map(|i| self.vcov[i * p + i].sqrt())
    }
    /// Regressors dropped because they were collinear (with each other or the FE).
    pub fn collinear(&self) -> &[String] {
        &self.collinear
    }
    /// Observations dropped before estimation, by reason.
    pub fn dropped(&self) -> &[Dropped] {
        &self.dropped
    }
    /// Total observations dropped.
    pub fn n_dropped(&self) -> usize {
        self.dropped.iter().map(|d| d.count).sum()
    }
    /// Observations used.
    pub fn nobs(&self) -> usize {
        self.store.rows.len()
    }
    /// Rows of the panel before dropping.
    pub fn n_original(&self) -> usize {
        self.n_original
    }
    /// Panel row index of each observation used.
    pub fn rows(&self) -> &[usize] {
        &self.store.rows
    }
    /// IRLS iterations (1 for OLS).
    pub fn iterations(&self) -> usize {
        self.convergence.iterations
    }
    /// Whether IRLS converged (always true for OLS).
    pub fn converged(&self) -> bool {
        self.convergence.converged
    }
    /// How IRLS and the demeaning ended (criterion, caps hit).
    pub fn convergence(&self) -> &Convergence {
        &self.convergence
    }
    /// What the separation checks did (PPML; empty for OLS).
    pub fn separation(&self) -> &SeparationReport {
        &self.separation
    }
    /// PPML: Poisson deviance. OLS: residual sum of squares.
    pub fn deviance(&self) -> f64 {
        self.deviance
    }
    /// PPML: deviance of the intercept-only model. OLS: total sum of squares.
    pub fn null_deviance(&self) -> f64 {
        self.null_deviance
    }
    /// PPML: Poisson log-likelihood `Σ ω (y ln μ − μ − ln Γ(y+1))`.
    pub fn loglik(&self) -> Option<f64> {
        self.loglik.map(|l| l.0)
    }
    /// PPML: log-likelihood of the intercept-only model.
    pub fn null_loglik(&self) -> Option<f64> {
        self.loglik.map(|l| l.1)
    }
    /// PPML: McFadden's pseudo-R² `1 − ℓ/ℓ₀` (what fixest's `pr2` reports).
    pub fn pseudo_r2(&self) -> Option<f64> {
        self.loglik.map(|(l, l0)| 1.0 - l / l0)
    }
    /// `1 − deviance/null deviance` (PPML: deviance-based pseudo-R²; OLS: R²).
    pub fn deviance_r2(&self) -> f64 {
        1.0 - self.deviance / self.null_deviance
    }
    /// OLS: R² = 1 − RSS/TSS.
    pub fn r2(&self) -> Option<f64> {
        (self.estimator == Estimator::Ols).then(|| self.deviance_r2())
    }
    /// Fitted means (PPML: μ; OLS: ŷ), one per observation used.
    pub fn fitted(&self) -> &[f64] {
        &self.store.fitted
    }
    /// Linear predictor including offset and fixed effects (PPML: ln μ).
    pub fn linear_predictor(&self) -> &[f64] {
        &self.store.linear_predictor
    }
    /// Fixed-effect dimensions and their number of levels.
    pub fn fe_sizes(&self) -> Vec<(String, usize)> {
        self.store
            .fe
            .dims
            .iter()
            .map(|d| (d.name.clone(), d.n_levels()))
            .collect()
    }

    /// Sum of the fixed effects of each observation (`η − offset − xβ`).
    pub fn fe_sum(&self) -> Vec<f64> {
        let st = &self.store;
        (0..st.y.len())
            .map(|i| {
                let mut s = st.linear_predictor[i] - st.offset.as_ref().map_or(0.0, |o| o[i]);
                for (j, b) in self.beta.iter().enumerate() {
                    s -= st.x[j][i] * b;
                }
                s
            })
            .collect()
    }

    /// Recovers the fixed-effect coefficients; see [`FeEstimates`] for the
    /// normalisation (first level of every dimension after the first is 0).
    pub fn fixed_effects(&self) -> Vec<FeEstimates> {
        let fe = &self.store.fe;
        if fe.dims.is_empty() {
            return vec![];
        }
        let recovered;
        let alpha: &[f64] = match &self.store.fe_alpha {
            Some(a) if a.len() == fe.total_levels() => a,
            _ => {
                // Fallback (a fit that stopped on a step-halving): project the
                // sum of fixed effects on the dummies.
                let s = self.fe_sum();
                let dm = Demeaner::new(
                    fe,
                    None,
                    DemeanControl {
                        tol: 1e-12,
                        max_iter: 10_000,
                    },
                );
                let mut out = vec![0.0; s.len()];
                let mut st = ColumnState::default();
                dm.demean(&s, &mut out, &mut st);
                recovered = st.alpha().to_vec();
                &recovered
            }
        };
        let mut res = Vec::new();
        let mut off = 0;
        for (q, d) in fe.dims.iter().enumerate() {
            let l = d.n_levels();
            res.push(FeEstimates {
                name: d.name.clone(),
                levels: d.levels.clone(),
                values: alpha[off..off + l].to_vec(),
                reference: (q > 0).then(|| d.levels[0].clone()),
            });
            off += l;
        }
        for q in 1..res.len() {
            let c = res[q].values[0];
            res[q].values.iter_mut().for_each(|v| *v -= c);
            res[0].values.iter_mut().for_each(|v| *v += c);
        }
        res
    }

    /// Predictions on `panel` (new data or the estimation panel) with the
    /// estimated coefficients, fixed effects and offset: PPML `exp(η)`, OLS
    /// `η`. A row gets NaN when a value it needs is missing or a
    /// fixed-effect level was not in the estimation sample. Factor levels
    /// absent from the estimation (or removed as collinear) contribute 0.
    pub fn predict(&self, panel: &Panel) -> Result<Vec<f64>> {
        let eta = self.predict_link(panel)?;
        Ok(match self.estimator {
            Estimator::Ppml => eta.into_iter().map(f64::exp).collect(),
            Estimator::Ols => eta,
        })
    }

    /// The linear predictor `η = xβ + Σ α + offset` on `panel` (see [`Fit::predict`]).
    pub fn predict_link(&self, panel: &Panel) -> Result<Vec<f64>> {
        let n = panel.nrows();
        let mut eta = vec![0.0; n];
        let coef = |name: &str| self.coef(name);
        if let Some(b) = coef("(Intercept)") {
            eta.iter_mut().for_each(|e| *e += b);
        }
        let col = |c: &str| panel.numeric(c);
        for t in &self.formula.terms {
            match t {
                Term::Numeric { name, expr } => {
                    if let Some(b) = coef(name) {
                        let v = expr.eval(n, &col)?;
                        for (e, x) in eta.iter_mut().zip(v) {
                            *e += b * x;
                        }
                    }
                }
                Term::Factor { var, slope, .. } => {
                    let cat = panel.as_categorical(var)?;
                    let sv = slope
                        .as_ref()
                        .map(|(sn, e)| e.eval(n, &col).map(|v| (sn.clone(), v)))
                        .transpose()?;
                    let bl: Vec<Option<f64>> = cat
                        .levels()
                        .iter()
                        .map(|l| match &sv {
                            Some((sn, _)) => coef(&format!("{var}::{l}:{sn}")),
                            None => coef(&format!("{var}::{l}")),
                        })
                        .collect();
                    for (i, c) in cat.codes().iter().enumerate() {
                        if let Some(b) = bl[*c as usize] {
                            eta[i] += b * sv.as_ref().map_or(1.0, |(_, v)| v[i]);
                        }
                    }
                }
            }
        }
        if let Some(o) = &self.formula.offset {
            for (e, v) in eta.iter_mut().zip(o.eval(n, &col)?) {
                *e += v;
            }
        }
        if let Some(o) = &self.offset_column {
            for (e, v) in eta.iter_mut().zip(panel.numeric(o)?) {
                *e += v;
            }
        }
        if !self.formula.fixed_effects.is_empty() {
            let fes = self.fixed_effects();
            for (term, est) in self.formula.fixed_effects.iter().zip(&fes) {
                let mut cat = panel.as_categorical(&term.vars[0])?;
                for v in &term.vars[1..] {
                    cat = cat.interact(&panel.as_categorical(v)?);
                }
                let map: std::collections::HashMap<&str, f64> = est
                    .levels
                    .iter()
                    .map(String::as_str)
                    .zip(est.values.iter().copied())
                    .collect();
                let vals: Vec<f64> = cat
                    .levels()
                    .iter()
                    .map(|l| map.get(l.as_str()).copied().unwrap_or(f64::NAN))
                    .collect();
                for (i, c) in cat.codes().iter().enumerate() {
                    eta[i] += vals[*c as usize];
                }
            }
        }
        Ok(eta)
    }

    /// Tidy coefficient rows (term, estimate, std_error, z, p).
    pub fn tidy(&self) -> Vec<CoefRow> {
        let se = self.std_errors();
        self.names
            .iter()
            .zip(&self.beta)
            .zip(se)
            .map(|((t, b), s)| {
                let z = b / s;
                CoefRow {
                    term: t.clone(),
                    estimate: *b,
                    std_error: s,
                    z,
                    p: normal_two_sided_p(z),
                }
            })
            .collect()
    }

    /// A fixest-like summary table.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        let est = match self.estimator {
            Estimator::Ppml => "PPML (Poisson pseudo-ML)",
            Estimator::Ols => "OLS",
        };
        let _ = writeln!(s, "{est} estimation, Dep. Var.: {}", self.formula.response);
        let _ = writeln!(s, "Formula: {}", self.formula);
        let _ = writeln!(
            s,
            "Observations: {} (of {}; dropped {})",
            self.nobs(),
            self.n_original,
            self.n_dropped()
        );
        for d in &self.dropped {
            let _ = writeln!(s, "  dropped {}: {}", d.count, d.reason);
        }
        if !self.store.fe.dims.is_empty() {
            let fe: Vec<String> = self
                .fe_sizes()
                .iter()
                .map(|(n, l)| format!("{n}: {l}"))
                .collect();
            let _ = writeln!(s, "Fixed-effects: {}", fe.join(",  "));
        }
        let _ = writeln!(s, "Standard-errors: {}", self.vcov_spec);
        let rows = self.tidy();
        let w = rows.iter().map(|r| r.term.len()).max().unwrap_or(4).max(4);
        let _ = writeln!(
            s,
            "{:<w$} {:>12} {:>12} {:>10} {:>11}",
            "", "Estimate", "Std. Error", "z value", "Pr(>|z|)"
        );
        for r in &rows {
            let stars = if r.p < 0.001 {
                "***"
            } else if r.p < 0.01 {
                "**"
            } else if r.p < 0.05 {
                "*"
            } else if r.p < 0.1 {
                "."
            } else {
                ""
            };
            let p = if r.p < 2.2e-16 {
                "< 2.2e-16".to_string()
            } else {
                format!("{:.3e}", r.p)
            };
            let _ = writeln!(
                s,
                "{:<w$} {:>12.6} {:>12.6} {:>10.4} {:>11} {stars}",
                r.term, r.estimate, r.std_error, r.z, p
            );
        }
        let _ = writeln!(s, "---");
        let _ = writeln!(
            s,
            "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1"
        );
        if !self.collinear.is_empty() {
            let _ = writeln!(s, "Collinear (removed): {}", self.collinear.join(", "));
        }
        match self.estimator {
            Estimator::Ppml => {
                let _ = writeln!(
                    s,
                    "Log-Likelihood: {:.2}   Pseudo R2 (McFadden): {:.5}   Deviance: {:.6e}   Null deviance: {:.6e}",
                    self.loglik().unwrap_or(f64::NAN),
                    self.pseudo_r2().unwrap_or(f64::NAN),
                    self.deviance,
                    self.null_deviance
                );
                let _ = writeln!(s, "IRLS: {}", self.convergence);
                let sep = &self.separation;
                if !sep.methods.is_empty() {
                    let parts: Vec<String> = sep
                        .dropped
                        .iter()
                        .map(|(m, c)| format!("{m} {c}"))
                        .collect();
                    let _ = writeln!(
                        s,
                        "Separation ({}): dropped {}",
                        sep.methods
                            .iter()
                            .map(|m| m.name())
                            .collect::<Vec<_>>()
                            .join(","),
                        parts.join(", ")
                    );
                    if !sep.collinear.is_empty() {
                        let _ = writeln!(
                            s,
                            "  became collinear after dropping separated observations (removed): {}",
                            sep.collinear.join(", ")
                        );
                    }
                    for n in &sep.notes {
                        let _ = writeln!(s, "  note: {n}");
                    }
                } else {
                    let _ = writeln!(s, "Separation: none checked");
                }
            }
            Estimator::Ols => {
                let _ = writeln!(
                    s,
                    "R2: {:.5}   RSS: {:.6e}",
                    self.deviance_r2(),
                    self.deviance
                );
            }
        }
        s
    }
}

impl std::fmt::Display for Fit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_table())
    }
}

/// An etable-style side-by-side table of several fits: estimates with
/// standard errors in parentheses, then fixed effects, N and fit statistics.
pub fn etable(fits: &[&Fit]) -> String {
    let mut terms: Vec<String> = Vec::new();
    for f in fits {
        for n in f.coef_names() {
            if !terms.contains(n) {
                terms.push(n.clone());
            }
        }
    }
    let mut fes: Vec<String> = Vec::new();
    for f in fits {
        for (n, _) in f.fe_sizes() {
            if !fes.contains(&n) {
                fes.push(n);
            }
        }
    }
    let w = terms
        .iter()
        .chain(fes.iter())
        .map(String::len)
        .max()
        .unwrap_or(8)
        .max(16);
    let cw = 14;
    let mut s = String::new();
    let _ = write!(s, "{:<w$}", "");
    for i in 0..fits.len() {
        let _ = write!(s, " {:>cw$}", format!("({})", i + 1));
    }
    s.push('\n');
    let _ = write!(s, "{:<w$}", "Dep. Var.");
    for f in fits {
        let _ = write!(s, " {:>cw$}", f.formula().response);
    }
    s.push('\n');
    for t in &terms {
        let _ = write!(s, "{t:<w$}");
        for f in fits {
            let v = f.coef(t).map_or(String::new(), |b| format!("{b:.4}"));
            let _ = write!(s, " {v:>cw$}");
        }
        s.push('\n');
        let _ = write!(s, "{:<w$}", "");
        for f in fits {
            let v = f.se(t).map_or(String::new(), |b| format!("({b:.4})"));
            let _ = write!(s, " {v:>cw$}");
        }
        s.push('\n');
    }
    for fe in &fes {
        let _ = write!(s, "{:<w$}", format!("FE: {fe}"));
        for f in fits {
            let yes = f.fe_sizes().iter().any(|(n, _)| n == fe);
            let _ = write!(s, " {:>cw$}", if yes { "Yes" } else { "No" });
        }
        s.push('\n');
    }
    let _ = write!(s, "{:<w$}", "N");
    for f in fits {
        let _ = write!(s, " {:>cw$}", f.nobs());
    }
    s.push('\n');
    let _ = write!(s, "{:<w$}", "R2 / pseudo-R2");
    for f in fits {
        let v = match f.estimator() {
            Estimator::Ols => f.deviance_r2(),
            Estimator::Ppml => f.pseudo_r2().unwrap_or(f64::NAN),
        };
        let _ = write!(s, " {v:>cw$.4}");
    }
    s.push('\n');
    let _ = write!(s, "{:<w$}", "S.E. type");
    for f in fits {
        let v = match f.vcov_spec() {
            VcovSpec::Iid => "IID".to_string(),
            VcovSpec::Hetero => "Hetero".to_string(),
            VcovSpec::Cluster(c) => format!("by: {}", c.join("&")),
        };
        let _ = write!(s, " {v:>cw$}");
    }
    s.push('\n');
    s
}
