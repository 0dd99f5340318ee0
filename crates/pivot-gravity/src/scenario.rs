//! Counterfactual scenarios described in TOML and run with GE-PPML.
//!
//! # Format
//!
//! ```toml
//! name = "agtpa-nafta"
//! description = "Remove NAFTA (AGTPA ch. 2 application 2)"
//! data = "agtpa"            # "agtpa" or "table:NAME"; the engine supplies the panel
//!
//! [columns]                 # optional; these are the defaults
//! exporter = "exporter"
//! importer = "importer"
//! year = "year"
//! trade = "trade"
//! pair = "pair_id"          # needed only for the derived `pair_id_2`
//!
//! [baseline]
//! formula = "trade ~ rta | exporter^year + importer^year + pair_id_2"
//! years = [1986, 1990, 1994, 1998, 2002, 2006]   # estimation sample (optional)
//! ge_year = 1994            # cross-section for GE (needed if several years)
//! sigma = 7.0
//! reference = "DEU"         # importer FE normalised to 0
//! tolerance = 1e-6          # full-GE convergence (book: 0.01)
//! max_iter = 200
//! fill_costs = "ln_dist + cntg + lang + clny"  # optional, see below
//!
//! [[shocks]]
//! type = "set_covariate"    # set a regressor for a set of pairs
//! covariate = "rta"
//! value = 0.0
//! among = ["USA", "CAN", "MEX"]   # or from = [...], to = [...]
//!
//! [[shocks]]
//! type = "scale_trade_costs"      # multiply t_ij = τ_ij^(1−σ) between groups
//! from = ["DEU", "FRA"]
//! to = ["USA"]
//! tariff_equivalent = 1.25        # τ × 1.25, i.e. t × 1.25^(1−σ); or `factor` on t
//! both_directions = true
//!
//! [[shocks]]
//! type = "remove_borders"         # set the border dummy to 0 for all pairs
//! covariate = "intl_brdr"
//! ```
//!
//! Pair selection: `among` = every ordered pair of distinct members; `from`
//! and `to` = exporters in `from` to importers in `to` (plus the reverse when
//! `both_directions`, default true); none given = every international pair.
//!
//! Derived columns, added when the panel lacks them: `ln_dist` and `log_dist`
//! (from `dist`), `intl_brdr` (1 for international pairs), `smctry` (1 for
//! domestic), `pair_id_2` (the pair column with all domestic pairs in one
//! level, as in the AGTPA code).
//!
//! Trade costs: fixed-effect terms that include the exporter column are
//! exporter-side, those with the importer column importer-side; every other
//! fixed effect (e.g. pair) and every regressor times its coefficient is part
//! of `ln t_ij`. Pairs whose pair effect is not identified (no trade in any
//! year) get it from `fill_costs`: a PPML of `exp(pair effect)` on those
//! covariates with exporter and importer FE on the GE year's international
//! pairs (Anderson & Yotov 2016 two-stage procedure, as in the book's code).
//! Without `fill_costs` such pairs are an error.

use serde::Deserialize;

use crate::error::{GravityError, Result};
use crate::estimate::Ppml;
use crate::fit::Fit;
use crate::formula::{Formula, Term};
use crate::ge::{self, GeCountry, GeInput, GePair, GeParams};
use crate::panel::Panel;

/// Column names used by a scenario.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// Exporter column.
    #[serde(default = "d_exporter")]
    pub exporter: String,
    /// Importer column.
    #[serde(default = "d_importer")]
    pub importer: String,
    /// Year column (numeric).
    #[serde(default = "d_year")]
    pub year: String,
    /// Flow column.
    #[serde(default = "d_trade")]
    pub trade: String,
    /// Symmetric pair id column.
    #[serde(default = "d_pair")]
    pub pair: String,
}

