//! Per dimension: dominant partner and share, HHI*, effective number; across dimensions: same dominant partner, hedging index.
//!
//! # What it measures
//! For a focal state and a set of partners, per dimension (trade, energy, arms, diplomacy …):
//! which partner dominates and by how much, how concentrated the relationships are, and
//! whether the same partner dominates everywhere — the footprint of hedging (spreading ties
//! over several partners) versus alignment with one.
//!
//! # Formula
//! Per dimension d, over the partner set P (N = |P|; a partner without a value counts as 0):
//! s_pd = v_pd / Σ_p v_pd; dominant partner = argmax s_pd (ties: smallest code); HHI_d = Σ s_pd²;
//! HHI*_d = (HHI_d − 1/N)/(1 − 1/N) (1 when N = 1); effective number = 1/HHI_d.
//! Cross-dimension: same_dominant = every dimension with data has the same dominant partner.
//! Composite **hedging index** H = Σ_d w_d (1 − HHI*_d) / Σ_d w_d over the dimensions with data
//! and weight w_d > 0 (weights are parameters, default 1 for trade, energy, arms, diplomacy).
//!
//! # Reading it
//! Russia over {CHN, IND, VNM, JPN}: a dominant CHN in trade and energy but IND in arms
//! (same_dominant = false) is hedging across dimensions (claim C4). H near 1 means ties spread
//! evenly over the partners in every weighted dimension; near 0, one partner everywhere. H
//! depends on the partner set and the weights: report both with it. Values must be comparable
//! within a dimension (USD for trade, volume of one carrier for energy, TIV for arms, an
//! agreement score in [0, 1] for diplomacy, where "share" is relative alignment).
//!
//! # Data it needs
//! Per-dimension partner values computed by the other measures for one period: trade totals
//! (`trade_flows`), energy volumes (`energy_flows`), TIV (`arms_transfers`), UN agreement
//! (`un_votes`). Values for partners outside the set are ignored; dimensions whose values sum
//! to 0 are left out.
//!
//! # Reference
//! Kuik, C.-C. (2008), "The Essence of Hedging: Malaysia and Singapore's Response to a Rising
//! China", *Contemporary Southeast Asia* 30(2): 159–185; Mankoff, J. (2015), "Russia's Asia
//! Pivot: Confrontation or Cooperation?", *Asia Policy* 19: 65–87; Hirschman (1945) for the
//! concentration index.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::common::{check_focal, check_nonneg};
use crate::concentration::concentration;
use crate::dimension::Dimension;
use crate::error::{MeasureError, Result};

/// One partner's value in one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct HedgingValue {
    /// The dimension.
    pub dimension: Dimension,
    /// Partner (ISO3).
    pub partner: String,
    /// Value ≥ 0 (trade USD, energy volume, TIV, agreement …).
    pub value: f64,
}

/// One dimension of the view.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct HedgingDimensionRow {
    /// Focal state.
    pub focal: String,
    /// Dimension.
    pub dimension: Dimension,
    /// N = size of the partner set.
    pub n_partners: usize,
    /// Σ of values over the partner set.
    pub total: f64,
    /// Partner with the largest value.
    pub dominant_partner: String,
    /// Its share.
    pub dominant_share: f64,
    /// HHI over the partner set.
    pub hhi: f64,
    /// Normalised HHI*.
    pub hhi_normalized: f64,
    /// 1 / HHI.
    pub effective_number: f64,
}

/// The cross-dimension summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HedgingSummary {
    /// Focal state.
    pub focal: String,
    /// Dimensions with data.
    pub n_dimensions: usize,
    /// Distinct dominant partners across dimensions (sorted).
    pub dominant_partners: Vec<String>,
    /// Whether one partner dominates every dimension with data.
    pub same_dominant: bool,
    /// Composite hedging index H; None when no dimension with data has a positive weight.
    pub hedging_index: Option<f64>,
}

