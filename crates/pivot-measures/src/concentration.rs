//! HHI, normalised HHI, effective number and Theil index over partners or products, per year.
//!
//! # What it measures
//! How concentrated a set of values is, over partners (a state's trade across its partners)
//! or over products (a state's exports across HS codes): one dominant unit or many of equal
//! weight.
//!
//! # Formula
//! For N units with values x_k ≥ 0, total X = Σ x_k > 0 and shares s_k = x_k / X:
//! HHI = Σ s_k², in [1/N, 1];
//! HHI* = (HHI − 1/N) / (1 − 1/N), in [0, 1], defined as 1 when N = 1 (one unit is complete
//! concentration);
//! effective number = 1 / HHI, in [1, N];
//! Theil T = (1/N) Σ (x_k/μ) ln(x_k/μ) with μ = X/N and 0·ln 0 = 0, in [0, ln N].
//! N counts every unit passed, including those with value 0.
//!
//! # Reading it
//! HHI = 0.25 is as concentrated as four equal partners (effective number 4). HHI* removes the
//! dependence on N so sets of different size compare; 0 = perfectly even, 1 = all in one unit.
//! Theil T is 0 for equal values and ln N when one unit holds everything. The partner version
//! (claim C4) renormalises shares within the chosen partner set.
//!
//! # Data it needs
//! Any non-negative values per unit and year. [`partner_concentration`] takes `trade_flows`
//! (country level, current USD); [`concentration_by_year`] takes generic keyed values
//! (product exports, TIV by recipient, energy volumes by destination).
//!
//! # Reference
//! Hirschman, A. O. (1945), *National Power and the Structure of Foreign Trade*; Herfindahl,
//! O. C. (1950), *Concentration in the U.S. Steel Industry*, PhD thesis, Columbia University;
//! Theil, H. (1967), *Economics and Information Theory*, North-Holland.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::{PartnerSelection, check_code, check_focal, check_nonneg};
use crate::error::{MeasureError, Result};
use crate::trade::{FlowDirection, TradeFlow, index_by_year};

/// Concentration of one set of values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Concentration {
    /// Number of units N (including zeros).
    pub n: usize,
    /// Σ x_k.
    pub total: f64,
    /// Σ s_k².
    pub hhi: f64,
    /// (HHI − 1/N)/(1 − 1/N); 1 when N = 1.
    pub hhi_normalized: f64,
    /// 1 / HHI.
    pub effective_number: f64,
    /// Theil T.
    pub theil: f64,
}

/// Concentration of `values` (each finite and ≥ 0, at least one > 0).
pub fn concentration(values: &[f64]) -> Result<Concentration> {
    if values.is_empty() {
        return Err(MeasureError::Empty {
            what: "set of values for concentration",
        });
    }
    for (k, v) in values.iter().enumerate() {
        check_nonneg("value", *v, || {
            format!("unit {k} of the concentration input")
        })?;
    }
    let total: f64 = values.iter().sum();
    if total <= 0.0 {
        return Err(MeasureError::ZeroTotal {
            what: "values for concentration",
            context: format!("{} units", values.len()),
        });
    }
    let n = values.len();
    let nf = n as f64;
    let hhi: f64 = values.iter().map(|v| (v / total).powi(2)).sum();
    // Rounding can push HHI a hair outside [1/N, 1]; clamp so the stated bounds hold.
    let hhi = hhi.clamp(1.0 / nf, 1.0);
    let hhi_normalized = if n == 1 {
        1.0
    } else {
        ((hhi - 1.0 / nf) / (1.0 - 1.0 / nf)).clamp(0.0, 1.0)
    };
    let mu = total / nf;
    let theil = values
        .iter()
        .map(|v| {
            let r = v / mu;
            if r > 0.0 { r * r.ln() } else { 0.0 }
        })
        .sum::<f64>()
        / nf;
    Ok(Concentration {
        n,
        total,
        hhi,
        hhi_normalized,
        effective_number: 1.0 / hhi,
        theil: theil.clamp(0.0, nf.ln()),
    })
}

/// One unit's value in a year (a partner, a product, a destination).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedValue {
    /// Year.
    pub year: i32,
    /// The unit (partner code, HS6 code …). Repeated keys in a year are summed.
    pub key: String,
    /// Value ≥ 0.
    pub value: f64,
}