fn d_exporter() -> String {
    "exporter".into()
}
fn d_importer() -> String {
    "importer".into()
}
fn d_year() -> String {
    "year".into()
}
fn d_trade() -> String {
    "trade".into()
}
fn d_pair() -> String {
    "pair_id".into()
}
fn d_sigma() -> f64 {
    7.0
}
fn d_tol() -> f64 {
    1e-6
}
fn d_iter() -> usize {
    200
}
fn d_true() -> bool {
    true
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            exporter: d_exporter(),
            importer: d_importer(),
            year: d_year(),
            trade: d_trade(),
            pair: d_pair(),
        }
    }
}

/// The baseline specification.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Gravity formula (fixest syntax).
    pub formula: String,
    /// Years used for estimation (all if absent).
    #[serde(default)]
    pub years: Option<Vec<i64>>,
    /// Cross-section year for GE (required when the sample has several years).
    #[serde(default)]
    pub ge_year: Option<i64>,
    /// Elasticity of substitution.
    #[serde(default = "d_sigma")]
    pub sigma: f64,
    /// Reference country.
    pub reference: String,
    /// Full-GE tolerance.
    #[serde(default = "d_tol")]
    pub tolerance: f64,
    /// Full-GE iteration limit.
    #[serde(default = "d_iter")]
    pub max_iter: usize,
    /// Covariates to predict unidentified pair costs (`"ln_dist + cntg"`).
    #[serde(default)]
    pub fill_costs: Option<String>,
}

/// One shock to trade costs.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Shock {
    /// Set a regressor to `value` for the selected pairs.
    SetCovariate {
        /// Regressor name (must be in the formula).
        covariate: String,
        /// New value.
        value: f64,
        /// Every ordered pair among these countries.
        #[serde(default)]
        among: Vec<String>,
        /// Exporters.
        #[serde(default)]
        from: Vec<String>,
        /// Importers.
        #[serde(default)]
        to: Vec<String>,
        /// Also the reverse direction of from/to.
        #[serde(default = "d_true")]
        both_directions: bool,
    },
    /// Multiply trade costs between groups.
    ScaleTradeCosts {
        /// Exporters.
        #[serde(default)]
        from: Vec<String>,
        /// Importers.
        #[serde(default)]
        to: Vec<String>,
        /// Every ordered pair among these countries.
        #[serde(default)]
        among: Vec<String>,
        /// Factor on `t_ij` directly.
        #[serde(default)]
        factor: Option<f64>,
        /// Factor on `τ_ij` (ad-valorem equivalent); `t` is multiplied by `factor^(1−σ)`.
        #[serde(default)]
        tariff_equivalent: Option<f64>,
        /// Also the reverse direction.
        #[serde(default = "d_true")]
        both_directions: bool,
    },
    /// Set a border dummy to 0 for every pair.
    RemoveBorders {
        /// The border regressor.
        covariate: String,
    },
}

/// A scenario file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Short name.
    pub name: String,
    /// What the scenario does.
    #[serde(default)]
    pub description: String,
    /// Data source: `agtpa` or `table:NAME`.
    pub data: String,
    /// Column names.
    #[serde(default)]
    pub columns: Columns,
    /// Baseline specification.
    pub baseline: Baseline,
    /// Shocks, applied in order.
    #[serde(default)]
    pub shocks: Vec<Shock>,
}