/// Rows of [`hedging_view`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HedgingView {
    /// One row per dimension with data (in [`Dimension`] order).
    pub dimensions: Vec<HedgingDimensionRow>,
    /// Cross-dimension summary.
    pub summary: HedgingSummary,
}

/// The hedging view of `focal` over the partner set, with the composite index weighted by the
/// four weights (dimensions without a weight count 0). `years` is not read here: it chose the
/// values.
pub fn hedging_view(values: &[HedgingValue], p: &HedgingViewParams) -> Result<HedgingView> {
    let focal = p.focal.0.as_str();
    check_focal("focal", focal)?;
    let partners: BTreeSet<&str> = p.partners.0.iter().map(String::as_str).collect();
    if partners.is_empty() {
        return Err(MeasureError::Empty {
            what: "partner set",
        });
    }
    if partners.contains(focal) {
        return Err(MeasureError::InvalidParameter {
            name: "partners",
            value: focal.to_string(),
            reason: "the partner set must not contain the focal state",
        });
    }
    let mut weights: BTreeMap<Dimension, f64> = BTreeMap::new();
    for (d, w) in &[
        (Dimension::Trade, p.weight_trade),
        (Dimension::Energy, p.weight_energy),
        (Dimension::Arms, p.weight_arms),
        (Dimension::Diplomacy, p.weight_diplomacy),
    ] {
        if !(w.is_finite() && *w >= 0.0) {
            return Err(MeasureError::InvalidParameter {
                name: "weights",
                value: format!("{}={w}", d.as_str()),
                reason: "weights must be finite and >= 0",
            });
        }
        weights.insert(*d, *w);
    }
    let mut by_dim: BTreeMap<Dimension, BTreeMap<&str, f64>> = BTreeMap::new();
    for v in values {
        check_nonneg("hedging value", v.value, || {
            format!("{} {}", v.dimension.as_str(), v.partner)
        })?;
        if let Some(p) = partners.get(v.partner.as_str()) {
            *by_dim
                .entry(v.dimension)
                .or_insert_with(|| partners.iter().map(|p| (*p, 0.0)).collect())
                .entry(p)
                .or_insert(0.0) += v.value;
        }
    }
    let mut rows = Vec::new();
    for (dimension, vals) in by_dim {
        let total: f64 = vals.values().sum();
        if total <= 0.0 {
            continue;
        }
        let c = concentration(&vals.values().copied().collect::<Vec<_>>())?;
        let (dom, dv) = vals.iter().fold(("", f64::NEG_INFINITY), |acc, (k, v)| {
            if *v > acc.1 { (*k, *v) } else { acc }
        });
        rows.push(HedgingDimensionRow {
            focal: focal.to_string(),
            dimension,
            n_partners: c.n,
            total,
            dominant_partner: dom.to_string(),
            dominant_share: dv / total,
            hhi: c.hhi,
            hhi_normalized: c.hhi_normalized,
            effective_number: c.effective_number,
        });
    }
    let dominant: BTreeSet<String> = rows.iter().map(|r| r.dominant_partner.clone()).collect();
    let (num, den) = rows.iter().fold((0.0, 0.0), |(num, den), r| {
        let w = weights.get(&r.dimension).copied().unwrap_or(0.0);
        (num + w * (1.0 - r.hhi_normalized), den + w)
    });
    let summary = HedgingSummary {
        focal: focal.to_string(),
        n_dimensions: rows.len(),
        same_dominant: dominant.len() == 1,
        dominant_partners: dominant.into_iter().collect(),
        hedging_index: (den > 0.0).then(|| num / den),
    };
    Ok(HedgingView {
        dimensions: rows,
        summary,
    })
}

fn default_partners() -> crate::params::Partners {
    crate::params::Partners(
        ["CHN", "IND", "JPN", "KOR", "VNM"]
            .map(String::from)
            .to_vec(),
    )
}
fn one() -> f64 {
    1.0
}

