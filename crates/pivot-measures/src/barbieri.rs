//! Barbieri's salience, symmetry, interdependence and signed asymmetry of a dyad, per year.
//!
//! # What it measures
//! How important a trade relationship is to both sides (salience), how evenly that
//! importance is shared (symmetry), their product (interdependence), and who needs whom more
//! (signed asymmetry), per dyad and year.
//!
//! # Formula
//! With T_ij = x_ij + x_ji, T_i = i's total trade, T_j = j's total trade,
//! S_i = T_ij / T_i and S_j = T_ij / T_j:
//! salience = √(S_i · S_j); symmetry = 1 − |S_i − S_j|;
//! interdependence = salience × symmetry; asymmetry = S_i − S_j.
//!
//! # Reading it
//! Salience and symmetry lie in [0, 1]; interdependence too. Asymmetry lies in [−1, 1]: a
//! positive value means the focal state i depends more on j than j on i (Russia–China:
//! S_RUS > S_CHN gives a positive asymmetry, "Russia needs China more"). Salience is symmetric
//! in i and j; asymmetry changes sign when i and j swap.
//!
//! # Data it needs
//! `trade_flows` at country level for all partners of both states (T_i and T_j are sums over
//! the rows given), current USD. Dyad-years where either state has no trade at all produce
//! no rows.
//!
//! # Reference
//! Barbieri, K. (1996), "Economic Interdependence: A Path to Peace or a Source of Interstate
//! Conflict?", *Journal of Peace Research* 33(1): 29–49.

use serde::Serialize;

use crate::common::{PartnerSelection, check_focal};
use crate::error::{MeasureError, Result};
use crate::trade::{FlowDirection, TradeFlow, index_by_year};

/// The four Barbieri scores of one dyad.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BarbieriScores {
    /// S_i = T_ij / T_i.
    pub s_i: f64,
    /// S_j = T_ij / T_j.
    pub s_j: f64,
    /// √(S_i · S_j).
    pub salience: f64,
    /// 1 − |S_i − S_j|.
    pub symmetry: f64,
    /// salience × symmetry.
    pub interdependence: f64,
    /// S_i − S_j (positive: i depends more on j).
    pub asymmetry: f64,
}

/// Barbieri scores from the two trade shares, each in [0, 1].
pub fn barbieri_scores(s_i: f64, s_j: f64) -> Result<BarbieriScores> {
    for (name, s) in [("S_i", s_i), ("S_j", s_j)] {
        if !(s.is_finite() && (0.0..=1.0).contains(&s)) {
            return Err(MeasureError::InvalidValue {
                what: "trade share (must lie in [0, 1])",
                value: s,
                context: name.to_string(),
            });
        }
    }
    let salience = (s_i * s_j).sqrt();
    let symmetry = 1.0 - (s_i - s_j).abs();
    Ok(BarbieriScores {
        s_i,
        s_j,
        salience,
        symmetry,
        interdependence: salience * symmetry,
        asymmetry: s_i - s_j,
    })
}

/// Barbieri scores for one dyad-year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct BarbieriRow {
    /// Year.
    pub year: i32,
    /// Focal state i.
    pub focal: String,
    /// Partner j.
    pub partner: String,
    /// T_ij, current USD.
    pub trade_ij: f64,
    /// T_i, current USD.
    pub total_i: f64,
    /// T_j, current USD.
    pub total_j: f64,
    /// S_i = T_ij / T_i.
    pub s_i: f64,
    /// S_j = T_ij / T_j.
    pub s_j: f64,
    /// √(S_i · S_j).
    pub salience: f64,
    /// 1 − |S_i − S_j|.
    pub symmetry: f64,
    /// salience × symmetry.
    pub interdependence: f64,
    /// S_i − S_j (positive: the focal state depends more on the partner).
    pub asymmetry: f64,
}

/// Barbieri scores of the focal state i with each partner j (none: every partner), per year
/// (sorted by year, partner).
pub fn barbieri(flows: &[TradeFlow], p: &BarbieriParams) -> Result<Vec<BarbieriRow>> {
    let focal = &p.focal.0;
    check_focal("focal", focal)?;
    let selection = p.partners.selection();
    let years = index_by_year(flows)?;
    let mut out = Vec::new();
    for (year, t) in &years {
        let total_i = t.total_of(focal);
        if total_i <= 0.0 {
            continue;
        }
        let partners: Vec<String> = match &selection {
            PartnerSelection::All => t.partners(focal, FlowDirection::Total),
            PartnerSelection::Only(list) => {
                let mut l: Vec<String> = list.iter().filter(|q| *q != focal).cloned().collect();
                l.sort();
                l.dedup();
                l
            }
        };
        for partner in partners {
            let total_j = t.total_of(&partner);
            if total_j <= 0.0 {
                continue;
            }
            let trade_ij = t.bilateral(focal, &partner);
            let scores = barbieri_scores(trade_ij / total_i, trade_ij / total_j)?;
            out.push(BarbieriRow {
                year: *year,
                focal: focal.clone(),
                partner,
                trade_ij,
                total_i,
                total_j,
                s_i: scores.s_i,
                s_j: scores.s_j,
                salience: scores.salience,
                symmetry: scores.symmetry,
                interdependence: scores.interdependence,
                asymmetry: scores.asymmetry,
            });
        }
    }
    Ok(out)
}

