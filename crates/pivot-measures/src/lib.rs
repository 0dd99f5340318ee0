//! pivot's measures of interstate dependence: pure functions over plain rows.
//!
//! The engine loads the canonical tables, converts them into the input row types of this crate
//! (countries as ISO3 codes, values in the units each measure states), calls a measure with its
//! `Params` and turns the typed result rows (all `serde::Serialize`) into tables.
//! Measures do **no I/O**, resolve no country names and never mix units: TIV is a volume
//! index and is never added to USD; energy shares are taken within one carrier.
//!
//! Each measure is one module with a doc block in fixed sections (*What it measures ·
//! Formula · Reading it · Data it needs · Reference*) and one entry in [`registry::REGISTRY`],
//! from which `pivot measures` and the docs are generated.
//!
//! | measure (registry name) | module | dimension | what |
//! |---|---|---|---|
//! | `partner-share` | [`partner_share`] | trade | partner shares and ranks of exports, imports, total trade |
//! | `region-share` | [`region_share`] | trade | each named set's (Asia, EU27 …) share of a state's trade |
//! | `gdp-dependence` | [`gdp_dependence`] | trade | D_ij = T_ij / GDP_i (Oneal–Russett) |
//! | `barbieri-interdependence` | [`barbieri`] | trade | salience √(S_i S_j), symmetry 1 − \|S_i − S_j\|, interdependence, asymmetry |
//! | `trade-intensity` | [`trade_intensity`] | trade | TII_ij = (x_ij/X_i)/(m_j/(M_w − m_i)) |
//! | `concentration` | [`concentration`] | trade | HHI, HHI*, effective number, Theil over partners or products |
//! | `geodep` | [`geodep`] | trade | CEPII GeoDep HS6 strategic dependence with a 2-of-3-years rule |
//! | `energy-destinations` | [`energy`] | energy | volumes and shares by destination and carrier, Asia share |
//! | `arms-shares` | [`arms`] | arms | recipient / supplier shares of SIPRI TIV by period and category |
//! | `un-alignment` | [`un_alignment`] | diplomacy | Voeten agreement, S-score, Scott's π, Cohen's κ |
//! | `un-ideal-points` | [`un_ideal_points`] | diplomacy | dynamic ordinal IRT ideal points per state-year (MAP, USA positive) |
//! | `ideal-point-distance` | [`ideal_point_distance`] | diplomacy | distance between published (BSV) ideal points with a 90 % interval |
//! | `alliance-flags` | [`alliances`] | alliances | ATOP obligations per undirected dyad-year |
//! | `power-ratio` | [`power_ratio`] | power | A/B ratio and dyadic shares of GDP, CINC, milex |
//! | `official-finance` | [`finance`] | finance | Chinese official finance by year and class, recipient rank and share |
//! | `hedging-view` | [`hedging`] | hedging | dominant partner, HHI*, effective number per dimension; hedging index |
//! | `influence` | [`influence`] | hedging | FBIC-style bandwidth and dependence per dimension and a weighted total per directed dyad-year |
//! | `event-profile` | [`events`] | events | QuadClass counts, mean Goldstein, cooperation share per dyad-month |
//!
//! Shared vocabulary: [`trade::TradeFlow`] (directed flows in current USD),
//! [`common::IndicatorValue`], [`common::YearRange`], [`common::PartnerSelection`].
//! Errors: [`MeasureError`], whose variants name the offending value (negative trade, empty
//! partner set, unknown roll call …).

pub mod alliances;
pub mod arms;
pub mod barbieri;
pub mod common;
pub mod concentration;
pub mod data;
pub mod dimension;
pub mod energy;
pub mod energy_asia;
pub mod error;
pub mod events;
pub mod finance;
pub mod finance_class;
pub mod gdp_dependence;
pub mod geodep;
pub mod hedging;
pub mod ideal_point_distance;
pub mod ideal_point_model;
pub mod influence;
pub mod influence_dims;
pub mod measure;
pub mod numerics;
pub mod params;
pub mod partner_share;
pub mod power_ratio;
pub mod product_composition;
pub mod records;
pub mod region_share;
pub mod registry;
pub mod trade;
pub mod trade_intensity;
pub mod un_alignment;
pub mod un_ideal_points;

