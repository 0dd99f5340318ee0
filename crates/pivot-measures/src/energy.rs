//! An exporter's energy volumes and shares by destination and carrier.
//!
//! # What it measures
//! Where an exporter's crude oil, oil products, LNG, pipeline gas and coal go: the volume to
//! each destination and each destination's share of the carrier's exports (Asia's share of
//! them is the measure `energy-asia-share`).
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

pub use crate::records::{Carrier, EnergyFlow};

/// One destination of one carrier in one year.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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

/// Volumes and shares by destination and carrier, and Asia's share, for one exporter; `asia` is
/// the importer labels counted as Asia.
pub fn energy_destinations(
    flows: &[EnergyFlow],
    exporter: &str,
    asia: &[String],
) -> Result<EnergyResult> {
    check_focal("exporter", exporter)?;
    // (year, carrier) → (unit, importer → volume); repeated importers are summed.
    let mut groups: BTreeMap<(i32, Carrier), (String, BTreeMap<String, f64>)> = BTreeMap::new();
    for f in flows.iter().filter(|f| f.exporter == exporter) {
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
    let mut asia_rows = Vec::new();
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
            let in_asia = asia.contains(&importer);
            if in_asia {
                asia_volume += volume;
            }
            destinations.push(EnergyDestinationRow {
                year,
                exporter: exporter.to_string(),
                carrier,
                importer,
                in_asia,
                volume,
                unit: unit.clone(),
                share: volume / total,
            });
        }
        asia_rows.push(EnergyAsiaRow {
            year,
            exporter: exporter.to_string(),
            carrier,
            unit,
            total,
            asia_volume,
            asia_share: asia_volume / total,
            n_destinations: n,
        });
    }
    Ok(EnergyResult {
        destinations,
        asia: asia_rows,
    })
}

/// The destinations ranked `top` or better by volume summed over the years given, per carrier;
/// every other destination summed into one row per year named `Other` (not in Asia unless
/// every destination it sums is).
pub fn top_destinations(rows: Vec<EnergyDestinationRow>, top: u32) -> Vec<EnergyDestinationRow> {
    let mut totals: BTreeMap<(Carrier, String), f64> = BTreeMap::new();
    for r in &rows {
        *totals.entry((r.carrier, r.importer.clone())).or_insert(0.0) += r.volume;
    }
    let mut by_carrier: BTreeMap<Carrier, Vec<(String, f64)>> = BTreeMap::new();
    for ((c, d), v) in totals {
        by_carrier.entry(c).or_default().push((d, v));
    }
    let mut keep: BTreeMap<Carrier, Vec<String>> = BTreeMap::new();
    for (c, mut v) in by_carrier {
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        keep.insert(c, v.into_iter().take(top as usize).map(|d| d.0).collect());
    }
    let mut out: Vec<EnergyDestinationRow> = Vec::new();
    let mut other: BTreeMap<(i32, Carrier), EnergyDestinationRow> = BTreeMap::new();
    for r in rows {
        if keep
            .get(&r.carrier)
            .is_some_and(|k| k.contains(&r.importer))
        {
            out.push(r);
            continue;
        }
        let o = other
            .entry((r.year, r.carrier))
            .or_insert_with(|| EnergyDestinationRow {
                year: r.year,
                exporter: r.exporter.clone(),
                carrier: r.carrier,
                importer: "Other".into(),
                in_asia: true,
                volume: 0.0,
                unit: r.unit.clone(),
                share: 0.0,
            });
        o.volume += r.volume;
        o.share += r.share;
        o.in_asia &= r.in_asia;
    }
    out.extend(other.into_values());
    out.sort_by(|a, b| {
        (a.year, a.carrier)
            .cmp(&(b.year, b.carrier))
            .then(b.volume.total_cmp(&a.volume))
    });
    out
}

/// Destinations the publisher reports as areas, not countries, that lie in Asia: the Energy
/// Institute's residual "Other Asia Pacific". (Its "Asia Pacific" is a subtotal, dropped at
/// ingest.) Countries count as Asia by UN M49 membership (the named set `asia`).
pub const ASIA_AREAS: &[&str] = &["Other Asia Pacific"];

