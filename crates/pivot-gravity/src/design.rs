//! From a [`Panel`] and a [`Formula`] to the estimation sample: outcome,
//! regressors, fixed-effect codes, offset and weights, with every dropped row
//! accounted for.

use crate::demean::{FeDim, FixedEffects};
use crate::error::{GravityError, Result};
use crate::formula::{Expr, Formula, Term};
use crate::panel::{Categorical, Panel};
use crate::separation_method::SeparationMethod;

/// Why observations were removed before estimation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropReason {
    /// A used column had a missing (NaN) or infinite value (including
    /// `log(0)` in a term).
    Missing,
    /// The observation weight was zero.
    ZeroWeight,
    /// PPML (`fe` separation): the observation belongs to a fixed-effect
    /// group whose outcome is zero throughout (its FE would be −∞). Removed
    /// iteratively.
    AllZeroFeGroup {
        /// The fixed-effect term.
        fe: String,
    },
    /// PPML: the observation is separated (its mean is 0 at the MLE), found
    /// by the given method (Correia, Guimarães & Zylkin 2021).
    Separated(SeparationMethod),
}

impl std::fmt::Display for DropReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DropReason::Missing => write!(f, "missing or non-finite values"),
            DropReason::ZeroWeight => write!(f, "zero weight"),
            DropReason::AllZeroFeGroup { fe } => {
                write!(
                    f,
                    "only zero outcomes in their '{fe}' group (fe separation)"
                )
            }
            DropReason::Separated(m) => write!(f, "separated ({} method)", m.name()),
        }
    }
}

/// Observations dropped for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// Why.
    pub reason: DropReason,
    /// How many observations.
    pub count: usize,
    /// Their panel row indices (zero-based, ascending).
    pub rows: Vec<usize>,
}

/// The estimation sample.
#[derive(Debug, Clone)]
pub(crate) struct Design {
    /// Panel row index of each kept observation.
    pub rows: Vec<usize>,
    pub y: Vec<f64>,
    /// Regressor columns (after factor expansion and intercept).
    pub x: Vec<Vec<f64>>,
    pub names: Vec<String>,
    pub offset: Option<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
    pub fe: FixedEffects,
    pub dropped: Vec<Dropped>,
    pub n_original: usize,
}

/// A regressor source before filtering.
enum RawTerm {
    Numeric(String, Vec<f64>),
    Factor {
        var: String,
        cat: Categorical,
        reference: Option<Vec<String>>,
        slope: Option<(String, Vec<f64>)>,
    },
}

fn fe_column(panel: &Panel, vars: &[String]) -> Result<Categorical> {
    let mut c = panel.as_categorical(&vars[0])?;
    for v in &vars[1..] {
        c = c.interact(&panel.as_categorical(v)?);
    }
    Ok(c)
}

pub(crate) struct DesignOptions<'a> {
    pub offset: Option<&'a str>,
    pub weights: Option<&'a str>,
    pub poisson: bool,
}

fn eval(panel: &Panel, e: &Expr) -> Result<Vec<f64>> {
    e.eval(panel.nrows(), &|c| panel.numeric(c))
}

/// Level order for factor dummies: numeric when every level is a number, else lexicographic.
pub(crate) fn sorted_levels(levels: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..levels.len()).collect();
    let nums: Option<Vec<f64>> = levels.iter().map(|l| l.parse::<f64>().ok()).collect();
    match nums {
        Some(v) => order.sort_by(|a, b| v[*a].total_cmp(&v[*b])),
        None => order.sort_by(|a, b| levels[*a].cmp(&levels[*b])),
    }
    order
}

