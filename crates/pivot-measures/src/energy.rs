//! Energy exports by destination and carrier, with an Asia share.
//!
//! # What it measures
//! Where an exporter's crude oil, oil products, LNG, pipeline gas and coal go: the volume to
//! each destination, each destination's share of the carrier's exports, and Asia's share.
//!
//! # Formula
//! For exporter e, carrier c and year t, with v_d the volume to destination d:
//! share_d = v_d / Σ_d' v_d'; Asia share = Σ_{d ∈ Asia} v_d / Σ_d v_d.
//! Shares are taken within one carrier (units differ between carriers: Mt for oil, bcm for
//! gas, EJ for coal) and are never summed across carriers.
//!
//! # Reading it
//! Russia's crude Asia share rising from 0.3 to 0.8 means the destinations listed as Asia took
//! 80 % of the crude volume exported (claim C3). Destinations are the publisher's countries
//! *and* areas ("Europe", "Other Asia Pacific"), so a destination share can hide many
//! countries; intra-area trade is not in the matrices.
//!
//! # Data it needs
//! `energy_flows` (bp/EI trade movements): year, exporter, importer (country or area),
//! carrier, volume, unit, with regional **subtotal rows already dropped**. The caller names
//! which importer labels are in Asia (e.g. China, India, Japan, South Korea, Singapore,
//! Other Asia Pacific). Carrier-years with zero total volume produce no rows.
//!
//! # Reference
//! Energy Institute (2024), *Statistical Review of World Energy*, trade movements tables;
//! bp (2020–2022), *bp Statistical Review of World Energy*.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::common::{check_code, check_focal, check_nonneg};
use crate::error::{MeasureError, Result};

/// An energy carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Carrier {
    /// Crude oil (million tonnes).
    CrudeOil,
    /// Refined oil products (million tonnes).
    OilProducts,
    /// Liquefied natural gas (billion cubic metres).
    Lng,
    /// Pipeline gas (billion cubic metres).
    PipelineGas,
    /// Coal (exajoules).
    Coal,
}

impl Carrier {
    /// The canonical snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CrudeOil => "crude_oil",
            Self::OilProducts => "oil_products",
            Self::Lng => "lng",
            Self::PipelineGas => "pipeline_gas",
            Self::Coal => "coal",
        }
    }

    /// Parse a canonical name (`crude_oil`, `oil_products`, `lng`, `pipeline_gas`, `coal`).
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "crude_oil" => Self::CrudeOil,
            "oil_products" => Self::OilProducts,
            "lng" => Self::Lng,
            "pipeline_gas" => Self::PipelineGas,
            "coal" => Self::Coal,
            other => {
                return Err(MeasureError::InvalidField {
                    field: "carrier",
                    value: other.to_string(),
                    context: "energy flow".into(),
                    reason: "expected crude_oil, oil_products, lng, pipeline_gas or coal",
                });
            }
        })
    }
}

/// One energy trade movement.
#[derive(Debug, Clone, PartialEq)]
pub struct EnergyFlow {
    /// Year.
    pub year: i32,
    /// Exporter (the publisher's name or ISO3, as the engine chooses).
    pub exporter: String,
    /// Importer: a country or an area.
    pub importer: String,
    /// Carrier.
    pub carrier: Carrier,
    /// Volume ≥ 0.
    pub volume: f64,
    /// Unit of `volume` (one unit per carrier).
    pub unit: String,
}

/// Parameters of [`energy_destinations`].
#[derive(Debug, Clone, PartialEq)]
pub struct EnergyConfig {
    /// The exporter.
    pub exporter: String,
    /// Importer labels counted as Asia.
    pub asia: Vec<String>,
}

/// One destination of one carrier in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnergyDestinationRow {
    /// Year.
    pub year: i32,
    /// Exporter.
    pub exporter: String,
    /// Carrier.
    pub carrier: Carrier,
    /// Destination (country or area).
    pub importer: String,
    /// Whether the destination is listed as Asia.
    pub in_asia: bool,
    /// Volume.
    pub volume: f64,
    /// Unit.
    pub unit: String,
    /// Share of the carrier's exports that year.
    pub share: f64,
}

/// Asia's share of one carrier in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnergyAsiaRow {
    /// Year.
    pub year: i32,
    /// Exporter.
    pub exporter: String,
    /// Carrier.
    pub carrier: Carrier,
    /// Unit.
    pub unit: String,
    /// Total exports of the carrier.
    pub total: f64,
    /// Exports to destinations listed as Asia.
    pub asia_volume: f64,
    /// `asia_volume / total`.
    pub asia_share: f64,
    /// Number of destinations.
    pub n_destinations: usize,
}

/// Destination rows and Asia rows of [`energy_destinations`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnergyResult {
    /// Per year, carrier, destination (sorted; destinations by volume, largest first).
    pub destinations: Vec<EnergyDestinationRow>,
    /// Per year and carrier.
    pub asia: Vec<EnergyAsiaRow>,
}

