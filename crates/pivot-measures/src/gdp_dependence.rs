//! Trade with a partner relative to the focal state's GDP (Oneal–Russett), per year.
//!
//! # What it measures
//! How large a state's trade with one partner is relative to the size of its own economy,
//! per year: the trade-to-GDP dependence used in the liberal-peace literature.
//!
//! # Formula
//! D_ij = T_ij / GDP_i, with T_ij = x_ij + x_ji (exports + imports of i with j) and GDP_i in
//! the same unit as trade, **current USD** (COW trade is million USD: multiply by 1e6 first).
//! Where the partner's GDP is also given, D_ji = T_ij / GDP_j is reported too (Oneal and
//! Russett's "weak link" is min(D_ij, D_ji)).
//!
//! # Reading it
//! D = 0.02 means trade with that partner equals 2 % of the focal state's GDP. Unlike the
//! partner share it grows when trade grows faster than the economy, whatever other partners
//! do. Values above 1 are possible (entrepôt economies) but usually mean a unit mistake.
//!
//! # Data it needs
//! `trade_flows` (country level, current USD) and `country_year` with indicator `gdp_usd`
//! (World Bank `NY.GDP.MKTP.CD`, current USD). Years without the focal state's GDP, or in
//! which the focal state has no trade rows, produce no rows. Selected partners without trade
//! in a year get T_ij = 0.
//!
//! # Reference
//! Oneal, J. R. and Russett, B. M. (1997), "The Classical Liberals Were Right: Democracy,
//! Interdependence, and Conflict, 1950–1985", *International Studies Quarterly* 41(2): 267–293.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::{IndicatorValue, PartnerSelection, check_code, check_focal, check_nonneg};
use crate::error::{MeasureError, Result};
use crate::trade::{FlowDirection, TradeFlow, index_by_year};

/// D_ij for one partner and year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct GdpDependenceRow {
    /// Year.
    pub year: i32,
    /// Focal state i.
    pub focal: String,
    /// Partner j.
    pub partner: String,
    /// T_ij in current USD.
    pub trade_usd: f64,
    /// GDP_i in current USD.
    pub focal_gdp_usd: f64,
    /// D_ij = T_ij / GDP_i.
    pub dependence: f64,
    /// GDP_j in current USD, where given.
    pub partner_gdp_usd: Option<f64>,
    /// D_ji = T_ij / GDP_j, where GDP_j is given.
    pub partner_dependence: Option<f64>,
}

/// Index GDP rows by (country, year), rejecting duplicates and non-positive GDP.
pub(crate) fn index_gdp(gdp: &[IndicatorValue]) -> Result<BTreeMap<(String, i32), f64>> {
    let mut out = BTreeMap::new();
    for g in gdp {
        let ctx = || format!("GDP of {} in {}", g.country, g.year);
        check_code("country", &g.country, ctx)?;
        check_nonneg("GDP", g.value, ctx)?;
        if g.value == 0.0 {
            return Err(MeasureError::InvalidValue {
                what: "GDP (must be > 0)",
                value: g.value,
                context: ctx(),
            });
        }
        if out.insert((g.country.clone(), g.year), g.value).is_some() {
            return Err(MeasureError::Duplicate {
                what: "GDP for country-year",
                key: format!("{} {}", g.country, g.year),
            });
        }
    }
    Ok(out)
}

/// D_ij of the focal state i per year and partner j (none: every partner); rows sorted by
/// year, then partner code.
pub fn gdp_dependence(
    flows: &[TradeFlow],
    gdp: &[IndicatorValue],
    p: &GdpDependenceParams,
) -> Result<Vec<GdpDependenceRow>> {
    let focal = &p.focal.0;
    check_focal("focal", focal)?;
    let selection = p.partners.selection();
    let years = index_by_year(flows)?;
    let gdp = index_gdp(gdp)?;
    let mut out = Vec::new();
    for (year, t) in &years {
        if !t.has(focal) {
            continue;
        }
        let Some(&gdp_i) = gdp.get(&(focal.clone(), *year)) else {
            continue;
        };
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
            let trade = t.bilateral(focal, &partner);
            let gdp_j = gdp.get(&(partner.clone(), *year)).copied();
            out.push(GdpDependenceRow {
                year: *year,
                focal: focal.clone(),
                partner,
                trade_usd: trade,
                focal_gdp_usd: gdp_i,
                dependence: trade / gdp_i,
                partner_gdp_usd: gdp_j,
                partner_dependence: gdp_j.map(|g| trade / g),
            });
        }
    }
    Ok(out)
}