pub use common::{IndicatorValue, PartnerSelection, YearRange};
pub use data::{Data, MemoryData, TradeQuery, TradeSource};
pub use error::{MeasureError, Result};
pub use measure::{Computed, DynMeasure, ErasedOutput, Measure, MeasureDoc, Output, Rows};
pub use params::{Country, ParamError, Partners, Years};
pub use pivot_tables::Table;
pub use registry::{Dimension, REGISTRY};
pub use trade::{FlowDirection, TradeFlow};

#[cfg(test)]
mod tidy_rows {
    //! Every result row serialises to a flat record (scalars only), so the engine can turn a
    //! `Vec` of rows into a table without flattening.

    use super::*;
    use serde::Serialize;

    fn assert_flat<T: Serialize>(rows: &[T]) {
        assert!(!rows.is_empty(), "fixture produced no rows");
        for row in rows {
            let v = serde_json::to_value(row).unwrap();
            let obj = v.as_object().expect("a row serialises to a record");
            for (k, field) in obj {
                assert!(
                    !field.is_object() && !field.is_array(),
                    "field {k} is nested: {field}"
                );
            }
        }
    }

    #[test]
    fn result_rows_are_flat_records() {
        let flows = vec![
            TradeFlow::new(2000, "A", "B", 3.0),
            TradeFlow::new(2000, "B", "A", 1.0),
        ];
        let focal = |f: &str| f.to_string();
        let country = |f: &str| Country(f.to_string());
        let partners = |l: &[&str]| Partners(l.iter().map(|p| p.to_string()).collect());
        assert_flat(&partner_share::partner_shares(&flows, "A", FlowDirection::Total).unwrap());
        assert_flat(
            &barbieri::barbieri(
                &flows,
                &barbieri::BarbieriParams {
                    focal: country("A"),
                    partners: partners(&[]),
                    years: Years::ALL,
                    source: TradeSource::default(),
                },
            )
            .unwrap(),
        );
        assert_flat(
            &concentration::partner_concentration(
                &flows,
                &concentration::ConcentrationParams {
                    focal: country("A"),
                    partners: partners(&[]),
                    years: Years::ALL,
                    direction: FlowDirection::Exports,
                    source: TradeSource::default(),
                },
            )
            .unwrap(),
        );
        let votes = vec![
            un_alignment::Vote {
                rcid: 1,
                country: focal("A"),
                vote: un_alignment::VoteChoice::Yes,
            },
            un_alignment::Vote {
                rcid: 1,
                country: focal("B"),
                vote: un_alignment::VoteChoice::No,
            },
        ];
        let rcs = vec![un_alignment::RollCall {
            rcid: 1,
            session: 1,
            year: 1946,
        }];
        assert_flat(
            &un_alignment::un_alignment(
                &votes,
                &rcs,
                &[],
                "A",
                &[focal("B")],
                un_alignment::AlignmentPeriod::Session,
                un_alignment::AlignmentBy::Pooled,
            )
            .unwrap(),
        );
        let g = geodep::geodep(
            &[
                geodep::ProductFlow::new(2000, "A", "B", "010101", 1.0),
                geodep::ProductFlow::new(2001, "A", "B", "010101", 1.0),
                geodep::ProductFlow::new(2002, "A", "B", "010101", 1.0),
            ],
            &geodep::GeoDepParams::default(),
        )
        .unwrap();
        assert_flat(&g.years);
        assert_flat(&g.windows);
        let h = hedging::hedging_view(
            &[hedging::HedgingValue {
                dimension: Dimension::Trade,
                partner: focal("B"),
                value: 1.0,
            }],
            &hedging::HedgingViewParams {
                focal: country("A"),
                partners: partners(&["B", "C"]),
                years: Years::ALL,
                weight_trade: 1.0,
                weight_energy: 1.0,
                weight_arms: 1.0,
                weight_diplomacy: 1.0,
            },
        )
        .unwrap();
        assert_flat(&h.dimensions);
    }
}