impl ScenarioSpec {
    /// Parses and validates a TOML scenario.
    pub fn from_toml_str(s: &str) -> Result<ScenarioSpec> {
        let spec: ScenarioSpec =
            toml::from_str(s).map_err(|e| GravityError::Scenario(e.to_string()))?;
        let f = Formula::parse(&spec.baseline.formula)?;
        GeParams::builder()
            .sigma(spec.baseline.sigma)
            .tol(spec.baseline.tolerance)
            .max_iter(spec.baseline.max_iter)
            .check()?;
        if !(spec.data == "agtpa" || spec.data.starts_with("table:")) {
            return Err(GravityError::Scenario(format!(
                "data = '{}': expected 'agtpa' or 'table:NAME'",
                spec.data
            )));
        }
        for sh in &spec.shocks {
            match sh {
                Shock::SetCovariate { covariate, .. } | Shock::RemoveBorders { covariate } => {
                    if !f.terms.contains(&Term::var(covariate)) {
                        return Err(GravityError::Scenario(format!(
                            "shock on '{covariate}', which is not a regressor of '{}'",
                            spec.baseline.formula
                        )));
                    }
                }
                Shock::ScaleTradeCosts {
                    factor,
                    tariff_equivalent,
                    ..
                } => match (factor, tariff_equivalent) {
                    (Some(x), None) | (None, Some(x)) if *x > 0.0 => {}
                    _ => {
                        return Err(GravityError::Scenario(
                            "scale_trade_costs needs exactly one positive `factor` or `tariff_equivalent`".into(),
                        ));
                    }
                },
            }
        }
        Ok(spec)
    }
}

/// Result of running a scenario.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// The baseline gravity estimation.
    pub baseline: Fit,
    /// Per-country results (% changes from baseline to counterfactual).
    pub countries: Vec<GeCountry>,
    /// Per-pair results.
    pub pairs: Vec<GePair>,
    /// False when the data has no domestic flows (only conditional effects identified).
    pub full_identified: bool,
    /// Full-GE iterations.
    pub iterations: usize,
    /// Full-GE convergence.
    pub converged: bool,
    /// Messages for the user.
    pub notes: Vec<String>,
}

fn f6(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        format!("{x:.6}")
    }
}

impl ScenarioResult {
    /// Tidy per-country CSV.
    pub fn countries_csv(&self) -> String {
        let mut s = String::from(
            "country,output_baseline,exports_cdl_pct,exports_full_pct,price_full_pct,real_gdp_full_pct,omr_cdl_pct,omr_full_pct,imr_cdl_pct,imr_full_pct\n",
        );
        for c in &self.countries {
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                c.country,
                f6(c.output_baseline),
                f6(c.exports_cdl_pct),
                f6(c.exports_full_pct),
                f6(c.price_full_pct),
                f6(c.real_gdp_full_pct),
                f6(c.omr_cdl_pct),
                f6(c.omr_full_pct),
                f6(c.imr_cdl_pct),
                f6(c.imr_full_pct)
            ));
        }
        s
    }

    /// Tidy per-pair CSV (only pairs whose costs change, plus all if `all`).
    pub fn pairs_csv(&self, all: bool) -> String {
        let mut s = String::from(
            "exporter,importer,t_baseline,t_counterfactual,trade_baseline,trade_cdl,trade_full,trade_full_pct\n",
        );
        for p in &self.pairs {
            if !all && (p.t_baseline - p.t_counterfactual).abs() <= 1e-15 * p.t_baseline {
                continue;
            }
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                p.exporter,
                p.importer,
                f6(p.t_baseline),
                f6(p.t_counterfactual),
                f6(p.trade_baseline),
                f6(p.trade_cdl),
                f6(p.trade_full),
                f6((p.trade_full / p.trade_baseline - 1.0) * 100.0)
            ));
        }
        s
    }
}

fn add_derived(panel: &mut Panel, cols: &Columns) -> Result<()> {
    let n = panel.nrows();
    let ex = panel.as_categorical(&cols.exporter)?;
    let im = panel.as_categorical(&cols.importer)?;
    let dom: Vec<bool> = (0..n).map(|i| ex.value(i) == im.value(i)).collect();
    if panel.has_column("dist") {
        let ld: Vec<f64> = panel.numeric("dist")?.iter().map(|d| d.ln()).collect();
        for name in ["ln_dist", "log_dist"] {
            if !panel.has_column(name) {
                panel.add_numeric(name, ld.clone())?;
            }
        }
    }
    if !panel.has_column("intl_brdr") {
        panel.add_numeric(
            "intl_brdr",
            dom.iter().map(|d| if *d { 0.0 } else { 1.0 }).collect(),
        )?;
    }
    if !panel.has_column("smctry") {
        panel.add_numeric(
            "smctry",
            dom.iter().map(|d| if *d { 1.0 } else { 0.0 }).collect(),
        )?;
    }
    if !panel.has_column("pair_id_2") && panel.has_column(&cols.pair) {
        let pair = panel.as_categorical(&cols.pair)?;
        let v: Vec<String> = (0..n)
            .map(|i| {
                if dom[i] {
                    "0-intra".to_string()
                } else {
                    pair.value(i).to_string()
                }
            })
            .collect();
        panel.add_categorical("pair_id_2", &v)?;
    }
    Ok(())
}

