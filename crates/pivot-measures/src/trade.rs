//! Country-level trade rows shared by the trade measures, and the per-year index built
//! from them (bilateral flows, each country's exports, imports and total trade).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::{check_code, check_nonneg};
use crate::error::Result;

/// One directed trade flow: `exporter` sold goods worth `value` to `importer` in `year`.
///
/// `value` is in **current USD** (the engine converts: COW is million USD, BACI thousand
/// USD). Rows with the same `(year, exporter, importer)` are summed, so product-level rows
/// can be passed as they are. Rows with `exporter == importer` (domestic flows, as in the
/// AGTPA panel) are ignored by every trade measure.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeFlow {
    /// Year.
    pub year: i32,
    /// ISO3 code of the exporter.
    pub exporter: String,
    /// ISO3 code of the importer.
    pub importer: String,
    /// Value in current USD, ≥ 0.
    pub value: f64,
}

impl TradeFlow {
    /// A flow row.
    pub fn new(year: i32, exporter: &str, importer: &str, value: f64) -> Self {
        Self {
            year,
            exporter: exporter.to_string(),
            importer: importer.to_string(),
            value,
        }
    }
}

/// The unit note of every trade measure.
pub const USD_NOTE: &str = "Trade values in current USD (COW and IMF DOTS million USD × 10⁶; BACI and BACI totals thousand USD × 10³).";

/// Which side of the focal state's trade a share is taken of.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FlowDirection {
    /// The focal state's exports to each partner.
    Exports,
    /// The focal state's imports from each partner.
    Imports,
    /// Exports + imports (T_ij).
    #[default]
    Total,
}

/// One year of trade, indexed.
#[derive(Debug, Default)]
pub(crate) struct YearTrade {
    /// (exporter, importer) → value.
    pub flows: BTreeMap<(String, String), f64>,
    /// Country → total exports.
    pub exports: BTreeMap<String, f64>,
    /// Country → total imports.
    pub imports: BTreeMap<String, f64>,
    /// Sum of all flows (= world imports = world exports over the rows given).
    pub world: f64,
}

impl YearTrade {
    /// x_ij: exports of `i` to `j`.
    pub fn x(&self, i: &str, j: &str) -> f64 {
        self.flows
            .get(&(i.to_string(), j.to_string()))
            .copied()
            .unwrap_or(0.0)
    }

    /// X_i: total exports of `i`.
    pub fn exports_of(&self, i: &str) -> f64 {
        self.exports.get(i).copied().unwrap_or(0.0)
    }

    /// M_i: total imports of `i`.
    pub fn imports_of(&self, i: &str) -> f64 {
        self.imports.get(i).copied().unwrap_or(0.0)
    }

    /// T_i: total trade of `i`.
    pub fn total_of(&self, i: &str) -> f64 {
        self.exports_of(i) + self.imports_of(i)
    }

    /// T_ij: trade of `i` with `j` (x_ij + x_ji).
    pub fn bilateral(&self, i: &str, j: &str) -> f64 {
        self.x(i, j) + self.x(j, i)
    }

    /// Whether `i` appears in this year (as exporter or importer).
    pub fn has(&self, i: &str) -> bool {
        self.exports.contains_key(i) || self.imports.contains_key(i)
    }

    /// Partners of `focal` with a row in the given direction, sorted.
    pub fn partners(&self, focal: &str, direction: FlowDirection) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (e, m) in self.flows.keys() {
            let exp =
                e == focal && matches!(direction, FlowDirection::Exports | FlowDirection::Total);
            let imp =
                m == focal && matches!(direction, FlowDirection::Imports | FlowDirection::Total);
            if exp {
                out.push(m.clone());
            }
            if imp {
                out.push(e.clone());
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Value of `focal`'s trade with `partner` in a direction.
    pub fn directed(&self, focal: &str, partner: &str, direction: FlowDirection) -> f64 {
        match direction {
            FlowDirection::Exports => self.x(focal, partner),
            FlowDirection::Imports => self.x(partner, focal),
            FlowDirection::Total => self.bilateral(focal, partner),
        }
    }
}

/// Validate rows and index them by year.
pub(crate) fn index_by_year(flows: &[TradeFlow]) -> Result<BTreeMap<i32, YearTrade>> {
    let mut years: BTreeMap<i32, YearTrade> = BTreeMap::new();
    for f in flows {
        let ctx = || format!("{} {}->{}", f.year, f.exporter, f.importer);
        check_nonneg("trade value", f.value, ctx)?;
        check_code("exporter", &f.exporter, ctx)?;
        check_code("importer", &f.importer, ctx)?;
        if f.exporter == f.importer {
            continue;
        }
        let y = years.entry(f.year).or_default();
        *y.flows
            .entry((f.exporter.clone(), f.importer.clone()))
            .or_insert(0.0) += f.value;
        *y.exports.entry(f.exporter.clone()).or_insert(0.0) += f.value;
        *y.imports.entry(f.importer.clone()).or_insert(0.0) += f.value;
        y.world += f.value;
    }
    Ok(years)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;

    #[test]
    fn index_sums_duplicates_and_drops_domestic() {
        let y = index_by_year(&[
            TradeFlow::new(2000, "A", "B", 1.0),
            TradeFlow::new(2000, "A", "B", 2.0),
            TradeFlow::new(2000, "A", "A", 50.0),
            TradeFlow::new(2000, "B", "A", 4.0),
        ])
        .unwrap();
        let t = &y[&2000];
        // x_AB = 1 + 2 = 3; x_BA = 4; domestic A->A dropped; world = 7.
        assert_close(t.x("A", "B"), 3.0);
        assert_close(t.bilateral("A", "B"), 7.0);
        assert_close(t.total_of("A"), 7.0);
        assert_close(t.world, 7.0);
    }

    #[test]
    fn negative_trade_is_named() {
        let e = index_by_year(&[TradeFlow::new(2014, "RUS", "CHN", -1.0)]).unwrap_err();
        assert!(e.to_string().contains("2014 RUS->CHN"), "{e}");
    }
}
