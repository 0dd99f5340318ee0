//! Engine errors: user mistakes (bad input, unknown country, bad SQL) versus bugs.

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A source file is malformed (names file, line, field).
    #[error(transparent)]
    Source(#[from] pivot_sources::SourceError),
    /// Store I/O or integrity.
    #[error(transparent)]
    Store(#[from] pivot_store::StoreError),
    /// A country query did not resolve.
    #[error(transparent)]
    Country(#[from] pivot_vocab::ResolveError),
    /// A measure rejected its input or parameters.
    #[error("{0}")]
    Measure(#[from] pivot_measures::MeasureError),
    /// A gravity model or scenario problem.
    #[error("{0}")]
    Gravity(#[from] pivot_gravity::GravityError),
    /// SQL error.
    #[error("SQL error in '{query}': {message}")]
    Sql {
        /// The query.
        query: String,
        /// DataFusion's message.
        message: String,
    },
    /// A query ran past its time limit.
    #[error("query exceeded its time limit of {0:?}")]
    Timeout(std::time::Duration),
    /// A user-facing problem with a clear message (bad argument, unknown measure, missing data).
    #[error("{0}")]
    User(String),
    /// Report rendering.
    #[error("report: {0}")]
    Report(#[from] pivot_report::ReportError),
    /// An impossible state.
    #[error("internal error: {0}; this is a bug, please report it")]
    Bug(String),
}

impl EngineError {
    pub(crate) fn sql(query: &str, e: datafusion::error::DataFusionError) -> EngineError {
        EngineError::Sql {
            query: query.to_string(),
            message: e.to_string(),
        }
    }

    /// Whether this is the user's mistake (exit 2) rather than a bug (exit 1).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, EngineError::Bug(_))
    }
}