fn selected(
    ex: &str,
    im: &str,
    among: &[String],
    from: &[String],
    to: &[String],
    both: bool,
) -> bool {
    if ex == im {
        return false;
    }
    let has = |v: &[String], c: &str| v.iter().any(|x| x == c);
    if !among.is_empty() {
        return has(among, ex) && has(among, im);
    }
    if from.is_empty() && to.is_empty() {
        return true;
    }
    let fwd = (from.is_empty() || has(from, ex)) && (to.is_empty() || has(to, im));
    let bwd = both && (from.is_empty() || has(from, im)) && (to.is_empty() || has(to, ex));
    fwd || bwd
}

/// A shock that selects no pair of the counterfactual's panel changes nothing and would show
/// 0.0% everywhere: refused, naming the states it lists that are not in the panel (absent
/// that year, or coded under another name).
fn no_pair_matched(
    hit: usize,
    exporter: &[String],
    importer: &[String],
    named: [&Vec<String>; 3],
) -> Result<()> {
    if hit > 0 {
        return Ok(());
    }
    let present: std::collections::BTreeSet<&str> = exporter
        .iter()
        .chain(importer)
        .map(String::as_str)
        .collect();
    let absent: Vec<&str> = named
        .iter()
        .flat_map(|v| v.iter())
        .map(String::as_str)
        .filter(|c| !present.contains(c))
        .collect();
    Err(GravityError::Scenario(if absent.is_empty() {
        "a shock matched no pair of the counterfactual year's panel, so it would change nothing: check its from/to/among".into()
    } else {
        format!(
            "a shock matched no pair of the counterfactual year's panel, so it would change nothing: {} not in the panel (absent that year, or coded under another name)",
            absent.join(", ")
        )
    }))
}