/// Parameters of `pivot measure hedging-view`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HedgingViewParams {
    /// The focal state.
    pub focal: crate::params::Country,
    /// The partner set P.
    #[serde(default = "default_partners")]
    pub partners: crate::params::Partners,
    /// Years: trade and energy at the last year in range, arms summed over the range, diplomacy over the last five sessions in range.
    #[serde(default)]
    pub years: crate::params::Years,
    /// Weight of trade in the hedging index H.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0))]
    pub weight_trade: f64,
    /// Weight of energy in H.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0))]
    pub weight_energy: f64,
    /// Weight of arms in H.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0))]
    pub weight_arms: f64,
    /// Weight of diplomacy in H.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0))]
    pub weight_diplomacy: f64,
}

impl crate::params::Validate for HedgingViewParams {
    fn validate(&self) -> std::result::Result<(), crate::params::ParamError> {
        if self.partners.is_empty() {
            return Err(crate::params::ParamError::new(
                "partners",
                Some(String::new()),
                "the partner set is empty",
            ));
        }
        Ok(())
    }
}

/// The `hedging-view` measure.
pub struct HedgingViewMeasure;

/// The values of each dimension for the hedging view, from the rows `data` serves: trade
/// (total trade with each partner in the last year of the trade series in range), energy
/// (crude oil exports in the last energy year in range), arms (TIV delivered over the range),
/// diplomacy (mean Voeten agreement over the last five UNGA sessions in range). Returns the
/// values and a note per dimension saying what was used.
pub fn hedging_inputs(
    data: &dyn crate::data::Data,
    focal: &str,
    partners: &[String],
    years: &crate::params::Years,
) -> Result<(Vec<HedgingValue>, Vec<String>)> {
    let mut values = Vec::new();
    let mut notes = Vec::new();
    let flows = data.trade_flows(&crate::data::TradeQuery {
        source: crate::data::TradeSource::Spliced,
        years: *years,
        touching: Some(vec![focal.to_string()]),
    })?;
    if let Some(last) = flows.iter().map(|f| f.year).max() {
        let mut by: BTreeMap<&str, f64> = BTreeMap::new();
        for f in flows.iter().filter(|f| f.year == last) {
            let other = if f.exporter == focal {
                f.importer.as_str()
            } else if f.importer == focal {
                f.exporter.as_str()
            } else {
                continue;
            };
            *by.entry(other).or_default() += f.value;
        }
        for p in partners {
            values.push(HedgingValue {
                dimension: Dimension::Trade,
                partner: p.clone(),
                value: by.get(p.as_str()).copied().unwrap_or(0.0),
            });
        }
        notes.push(format!("trade: total trade with each partner in {last}"));
    }
    let energy = data.energy_exports(focal, years)?;
    if let Some(ly) = energy.iter().map(|e| e.flow.year).max() {
        for p in partners {
            let v: f64 = energy
                .iter()
                .filter(|e| {
                    e.flow.year == ly
                        && e.flow.carrier == crate::energy::Carrier::CrudeOil
                        && e.importer_iso3.as_deref() == Some(p.as_str())
                })
                .map(|e| e.flow.volume)
                .sum();
            values.push(HedgingValue {
                dimension: Dimension::Energy,
                partner: p.clone(),
                value: v,
            });
        }
        notes.push(format!(
            "energy: crude oil exports (Mt) to each partner in {ly} (EI)"
        ));
    }
    let arms: Vec<_> = data
        .arms(focal, crate::data::ArmsRole::Supplier, false)?
        .into_iter()
        .filter(|a| years.contains(a.year))
        .collect();
    if !arms.is_empty() {
        for p in partners {
            let v: f64 = arms
                .iter()
                .filter(|a| &a.recipient == p)
                .map(|a| a.tiv)
                .sum();
            values.push(HedgingValue {
                dimension: Dimension::Arms,
                partner: p.clone(),
                value: v,
            });
        }
        notes.push("arms: SIPRI TIV delivered to each partner over the years in range".into());
    }
    let al = crate::un_alignment::alignment_over(
        data,
        focal,
        partners,
        years,
        crate::un_alignment::AlignmentPeriod::Session,
        crate::un_alignment::AlignmentBy::Pooled,
    )?;
    if let Some(last) = al.iter().map(|r| r.period).max() {
        for p in partners {
            let rs: Vec<f64> = al
                .iter()
                .filter(|r| &r.partner == p && r.period > last - 5)
                .map(|r| r.agreement)
                .collect();
            let v = if rs.is_empty() {
                0.0
            } else {
                rs.iter().sum::<f64>() / rs.len() as f64
            };
            values.push(HedgingValue {
                dimension: Dimension::Diplomacy,
                partner: p.clone(),
                value: v,
            });
        }
        notes.push(format!(
            "diplomacy: mean Voeten agreement over UNGA sessions {}-{last}",
            last - 4
        ));
    }
    Ok((values, notes))
}

