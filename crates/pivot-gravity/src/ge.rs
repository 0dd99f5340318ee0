//! GE-PPML counterfactuals (Anderson, Larch & Yotov 2018, "GEPPML: General
//! equilibrium analysis with PPML", *The World Economy* 41(10); the Stata
//! code of Yotov et al. 2016, *An Advanced Guide to Trade Policy Analysis*,
//! ch. 2, is the reference method).
//!
//! Input: one cross-section of `N × N` flows including domestic flows
//! (exporter = importer), baseline bilateral trade costs `t_ij` (the part of
//! the gravity linear predictor that is neither exporter- nor importer-side,
//! exponentiated) and counterfactual costs `t'_ij`.
//!
//! 1. **Baseline.** PPML of trade on exporter and importer FE with offset
//!    `ln t_ij`, importer FE of the reference country = 0. With `Y_i` output,
//!    `E_j` expenditure and `E_R` the reference expenditure:
//!    `OMR_i = Y_i E_R / exp(π_i)`, `IMR_j = E_j / (exp(χ_j) E_R)` (the
//!    resistances raised to `1−σ`).
//! 2. **Conditional GE.** Same regression with offset `ln t'_ij`: trade and
//!    resistances with output and expenditure held fixed.
//! 3. **Full endowment GE.** Iterate: factory-gate prices
//!    `Δp_i = [(exp π_i^s / exp π_i^{s−1}) / (E_R^s / E_R^{s−1})]^{1/(1−σ)}`;
//!    trade `X^s = X̂^{s−1} Δp_i Δp_j / (ΔOMR_i ΔIMR_j)`; re-estimate with offset
//!    `ln t'`; output `Y_i = Σ_j X̂_ij`, expenditure `E_j = φ_j Y_j` with
//!    `φ_j = E_j/Y_j` fixed at baseline; until both the maximum absolute and
//!    the standard deviation of the change in `Δp` between iterations are
//!    below the tolerance.
//!
//! Reported per country, as **% change from baseline to counterfactual**
//! (the book's tables print the opposite direction, `(BLN − CFL)/CFL`, i.e.
//! the effect of the baseline policy): exports (international, conditional
//! and full), factory-gate price, real GDP `Y / IMR^{1/(1−σ)}`, and the
//! outward/inward multilateral resistances `OMR^{1/(1−σ)}`, `IMR^{1/(1−σ)}`
//! (conditional and full); per pair, trade in the three states.

use crate::error::{GravityError, Result};
use crate::estimate::{Par, Ppml};
use crate::fit::Fit;
use crate::formula::Formula;
use crate::panel::Panel;

/// Unchecked GE parameters.
#[derive(Debug, Clone)]
pub struct GeParamsBuilder {
    sigma: f64,
    tol: f64,
    max_iter: usize,
    reference: String,
}

/// Validated GE parameters.
#[derive(Debug, Clone)]
pub struct GeParams(GeParamsBuilder);

impl GeParams {
    /// Defaults: σ = 7, tolerance 1e-6 (the book uses 0.01), 200 iterations,
    /// reference country `DEU`.
    pub fn builder() -> GeParamsBuilder {
        GeParamsBuilder {
            sigma: 7.0,
            tol: 1e-6,
            max_iter: 200,
            reference: "DEU".into(),
        }
    }
    /// Elasticity of substitution σ.
    pub fn sigma(&self) -> f64 {
        self.0.sigma
    }
    /// Convergence tolerance on max and sd of the change in Δp.
    pub fn tol(&self) -> f64 {
        self.0.tol
    }
    /// Reference country (its importer FE is normalised to 0).
    pub fn reference(&self) -> &str {
        &self.0.reference
    }
}

