//! The rows measures read from the store (the `Data` trait serves them): one type per kind of
//! record, in a leaf module, so that the data layer and the measures both depend on it and not
//! on each other. Each measure file re-exports the records it reads.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::error::{MeasureError, Result};

/// One ATOP dyad-year row (either order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllianceRecord {
    /// Year.
    pub year: i32,
    /// First state (ISO3).
    pub state_a: String,
    /// Second state (ISO3).
    pub state_b: String,
    /// Defence obligation.
    pub defense: bool,
    /// Offence obligation.
    pub offense: bool,
    /// Neutrality obligation.
    pub neutral: bool,
    /// Non-aggression pact.
    pub nonagg: bool,
    /// Consultation obligation.
    pub consul: bool,
}

/// TIV delivered by a supplier to a recipient in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmsTransfer {
    /// Delivery year.
    pub year: i32,
    /// Supplier (ISO3).
    pub supplier: String,
    /// Recipient (ISO3).
    pub recipient: String,
    /// Weapon category (Aircraft, Ships …), where known.
    pub category: Option<String>,
    /// TIV delivered, millions of TIV, ≥ 0.
    pub tiv: f64,
}

/// An energy carrier.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
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

/// One coded event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// Year of the event.
    pub year: i32,
    /// Month of the event, 1–12.
    pub month: u32,
    /// Actor 1 (source) country, ISO3.
    pub actor1: String,
    /// Actor 2 (target) country, ISO3.
    pub actor2: String,
    /// CAMEO event code (digits, e.g. "042").
    pub cameo: String,
    /// QuadClass 1–4.
    pub quad_class: u8,
    /// Goldstein score in [−10, 10].
    pub goldstein: f64,
    /// Number of mentions.
    pub num_mentions: u32,
}

/// Flow class of official finance (AidData) or investment.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FinanceClass {
    /// Other official flows (OOF-like).
    OofLike,
    /// Official development assistance (ODA-like).
    OdaLike,
    /// Vague official finance.
    Vague,
    /// Investment (e.g. AEI tracker deals).
    Investment,
}

/// Amounts committed to a recipient in a year, of one class.
#[derive(Debug, Clone, PartialEq)]
pub struct FinanceFlow {
    /// Commitment year.
    pub year: i32,
    /// Recipient (ISO3).
    pub recipient: String,
    /// Class.
    pub class: FinanceClass,
    /// Amount ≥ 0 (constant 2021 USD for GCDF).
    pub amount: f64,
    /// Adjusted amount ≥ 0, where the source has one.
    pub adjusted_amount: Option<f64>,
}

/// One HS6 trade flow.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductFlow {
    /// Year.
    pub year: i32,
    /// Exporter (ISO3).
    pub exporter: String,
    /// Importer (ISO3).
    pub importer: String,
    /// HS6 code as text (leading zeros kept).
    pub product: String,
    /// Value ≥ 0 (BACI: thousand USD; any common unit works).
    pub value: f64,
}

impl ProductFlow {
    /// A row.
    pub fn new(year: i32, exporter: &str, importer: &str, product: &str, value: f64) -> Self {
        Self {
            year,
            exporter: exporter.into(),
            importer: importer.into(),
            product: product.into(),
            value,
        }
    }
}

/// HS6 trade as GeoDep reads it: the assessed importers' flows, and every exporter's exports
/// of each product to all importers (domestic rows left out of both), with country and product
/// codes interned as indices into sorted lists, so that ordering by index is ordering by code.
/// Built with [`crate::geodep::PanelBuilder`] (which validates and sums duplicate keys in arrival order) or
/// [`ProductPanel::from_flows`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductPanel {
    /// Country codes (ISO3), sorted; rows refer to them by index.
    pub countries: Vec<String>,
    /// HS6 codes, sorted; rows refer to them by index.
    pub products: Vec<String>,
    /// Years with any data; windows run from the first to the last.
    pub years: BTreeSet<i32>,
    /// Flows into the assessed importers, sorted by (importer, product, year, exporter), one
    /// row per key.
    pub imports: Vec<PanelFlow>,
    /// Each exporter's exports of a product in a year to all importers, sorted by (year,
    /// product, exporter), one row per key.
    pub world: Vec<PanelExport>,
}