impl crate::measure::Measure for HedgingViewMeasure {
    type Params = HedgingViewParams;
    type Row = HedgingDimensionRow;
    const NAME: &'static str = "hedging-view";
    const DIMENSION: crate::Dimension = crate::Dimension::Hedging;
    const TABLES: &'static [crate::Table] = &[
        crate::Table::TradeFlows,
        crate::Table::TradeDyadYear,
        crate::Table::EnergyFlows,
        crate::Table::ArmsDyadYear,
        crate::Table::UnVotes,
    ];
    const SOURCE: &'static str = include_str!("hedging.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let focal = p.focal.0.as_str();
        let (values, notes) = hedging_inputs(data, focal, &p.partners.0, &p.years)?;
        let view = hedging_view(&values, p)?;
        let mut out = crate::measure::Output::rows(view.dimensions);
        for n in notes {
            out = out.note(n);
        }
        Ok(out.note(format!(
            "Summary: dominant partners {}; same everywhere: {}; hedging index {}",
            view.summary.dominant_partners.join("/"),
            view.summary.same_dominant,
            view.summary
                .hedging_index
                .map(|h| format!("{h:.3}"))
                .unwrap_or_else(|| "n/a".into())
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use proptest::prelude::*;

    fn hv(d: Dimension, p: &str, v: f64) -> HedgingValue {
        HedgingValue {
            dimension: d,
            partner: p.into(),
            value: v,
        }
    }

    fn partners() -> Vec<String> {
        vec!["CHN".into(), "IND".into(), "VNM".into(), "JPN".into()]
    }

    /// The view of `focal` over `partners`, every weight at its default.
    fn params(focal: &str, partners: Vec<String>) -> HedgingViewParams {
        HedgingViewParams {
            focal: crate::params::Country(focal.into()),
            partners: crate::params::Partners(partners),
            years: crate::params::Years::ALL,
            weight_trade: one(),
            weight_energy: one(),
            weight_arms: one(),
            weight_diplomacy: one(),
        }
    }

    /// Every weight 0 but those given.
    fn weighted(weights: &[(Dimension, f64)]) -> HedgingViewParams {
        let w = |d| weights.iter().find(|x| x.0 == d).map_or(0.0, |x| x.1);
        HedgingViewParams {
            weight_trade: w(Dimension::Trade),
            weight_energy: w(Dimension::Energy),
            weight_arms: w(Dimension::Arms),
            weight_diplomacy: w(Dimension::Diplomacy),
            ..params("RUS", partners())
        }
    }

    #[test]
    fn view_hand_computed() {
        // Trade over {CHN, IND, JPN, VNM}: 60, 10, 20, 10 (USA 500 ignored) → shares 0.6, 0.1, 0.2, 0.1;
        //   HHI = 0.36 + 0.01 + 0.04 + 0.01 = 0.42; HHI* = (0.42 − 0.25)/0.75 = 0.226666…; dominant CHN.
        // Arms: IND 50, CHN 30, VNM 20, JPN — → 0.5, 0.3, 0.2, 0;
        //   HHI = 0.25 + 0.09 + 0.04 = 0.38; HHI* = (0.38 − 0.25)/0.75 = 0.173333…; dominant IND.
        // H (equal weights, energy and diplomacy absent) = ((1 − 0.226666…) + (1 − 0.173333…))/2 = 0.8.
        let values = vec![
            hv(Dimension::Trade, "CHN", 60.0),
            hv(Dimension::Trade, "IND", 10.0),
            hv(Dimension::Trade, "JPN", 20.0),
            hv(Dimension::Trade, "VNM", 10.0),
            hv(Dimension::Trade, "USA", 500.0),
            hv(Dimension::Arms, "IND", 50.0),
            hv(Dimension::Arms, "CHN", 30.0),
            hv(Dimension::Arms, "VNM", 20.0),
        ];
        let v = hedging_view(&values, &params("RUS", partners())).unwrap();
        assert_eq!(v.dimensions.len(), 2);
        let trade = v
            .dimensions
            .iter()
            .find(|d| d.dimension == Dimension::Trade)
            .unwrap();
        assert_eq!(
            (trade.dominant_partner.as_str(), trade.n_partners),
            ("CHN", 4)
        );
        assert_close(trade.dominant_share, 0.6);
        assert_close(trade.hhi, 0.42);
        assert_close(trade.hhi_normalized, 0.17 / 0.75);
        assert_close(trade.effective_number, 1.0 / 0.42);
        let arms = v
            .dimensions
            .iter()
            .find(|d| d.dimension == Dimension::Arms)
            .unwrap();
        assert_eq!(arms.dominant_partner, "IND");
        assert_close(arms.hhi_normalized, 0.13 / 0.75);
        assert!(!v.summary.same_dominant);
        assert_eq!(
            v.summary.dominant_partners,
            vec!["CHN".to_string(), "IND".to_string()]
        );
        assert_close(v.summary.hedging_index.unwrap(), 0.8);
        // Weight only arms: H = 1 − 0.173333… = 0.826666…
        let cfg = weighted(&[(Dimension::Arms, 2.0)]);
        let v = hedging_view(&values, &cfg).unwrap();
        assert_close(v.summary.hedging_index.unwrap(), 1.0 - 0.13 / 0.75);
    }

    #[test]
    fn same_dominant_everywhere_and_errors() {
        let values = vec![
            hv(Dimension::Trade, "CHN", 5.0),
            hv(Dimension::Energy, "CHN", 1.0),
            hv(Dimension::Energy, "IND", 0.5),
        ];
        let v = hedging_view(&values, &params("RUS", partners())).unwrap();
        assert!(v.summary.same_dominant);
        let weightless = weighted(&[]);
        assert_eq!(
            hedging_view(&values, &weightless)
                .unwrap()
                .summary
                .hedging_index,
            None
        );
        assert!(matches!(
            hedging_view(&values, &params("RUS", vec![])),
            Err(MeasureError::Empty { .. })
        ));
        assert!(hedging_view(&values, &params("RUS", vec!["RUS".into()])).is_err());
        let bad = weighted(&[(Dimension::Trade, -1.0)]);
        assert!(hedging_view(&values, &bad).is_err());
    }

    proptest! {
        #[test]
        fn index_and_hhi_bounds(vals in prop::collection::vec((0usize..4, 0usize..5, 0.0f64..100.0), 1..40)) {
            let dims = [Dimension::Trade, Dimension::Energy, Dimension::Arms, Dimension::Diplomacy];
            let ps = ["P0", "P1", "P2", "P3", "P4"];
            let values: Vec<_> = vals.iter().map(|(d, p, v)| hv(dims[*d], ps[*p], *v)).collect();
            let cfg = params("F", ps.iter().map(|s| s.to_string()).collect());
            let v = hedging_view(&values, &cfg).unwrap();
            for d in &v.dimensions {
                prop_assert!(d.hhi >= 0.2 - 1e-12 && d.hhi <= 1.0);
                prop_assert!((0.0..=1.0).contains(&d.hhi_normalized));
                prop_assert!(d.dominant_share >= 0.2 - 1e-12);
            }
            if let Some(h) = v.summary.hedging_index { prop_assert!((0.0..=1.0).contains(&h)); }
        }
    }
}
