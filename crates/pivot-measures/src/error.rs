//! The one error type of the measures: every variant names the offending value.

use thiserror::Error;

/// A parameter the measure refused, with what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct ParamError {
    /// The measure (`partner-share`).
    pub measure: String,
    /// The parameter (`top`), empty when the problem is not one parameter's.
    pub param: String,
    /// The value as given.
    pub value: Option<String>,
    /// What is wrong.
    pub problem: String,
    /// What would be accepted.
    pub accepted: Option<String>,
}

impl ParamError {
    fn message(&self) -> String {
        let mut m = format!("measure {}: ", self.measure);
        if !self.param.is_empty() {
            m.push_str(&format!("parameter `{}`", self.param));
            if let Some(v) = &self.value {
                // A long value is shown by its start (the user has the whole of it).
                let shown = |s: &str| -> String {
                    s.chars()
                        .map(|c| {
                            if c.is_control() {
                                c.escape_unicode().to_string()
                            } else {
                                c.to_string()
                            }
                        })
                        .collect()
                };
                let n = v.chars().count();
                if n > 60 {
                    let head: String = v.chars().take(60).collect();
                    m.push_str(&format!(" = '{}…' ({n} characters)", shown(&head)));
                } else {
                    m.push_str(&format!(" = '{}'", shown(v)));
                }
            }
            m.push_str(": ");
        }
        m.push_str(&self.problem);
        if let Some(a) = &self.accepted {
            m.push_str(&format!(" (accepted: {a})"));
        }
        m
    }

    /// An error about one parameter.
    pub fn new(param: &str, value: Option<String>, problem: impl Into<String>) -> ParamError {
        ParamError {
            measure: String::new(),
            param: param.to_string(),
            value,
            problem: problem.into(),
            accepted: None,
        }
    }

    /// Say what would be accepted.
    pub fn accepting(mut self, a: impl Into<String>) -> ParamError {
        self.accepted = Some(a.into());
        self
    }
}

/// Why a measure could not be computed.
///
/// All variants are *user* errors (bad input rows or parameters): the message names the
/// value that was wrong and where it was found, so the caller can fix the data or the call.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum MeasureError {
    /// A parameter was refused (unknown name, wrong type, out of range, bad combination).
    #[error(transparent)]
    Param(#[from] ParamError),
    /// The store lacks the data the measure needs.
    #[error("{what} is not in the store: {hint}")]
    MissingData {
        /// What is missing ("product-level (HS6) trade").
        what: String,
        /// How to get it ("ingest BACI first: pivot data ingest baci PATH").
        hint: String,
    },
    /// The data source failed (the engine's error, kept whole so its kind survives).
    #[error(transparent)]
    Source(std::sync::Arc<dyn std::error::Error + Send + Sync>),
    /// A value that must be a finite number ≥ 0 (trade, TIV, volume, amount, GDP …) was
    /// negative, NaN or infinite.
    #[error("{what} must be a finite number >= 0, got {value} ({context})")]
    InvalidValue {
        /// Which quantity (e.g. "trade value").
        what: &'static str,
        /// The offending value.
        value: f64,
        /// Where it was found (year, countries, product …).
        context: String,
    },
    /// An input that must not be empty was empty (e.g. the partner set of a hedging view).
    #[error("{what} is empty: nothing to compute")]
    Empty {
        /// Which input was empty.
        what: &'static str,
    },
    /// The values sum to zero, so shares are undefined.
    #[error("{what} sums to zero, so shares are undefined ({context})")]
    ZeroTotal {
        /// Which quantity summed to zero.
        what: &'static str,
        /// Where (year, country …).
        context: String,
    },
    /// A parameter is out of its valid range.
    #[error("parameter `{name}` = {value} is invalid: {reason}")]
    InvalidParameter {
        /// Parameter name as listed in the registry.
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What a valid value looks like.
        reason: &'static str,
    },
    /// Two input rows share a key that must be unique.
    #[error("duplicate {what}: {key}")]
    Duplicate {
        /// What kind of key (e.g. "vote for country and roll call").
        what: &'static str,
        /// The duplicated key.
        key: String,
    },
    /// A vote refers to a roll call that the roll-call map does not contain.
    #[error(
        "roll call {rcid} has votes but no entry in the roll-call map (session/year); pass the roll calls table"
    )]
    UnknownRollCall {
        /// The roll-call id.
        rcid: i64,
    },
    /// One series mixes two units where one is required (e.g. an energy carrier in a year).
    #[error("{context} mixes units '{first}' and '{second}'; convert to one unit first")]
    MixedUnits {
        /// Where (exporter, carrier, year).
        context: String,
        /// The first unit seen.
        first: String,
        /// The conflicting unit.
        second: String,
    },
    /// A field holds a value outside its domain (QuadClass 7, month 13, empty country code …).
    #[error("invalid {field} '{value}' ({context}): {reason}")]
    InvalidField {
        /// The field name.
        field: &'static str,
        /// The offending value, as text.
        value: String,
        /// Where it was found.
        context: String,
        /// What a valid value looks like.
        reason: &'static str,
    },
}

/// Result alias for measures.
pub type Result<T, E = MeasureError> = std::result::Result<T, E>;

impl PartialEq for MeasureError {
    /// Errors are equal when they say the same thing.
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}
