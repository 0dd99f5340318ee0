//! Each partner's share of a state's exports, imports or total trade, and its rank, per year.
//!
//! # What it measures
//! How much of a focal state's trade goes to each partner, and where each partner ranks,
//! per year: of its exports, of its imports, or of its total trade (exports + imports).
//!
//! # Formula
//! For focal state i and partner j in a year, with v_ij the focal state's exports to j
//! (x_ij), imports from j (x_ji) or total trade with j (T_ij = x_ij + x_ji):
//! share_ij = v_ij / Σ_k v_ik, where k runs over every partner in the rows given.
//! rank_ij = 1 + the number of partners with a strictly larger v_ik (competition ranking:
//! ties share the best rank; rows of tied partners are ordered by code).
//!
//! # Reading it
//! A share of 0.18 and rank 1 for CHN in RUS's total trade means China is Russia's largest
//! trading partner with 18 % of its trade (claim C1). Shares of one focal state, direction and
//! year sum to 1. The denominator is the sum over the rows passed: pass all of the focal
//! state's partners (not a subset) for shares of its total trade.
//!
//! # Data it needs
//! `trade_flows` at country level (all-goods totals or product rows, which are summed), values
//! in current USD. Domestic flows (exporter = importer) are ignored. Years where the focal
//! state's total in the chosen direction is zero produce no rows.
//!
//! # Reference
//! Hirschman, A. O. (1945), *National Power and the Structure of Foreign Trade*, University of
//! California Press (partner shares as the basis of trade dependence); WITS/UNCTAD trade
//! indicators, "Partner share".

use serde::Serialize;

use crate::common::{check_focal, competition_ranks};
use crate::error::Result;
use crate::trade::{FlowDirection, TradeFlow, index_by_year};

/// One partner of the focal state in one year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PartnerShareRow {
    /// Year.
    pub year: i32,
    /// Focal state (ISO3).
    pub focal: String,
    /// Partner (ISO3).
    pub partner: String,
    /// Direction of the share.
    pub direction: FlowDirection,
    /// The focal state's trade with the partner in that direction, current USD.
    pub value: f64,
    /// `value` / the focal state's total in that direction.
    pub share: f64,
    /// Competition rank by `value` (1 = largest).
    pub rank: u32,
    /// Number of partners in the denominator.
    pub n_partners: usize,
}

/// Partner shares and ranks of the focal state (ISO3) in the direction given (exports, imports
/// or total trade), per year; rows sorted by year, then rank.
pub fn partner_shares(
    flows: &[TradeFlow],
    focal: &str,
    direction: FlowDirection,
) -> Result<Vec<PartnerShareRow>> {
    check_focal("focal", focal)?;
    let years = index_by_year(flows)?;
    let mut out = Vec::new();
    for (year, t) in &years {
        let partners = t.partners(focal, direction);
        let values: Vec<(String, f64)> = partners
            .into_iter()
            .map(|p| {
                let v = t.directed(focal, &p, direction);
                (p, v)
            })
            .collect();
        let total: f64 = values.iter().map(|(_, v)| v).sum();
        if total <= 0.0 {
            continue;
        }
        let n = values.len();
        for (partner, value, rank) in competition_ranks(values) {
            out.push(PartnerShareRow {
                year: *year,
                focal: focal.to_string(),
                partner,
                direction,
                value,
                share: value / total,
                rank,
                n_partners: n,
            });
        }
    }
    Ok(out)
}

/// Parameters of `pivot measure partner-share`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerShareParams {
    /// The focal state.
    pub focal: crate::params::Country,
    /// Report only these partners (shares stay shares of the focal state's trade with every partner).
    #[serde(default)]
    pub partners: crate::params::Partners,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// Exports, imports or total trade.
    #[serde(default)]
    pub direction: FlowDirection,
    /// Keep partners ranked N or better.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub top: Option<u32>,
    /// The trade series (spliced: COW to 2011, BACI totals 2012-2023, product-level BACI where ingested).
    #[serde(default)]
    pub source: crate::data::TradeSource,
}

impl crate::params::Validate for PartnerShareParams {}

/// The `partner-share` measure.
pub struct PartnerShare;