/// Concentration in one year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ConcentrationRow {
    /// Year.
    pub year: i32,
    /// Number of units N (including zeros).
    pub n: usize,
    /// Σ x_k.
    pub total: f64,
    /// Σ s_k².
    pub hhi: f64,
    /// (HHI − 1/N)/(1 − 1/N); 1 when N = 1.
    pub hhi_normalized: f64,
    /// 1 / HHI.
    pub effective_number: f64,
    /// Theil T.
    pub theil: f64,
    /// The unit with the largest value (ties: the smallest key).
    pub largest: String,
    /// Its share of the total.
    pub largest_share: f64,
}

/// Concentration per year of keyed values; years whose values sum to 0 produce no row.
pub fn concentration_by_year(rows: &[KeyedValue]) -> Result<Vec<ConcentrationRow>> {
    let mut years: BTreeMap<i32, BTreeMap<String, f64>> = BTreeMap::new();
    for r in rows {
        let ctx = || format!("{} {}", r.year, r.key);
        check_nonneg("value", r.value, ctx)?;
        check_code("key", &r.key, ctx)?;
        *years
            .entry(r.year)
            .or_default()
            .entry(r.key.clone())
            .or_insert(0.0) += r.value;
    }
    let mut out = Vec::new();
    for (year, units) in years {
        let values: Vec<f64> = units.values().copied().collect();
        if values.iter().sum::<f64>() <= 0.0 {
            continue;
        }
        let c = concentration(&values)?;
        let (largest, max) =
            units
                .iter()
                .fold((String::new(), f64::NEG_INFINITY), |acc, (k, v)| {
                    if *v > acc.1 { (k.clone(), *v) } else { acc }
                });
        out.push(ConcentrationRow {
            year,
            n: c.n,
            total: c.total,
            hhi: c.hhi,
            hhi_normalized: c.hhi_normalized,
            effective_number: c.effective_number,
            theil: c.theil,
            largest,
            largest_share: max / c.total,
        });
    }
    Ok(out)
}

/// Concentration of the focal state's trade over its partners, per year. Selected partners
/// without trade count as zeros (they are in N); none selected: every partner in the rows.
pub fn partner_concentration(
    flows: &[TradeFlow],
    p: &ConcentrationParams,
) -> Result<Vec<ConcentrationRow>> {
    let focal = &p.focal.0;
    check_focal("focal", focal)?;
    let selection = p.partners.selection();
    let years = index_by_year(flows)?;
    let mut keyed = Vec::new();
    for (year, t) in &years {
        if !t.has(focal) {
            continue;
        }
        let partners = match &selection {
            PartnerSelection::All => t.partners(focal, p.direction),
            PartnerSelection::Only(l) => l.iter().filter(|q| *q != focal).cloned().collect(),
        };
        for q in partners {
            let value = t.directed(focal, &q, p.direction);
            keyed.push(KeyedValue {
                year: *year,
                key: q,
                value,
            });
        }
    }
    concentration_by_year(&keyed)
}

/// Parameters of `pivot measure concentration`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcentrationParams {
    /// The focal state.
    pub focal: crate::params::Country,
    /// The partner set (selected partners without trade count as zeros); none: every partner.
    #[serde(default)]
    pub partners: crate::params::Partners,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// Exports, imports or total trade.
    #[serde(default)]
    pub direction: FlowDirection,
    /// The trade series.
    #[serde(default)]
    pub source: crate::data::TradeSource,
}

impl crate::params::Validate for ConcentrationParams {}

/// The `concentration` measure (over the focal state's trade partners).
pub struct PartnerConcentration;