/// One flow into an assessed importer (indices into [`ProductPanel`]'s lists).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelFlow {
    /// Year.
    pub year: i32,
    /// Product index.
    pub product: u32,
    /// Exporter index.
    pub exporter: u32,
    /// Importer index.
    pub importer: u32,
    /// Value ≥ 0.
    pub value: f64,
}

/// One exporter's exports of a product in a year to all importers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelExport {
    /// Year.
    pub year: i32,
    /// Product index.
    pub product: u32,
    /// Exporter index.
    pub exporter: u32,
    /// Value ≥ 0.
    pub value: f64,
}

/// One chapter-level flow between two states in one year (current USD).
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterFlow {
    /// Year.
    pub year: i32,
    /// Exporter ISO3.
    pub exporter: String,
    /// Importer ISO3.
    pub importer: String,
    /// HS chapter, two digits (`27`).
    pub hs2: String,
    /// Value, current USD, ≥ 0.
    pub value: f64,
}

/// A recorded vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteChoice {
    /// Yes (ordinal 1).
    Yes,
    /// Abstain (ordinal 2).
    Abstain,
    /// No (ordinal 3).
    No,
}

impl VoteChoice {
    /// Position on the ordinal scale yes = 1, abstain = 2, no = 3.
    pub fn ordinal(self) -> u8 {
        match self {
            Self::Yes => 1,
            Self::Abstain => 2,
            Self::No => 3,
        }
    }

    pub(crate) fn index(self) -> usize {
        usize::from(self.ordinal() - 1)
    }

    /// Parse `yes`, `abstain`, `no` (case-insensitive), or Voeten's codes `1`, `2`, `3`.
    /// Absent (8) and non-member (9) are not votes: drop them before calling a measure.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "1" => Ok(Self::Yes),
            "abstain" | "2" => Ok(Self::Abstain),
            "no" | "3" => Ok(Self::No),
            other => Err(MeasureError::InvalidField {
                field: "vote",
                value: other.to_string(),
                context: "UN vote".into(),
                reason: "expected yes, abstain or no (1, 2, 3); drop absences (8) and non-members (9)",
            }),
        }
    }
}

/// One state's vote on one roll call.
#[derive(Debug, Clone, PartialEq)]
pub struct Vote {
    /// Roll-call id.
    pub rcid: i64,
    /// State (ISO3).
    pub country: String,
    /// The vote.
    pub vote: VoteChoice,
}

/// A roll call's session and year.
#[derive(Debug, Clone, PartialEq)]
pub struct RollCall {
    /// Roll-call id.
    pub rcid: i64,
    /// UNGA session number.
    pub session: i32,
    /// Calendar year of the vote.
    pub year: i32,
}

/// One issue tag of a roll call.
#[derive(Debug, Clone, PartialEq)]
pub struct RollCallIssue {
    /// Roll-call id.
    pub rcid: i64,
    /// Issue (e.g. "Human rights", or the short code "hr").
    pub issue: String,
}

/// A published UNGA ideal point (Bailey, Strezhnev & Voeten) of one state, year and series.
#[derive(Debug, Clone, PartialEq)]
pub struct IdealPointRecord {
    /// State (ISO3).
    pub country: String,
    /// Year the session opens.
    pub year: i32,
    /// `all`, `fp` or `legacy`.
    pub series: String,
    /// The ideal point.
    pub estimate: f64,
    /// 5 % quantile of the posterior (None for `legacy`).
    pub q5: Option<f64>,
    /// 95 % quantile of the posterior (None for `legacy`).
    pub q95: Option<f64>,
    /// Roll calls the estimate rests on.
    pub n_votes: Option<i64>,
}
