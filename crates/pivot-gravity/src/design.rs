//! From a [`Panel`] and a [`Formula`] to the estimation sample: outcome,
//! regressors, fixed-effect codes, offset and weights, with every dropped row
//! accounted for.

use crate::demean::{FeDim, FixedEffects};
use crate::error::{GravityError, Result};
use crate::formula::{Formula, Term};
use crate::panel::{Categorical, Panel};

/// Why observations were removed before estimation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropReason {
    /// A used column had a missing (NaN) or infinite value.
    Missing,
    /// The observation weight was zero.
    ZeroWeight,
    /// PPML: the observation belongs to a fixed-effect group whose outcome is
    /// zero throughout (its FE would be −∞). Removed iteratively.
    AllZeroFeGroup {
        /// The fixed-effect term.
        fe: String,
    },
    /// PPML: the observation is separated (ReLU check of Correia, Guimarães &
    /// Zylkin 2021): its fitted mean is 0 at the MLE.
    Separated,
}

impl std::fmt::Display for DropReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DropReason::Missing => write!(f, "missing or non-finite values"),
            DropReason::ZeroWeight => write!(f, "zero weight"),
            DropReason::AllZeroFeGroup { fe } => {
                write!(f, "only zero outcomes in their '{fe}' group")
            }
            DropReason::Separated => write!(f, "separated (ReLU check)"),
        }
    }
}

/// A count of dropped observations with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// Why.
    pub reason: DropReason,
    /// How many observations.
    pub count: usize,
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