impl crate::measure::Measure for PartnerConcentration {
    type Params = ConcentrationParams;
    type Row = ConcentrationRow;
    const NAME: &'static str = "concentration";
    const DIMENSION: crate::Dimension = crate::Dimension::Trade;
    const TABLES: &'static [crate::Table] =
        &[crate::Table::TradeFlows, crate::Table::TradeDyadYear];
    const SOURCE: &'static str = include_str!("concentration.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let flows = data.trade_flows(&crate::data::TradeQuery {
            source: p.source,
            years: p.years,
            touching: Some(vec![p.focal.0.clone()]),
        })?;
        let rows = partner_concentration(&flows, p)?;
        Ok(crate::measure::Output::rows(rows).note(crate::trade::USD_NOTE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use proptest::prelude::*;

    #[test]
    fn hand_computed_indices() {
        // Values 50, 30, 20: X = 100, shares 0.5, 0.3, 0.2.
        // HHI = 0.25 + 0.09 + 0.04 = 0.38; HHI* = (0.38 − 1/3)/(1 − 1/3) = 0.0466…/0.666… = 0.07;
        // effective number = 1/0.38 = 2.631578947…; μ = 100/3;
        // Theil = (1/3)[1.5 ln 1.5 + 0.9 ln 0.9 + 0.6 ln 0.6].
        let c = concentration(&[50.0, 30.0, 20.0]).unwrap();
        assert_eq!(c.n, 3);
        assert_close(c.hhi, 0.38);
        assert_close(c.hhi_normalized, 0.07);
        assert_close(c.effective_number, 1.0 / 0.38);
        let theil = (1.5 * 1.5f64.ln() + 0.9 * 0.9f64.ln() + 0.6 * 0.6f64.ln()) / 3.0;
        assert_close(c.theil, theil);
        assert_close(c.theil, 0.068_959_274_603_536_14);
    }

    #[test]
    fn edge_cases() {
        // One unit: HHI = 1, HHI* defined as 1, effective number 1, Theil 0.
        let one = concentration(&[7.0]).unwrap();
        assert_eq!(
            (one.hhi, one.hhi_normalized, one.effective_number, one.theil),
            (1.0, 1.0, 1.0, 0.0)
        );
        // All in one of four units (0·ln 0 = 0): HHI = 1, HHI* = 1, Theil = (1/4)·4·ln 4 = ln 4.
        let all = concentration(&[0.0, 0.0, 5.0, 0.0]).unwrap();
        assert_close(all.hhi_normalized, 1.0);
        assert_close(all.theil, 4f64.ln());
        // Equal values: HHI = 1/N, HHI* = 0, Theil = 0.
        let eq = concentration(&[2.0; 5]).unwrap();
        assert_close(eq.hhi, 0.2);
        assert_close(eq.hhi_normalized, 0.0);
        assert_close(eq.theil, 0.0);
        assert!(matches!(
            concentration(&[]),
            Err(MeasureError::Empty { .. })
        ));
        assert!(matches!(
            concentration(&[0.0, 0.0]),
            Err(MeasureError::ZeroTotal { .. })
        ));
        assert!(matches!(
            concentration(&[1.0, -1.0]),
            Err(MeasureError::InvalidValue { .. })
        ));
    }

    #[test]
    fn partner_concentration_counts_selected_partners_without_trade() {
        // RUS total trade: CHN 60 (40 + 20), IND 20, JPN 0 (selected, no rows), DEU excluded.
        // Shares over {CHN, IND, JPN}: 0.75, 0.25, 0 → HHI = 0.5625 + 0.0625 = 0.625, N = 3,
        // HHI* = (0.625 − 1/3)/(2/3) = 0.4375.
        let flows = vec![
            TradeFlow::new(2010, "RUS", "CHN", 40.0),
            TradeFlow::new(2010, "CHN", "RUS", 20.0),
            TradeFlow::new(2010, "IND", "RUS", 20.0),
            TradeFlow::new(2010, "RUS", "DEU", 500.0),
        ];
        let cfg = ConcentrationParams {
            focal: crate::params::Country("RUS".into()),
            partners: crate::params::Partners(vec!["CHN".into(), "IND".into(), "JPN".into()]),
            years: crate::params::Years::ALL,
            direction: FlowDirection::Total,
            source: crate::data::TradeSource::default(),
        };
        let rows = partner_concentration(&flows, &cfg).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].n, 3);
        assert_close(rows[0].hhi, 0.625);
        assert_close(rows[0].hhi_normalized, 0.4375);
        assert_eq!(rows[0].largest, "CHN");
        assert_close(rows[0].largest_share, 0.75);
    }

    proptest! {
        #[test]
        fn bounds_hold(values in prop::collection::vec(0.0f64..1e9, 1..30)) {
            prop_assume!(values.iter().sum::<f64>() > 0.0);
            let c = concentration(&values).unwrap();
            let n = values.len() as f64;
            prop_assert!(c.hhi >= 1.0 / n && c.hhi <= 1.0);
            prop_assert!((0.0..=1.0).contains(&c.hhi_normalized));
            prop_assert!(c.effective_number >= 1.0 - 1e-12 && c.effective_number <= n + 1e-9);
            prop_assert!(c.theil >= 0.0 && c.theil <= n.ln() + 1e-12);
        }
    }
}
