//! Each named set's share of a state's exports, imports or total trade (Asia, East and South Asia, EU27 …), per year.
//!
//! # What it measures
//! How much of a focal state's trade is with the members of a named set of states — a region
//! of the UN M49 geoscheme (`asia`, `eastern-asia`, `east-south-asia` …) or a documented group
//! (`eu27`, `g7`, `nafta`, `brics`) — per year: of its exports, its imports or its total trade.
//!
//! # Formula
//! For focal state i, set R and year t, with v_ij as in `partner-share` (exports x_ij, imports
//! x_ji or total T_ij = x_ij + x_ji): share_iR = Σ_{j ∈ R, j ≠ i} v_ij / Σ_k v_ik, the sum of the
//! partner shares of R's members; value_iR = Σ_{j ∈ R, j ≠ i} v_ij.
//!
//! # Reading it
//! 0.31 for `asia` in RUS's total trade in 2014: three tenths of Russia's trade was with Asian
//! states. Sets may overlap (`east-south-asia` lies inside `asia`), so shares of different sets
//! do not add up. The focal state itself is never its own partner, even when it is a member.
//!
//! # Data it needs
//! `trade_flows` at country level (the spliced trade series by default), values in current USD;
//! set members from pivot's named sets (UN M49 via world-countries, and the documented lists).
//!
//! # Reference
//! United Nations Statistics Division, *Standard country or area codes for statistical use
//! (M49)*; the regional trade shares of UNCTADstat and WITS.

use serde::Serialize;

use crate::error::{MeasureError, Result};
use crate::partner_share::partner_shares;
use crate::trade::{FlowDirection, TradeFlow};

/// One set's share of the focal state's trade in one year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RegionShareRow {
    /// Year.
    pub year: i32,
    /// Focal state (ISO3).
    pub focal: String,
    /// The named set.
    pub region: String,
    /// Direction of the share.
    pub direction: FlowDirection,
    /// Trade with the set's members, current USD.
    pub value: f64,
    /// `value` / the focal state's total in that direction.
    pub share: f64,
    /// Members the focal state traded with that year.
    pub members_traded: usize,
}

/// The share of each set (name, ISO3 members) in the focal state's trade, per year; rows sorted
/// by year, then in the order of `sets`.
pub fn region_shares(
    flows: &[TradeFlow],
    focal: &str,
    direction: FlowDirection,
    sets: &[(String, Vec<String>)],
) -> Result<Vec<RegionShareRow>> {
    let rows = partner_shares(flows, focal, direction)?;
    let mut years: Vec<i32> = rows.iter().map(|r| r.year).collect();
    years.dedup();
    let mut out = Vec::new();
    for y in years {
        for (name, members) in sets {
            let of: Vec<_> = rows
                .iter()
                .filter(|r| r.year == y && members.contains(&r.partner))
                .collect();
            out.push(RegionShareRow {
                year: y,
                focal: focal.to_string(),
                region: name.clone(),
                direction,
                value: of.iter().map(|r| r.value).sum(),
                share: of.iter().map(|r| r.share).sum(),
                members_traded: of.iter().filter(|r| r.value > 0.0).count(),
            });
        }
    }
    Ok(out)
}

fn default_regions() -> Vec<String> {
    vec!["asia".into(), "east-south-asia".into()]
}

/// Parameters of `pivot measure region-share`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionShareParams {
    /// The focal state.
    pub focal: crate::params::Country,
    /// Named sets of states (asia, eastern-asia, south-eastern-asia, southern-asia, central-asia, western-asia, east-south-asia, europe, africa, americas, oceania, eu27, g7, nafta, brics).
    #[serde(default = "default_regions")]
    pub regions: Vec<String>,
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

impl crate::params::Validate for RegionShareParams {
    fn validate(&self) -> std::result::Result<(), crate::params::ParamError> {
        if self.regions.is_empty() {
            return Err(crate::params::ParamError::new(
                "regions",
                Some(String::new()),
                "at least one named set is needed",
            ));
        }
        let c = pivot_vocab::Countries::bundled();
        for r in &self.regions {
            if pivot_vocab::regions::members(c, r).is_none() {
                let names: Vec<String> = pivot_vocab::regions::all(c)
                    .into_iter()
                    .map(|r| r.name.to_string())
                    .collect();
                return Err(crate::params::ParamError::new(
                    "regions",
                    Some(r.clone()),
                    "not a named set",
                )
                .accepting(names.join(", ")));
            }
        }
        Ok(())
    }
}

/// The `region-share` measure.
pub struct RegionShare;

impl crate::measure::Measure for RegionShare {
    type Params = RegionShareParams;
    type Row = RegionShareRow;
    const NAME: &'static str = "region-share";
    const DIMENSION: crate::Dimension = crate::Dimension::Trade;
    const TABLES: &'static [crate::Table] =
        &[crate::Table::TradeFlows, crate::Table::TradeDyadYear];
    const SOURCE: &'static str = include_str!("region_share.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let c = pivot_vocab::Countries::bundled();
        let sets = p
            .regions
            .iter()
            .map(|r| {
                pivot_vocab::regions::members(c, r)
                    .map(|m| (r.clone(), m))
                    .ok_or_else(|| MeasureError::InvalidField {
                        field: "regions",
                        value: r.clone(),
                        context: "region-share".into(),
                        reason: "not a named set",
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let flows = data.trade_flows(&crate::data::TradeQuery {
            source: p.source,
            years: p.years,
            touching: Some(vec![p.focal.0.clone()]),
        })?;
        let rows = region_shares(&flows, &p.focal.0, p.direction, &sets)?;
        Ok(crate::measure::Output::rows(rows).note(crate::trade::USD_NOTE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_sets_are_sums_of_member_shares() {
        // RUS 2014 total trade: CHN 90, JPN 30, DEU 60, VNM 20 (total 200); the set {CHN, JPN,
        // VNM} has 140 / 200 = 0.7, {CHN} 0.45; RUS in a set is not its own partner.
        let flows = vec![
            TradeFlow::new(2014, "RUS", "CHN", 40.0),
            TradeFlow::new(2014, "CHN", "RUS", 50.0),
            TradeFlow::new(2014, "JPN", "RUS", 30.0),
            TradeFlow::new(2014, "RUS", "DEU", 60.0),
            TradeFlow::new(2014, "VNM", "RUS", 20.0),
            TradeFlow::new(2014, "RUS", "RUS", 999.0),
        ];
        let sets = vec![
            (
                "east".to_string(),
                vec!["CHN".into(), "JPN".into(), "VNM".into(), "RUS".into()],
            ),
            ("china".to_string(), vec!["CHN".into()]),
            ("none".to_string(), vec!["USA".into()]),
        ];
        let r = region_shares(&flows, "RUS", FlowDirection::Total, &sets).unwrap();
        assert_eq!(r.len(), 3);
        assert!((r[0].share - 0.7).abs() < 1e-12 && r[0].value == 140.0);
        assert_eq!(r[0].members_traded, 3);
        assert!((r[1].share - 0.45).abs() < 1e-12);
        assert_eq!((r[2].share, r[2].members_traded), (0.0, 0));
        // Exports only: CHN 40 + DEU 60 = 100; the set's exports 40 → 0.4.
        let r = region_shares(&flows, "RUS", FlowDirection::Exports, &sets).unwrap();
        assert!((r[0].share - 0.4).abs() < 1e-12);
    }
}