/// Raw (unfiltered) inputs.
struct Raw {
    y: Vec<f64>,
    vars: Vec<(String, Vec<f64>)>,
    factors: Vec<(String, Categorical)>,
    fes: Vec<(String, Categorical)>,
    offset: Option<Vec<f64>>,
    weights: Option<Vec<f64>>,
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

impl Design {
    pub(crate) fn build(
        panel: &Panel,
        formula: &Formula,
        opts: &DesignOptions<'_>,
    ) -> Result<Design> {
        let n = panel.nrows();
        let y = panel.numeric(&formula.response)?.to_vec();
        let mut vars = Vec::new();
        let mut factors = Vec::new();
        for t in &formula.terms {
            match t {
                Term::Var(v) => vars.push((v.clone(), panel.numeric(v)?.to_vec())),
                Term::Factor(v) => factors.push((v.clone(), panel.as_categorical(v)?)),
            }
        }
        let mut fes = Vec::new();
        for f in &formula.fixed_effects {
            fes.push((f.name(), fe_column(panel, &f.vars)?));
        }
        let offset = opts
            .offset
            .map(|o| panel.numeric(o).map(<[f64]>::to_vec))
            .transpose()?;
        let weights = opts
            .weights
            .map(|o| panel.numeric(o).map(<[f64]>::to_vec))
            .transpose()?;
        let raw = Raw {
            y,
            vars,
            factors,
            fes,
            offset,
            weights,
        };

        // 1. Missing values, zero weights, invalid values.
        let mut keep = vec![true; n];
        let mut n_missing = 0;
        let mut n_zero_w = 0;
        for i in 0..n {
            let mut ok = raw.y[i].is_finite() && raw.vars.iter().all(|(_, v)| v[i].is_finite());
            if let Some(o) = &raw.offset {
                ok &= o[i].is_finite();
            }
            if let Some(w) = &raw.weights {
                ok &= w[i].is_finite();
            }
            if !ok {
                keep[i] = false;
                n_missing += 1;
                continue;
            }
            if let Some(w) = &raw.weights {
                if w[i] < 0.0 {
                    return Err(GravityError::BadValue {
                        column: opts.weights.unwrap_or("weights").to_string(),
                        row: i,
                        reason: format!("negative weight {}", w[i]),
                    });
                }
                if w[i] == 0.0 {
                    keep[i] = false;
                    n_zero_w += 1;
                    continue;
                }
            }
            if opts.poisson && raw.y[i] < 0.0 {
                return Err(GravityError::BadValue {
                    column: formula.response.clone(),
                    row: i,
                    reason: format!("negative outcome {} (PPML needs y >= 0)", raw.y[i]),
                });
            }
        }
        let mut dropped = Vec::new();
        if n_missing > 0 {
            dropped.push(Dropped {
                reason: DropReason::Missing,
                count: n_missing,
            });
        }
        if n_zero_w > 0 {
            dropped.push(Dropped {
                reason: DropReason::ZeroWeight,
                count: n_zero_w,
            });
        }

        // 2. PPML: iteratively remove FE groups with only zero outcomes.
        if opts.poisson && !raw.fes.is_empty() {
            let mut counts: Vec<usize> = vec![0; raw.fes.len()];
            loop {
                let mut changed = false;
                for (q, (_, cat)) in raw.fes.iter().enumerate() {
                    let mut sum = vec![0.0f64; cat.levels().len()];
                    let mut any = vec![false; cat.levels().len()];
                    for i in 0..n {
                        if keep[i] {
                            let c = cat.codes()[i] as usize;
                            sum[c] += raw.y[i];
                            any[c] = true;
                        }
                    }
                    for i in 0..n {
                        if keep[i] {
                            let c = cat.codes()[i] as usize;
                            if any[c] && sum[c] == 0.0 {
                                keep[i] = false;
                                counts[q] += 1;
                                changed = true;
                            }
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            for (q, c) in counts.into_iter().enumerate() {
                if c > 0 {
                    dropped.push(Dropped {
                        reason: DropReason::AllZeroFeGroup {
                            fe: raw.fes[q].0.clone(),
                        },
                        count: c,
                    });
                }
            }
        }
        Design::from_mask(formula, raw, &keep, dropped, n)
    }

    fn from_mask(
        formula: &Formula,
        raw: Raw,
        keep: &[bool],
        dropped: Vec<Dropped>,
        n_original: usize,
    ) -> Result<Design> {
        let rows: Vec<usize> = (0..keep.len()).filter(|i| keep[*i]).collect();
        if rows.is_empty() {
            return Err(GravityError::NoObservations {
                formula: formula.to_string(),
                dropped: keep.len(),
            });
        }
        let pick = |v: &[f64]| rows.iter().map(|i| v[*i]).collect::<Vec<f64>>();
        let y = pick(&raw.y);
        let mut x = Vec::new();
        let mut names = Vec::new();
        if formula.intercept {
            x.push(vec![1.0; rows.len()]);
            names.push("(Intercept)".to_string());
        }
        // Regressors in formula order.
        let mut vi = raw.vars.iter();
        let mut fi = raw.factors.iter();
        for t in &formula.terms {
            match t {
                Term::Var(_) => {
                    let (name, v) = vi
                        .next()
                        .ok_or_else(|| GravityError::Internal("term order".into()))?;
                    x.push(pick(v));
                    names.push(name.clone());
                }
                Term::Factor(_) => {
                    let (name, cat) = fi
                        .next()
                        .ok_or_else(|| GravityError::Internal("term order".into()))?;
                    let sub = cat.filter(keep);
                    let mut order: Vec<usize> = (0..sub.levels().len()).collect();
                    order.sort_by(|a, b| sub.levels()[*a].cmp(&sub.levels()[*b]));
                    for &lvl in order.iter().skip(1) {
                        x.push(
                            sub.codes()
                                .iter()
                                .map(|c| if *c as usize == lvl { 1.0 } else { 0.0 })
                                .collect(),
                        );
                        names.push(format!("{name}::{}", sub.levels()[lvl]));
                    }
                }
            }
        }
        let dims = raw
            .fes
            .iter()
            .map(|(name, cat)| {
                let sub = cat.filter(keep);
                FeDim {
                    name: name.clone(),
                    codes: sub.codes().to_vec(),
                    levels: sub.levels().to_vec(),
                }
            })
            .collect();
        Ok(Design {
            y,
            x,
            names,
            offset: raw.offset.as_deref().map(pick),
            weights: raw.weights.as_deref().map(pick),
            fe: FixedEffects {
                dims,
                n: rows.len(),
            },
            dropped,
            rows,
            n_original,
        })
    }

    /// Removes the observations where `drop` is true (used by the separation check).
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
        self.dropped.push(Dropped { reason, count });
    }
}