impl GeParamsBuilder {
    /// Elasticity of substitution σ (> 1).
    pub fn sigma(mut self, s: f64) -> Self {
        self.sigma = s;
        self
    }
    /// Tolerance for the full-endowment loop.
    pub fn tol(mut self, t: f64) -> Self {
        self.tol = t;
        self
    }
    /// Maximum full-endowment iterations.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Reference country.
    pub fn reference(mut self, c: &str) -> Self {
        self.reference = c.to_string();
        self
    }
    /// Validates.
    pub fn check(self) -> Result<GeParams> {
        if !(self.sigma > 1.0 && self.sigma.is_finite()) {
            return Err(GravityError::InvalidParameter {
                name: "sigma",
                value: self.sigma.to_string(),
                reason: "must be > 1".into(),
            });
        }
        if self.tol.is_nan() || self.tol <= 0.0 {
            return Err(GravityError::InvalidParameter {
                name: "tol",
                value: self.tol.to_string(),
                reason: "must be > 0".into(),
            });
        }
        if self.max_iter == 0 {
            return Err(GravityError::InvalidParameter {
                name: "max_iter",
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        Ok(GeParams(self))
    }
}

/// One cross-section for the GE analysis.
#[derive(Debug, Clone)]
pub struct GeInput {
    /// Exporter of each flow.
    pub exporter: Vec<String>,
    /// Importer of each flow.
    pub importer: Vec<String>,
    /// Observed flow.
    pub trade: Vec<f64>,
    /// Baseline trade costs `t_ij` (> 0).
    pub t_baseline: Vec<f64>,
    /// Counterfactual trade costs `t'_ij` (> 0).
    pub t_counterfactual: Vec<f64>,
}

/// Per-country GE results (% changes from baseline to counterfactual).
#[derive(Debug, Clone, PartialEq)]
pub struct GeCountry {
    /// Country.
    pub country: String,
    /// Baseline output `Y`.
    pub output_baseline: f64,
    /// International exports, conditional GE, % change.
    pub exports_cdl_pct: f64,
    /// International exports, full GE, % change (NaN if not identified).
    pub exports_full_pct: f64,
    /// Factory-gate price, full GE, % change.
    pub price_full_pct: f64,
    /// Real GDP `Y/P`, full GE, % change.
    pub real_gdp_full_pct: f64,
    /// Outward multilateral resistance `Π`, conditional GE, % change.
    pub omr_cdl_pct: f64,
    /// Outward multilateral resistance, full GE, % change.
    pub omr_full_pct: f64,
    /// Inward multilateral resistance `P`, conditional GE, % change.
    pub imr_cdl_pct: f64,
    /// Inward multilateral resistance, full GE, % change.
    pub imr_full_pct: f64,
}

/// Per-pair GE results.
#[derive(Debug, Clone, PartialEq)]
pub struct GePair {
    /// Exporter.
    pub exporter: String,
    /// Importer.
    pub importer: String,
    /// Baseline costs `t_ij`.
    pub t_baseline: f64,
    /// Counterfactual costs.
    pub t_counterfactual: f64,
    /// Fitted baseline trade.
    pub trade_baseline: f64,
    /// Conditional GE trade.
    pub trade_cdl: f64,
    /// Full GE trade (NaN if not identified).
    pub trade_full: f64,
}

/// Results of a GE-PPML counterfactual.
#[derive(Debug, Clone)]
pub struct GeResult {
    /// Per-country table, sorted by country.
    pub countries: Vec<GeCountry>,
    /// Per-pair table, in input order.
    pub pairs: Vec<GePair>,
    /// Full-endowment iterations used.
    pub iterations: usize,
    /// Whether the full-endowment loop converged.
    pub converged: bool,
    /// Whether full GE was computed (false without domestic flows).
    pub full_identified: bool,
    /// Notes for the user.
    pub notes: Vec<String>,
}

/// Full-GE vectors per country: (Δp, Y, IMR, OMR).
type FullGe = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

struct Cs {
    countries: Vec<String>,
    ex: Vec<usize>,
    im: Vec<usize>,
    reference: usize,
    panel: Panel,
}

struct FeFit {
    fitted: Vec<f64>,
    exp_pi: Vec<f64>,
    exp_chi: Vec<f64>,
}

fn fit_fe(cs: &Cs, y: &[f64], ln_t: &[f64]) -> Result<FeFit> {
    let mut panel = cs.panel.clone();
    panel.set_numeric("__y", y.to_vec())?;
    panel.set_numeric("__lnt", ln_t.to_vec())?;
    let f = Formula::parse("__y ~ 0 | __exp + __imp")?;
    let fit: Fit = Ppml::params()
        .tol(1e-12)
        .fe_tol(1e-12)
        .offset("__lnt")
        // GE needs every pair: only all-zero groups (which it refuses below).
        .separation(crate::Separation::FE)
        .par(Par::Seq)
        .check()?
        .fit(&f, &panel)?;
    if fit.nobs() != y.len() {
        return Err(GravityError::GeneralEquilibrium(format!(
            "{} flows were dropped from the cross-section (a country that never exports or imports?); GE needs all pairs",
            y.len() - fit.nobs()
        )));
    }
    let fe = fit.fixed_effects();
    let n = cs.countries.len();
    let mut pi = vec![f64::NAN; n];
    let mut chi = vec![f64::NAN; n];
    for (lvl, v) in fe[0].levels.iter().zip(&fe[0].values) {
        let c = cs
            .countries
            .iter()
            .position(|x| x == lvl)
            .ok_or_else(|| GravityError::Internal(format!("unknown exporter level {lvl}")))?;
        pi[c] = *v;
    }
    for (lvl, v) in fe[1].levels.iter().zip(&fe[1].values) {
        let c = cs
            .countries
            .iter()
            .position(|x| x == lvl)
            .ok_or_else(|| GravityError::Internal(format!("unknown importer level {lvl}")))?;
        chi[c] = *v;
    }
    let shift = chi[cs.reference];
    Ok(FeFit {
        fitted: fit.fitted().to_vec(),
        exp_pi: pi.iter().map(|p| (p + shift).exp()).collect(),
        exp_chi: chi.iter().map(|c| (c - shift).exp()).collect(),
    })
}

fn pct(new: f64, old: f64) -> f64 {
    (new / old - 1.0) * 100.0
}

/// Runs the baseline, conditional and (when domestic flows exist) full
/// endowment GE analysis on one cross-section.
pub fn solve(input: &GeInput, params: &GeParams) -> Result<GeResult> {
    let n_obs = input.trade.len();
    for (name, v) in [
        ("importer", input.importer.len()),
        ("trade", input.trade.len()),
        ("t_baseline", input.t_baseline.len()),
        ("t_counterfactual", input.t_counterfactual.len()),
    ] {
        if v != input.exporter.len() {
            return Err(GravityError::LengthMismatch {
                name: name.into(),
                len: v,
                nrows: input.exporter.len(),
            });
        }
    }
    for (i, (a, b)) in input
        .t_baseline
        .iter()
        .zip(&input.t_counterfactual)
        .enumerate()
    {
        if !(*a > 0.0 && a.is_finite() && *b > 0.0 && b.is_finite()) {
            return Err(GravityError::BadValue {
                column: "trade costs".into(),
                row: i,
                reason: format!(
                    "costs must be positive and finite (baseline {a}, counterfactual {b})"
                ),
            });
        }
    }
    let mut countries: Vec<String> = input
        .exporter
        .iter()
        .chain(&input.importer)
        .cloned()
        .collect();
    countries.sort();
    countries.dedup();
    let idx = |c: &String| countries.binary_search(c).expect("country in list");
    let ex: Vec<usize> = input.exporter.iter().map(idx).collect();
    let im: Vec<usize> = input.importer.iter().map(idx).collect();
    let reference = countries
        .iter()
        .position(|c| c == params.reference())
        .ok_or_else(|| {
            GravityError::GeneralEquilibrium(format!(
                "reference country '{}' is not in the data",
                params.reference()
            ))
        })?;
    let mut panel = Panel::new();
    panel.add_categorical("__exp", &input.exporter)?;
    panel.add_categorical("__imp", &input.importer)?;
    let cs = Cs {
        countries: countries.clone(),
        ex,
        im,
        reference,
        panel,
    };
    let nc = countries.len();
    let sigma = params.sigma();
    let inv = 1.0 / (1.0 - sigma);
    let mut notes = Vec::new();

    let mut y = vec![0.0; nc];
    let mut e = vec![0.0; nc];
    let mut has_domestic = vec![false; nc];
    for k in 0..n_obs {
        y[cs.ex[k]] += input.trade[k];
        e[cs.im[k]] += input.trade[k];
        if cs.ex[k] == cs.im[k] {
            has_domestic[cs.ex[k]] = true;
        }
    }
    let full_identified = has_domestic.iter().all(|d| *d);
    if !full_identified {
        notes.push(
            "no domestic (intra-national) flows for some countries: only conditional GE effects are identified; full-endowment effects are not reported"
                .into(),
        );
    }
    let er = e[reference];
    let ln_tb: Vec<f64> = input.t_baseline.iter().map(|t| t.ln()).collect();
    let ln_tc: Vec<f64> = input.t_counterfactual.iter().map(|t| t.ln()).collect();
    let bln = fit_fe(&cs, &input.trade, &ln_tb)?;
    let cdl = fit_fe(&cs, &input.trade, &ln_tc)?;
    let intl_sum = |x: &[f64]| {
        let mut s = vec![0.0; nc];
        for k in 0..n_obs {
            if cs.ex[k] != cs.im[k] {
                s[cs.ex[k]] += x[k];
            }
        }
        s
    };
    let xi_bln = intl_sum(&bln.fitted);
    let xi_cdl = intl_sum(&cdl.fitted);
    let omr = |yv: &[f64], er: f64, pi: &[f64]| -> Vec<f64> {
        (0..nc).map(|i| yv[i] * er / pi[i]).collect()
    };
    let imr = |ev: &[f64], er: f64, chi: &[f64]| -> Vec<f64> {
        (0..nc).map(|j| ev[j] / (chi[j] * er)).collect()
    };
    let omr_bln = omr(&y, er, &bln.exp_pi);
    let imr_bln = imr(&e, er, &bln.exp_chi);
    let omr_cdl = omr(&y, er, &cdl.exp_pi);
    let imr_cdl = imr(&e, er, &cdl.exp_chi);

    let mut iterations = 0;
    let mut converged = false;
    let mut full: Option<FullGe> = None;
    let mut x_full = vec![f64::NAN; n_obs];
    if full_identified {
        let phi: Vec<f64> = (0..nc).map(|i| e[i] / y[i]).collect();
        let mut pi_cur = cdl.exp_pi.clone();
        let mut er_cur = er;
        let mut tradehat = cdl.fitted.clone();
        let dp = |pi_n: &[f64], pi_o: &[f64], ern: f64, ero: f64| -> Vec<f64> {
            (0..nc)
                .map(|i| ((pi_n[i] / pi_o[i]) / (ern / ero)).powf(inv))
                .collect()
        };
        let mut dp_prev2 = vec![0.0; nc];
        let mut dp_prev = dp(&pi_cur, &bln.exp_pi, er_cur, er);
        let mut omr_prev = omr(&y, er_cur, &pi_cur);
        let mut imr_prev = imr(&e, er_cur, &cdl.exp_chi);
        let mut d_omr = vec![1.0; nc];
        let mut d_imr = vec![1.0; nc];
        let mut last: Option<(Vec<f64>, Vec<f64>, f64)> = None; // (pi, chi, er) of iteration S
        let mut e_last = e.clone();
        let mut last_crit = (f64::INFINITY, f64::INFINITY);
        while iterations < params.0.max_iter {
            iterations += 1;
            let trade_s: Vec<f64> = (0..n_obs)
                .map(|k| {
                    let (i, j) = (cs.ex[k], cs.im[k]);
                    tradehat[k] * dp_prev[i] * dp_prev[j] / (d_omr[i] * d_imr[j])
                })
                .collect();
            let f = fit_fe(&cs, &trade_s, &ln_tc)?;
            let mut ys = vec![0.0; nc];
            for k in 0..n_obs {
                ys[cs.ex[k]] += f.fitted[k];
            }
            let es: Vec<f64> = (0..nc).map(|i| phi[i] * ys[i]).collect();
            let er_s = es[reference];
            let dp_s = dp(&f.exp_pi, &pi_cur, er_s, er_cur);
            let omr_s = omr(&ys, er_s, &f.exp_pi);
            let imr_s = imr(&es, er_s, &f.exp_chi);
            d_omr = (0..nc).map(|i| omr_s[i] / omr_prev[i]).collect();
            d_imr = (0..nc).map(|i| imr_s[i] / imr_prev[i]).collect();
            // Stata: dif = change_pricei_{s-2} - change_pricei_{s-3}
            let dif: Vec<f64> = (0..nc).map(|i| dp_prev[i] - dp_prev2[i]).collect();
            let mean = dif.iter().sum::<f64>() / nc as f64;
            let sd = (dif.iter().map(|d| (d - mean).powi(2)).sum::<f64>()
                / (nc as f64 - 1.0).max(1.0))
            .sqrt();
            let mx = dif.iter().fold(0.0f64, |m, d| m.max(d.abs()));
            pi_cur = f.exp_pi.clone();
            er_cur = er_s;
            dp_prev2 = std::mem::replace(&mut dp_prev, dp_s);
            omr_prev = omr_s;
            imr_prev = imr_s;
            tradehat = f.fitted;
            e_last = es;
            last = Some((f.exp_pi, f.exp_chi, er_s));
            last_crit = (sd, mx);
            if sd < params.tol() && mx < params.tol() {
                converged = true;
                break;
            }
        }
        if !converged {
            notes.push(format!(
                "full-endowment GE did not converge in {iterations} iterations (tolerance {}; last criterion: sd {:.3e}, max {:.3e} of the change in factory-gate prices)",
                params.tol(),
                last_crit.0,
                last_crit.1
            ));
        }
        let (pi_s, chi_s, er_s) =
            last.ok_or_else(|| GravityError::Internal("no GE iteration".into()))?;
        let dp_full: Vec<f64> = (0..nc)
            .map(|i| ((pi_s[i] / bln.exp_pi[i]) / (er_s / er)).powf(inv))
            .collect();
        let y_full: Vec<f64> = (0..nc).map(|i| dp_full[i] * y[i]).collect();
        let e_full: Vec<f64> = (0..nc).map(|i| phi[i] * y_full[i]).collect();
        let omr_full = omr(&y_full, er_s, &pi_s);
        let imr_full = imr(&e_last, er_s, &chi_s);
        for k in 0..n_obs {
            let (i, j) = (cs.ex[k], cs.im[k]);
            x_full[k] =
                y_full[i] * e_full[j] * input.t_counterfactual[k] / (imr_full[j] * omr_full[i]);
        }
        full = Some((dp_full, y_full, imr_full, omr_full));
    }
    let xi_full = intl_sum(&x_full);
    let countries_out = (0..nc)
        .map(|i| {
            let (price, rgdp, omr_f, imr_f, exp_f) = match &full {
                Some((dp, yf, imrf, omrf)) => (
                    (dp[i] - 1.0) * 100.0,
                    pct(yf[i] / imrf[i].powf(inv), y[i] / imr_bln[i].powf(inv)),
                    pct(omrf[i].powf(inv), omr_bln[i].powf(inv)),
                    pct(imrf[i].powf(inv), imr_bln[i].powf(inv)),
                    pct(xi_full[i], xi_bln[i]),
                ),
                None => (f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN),
            };
            GeCountry {
                country: countries[i].clone(),
                output_baseline: y[i],
                exports_cdl_pct: pct(xi_cdl[i], xi_bln[i]),
                exports_full_pct: exp_f,
                price_full_pct: price,
                real_gdp_full_pct: rgdp,
                omr_cdl_pct: pct(omr_cdl[i].powf(inv), omr_bln[i].powf(inv)),
                omr_full_pct: omr_f,
                imr_cdl_pct: pct(imr_cdl[i].powf(inv), imr_bln[i].powf(inv)),
                imr_full_pct: imr_f,
            }
        })
        .collect();
    let pairs = (0..n_obs)
        .map(|k| GePair {
            exporter: input.exporter[k].clone(),
            importer: input.importer[k].clone(),
            t_baseline: input.t_baseline[k],
            t_counterfactual: input.t_counterfactual[k],
            trade_baseline: bln.fitted[k],
            trade_cdl: cdl.fitted[k],
            trade_full: x_full[k],
        })
        .collect();
    Ok(GeResult {
        countries: countries_out,
        pairs,
        iterations,
        converged,
        full_identified,
        notes,
    })
}
