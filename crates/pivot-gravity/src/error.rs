//! Errors returned by `pivot-gravity`.
//!
//! User mistakes (a formula that names a column the panel does not have, a bad
//! parameter) carry the offending name or value; states that should be
//! impossible say that they are a bug.

use thiserror::Error;

/// Everything that can go wrong while building a panel, parsing a formula,
/// fitting a model, computing a variance or running a scenario.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum GravityError {
    /// A formula or spec names a column the panel does not have.
    #[error("column '{name}' not found in the panel (available: {available})")]
    UnknownColumn {
        /// The missing column.
        name: String,
        /// Comma-separated list of the columns that exist.
        available: String,
    },
    /// A column has the wrong kind (numeric where categorical is needed or vice versa).
    #[error("column '{name}' is {found}, but {expected} is needed here")]
    WrongColumnKind {
        /// Column name.
        name: String,
        /// What the caller needed.
        expected: &'static str,
        /// What the column is.
        found: &'static str,
    },
    /// A new column's length differs from the panel's row count.
    #[error("column '{name}' has {len} rows but the panel has {nrows}")]
    LengthMismatch {
        /// Column name.
        name: String,
        /// Length of the supplied column.
        len: usize,
        /// Rows in the panel.
        nrows: usize,
    },
    /// A column name was given twice.
    #[error("column '{0}' already exists in the panel")]
    DuplicateColumn(String),
    /// The formula text could not be parsed.
    #[error("cannot parse formula '{formula}': {reason}")]
    Formula {
        /// The formula text.
        formula: String,
        /// What was wrong.
        reason: String,
    },
    /// A value in a column is not allowed (NaN, infinite, negative outcome for PPML...).
    #[error("column '{column}' row {row}: {reason}")]
    BadValue {
        /// Column name.
        column: String,
        /// Zero-based row in the panel.
        row: usize,
        /// What was wrong.
        reason: String,
    },
    /// A parameter given to a builder is out of range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// The allowed range.
        reason: String,
    },
    /// Nothing left to estimate after dropping observations.
    #[error("no observations left to estimate '{formula}' after dropping {dropped} rows")]
    NoObservations {
        /// The formula.
        formula: String,
        /// How many rows were dropped.
        dropped: usize,
    },
    /// Every regressor was collinear with the fixed effects (and no FE exist to fit).
    #[error("the normal equations are singular: {0}")]
    Singular(String),
    /// The variance requested cannot be computed for this model.
    #[error("cannot compute variance: {0}")]
    Vcov(String),
    /// A scenario file is malformed.
    #[error("scenario: {0}")]
    Scenario(String),
    /// A general-equilibrium computation cannot proceed (for example, no domestic flows).
    #[error("general equilibrium: {0}")]
    GeneralEquilibrium(String),
    /// An impossible state: this is a bug in pivot-gravity.
    #[error("internal error (this is a bug in pivot-gravity, please report it): {0}")]
    Internal(String),
}

/// Result alias for this crate.
pub type Result<T, E = GravityError> = std::result::Result<T, E>;
