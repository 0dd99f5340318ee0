//! A state's exports or imports by HS chapter, with each chapter's share and rank, per year and partner.
//!
//! # What it measures
//! What a state sells to (or buys from) the world or a partner, by HS chapter (the first two
//! digits of the HS code), per year: each chapter's value, its share of the total and its rank.
//! For Russia's exports to China this shows how much is chapter 27 (mineral fuels).
//!
//! # Formula
//! For focal state i, partner group g (one partner, or all partners together as `WLD`),
//! direction d and year t: v_c = Σ over flows of chapter c (exports x_ig, imports x_gi, or
//! both); share_c = v_c / Σ_c v_c; rank by v_c (competition ranking, 1 = largest).
//!
//! # Reading it
//! share 0.71 and rank 1 for chapter 27 in RUS's exports to CHN: mineral fuels were 71 % of
//! what Russia sold to China that year. Shares of one group, direction and year sum to 1.
//!
//! # Data it needs
//! Product-level trade rolled up to chapters: `trade_dyad_hs2` (written by the BACI ingest),
//! current USD.
//!
//! # Reference
//! World Customs Organization, Harmonized System nomenclature (chapters 01-97); the same
//! breakdown as the "product space" pages of the Observatory of Economic Complexity and WITS.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::{check_focal, competition_ranks};
use crate::error::Result;
use crate::trade::FlowDirection;

pub use crate::records::ChapterFlow;

/// One chapter of the focal state's trade with a partner group in one year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ProductCompositionRow {
    /// Year.
    pub year: i32,
    /// Focal state.
    pub focal: String,
    /// Partner (ISO3), or `WLD` for all partners together.
    pub partner: String,
    /// Direction.
    pub direction: FlowDirection,
    /// HS chapter.
    pub hs2: String,
    /// Value, current USD.
    pub value: f64,
    /// Share of the group's total in that year and direction.
    pub share: f64,
    /// Competition rank by value (1 = largest).
    pub rank: u32,
}

/// Chapter shares of the focal state's trade with each partner (none: all partners pooled as
/// `WLD`), sorted by year, partner, rank, chapter. `top` is not read here: the measure keeps
/// the chapters ranked `top` or better after.
pub fn product_composition(
    flows: &[ChapterFlow],
    p: &ProductCompositionParams,
) -> Result<Vec<ProductCompositionRow>> {
    let focal = &p.focal.0;
    check_focal("focal", focal)?;
    let exp = matches!(p.direction, FlowDirection::Exports | FlowDirection::Total);
    let imp = matches!(p.direction, FlowDirection::Imports | FlowDirection::Total);
    // (year, group) → chapter → value
    let mut sums: BTreeMap<(i32, String), BTreeMap<String, f64>> = BTreeMap::new();
    for f in flows {
        let partner = if exp && f.exporter == *focal && f.importer != *focal {
            &f.importer
        } else if imp && f.importer == *focal && f.exporter != *focal {
            &f.exporter
        } else {
            continue;
        };
        let group = if p.partners.is_empty() {
            "WLD".to_string()
        } else if p.partners.0.contains(partner) {
            partner.clone()
        } else {
            continue;
        };
        *sums
            .entry((f.year, group))
            .or_default()
            .entry(f.hs2.clone())
            .or_default() += f.value;
    }
    let mut out = Vec::new();
    for ((year, group), chapters) in sums {
        let total: f64 = chapters.values().sum();
        for (hs2, value, rank) in competition_ranks(chapters.into_iter().collect()) {
            out.push(ProductCompositionRow {
                year,
                focal: focal.clone(),
                partner: group.clone(),
                direction: p.direction,
                hs2,
                value,
                share: if total > 0.0 { value / total } else { f64::NAN },
                rank,
            });
        }
    }
    Ok(out)
}

fn exports() -> FlowDirection {
    FlowDirection::Exports
}

/// Parameters of `pivot measure product-composition`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductCompositionParams {
    /// The focal state.
    pub focal: crate::params::Country,
    /// Partners reported one by one; none: all partners pooled as WLD.
    #[serde(default)]
    pub partners: crate::params::Partners,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// Exports, imports or total trade.
    #[serde(default = "exports")]
    pub direction: FlowDirection,
    /// Keep chapters ranked N or better.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub top: Option<u32>,
}

impl crate::params::Validate for ProductCompositionParams {}

/// The `product-composition` measure.
pub struct ProductComposition;

