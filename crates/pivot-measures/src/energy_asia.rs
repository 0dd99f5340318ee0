//! Asia's share of an exporter's energy exports, per year and carrier.
//!
//! # What it measures
//! How much of an exporter's crude oil, oil products, LNG, pipeline gas and coal goes to Asia:
//! the carrier's total volume, the volume to destinations in Asia and Asia's share of it (each
//! destination's own volume and share is the measure `energy-destinations`).
//!
//! # Formula
//! For exporter e, carrier c and year t, with v_d the volume to destination d:
//! Asia share = Σ_{d ∈ Asia} v_d / Σ_d v_d. Asia is the destinations in UN M49 Asia and the
//! publisher's residual area "Other Asia Pacific". Shares are taken within one carrier (units
//! differ between carriers: Mt for oil, bcm for gas, EJ for coal) and are never summed across
//! carriers.
//!
//! # Reading it
//! Russia's crude Asia share rising from 0.3 to 0.8 means the destinations listed as Asia took
//! 80 % of the crude volume exported (claim C3). Destinations are the publisher's countries
//! *and* areas: oil and coal flows to "Europe" are one area, and intra-area trade is not in the
//! matrices, so the share is of the flows the publisher lists.
//!
//! # Data it needs
//! `energy_flows` (bp/EI trade movements): year, exporter, importer (country or area),
//! carrier, volume, unit, with regional **subtotal rows already dropped**. Carrier-years with
//! zero total volume produce no rows.
//!
//! # Reference
//! Energy Institute (2024), *Statistical Review of World Energy*, trade movements tables;
//! bp (2020–2022), *bp Statistical Review of World Energy*.

use crate::energy::{Carrier, EnergyAsiaRow, exporter_energy};
use crate::error::Result;

/// Parameters of `pivot measure energy-asia-share`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnergyAsiaShareParams {
    /// The exporter.
    pub focal: crate::params::Country,
    /// Years.
    #[serde(default)]
    pub years: crate::params::Years,
    /// Only this carrier; none: every carrier (shares are always within one carrier).
    #[serde(default)]
    pub carrier: Option<Carrier>,
}

impl crate::params::Validate for EnergyAsiaShareParams {}

/// The `energy-asia-share` measure.
pub struct EnergyAsiaShare;

impl crate::measure::Measure for EnergyAsiaShare {
    type Params = EnergyAsiaShareParams;
    type Row = EnergyAsiaRow;
    const NAME: &'static str = "energy-asia-share";
    const DIMENSION: crate::Dimension = crate::Dimension::Energy;
    const TABLES: &'static [crate::Table] = &[crate::Table::EnergyFlows];
    const SOURCE: &'static str = include_str!("energy_asia.rs");

    fn compute(
        p: &Self::Params,
        data: &dyn crate::data::Data,
    ) -> Result<crate::measure::Output<Self::Row>> {
        let (res, notes) = exporter_energy(&p.focal, &p.years, p.carrier, data)?;
        Ok(crate::measure::Output {
            rows: res.asia,
            notes,
        })
    }
}