/// Runs a scenario on `panel` (which must hold the columns the spec names).
pub fn run_scenario(spec: &ScenarioSpec, panel: &Panel) -> Result<ScenarioResult> {
    let cols = &spec.columns;
    let b = &spec.baseline;
    let mut panel = panel.clone();
    add_derived(&mut panel, cols)?;
    let formula = Formula::parse(&b.formula)?;
    let years = panel.numeric(&cols.year)?.to_vec();
    let est = match &b.years {
        Some(ys) => panel.filter(
            &years
                .iter()
                .map(|y| ys.contains(&(*y as i64)))
                .collect::<Vec<_>>(),
        )?,
        None => panel.clone(),
    };
    let fit = Ppml::params().tol(1e-10).check()?.fit(&formula, &est)?;
    let mut notes = Vec::new();
    if !fit.collinear().is_empty() {
        notes.push(format!(
            "collinear regressors dropped: {}",
            fit.collinear().join(", ")
        ));
    }
    for d in fit.dropped() {
        notes.push(format!(
            "baseline estimation dropped {} observations: {}",
            d.count, d.reason
        ));
    }
    // Which FE are cost components.
    let fe_est = fit.fixed_effects();
    let is_cost_fe: Vec<bool> = formula
        .fixed_effects
        .iter()
        .map(|t| !t.vars.contains(&cols.exporter) && !t.vars.contains(&cols.importer))
        .collect();
    // Cost-FE part per estimation-panel row (NaN if unidentified).
    let nest = est.nrows();
    let mut fe_part = vec![0.0; nest];
    for (q, t) in formula.fixed_effects.iter().enumerate() {
        if !is_cost_fe[q] {
            continue;
        }
        let mut cat = est.as_categorical(&t.vars[0])?;
        for v in &t.vars[1..] {
            cat = cat.interact(&est.as_categorical(v)?);
        }
        let map: std::collections::HashMap<&str, f64> = fe_est[q]
            .levels
            .iter()
            .map(String::as_str)
            .zip(fe_est[q].values.iter().copied())
            .collect();
        for (i, fp) in fe_part.iter_mut().enumerate() {
            *fp += map.get(cat.value(i)).copied().unwrap_or(f64::NAN);
        }
    }
    // GE cross-section.
    let est_years = est.numeric(&cols.year)?;
    let ge_year = match b.ge_year {
        Some(y) => y,
        None => {
            let mut ys: Vec<i64> = est_years.iter().map(|y| *y as i64).collect();
            ys.sort_unstable();
            ys.dedup();
            if ys.len() != 1 {
                return Err(GravityError::Scenario(format!(
                    "the sample has {} years: set baseline.ge_year",
                    ys.len()
                )));
            }
            ys[0]
        }
    };
    let rows: Vec<usize> = (0..nest)
        .filter(|&i| est_years[i] as i64 == ge_year)
        .collect();
    if rows.is_empty() {
        return Err(GravityError::Scenario(format!(
            "no rows for ge_year {ge_year}"
        )));
    }
    let exc = est.as_categorical(&cols.exporter)?;
    let imc = est.as_categorical(&cols.importer)?;
    let exporter: Vec<String> = rows.iter().map(|&i| exc.value(i).to_string()).collect();
    let importer: Vec<String> = rows.iter().map(|&i| imc.value(i).to_string()).collect();
    let trade: Vec<f64> = rows
        .iter()
        .map(|&i| est.numeric(&cols.trade).map(|t| t[i]))
        .collect::<Result<_>>()?;
    let mut fe_ge: Vec<f64> = rows.iter().map(|&i| fe_part[i]).collect();
    let missing = fe_ge.iter().filter(|v| v.is_nan()).count();
    if missing > 0 {
        let covs = b.fill_costs.as_ref().ok_or_else(|| {
            GravityError::Scenario(format!(
                "{missing} pairs in {ge_year} have no identified pair effect (no trade in any year): set baseline.fill_costs"
            ))
        })?;
        let sub_rows: Vec<bool> = (0..nest).map(|i| est_years[i] as i64 == ge_year).collect();
        let mut sub = est.filter(&sub_rows)?;
        let tbar: Vec<f64> = fe_ge.iter().map(|v| v.exp()).collect();
        let intl: Vec<bool> = exporter
            .iter()
            .zip(&importer)
            .map(|(a, b)| a != b)
            .collect();
        sub.set_numeric(
            "__tbar",
            tbar.iter()
                .zip(&intl)
                .map(|(t, i)| if *i { *t } else { f64::NAN })
                .collect(),
        )?;
        let ff = Formula::parse(&format!(
            "__tbar ~ {covs} | {} + {}",
            cols.exporter, cols.importer
        ))?;
        let fill = Ppml::params().tol(1e-10).check()?.fit(&ff, &sub)?;
        let fes = fill.fixed_effects();
        let lookup = |q: usize, lvl: &str| -> f64 {
            fes[q]
                .levels
                .iter()
                .position(|l| l == lvl)
                .map_or(f64::NAN, |k| fes[q].values[k])
        };
        let mut filled = 0;
        for k in 0..rows.len() {
            if fe_ge[k].is_nan() {
                let mut eta = lookup(0, &exporter[k]) + lookup(1, &importer[k]);
                for (name, beta) in fill.coef_names().iter().zip(fill.coefficients()) {
                    eta += beta * sub.numeric(name)?[k];
                }
                fe_ge[k] = if exporter[k] == importer[k] { 0.0 } else { eta };
                filled += 1;
            }
        }
        notes.push(format!(
            "{filled} unidentified pair costs in {ge_year} predicted from '{covs}' (Anderson & Yotov 2016 two-stage procedure)"
        ));
    }
    // Baseline and counterfactual ln t.
    let mut ln_tb = fe_ge.clone();
    let mut ln_tc = fe_ge;
    let mut xcf: Vec<(String, Vec<f64>)> = Vec::new();
    for (name, beta) in fit.coef_names().iter().zip(fit.coefficients()) {
        let x: Vec<f64> = rows
            .iter()
            .map(|&i| est.numeric(name).map(|v| v[i]))
            .collect::<Result<_>>()?;
        for k in 0..rows.len() {
            ln_tb[k] += beta * x[k];
        }
        xcf.push((name.clone(), x));
    }
    let mut factor = vec![1.0; rows.len()];
    for sh in &spec.shocks {
        match sh {
            Shock::SetCovariate {
                covariate,
                value,
                among,
                from,
                to,
                both_directions,
            } => {
                let (_, x) = xcf
                    .iter_mut()
                    .find(|(n, _)| n == covariate)
                    .ok_or_else(|| {
                        GravityError::Scenario(format!(
                            "covariate '{covariate}' was dropped from the baseline (collinear)"
                        ))
                    })?;
                let mut hit = 0usize;
                for k in 0..rows.len() {
                    if selected(
                        &exporter[k],
                        &importer[k],
                        among,
                        from,
                        to,
                        *both_directions,
                    ) {
                        x[k] = *value;
                        hit += 1;
                    }
                }
                no_pair_matched(hit, &exporter, &importer, [among, from, to])?;
            }
            Shock::RemoveBorders { covariate } => {
                let (_, x) = xcf
                    .iter_mut()
                    .find(|(n, _)| n == covariate)
                    .ok_or_else(|| {
                        GravityError::Scenario(format!(
                            "covariate '{covariate}' was dropped from the baseline (collinear)"
                        ))
                    })?;
                x.iter_mut().for_each(|v| *v = 0.0);
            }
            Shock::ScaleTradeCosts {
                from,
                to,
                among,
                factor: f,
                tariff_equivalent,
                both_directions,
            } => {
                let m = match (f, tariff_equivalent) {
                    (Some(f), _) => *f,
                    (None, Some(t)) => t.powf(1.0 - b.sigma),
                    _ => 1.0,
                };
                let mut hit = 0usize;
                for k in 0..rows.len() {
                    if selected(
                        &exporter[k],
                        &importer[k],
                        among,
                        from,
                        to,
                        *both_directions,
                    ) {
                        factor[k] *= m;
                        hit += 1;
                    }
                }
                no_pair_matched(hit, &exporter, &importer, [among, from, to])?;
            }
        }
    }
    for (name, x) in &xcf {
        let beta = fit.coef(name).unwrap_or(0.0);
        for k in 0..rows.len() {
            ln_tc[k] += beta * x[k];
        }
    }
    let input = GeInput {
        exporter,
        importer,
        trade,
        t_baseline: ln_tb.iter().map(|v| v.exp()).collect(),
        t_counterfactual: ln_tc
            .iter()
            .zip(&factor)
            .map(|(v, f)| v.exp() * f)
            .collect(),
    };
    let params = GeParams::builder()
        .sigma(b.sigma)
        .tol(b.tolerance)
        .max_iter(b.max_iter)
        .reference(&b.reference)
        .check()?;
    let res = ge::solve(&input, &params)?;
    notes.extend(res.notes.iter().cloned());
    Ok(ScenarioResult {
        name: spec.name.clone(),
        baseline: fit,
        countries: res.countries,
        pairs: res.pairs,
        full_identified: res.full_identified,
        iterations: res.iterations,
        converged: res.converged,
        notes,
    })
}