/// Volumes and shares by destination and carrier, and Asia's share, for one exporter.
pub fn energy_destinations(flows: &[EnergyFlow], config: &EnergyConfig) -> Result<EnergyResult> {
    check_focal("exporter", &config.exporter)?;
    // (year, carrier) → (unit, importer → volume); repeated importers are summed.
    let mut groups: BTreeMap<(i32, Carrier), (String, BTreeMap<String, f64>)> = BTreeMap::new();
    for f in flows.iter().filter(|f| f.exporter == config.exporter) {
        let ctx = || {
            format!(
                "{} {} {}->{}",
                f.year,
                f.carrier.as_str(),
                f.exporter,
                f.importer
            )
        };
        check_nonneg("energy volume", f.volume, ctx)?;
        check_code("importer", &f.importer, ctx)?;
        let entry = groups
            .entry((f.year, f.carrier))
            .or_insert_with(|| (f.unit.clone(), BTreeMap::new()));
        if entry.0 != f.unit {
            return Err(MeasureError::MixedUnits {
                context: format!("{} {} {}", f.exporter, f.carrier.as_str(), f.year),
                first: entry.0.clone(),
                second: f.unit.clone(),
            });
        }
        *entry.1.entry(f.importer.clone()).or_insert(0.0) += f.volume;
    }
    let mut destinations = Vec::new();
    let mut asia = Vec::new();
    for ((year, carrier), (unit, dest)) in groups {
        let total: f64 = dest.values().sum();
        if total <= 0.0 {
            continue;
        }
        let mut sorted: Vec<(String, f64)> = dest.into_iter().collect();
        sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut asia_volume = 0.0;
        let n = sorted.len();
        for (importer, volume) in sorted {
            let in_asia = config.asia.contains(&importer);
            if in_asia {
                asia_volume += volume;
            }
            destinations.push(EnergyDestinationRow {
                year,
                exporter: config.exporter.clone(),
                carrier,
                importer,
                in_asia,
                volume,
                unit: unit.clone(),
                share: volume / total,
            });
        }
        asia.push(EnergyAsiaRow {
            year,
            exporter: config.exporter.clone(),
            carrier,
            unit,
            total,
            asia_volume,
            asia_share: asia_volume / total,
            n_destinations: n,
        });
    }
    Ok(EnergyResult { destinations, asia })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use proptest::prelude::*;

    fn flow(y: i32, imp: &str, c: Carrier, v: f64, unit: &str) -> EnergyFlow {
        EnergyFlow {
            year: y,
            exporter: "Russian Federation".into(),
            importer: imp.into(),
            carrier: c,
            volume: v,
            unit: unit.into(),
        }
    }

    fn cfg() -> EnergyConfig {
        EnergyConfig {
            exporter: "Russian Federation".into(),
            asia: vec!["China".into(), "India".into(), "Japan".into()],
        }
    }

    #[test]
    fn shares_by_destination_and_asia_hand_computed() {
        // 2023 crude (Mt): China 107.02, India 81.81, Europe 32.40, Japan 0.09 → total 221.32.
        // China share = 107.02/221.32; Asia = (107.02 + 81.81 + 0.09)/221.32 = 188.92/221.32.
        // LNG (bcm) is a separate carrier with its own total: Japan 8.36, China 11.02 → Asia 1.
        let flows = vec![
            flow(2023, "China", Carrier::CrudeOil, 107.02, "million tonnes"),
            flow(2023, "India", Carrier::CrudeOil, 81.81, "million tonnes"),
            flow(2023, "Europe", Carrier::CrudeOil, 32.40, "million tonnes"),
            flow(2023, "Japan", Carrier::CrudeOil, 0.09, "million tonnes"),
            flow(2023, "Japan", Carrier::Lng, 8.36, "billion cubic metres"),
            flow(2023, "China", Carrier::Lng, 11.02, "billion cubic metres"),
            EnergyFlow {
                exporter: "Qatar".into(),
                ..flow(2023, "China", Carrier::Lng, 30.0, "billion cubic metres")
            },
        ];
        let r = energy_destinations(&flows, &cfg()).unwrap();
        assert_eq!(r.asia.len(), 2);
        let crude = &r.asia[0];
        assert_eq!(crude.carrier, Carrier::CrudeOil);
        assert_close(crude.total, 221.32);
        assert_close(crude.asia_volume, 188.92);
        assert_close(crude.asia_share, 188.92 / 221.32);
        assert_eq!(crude.n_destinations, 4);
        let first = &r.destinations[0];
        assert_eq!((first.importer.as_str(), first.in_asia), ("China", true));
        assert_close(first.share, 107.02 / 221.32);
        let europe = r
            .destinations
            .iter()
            .find(|d| d.importer == "Europe")
            .unwrap();
        assert!(!europe.in_asia);
        let lng = &r.asia[1];
        assert_close(lng.total, 19.38);
        assert_close(lng.asia_share, 1.0);
    }

    #[test]
    fn mixed_units_and_negative_volumes_are_rejected() {
        let flows = vec![
            flow(2021, "China", Carrier::Coal, 1.0, "exajoules"),
            flow(2021, "India", Carrier::Coal, 1.0, "million tonnes"),
        ];
        assert!(matches!(
            energy_destinations(&flows, &cfg()),
            Err(MeasureError::MixedUnits { .. })
        ));
        let flows = vec![flow(2021, "China", Carrier::Coal, -1.0, "exajoules")];
        assert!(matches!(
            energy_destinations(&flows, &cfg()),
            Err(MeasureError::InvalidValue { .. })
        ));
        assert_eq!(
            Carrier::parse("pipeline_gas").unwrap(),
            Carrier::PipelineGas
        );
        assert!(Carrier::parse("oil").is_err());
    }

    proptest! {
        #[test]
        fn destination_shares_sum_to_one(v in prop::collection::vec(0.0f64..500.0, 1..10)) {
            let flows: Vec<_> = v.iter().enumerate().map(|(k, x)| flow(2020, &format!("D{k}"), Carrier::CrudeOil, *x, "Mt")).collect();
            let r = energy_destinations(&flows, &cfg()).unwrap();
            if v.iter().sum::<f64>() > 0.0 {
                let s: f64 = r.destinations.iter().map(|d| d.share).sum();
                prop_assert!((s - 1.0).abs() < 1e-9);
                prop_assert!(r.asia.iter().all(|a| (0.0..=1.0).contains(&a.asia_share)));
            } else {
                prop_assert!(r.destinations.is_empty());
            }
        }
    }
}