fn same_level(a: &str, b: &str) -> bool {
    a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

impl Design {
    pub(crate) fn build(
        panel: &Panel,
        formula: &Formula,
        opts: &DesignOptions<'_>,
    ) -> Result<Design> {
        let n = panel.nrows();
        let y = eval(panel, &formula.response_expr)?;
        let mut raw_terms = Vec::new();
        for t in &formula.terms {
            raw_terms.push(match t {
                Term::Numeric { name, expr } => RawTerm::Numeric(name.clone(), eval(panel, expr)?),
                Term::Factor {
                    var,
                    reference,
                    slope,
                } => RawTerm::Factor {
                    var: var.clone(),
                    cat: panel.as_categorical(var)?,
                    reference: reference.clone(),
                    slope: slope
                        .as_ref()
                        .map(|(n, e)| eval(panel, e).map(|v| (n.clone(), v)))
                        .transpose()?,
                },
            });
        }
        let mut fes = Vec::new();
        for f in &formula.fixed_effects {
            fes.push((f.name(), fe_column(panel, &f.vars)?));
        }
        let mut offset = formula
            .offset
            .as_ref()
            .map(|e| eval(panel, e))
            .transpose()?;
        if let Some(o) = opts.offset {
            let col = panel.numeric(o)?;
            offset = Some(match offset {
                None => col.to_vec(),
                Some(v) => v.iter().zip(col).map(|(a, b)| a + b).collect(),
            });
        }
        let weights = opts
            .weights
            .map(|o| panel.numeric(o).map(<[f64]>::to_vec))
            .transpose()?;

        // 1. Missing values, zero weights, invalid values.
        let mut keep = vec![true; n];
        let mut missing = Vec::new();
        let mut zero_w = Vec::new();
        for i in 0..n {
            let mut ok = y[i].is_finite();
            for t in &raw_terms {
                ok &= match t {
                    RawTerm::Numeric(_, v) => v[i].is_finite(),
                    RawTerm::Factor { slope, .. } => {
                        slope.as_ref().is_none_or(|(_, v)| v[i].is_finite())
                    }
                };
            }
            if let Some(o) = &offset {
                ok &= o[i].is_finite();
            }
            if let Some(w) = &weights {
                ok &= w[i].is_finite();
            }
            if !ok {
                keep[i] = false;
                missing.push(i);
                continue;
            }
            if let Some(w) = &weights {
                if w[i] < 0.0 {
                    return Err(GravityError::BadValue {
                        column: opts.weights.unwrap_or("weights").to_string(),
                        row: i,
                        reason: format!("negative weight {}", w[i]),
                    });
                }
                if w[i] == 0.0 {
                    keep[i] = false;
                    zero_w.push(i);
                    continue;
                }
            }
            if opts.poisson && y[i] < 0.0 {
                return Err(GravityError::BadValue {
                    column: formula.response.clone(),
                    row: i,
                    reason: format!("negative outcome {} (PPML needs y >= 0)", y[i]),
                });
            }
        }
        let mut dropped = Vec::new();
        if !missing.is_empty() {
            dropped.push(Dropped {
                reason: DropReason::Missing,
                count: missing.len(),
                rows: missing,
            });
        }
        if !zero_w.is_empty() {
            dropped.push(Dropped {
                reason: DropReason::ZeroWeight,
                count: zero_w.len(),
                rows: zero_w,
            });
        }
        let rows: Vec<usize> = (0..n).filter(|i| keep[*i]).collect();
        if rows.is_empty() {
            return Err(GravityError::NoObservations {
                formula: formula.to_string(),
                dropped: n,
            });
        }
        let pick = |v: &[f64]| rows.iter().map(|i| v[*i]).collect::<Vec<f64>>();
        let mut x = Vec::new();
        let mut names = Vec::new();
        if formula.intercept {
            x.push(vec![1.0; rows.len()]);
            names.push("(Intercept)".to_string());
        }
        for t in &raw_terms {
            match t {
                RawTerm::Numeric(name, v) => {
                    x.push(pick(v));
                    names.push(name.clone());
                }
                RawTerm::Factor {
                    var,
                    cat,
                    reference,
                    slope,
                } => {
                    let sub = cat.filter(&keep);
                    let order = sorted_levels(sub.levels());
                    let lv = sub.levels();
                    if let Some(bad) = reference
                        .iter()
                        .flatten()
                        .find(|r| !lv.iter().any(|l| same_level(l, r)))
                    {
                        return Err(GravityError::Formula {
                            formula: formula.to_string(),
                            reason: format!(
                                "reference level '{bad}' of '{var}' does not occur in the estimation sample"
                            ),
                        });
                    }
                    let is_ref = |lvl: usize| match reference {
                        Some(r) => r.iter().any(|r| same_level(&lv[lvl], r)),
                        None => slope.is_none() && lvl == order[0],
                    };
                    let sv = slope.as_ref().map(|(n, v)| (n, pick(v)));
                    for &lvl in &order {
                        if is_ref(lvl) {
                            continue;
                        }
                        let col: Vec<f64> = sub
                            .codes()
                            .iter()
                            .enumerate()
                            .map(|(i, c)| {
                                if *c as usize == lvl {
                                    sv.as_ref().map_or(1.0, |(_, v)| v[i])
                                } else {
                                    0.0
                                }
                            })
                            .collect();
                        x.push(col);
                        names.push(match &sv {
                            Some((sn, _)) => format!("{var}::{}:{sn}", lv[lvl]),
                            None => format!("{var}::{}", lv[lvl]),
                        });
                    }
                }
            }
        }
        let dims = fes
            .iter()
            .map(|(name, cat)| {
                let sub = cat.filter(&keep);
                FeDim {
                    name: name.clone(),
                    codes: sub.codes().to_vec(),
                    levels: sub.levels().to_vec(),
                }
            })
            .collect();
        let d = Design {
            y: pick(&y),
            x,
            names,
            offset: offset.as_deref().map(pick),
            weights: weights.as_deref().map(pick),
            fe: FixedEffects {
                dims,
                n: rows.len(),
            },
            dropped,
            rows,
            n_original: n,
        };
        Ok(d)
    }

    /// PPML `fe` separation: iteratively removes the observations of any
    /// fixed-effect group whose outcome is zero throughout. Returns how many
    /// were removed.
    pub(crate) fn drop_all_zero_fe_groups(&mut self) -> usize {
        let n = self.y.len();
        let mut keep = vec![true; n];
        let mut by_dim: Vec<Vec<usize>> = vec![Vec::new(); self.fe.dims.len()];
        loop {
            let mut changed = false;
            for (q, d) in self.fe.dims.iter().enumerate() {
                let l = d.n_levels();
                let mut sum = vec![0.0f64; l];
                let mut any = vec![false; l];
                for i in 0..n {
                    if keep[i] {
                        let c = d.codes[i] as usize;
                        sum[c] += self.y[i];
                        any[c] = true;
                    }
                }
                for i in 0..n {
                    if keep[i] {
                        let c = d.codes[i] as usize;
                        if any[c] && sum[c] == 0.0 {
                            keep[i] = false;
                            by_dim[q].push(i);
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let total: usize = by_dim.iter().map(Vec::len).sum();
        if total == 0 {
            return 0;
        }
        let names: Vec<String> = self.fe.dims.iter().map(|d| d.name.clone()).collect();
        let mut reasons = vec![None; n];
        for (q, idx) in by_dim.iter().enumerate() {
            for &i in idx {
                reasons[i] = Some(q);
            }
        }
        for (q, name) in names.iter().enumerate() {
            let mask: Vec<bool> = reasons.iter().map(|r| *r == Some(q)).collect();
            self.remove(&mask, DropReason::AllZeroFeGroup { fe: name.clone() });
            reasons = reasons
                .iter()
                .zip(&mask)
                .filter(|(_, m)| !**m)
                .map(|(r, _)| *r)
                .collect();
        }
        total
    }

    /// Removes the observations where `drop` is true, recording their panel
    /// rows under `reason` (merged with an earlier entry of the same reason).
    pub(crate) fn remove(&mut self, drop: &[bool], reason: DropReason) {
        let count = drop.iter().filter(|d| **d).count();
        if count == 0 {
            return;
        }
        let keep: Vec<bool> = drop.iter().map(|d| !d).collect();
        let f = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(a, _)| *a)
                .collect()
        };
        let removed: Vec<usize> = self
            .rows
            .iter()
            .zip(drop)
            .filter(|(_, d)| **d)
            .map(|(r, _)| *r)
            .collect();
        self.rows = self
            .rows
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(r, _)| *r)
            .collect();
        self.y = f(&self.y);
        for c in &mut self.x {
            *c = f(c);
        }
        if let Some(o) = &mut self.offset {
            *o = f(o);
        }
        if let Some(w) = &mut self.weights {
            *w = f(w);
        }
        for d in &mut self.fe.dims {
            let cat = Categorical::from_codes(d.codes.clone(), d.levels.clone())
                .expect("codes are in range")
                .filter(&keep);
            d.codes = cat.codes().to_vec();
            d.levels = cat.levels().to_vec();
        }
        self.fe.n = self.rows.len();
        match self.dropped.iter_mut().find(|d| d.reason == reason) {
            Some(e) => {
                e.count += count;
                e.rows.extend(removed);
                e.rows.sort_unstable();
            }
            None => self.dropped.push(Dropped {
                reason,
                count,
                rows: removed,
            }),
        }
    }
}