/// Parameters of `pivot measure energy-destinations`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnergyDestinationsParams {
    /// The exporter.
    pub focal: crate::params::Country,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// Only this carrier; none: every carrier (shares are always within one carrier).
    #[serde(default)]
    pub carrier: Option<Carrier>,
    /// Keep the N largest destinations of each carrier (by volume over the
    /// years asked) and sum the others into one "Other" row per year; none: every destination.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub top: Option<u32>,
}

impl crate::params::Validate for EnergyDestinationsParams {}

/// The `energy-destinations` measure.
pub struct EnergyDestinations;

impl crate::measure::Measure for EnergyDestinations {
    type Params = EnergyDestinationsParams;
    type Row = EnergyDestinationRow;
    const NAME: &'static str = "energy-destinations";
    const DIMENSION: crate::Dimension = crate::Dimension::Energy;
    const TABLES: &'static [crate::Table] = &[crate::Table::EnergyFlows];
    const SOURCE: &'static str = include_str!("energy.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let (res, notes) = exporter_energy(&p.focal, &p.years, p.carrier, data)?;
        let rows = match p.top {
            Some(n) => top_destinations(res.destinations, n),
            None => res.destinations,
        };
        Ok(crate::measure::Output { rows, notes })
    }
}

/// The exporter's flows from the store, Asia marked (UN M49 Asia and [`ASIA_AREAS`]), computed
/// by [`energy_destinations`]; with the notes both energy measures give.
pub(crate) fn exporter_energy(
    focal: &crate::params::Country,
    years: &crate::params::Years,
    carrier: Option<Carrier>,
    data: &dyn crate::data::Data,
) -> Result<(EnergyResult, Vec<String>)> {
    let focal = focal.0.clone();
    let rows = data.energy_exports(&focal, years)?;
    let asia_codes = pivot_vocab::regions::members(pivot_vocab::Countries::bundled(), "asia")
        .unwrap_or_default();
    let mut asia: Vec<String> = Vec::new();
    let mut flows = Vec::new();
    for r in rows {
        let in_asia = ASIA_AREAS.contains(&r.flow.importer.as_str())
            || r.importer_iso3
                .as_ref()
                .is_some_and(|c| asia_codes.contains(c));
        if in_asia && !asia.contains(&r.flow.importer) {
            asia.push(r.flow.importer.clone());
        }
        flows.push(EnergyFlow {
            exporter: focal.clone(),
            ..r.flow
        });
    }
    if let Some(c) = carrier {
        flows.retain(|f| f.carrier == c);
    }
    asia.sort();
    let res = energy_destinations(&flows, &focal, &asia)?;
    let notes = vec![
        format!(
            "Asia = importers in UN M49 Asia and the publisher's area {}: {}.",
            ASIA_AREAS.join(", "),
            asia.join(", ")
        ),
        "Volumes: oil in million tonnes, gas in billion cubic metres, coal in exajoules; 2022 missing.".to_string(),
    ];
    Ok((res, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::assert_close;
    use proptest::prelude::*;

    fn flow(y: i32, imp: &str, c: Carrier, v: f64, unit: &str) -> EnergyFlow {
        EnergyFlow {
            year: y,
            exporter: EXPORTER.into(),
            importer: imp.into(),
            carrier: c,
            volume: v,
            unit: unit.into(),
        }
    }

    const EXPORTER: &str = "Russian Federation";

    fn asia() -> Vec<String> {
        vec!["China".into(), "India".into(), "Japan".into()]
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
        let r = energy_destinations(&flows, EXPORTER, &asia()).unwrap();
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
            energy_destinations(&flows, EXPORTER, &asia()),
            Err(MeasureError::MixedUnits { .. })
        ));
        let flows = vec![flow(2021, "China", Carrier::Coal, -1.0, "exajoules")];
        assert!(matches!(
            energy_destinations(&flows, EXPORTER, &asia()),
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
            let r = energy_destinations(&flows, EXPORTER, &asia()).unwrap();
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