/// Parameters of `pivot measure barbieri-interdependence`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BarbieriParams {
    /// The focal state.
    pub focal: crate::params::Country,
    /// Partners to report; none: every partner.
    #[serde(default)]
    pub partners: crate::params::Partners,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// The trade series.
    #[serde(default)]
    pub source: crate::data::TradeSource,
}

impl crate::params::Validate for BarbieriParams {}

/// The `barbieri-interdependence` measure.
pub struct Barbieri;

impl crate::measure::Measure for Barbieri {
    type Params = BarbieriParams;
    type Row = BarbieriRow;
    const NAME: &'static str = "barbieri-interdependence";
    const DIMENSION: crate::Dimension = crate::Dimension::Trade;
    const TABLES: &'static [crate::Table] =
        &[crate::Table::TradeFlows, crate::Table::TradeDyadYear];
    const SOURCE: &'static str = include_str!("barbieri.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        // Each partner's own total T_j needs all of its flows: read flows touching the focal
        // state and the partners (or every flow when all partners are asked for).
        let touching = (!p.partners.is_empty())
            .then(|| [vec![p.focal.0.clone()], p.partners.0.clone()].concat());
        let flows = data.trade_flows(&crate::data::TradeQuery {
            source: p.source,
            years: p.years,
            touching,
        })?;
        let rows = barbieri(&flows, p)?;
        Ok(crate::measure::Output::rows(rows).note(crate::trade::USD_NOTE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use proptest::prelude::*;

    fn params(focal: &str, partners: &[&str]) -> BarbieriParams {
        BarbieriParams {
            focal: crate::params::Country(focal.into()),
            partners: crate::params::Partners(partners.iter().map(|p| p.to_string()).collect()),
            years: crate::params::Years::ALL,
            source: crate::data::TradeSource::default(),
        }
    }

    #[test]
    fn scores_hand_computed() {
        // T_ij = 30, T_i = 100, T_j = 60: S_i = 0.3, S_j = 0.5.
        // salience = √0.15 = 0.3872983346207417; symmetry = 1 − 0.2 = 0.8;
        // interdependence = 0.3098386676965934; asymmetry = −0.2 (j depends more on i).
        let s = barbieri_scores(0.3, 0.5).unwrap();
        assert_close(s.salience, 0.15f64.sqrt());
        assert_close(s.salience, 0.387_298_334_620_741_7);
        assert_close(s.symmetry, 0.8);
        assert_close(s.interdependence, 0.309_838_667_696_593_4);
        assert_close(s.asymmetry, -0.2);
    }

    #[test]
    fn dyad_rows_from_flows() {
        // i = A, j = B: x_AB = 10, x_BA = 20 → T_AB = 30. A also trades 70 with C → T_A = 100.
        // B also trades 30 with D → T_B = 60. So S_A = 0.3, S_B = 0.5 as above.
        let flows = vec![
            TradeFlow::new(1999, "A", "B", 10.0),
            TradeFlow::new(1999, "B", "A", 20.0),
            TradeFlow::new(1999, "A", "C", 70.0),
            TradeFlow::new(1999, "D", "B", 30.0),
        ];
        let rows = barbieri(&flows, &params("A", &["B", "Z"])).unwrap();
        assert_eq!(rows.len(), 1, "Z has no trade: no row");
        let r = &rows[0];
        assert_close(r.trade_ij, 30.0);
        assert_close(r.total_i, 100.0);
        assert_close(r.total_j, 60.0);
        assert_close(r.s_i, 0.3);
        assert_close(r.s_j, 0.5);
        assert_close(r.salience, 0.15f64.sqrt());
    }

    #[test]
    fn share_outside_unit_interval_is_rejected() {
        assert!(barbieri_scores(1.2, 0.5).is_err());
        assert!(barbieri_scores(0.2, f64::NAN).is_err());
    }

    proptest! {
        #[test]
        fn bounds_and_symmetry(s_i in 0.0f64..=1.0, s_j in 0.0f64..=1.0) {
            let a = barbieri_scores(s_i, s_j).unwrap();
            let b = barbieri_scores(s_j, s_i).unwrap();
            prop_assert!((0.0..=1.0).contains(&a.salience));
            prop_assert!((0.0..=1.0).contains(&a.symmetry));
            prop_assert!((0.0..=1.0).contains(&a.interdependence));
            prop_assert!((-1.0..=1.0).contains(&a.asymmetry));
            prop_assert_eq!(a.salience, b.salience);
            prop_assert_eq!(a.symmetry, b.symmetry);
            prop_assert_eq!(a.asymmetry, -b.asymmetry);
        }

        #[test]
        fn flows_give_valid_scores(x in 0.0f64..1e6, y in 0.0f64..1e6, oi in 0.0f64..1e6, oj in 0.0f64..1e6) {
            let flows = vec![
                TradeFlow::new(2000, "I", "J", x),
                TradeFlow::new(2000, "J", "I", y),
                TradeFlow::new(2000, "I", "K", oi),
                TradeFlow::new(2000, "L", "J", oj),
            ];
            let rows = barbieri(&flows, &params("I", &["J"])).unwrap();
            let rev = barbieri(&flows, &params("J", &["I"])).unwrap();
            prop_assert_eq!(rows.len(), rev.len());
            for (a, b) in rows.iter().zip(&rev) {
                prop_assert!(a.salience <= 1.0);
                prop_assert!((a.salience - b.salience).abs() < 1e-15);
                prop_assert!((a.asymmetry + b.asymmetry).abs() < 1e-15);
            }
        }
    }
}