impl crate::measure::Measure for PartnerShare {
    type Params = PartnerShareParams;
    type Row = PartnerShareRow;
    const NAME: &'static str = "partner-share";
    const DIMENSION: crate::Dimension = crate::Dimension::Trade;
    const TABLES: &'static [crate::Table] =
        &[crate::Table::TradeFlows, crate::Table::TradeDyadYear];
    const SOURCE: &'static str = include_str!("partner_share.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let flows = data.trade_flows(&crate::data::TradeQuery {
            source: p.source,
            years: p.years,
            touching: Some(vec![p.focal.0.clone()]),
        })?;
        let mut rows = partner_shares(&flows, &p.focal.0, p.direction)?;
        if !p.partners.is_empty() {
            rows.retain(|r| p.partners.0.contains(&r.partner));
        }
        if let Some(top) = p.top {
            rows.retain(|r| r.rank <= top);
        }
        Ok(crate::measure::Output::rows(rows).note(crate::trade::USD_NOTE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use proptest::prelude::*;

    fn fixture() -> Vec<TradeFlow> {
        vec![
            TradeFlow::new(2014, "RUS", "CHN", 40.0),
            TradeFlow::new(2014, "CHN", "RUS", 50.0),
            TradeFlow::new(2014, "RUS", "DEU", 60.0),
            TradeFlow::new(2014, "DEU", "RUS", 30.0),
            TradeFlow::new(2014, "IND", "RUS", 20.0),
            TradeFlow::new(2014, "CHN", "DEU", 999.0), // not RUS's trade
        ]
    }

    #[test]
    fn total_shares_hand_computed() {
        // T_RUS,CHN = 40 + 50 = 90; T_RUS,DEU = 60 + 30 = 90; T_RUS,IND = 0 + 20 = 20.
        // T_RUS = 200 → shares 0.45, 0.45, 0.10; CHN and DEU tie at rank 1, IND rank 3.
        let rows = partner_shares(&fixture(), "RUS", FlowDirection::Total).unwrap();
        let got: Vec<_> = rows.iter().map(|r| (r.partner.as_str(), r.rank)).collect();
        assert_eq!(got, vec![("CHN", 1), ("DEU", 1), ("IND", 3)]);
        assert_close(rows[0].share, 0.45);
        assert_close(rows[1].share, 0.45);
        assert_close(rows[2].share, 0.10);
        assert_close(rows[2].value, 20.0);
        assert_eq!(rows[0].n_partners, 3);
    }

    #[test]
    fn directional_shares_hand_computed() {
        // Exports of RUS: CHN 40, DEU 60 → 0.4, 0.6 (IND has no export row: not a partner here).
        let ex = partner_shares(&fixture(), "RUS", FlowDirection::Exports).unwrap();
        assert_eq!(ex.len(), 2);
        assert_eq!((ex[0].partner.as_str(), ex[0].rank), ("DEU", 1));
        assert_close(ex[0].share, 0.6);
        assert_close(ex[1].share, 0.4);
        // Imports of RUS: CHN 50, DEU 30, IND 20 → 0.5, 0.3, 0.2.
        let im = partner_shares(&fixture(), "RUS", FlowDirection::Imports).unwrap();
        let got: Vec<_> = im
            .iter()
            .map(|r| (r.partner.as_str(), r.share, r.rank))
            .collect();
        assert_eq!(got, vec![("CHN", 0.5, 1), ("DEU", 0.3, 2), ("IND", 0.2, 3)]);
    }

    #[test]
    fn empty_focal_is_an_error() {
        assert!(partner_shares(&fixture(), " ", FlowDirection::Total).is_err());
    }

    proptest! {
        #[test]
        fn shares_sum_to_one(values in prop::collection::vec(0.0f64..1e6, 1..12)) {
            let flows: Vec<TradeFlow> = values.iter().enumerate()
                .map(|(k, v)| TradeFlow::new(2000, "F", &format!("P{k:02}"), *v))
                .collect();
            let rows = partner_shares(&flows, "F", FlowDirection::Total).unwrap();
            let total: f64 = values.iter().sum();
            if total > 0.0 {
                let s: f64 = rows.iter().map(|r| r.share).sum();
                prop_assert!((s - 1.0).abs() < 1e-9);
                prop_assert!(rows.iter().all(|r| (0.0..=1.0).contains(&r.share)));
                prop_assert!(rows.windows(2).all(|w| w[0].rank <= w[1].rank));
            } else {
                prop_assert!(rows.is_empty());
            }
        }
    }
}
