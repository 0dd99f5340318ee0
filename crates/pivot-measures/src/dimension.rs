//! The dimensions of interstate dependence measures belong to (a leaf module: the measure trait
//! and the registry both name them).

use serde::Serialize;

use crate::error::{MeasureError, Result};

/// The dimension of interstate dependence a measure belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Trade in goods.
    Trade,
    /// Energy trade (oil, gas, coal).
    Energy,
    /// Arms transfers.
    Arms,
    /// Diplomacy (UN voting).
    Diplomacy,
    /// Material power (GDP, CINC, military expenditure).
    Power,
    /// Official finance and investment.
    Finance,
    /// Alliance obligations.
    Alliances,
    /// Event data (GDELT, ICEWS).
    Events,
    /// Hedging: the cross-dimension view.
    Hedging,
}

impl Dimension {
    /// Every dimension, in order.
    pub const ALL: [Dimension; 9] = [
        Self::Trade,
        Self::Energy,
        Self::Arms,
        Self::Diplomacy,
        Self::Power,
        Self::Finance,
        Self::Alliances,
        Self::Events,
        Self::Hedging,
    ];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trade => "trade",
            Self::Energy => "energy",
            Self::Arms => "arms",
            Self::Diplomacy => "diplomacy",
            Self::Power => "power",
            Self::Finance => "finance",
            Self::Alliances => "alliances",
            Self::Events => "events",
            Self::Hedging => "hedging",
        }
    }

    /// Parse a lower-case name.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s).ok_or_else(|| MeasureError::InvalidField {
            field: "dimension",
            value: s.to_string(),
            context: "dimension name".into(),
            reason: "expected trade, energy, arms, diplomacy, power, finance, alliances, events or hedging",
        })
    }
}
