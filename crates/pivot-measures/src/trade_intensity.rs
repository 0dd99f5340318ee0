//! Trade intensity index of an exporter towards each importer, per year.
//!
//! # What it measures
//! Whether an exporter sends more to a partner than the partner's weight in world imports
//! would predict, per year.
//!
//! # Formula
//! TII_ij = (x_ij / X_i) / (m_j / (M_w − m_i)), where x_ij = exports of i to j, X_i = i's total
//! exports, m_j = j's total imports, m_i = i's total imports and M_w = world imports, all
//! summed over the rows given (M_w = Σ of every flow). The denominator excludes i's own
//! imports because i cannot export to itself. Undefined (None) when X_i = 0, m_j = 0 or
//! M_w − m_i = 0.
//!
//! # Reading it
//! TII = 1: i exports to j exactly in proportion to j's share of the imports of the rest of the
//! world. TII > 1: a more intense relationship than size alone predicts (geography, history,
//! policy); TII < 1: less intense. It is directional: TII_ij ≠ TII_ji in general.
//!
//! # Data it needs
//! `trade_flows` at country level covering the **whole world** in each year (M_w and m_j are
//! sums over the rows), current USD. With partner selection `All`, every country with imports
//! in the year except i is reported.
//!
//! # Reference
//! Kojima, K. (1964), "The Pattern of International Trade among Advanced Countries",
//! *Hitotsubashi Journal of Economics* 5(1): 16–36; Brown, A. J. (1949), *Applied Economics*;
//! WITS/UNCTAD, "Trade Intensity Index".

use serde::Serialize;

use crate::common::{PartnerSelection, check_focal};
use crate::error::Result;
use crate::trade::{TradeFlow, index_by_year};

/// TII_ij for one importer and year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct TradeIntensityRow {
    /// Year.
    pub year: i32,
    /// Exporter i.
    pub exporter: String,
    /// Importer j.
    pub importer: String,
    /// x_ij.
    pub exports_ij: f64,
    /// X_i.
    pub exports_i: f64,
    /// m_j.
    pub imports_j: f64,
    /// m_i.
    pub imports_i: f64,
    /// M_w.
    pub world_imports: f64,
    /// TII_ij; None where a denominator is zero.
    pub intensity: Option<f64>,
}

/// TII of the exporter i (`focal`) towards each importer j (`partners`; none: every importer),
/// per year (sorted by year, importer).
pub fn trade_intensity(
    flows: &[TradeFlow],
    p: &TradeIntensityParams,
) -> Result<Vec<TradeIntensityRow>> {
    check_focal("exporter", &p.focal.0)?;
    let selection = p.partners.selection();
    let years = index_by_year(flows)?;
    let i = p.focal.0.as_str();
    let mut out = Vec::new();
    for (year, t) in &years {
        if !t.has(i) {
            continue;
        }
        let partners: Vec<String> = match &selection {
            PartnerSelection::All => t
                .imports
                .keys()
                .filter(|j| j.as_str() != i)
                .cloned()
                .collect(),
            PartnerSelection::Only(list) => {
                let mut l: Vec<String> = list.iter().filter(|p| p.as_str() != i).cloned().collect();
                l.sort();
                l.dedup();
                l
            }
        };
        let exports_i = t.exports_of(i);
        let imports_i = t.imports_of(i);
        for j in partners {
            let exports_ij = t.x(i, &j);
            let imports_j = t.imports_of(&j);
            let rest = t.world - imports_i;
            let intensity = (exports_i > 0.0 && imports_j > 0.0 && rest > 0.0)
                .then(|| (exports_ij / exports_i) / (imports_j / rest));
            out.push(TradeIntensityRow {
                year: *year,
                exporter: i.to_string(),
                importer: j,
                exports_ij,
                exports_i,
                imports_j,
                imports_i,
                world_imports: t.world,
                intensity,
            });
        }
    }
    Ok(out)
}

/// Parameters of `pivot measure trade-intensity`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TradeIntensityParams {
    /// The exporter i.
    pub focal: crate::params::Country,
    /// Importers to report; none: every importer.
    #[serde(default)]
    pub partners: crate::params::Partners,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// The trade series.
    #[serde(default)]
    pub source: crate::data::TradeSource,
}

impl crate::params::Validate for TradeIntensityParams {}

/// The `trade-intensity` measure.
pub struct TradeIntensity;

impl crate::measure::Measure for TradeIntensity {
    type Params = TradeIntensityParams;
    type Row = TradeIntensityRow;
    const NAME: &'static str = "trade-intensity";
    const DIMENSION: crate::Dimension = crate::Dimension::Trade;
    const TABLES: &'static [crate::Table] =
        &[crate::Table::TradeFlows, crate::Table::TradeDyadYear];
    const SOURCE: &'static str = include_str!("trade_intensity.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        // World imports are needed: every flow.
        let flows = data.trade_flows(&crate::data::TradeQuery {
            source: p.source,
            years: p.years,
            touching: None,
        })?;
        let rows = trade_intensity(&flows, p)?;
        Ok(crate::measure::Output::rows(rows).note(crate::trade::USD_NOTE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;

    fn params(exporter: &str, importers: &[&str]) -> TradeIntensityParams {
        TradeIntensityParams {
            focal: crate::params::Country(exporter.into()),
            partners: crate::params::Partners(importers.iter().map(|p| p.to_string()).collect()),
            years: crate::params::Years::ALL,
            source: crate::data::TradeSource::default(),
        }
    }

    #[test]
    fn intensity_hand_computed() {
        // Flows: A→B 30, A→C 10, B→A 20, C→B 40, B→C 0.
        // X_A = 40, m_A = 20, m_B = 30 + 40 = 70, m_C = 10, M_w = 100.
        // TII_AB = (30/40) / (70/(100 − 20)) = 0.75 / 0.875 = 0.857142857142857…
        // TII_AC = (10/40) / (10/80) = 0.25 / 0.125 = 2.
        let flows = vec![
            TradeFlow::new(2020, "A", "B", 30.0),
            TradeFlow::new(2020, "A", "C", 10.0),
            TradeFlow::new(2020, "B", "A", 20.0),
            TradeFlow::new(2020, "C", "B", 40.0),
            TradeFlow::new(2020, "B", "C", 0.0),
        ];
        let rows = trade_intensity(&flows, &params("A", &[])).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].importer, "B");
        assert_close(rows[0].world_imports, 100.0);
        assert_close(rows[0].intensity.unwrap(), 0.75 / 0.875);
        assert_close(rows[0].intensity.unwrap(), 6.0 / 7.0);
        assert_eq!(rows[1].importer, "C");
        assert_close(rows[1].intensity.unwrap(), 2.0);
    }

    #[test]
    fn undefined_when_importer_has_no_imports() {
        // D imports nothing: m_D = 0 → None.
        let flows = vec![
            TradeFlow::new(2020, "A", "B", 1.0),
            TradeFlow::new(2020, "D", "B", 1.0),
        ];
        let rows = trade_intensity(&flows, &params("A", &["D"])).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].intensity, None);
    }
}