/// Parameters of `pivot measure gdp-dependence`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GdpDependenceParams {
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

impl crate::params::Validate for GdpDependenceParams {}

/// The `gdp-dependence` measure.
pub struct GdpDependence;

impl crate::measure::Measure for GdpDependence {
    type Params = GdpDependenceParams;
    type Row = GdpDependenceRow;
    const NAME: &'static str = "gdp-dependence";
    const DIMENSION: crate::Dimension = crate::Dimension::Trade;
    const TABLES: &'static [crate::Table] = &[
        crate::Table::TradeFlows,
        crate::Table::TradeDyadYear,
        crate::Table::CountryYear,
    ];
    const SOURCE: &'static str = include_str!("gdp_dependence.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let who = [vec![p.focal.0.clone()], p.partners.0.clone()].concat();
        let flows = data.trade_flows(&crate::data::TradeQuery {
            source: p.source,
            years: p.years,
            touching: Some(vec![p.focal.0.clone()]),
        })?;
        let gdp = data.indicator("gdp_usd", &who, &p.years)?;
        let rows = gdp_dependence(&flows, &gdp, p)?;
        Ok(crate::measure::Output::rows(rows)
            .note(crate::trade::USD_NOTE)
            .note("GDP: World Bank WDI, current USD."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;

    fn params(partners: &[&str]) -> GdpDependenceParams {
        GdpDependenceParams {
            focal: crate::params::Country("RUS".into()),
            partners: crate::params::Partners(partners.iter().map(|p| p.to_string()).collect()),
            years: crate::params::Years::ALL,
            source: crate::data::TradeSource::default(),
        }
    }

    fn gdp(c: &str, y: i32, v: f64) -> IndicatorValue {
        IndicatorValue {
            country: c.into(),
            year: y,
            value: v,
        }
    }

    #[test]
    fn dependence_hand_computed() {
        // COW-like million USD converted to USD: x_RUS,CHN = 42_807e6, x_CHN,RUS = 51_135e6.
        // T = 93_942e6 USD. GDP_RUS = 2.0e12 → D = 93.942e9 / 2.0e12 = 0.046971.
        // GDP_CHN = 1.0e13 → D_ji = 93.942e9 / 1e13 = 0.0093942.
        let flows = vec![
            TradeFlow::new(2014, "RUS", "CHN", 42_807e6),
            TradeFlow::new(2014, "CHN", "RUS", 51_135e6),
            TradeFlow::new(2014, "RUS", "DEU", 10e6),
        ];
        let cfg = params(&["CHN", "VNM"]);
        let rows = gdp_dependence(
            &flows,
            &[gdp("RUS", 2014, 2.0e12), gdp("CHN", 2014, 1.0e13)],
            &cfg,
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].partner, "CHN");
        assert_close(rows[0].trade_usd, 93_942e6);
        assert_close(rows[0].dependence, 0.046971);
        assert_close(rows[0].partner_dependence.unwrap(), 0.0093942);
        // VNM selected but no trade: T = 0, D = 0, no partner GDP.
        assert_eq!(rows[1].partner, "VNM");
        assert_close(rows[1].dependence, 0.0);
        assert_eq!(rows[1].partner_dependence, None);
    }

    #[test]
    fn years_without_gdp_are_skipped_and_bad_gdp_rejected() {
        let flows = vec![TradeFlow::new(2015, "RUS", "CHN", 1.0)];
        let cfg = params(&[]);
        assert!(
            gdp_dependence(&flows, &[gdp("RUS", 2014, 1.0)], &cfg)
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            gdp_dependence(&flows, &[gdp("RUS", 2015, 0.0)], &cfg),
            Err(MeasureError::InvalidValue { .. })
        ));
        assert!(matches!(
            gdp_dependence(
                &flows,
                &[gdp("RUS", 2015, 1.0), gdp("RUS", 2015, 2.0)],
                &cfg
            ),
            Err(MeasureError::Duplicate { .. })
        ));
    }
}