impl crate::measure::Measure for ProductComposition {
    type Params = ProductCompositionParams;
    type Row = ProductCompositionRow;
    const NAME: &'static str = "product-composition";
    const DIMENSION: crate::Dimension = crate::Dimension::Trade;
    const TABLES: &'static [crate::Table] = &[crate::Table::TradeDyadHs2];
    const SOURCE: &'static str = include_str!("product_composition.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let flows = data.chapter_flows(&p.focal.0, &p.years)?;
        let mut rows = product_composition(&flows, p)?;
        if let Some(top) = p.top {
            rows.retain(|r| r.rank <= top);
        }
        Ok(crate::measure::Output::rows(rows).note(crate::trade::USD_NOTE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(year: i32, e: &str, m: &str, hs2: &str, value: f64) -> ChapterFlow {
        ChapterFlow {
            year,
            exporter: e.into(),
            importer: m.into(),
            hs2: hs2.into(),
            value,
        }
    }

    fn cfg(direction: FlowDirection, partners: &[&str]) -> ProductCompositionParams {
        ProductCompositionParams {
            focal: crate::params::Country("RUS".into()),
            partners: crate::params::Partners(partners.iter().map(|p| p.to_string()).collect()),
            years: crate::params::Years::ALL,
            direction,
            top: None,
        }
    }

    /// RUS→CHN: 27 = 70, 44 = 20, 03 = 10; RUS→DEU: 27 = 50, 72 = 50; CHN→RUS: 85 = 40.
    fn flows() -> Vec<ChapterFlow> {
        vec![
            f(2021, "RUS", "CHN", "27", 70.0),
            f(2021, "RUS", "CHN", "44", 20.0),
            f(2021, "RUS", "CHN", "03", 10.0),
            f(2021, "RUS", "DEU", "27", 50.0),
            f(2021, "RUS", "DEU", "72", 50.0),
            f(2021, "CHN", "RUS", "85", 40.0),
            f(2021, "CHN", "DEU", "85", 999.0), // not Russia's trade
        ]
    }

    #[test]
    fn exports_to_one_partner_by_hand() {
        let r = product_composition(&flows(), &cfg(FlowDirection::Exports, &["CHN"])).unwrap();
        // 70/100, 20/100, 10/100; ranks 1, 2, 3.
        let got: Vec<(&str, f64, u32)> = r
            .iter()
            .map(|x| (x.hs2.as_str(), x.share, x.rank))
            .collect();
        assert_eq!(got, [("27", 0.7, 1), ("44", 0.2, 2), ("03", 0.1, 3)]);
        assert!(r.iter().all(|x| x.partner == "CHN"));
    }

    #[test]
    fn all_partners_pool_as_wld_and_ties_share_a_rank() {
        let r = product_composition(&flows(), &cfg(FlowDirection::Exports, &[])).unwrap();
        // Exports to the world: 27 = 120, 72 = 50, 44 = 20, 03 = 10; total 200.
        let got: Vec<(&str, f64, u32)> = r
            .iter()
            .map(|x| (x.hs2.as_str(), x.value, x.rank))
            .collect();
        assert_eq!(
            got,
            [
                ("27", 120.0, 1),
                ("72", 50.0, 2),
                ("44", 20.0, 3),
                ("03", 10.0, 4)
            ]
        );
        assert!((r[0].share - 0.6).abs() < 1e-12);
        assert!(r.iter().all(|x| x.partner == "WLD"));
        // Total trade with Germany: 27 = 50 and 72 = 50 tie at rank 1.
        let r = product_composition(&flows(), &cfg(FlowDirection::Total, &["DEU"])).unwrap();
        assert_eq!(r.iter().map(|x| x.rank).collect::<Vec<_>>(), [1, 1]);
        // Imports from China: only chapter 85, share 1.
        let r = product_composition(&flows(), &cfg(FlowDirection::Imports, &["CHN"])).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].hs2.as_str(), r[0].share), ("85", 1.0));
    }

    proptest::proptest! {
        /// Shares of each (year, partner) group sum to 1 and ranks start at 1.
        #[test]
        fn shares_sum_to_one(values in proptest::collection::vec((0usize..4, 1u8..98, 0.001f64..1e9), 1..40)) {
            let partners = ["CHN", "DEU", "IND", "JPN"];
            let flows: Vec<ChapterFlow> = values
                .iter()
                .map(|(p, c, v)| f(2020, "RUS", partners[*p], &format!("{c:02}"), *v))
                .collect();
            let r = product_composition(&flows, &cfg(FlowDirection::Exports, &partners)).unwrap();
            let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
            for x in &r {
                *sums.entry(x.partner.as_str()).or_default() += x.share;
            }
            for s in sums.values() {
                proptest::prop_assert!((s - 1.0).abs() < 1e-9);
            }
            proptest::prop_assert!(r.iter().any(|x| x.rank == 1));
        }
    }
}
