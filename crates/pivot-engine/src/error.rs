//! Engine errors, split by whose move it is: the user's input (exit 2), the environment — the
//! store, the disk, the machine (exit 3) — or a bug (exit 1). Each message says what was being
//! attempted and names the offending value once.

/// Who has to act on an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input: an argument, a parameter, a query, a file the user gave, data the store lacks.
    Input,
    /// The environment: the store's files, the disk, permissions, a lock held by another process.
    Environment,
    /// pivot itself.
    Bug,
}

impl ErrorKind {
    /// The process exit status: 2 input, 3 environment, 1 bug.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Input => 2,
            ErrorKind::Environment => 3,
            ErrorKind::Bug => 1,
        }
    }
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No measure has this name.
    #[error("unknown measure '{name}'{}; pivot measures lists them", suggestion.as_ref().map(|s| format!(" (did you mean '{s}'?)")).unwrap_or_default())]
    UnknownMeasure {
        /// The name given.
        name: String,
        /// The closest registered name.
        suggestion: Option<String>,
    },
    /// A measure parameter was refused (names the measure, parameter, value, what is accepted).
    #[error(transparent)]
    Param(pivot_measures::ParamError),
    /// The store lacks data the request needs.
    #[error("{what} is not in the store: {hint}")]
    MissingData {
        /// What is missing.
        what: String,
        /// How to get it.
        hint: String,
    },
    /// A measure rejected its input rows.
    #[error(transparent)]
    Measure(pivot_measures::MeasureError),
    /// A source file is malformed (names file, line, field).
    #[error(transparent)]
    Source(#[from] pivot_sources::SourceError),
    /// Store I/O or integrity.
    #[error(transparent)]
    Store(#[from] pivot_store::StoreError),
    /// The store's staging area refused a batch (disk, encoding).
    #[error(transparent)]
    Sink(#[from] pivot_tables::SinkError),
    /// A country query did not resolve.
    #[error(transparent)]
    Country(#[from] pivot_vocab::ResolveError),
    /// A gravity model or scenario problem.
    #[error(transparent)]
    Gravity(#[from] pivot_gravity::GravityError),
    /// SQL error.
    #[error("SQL error in '{query}': {message}")]
    Sql {
        /// The query.
        query: String,
        /// DataFusion's message.
        message: String,
    },
    /// A store file read by a query no longer matches the checksum the manifest recorded at
    /// ingest (found when the query first read it).
    #[error(
        "store file {} (dataset '{dataset}') is damaged: {detail}; the query was stopped rather than answer from it. Run pivot data verify, then ingest the dataset again (for data bundled with pivot: pivot data remove {dataset}, which loads pivot's own copy again)",
        path.display()
    )]
    Damaged {
        /// The file.
        path: std::path::PathBuf,
        /// Its dataset.
        dataset: String,
        /// What did not match.
        detail: String,
    },
    /// The Ballista cluster given with `--cluster` could not be reached or failed the job.
    #[error(
        "the Ballista cluster at {url} did not answer: {detail}. Start it (pivot cluster scheduler, then pivot cluster executor), or run without --cluster"
    )]
    Cluster {
        /// `df://HOST:PORT`.
        url: String,
        /// What the client saw.
        detail: String,
    },
    /// A query needed more memory than the limit allows, even spilling what can spill.
    #[error(
        "the query needs more memory than the limit of {limit} allows, even spilling to disk ({detail}). Raise PIVOT_MEMORY_LIMIT (e.g. PIVOT_MEMORY_LIMIT=8G, or none), or ask for fewer groups or rows"
    )]
    Memory {
        /// The limit as applied (`PIVOT_MEMORY_LIMIT` or half the machine's memory).
        limit: String,
        /// DataFusion's last line: what could not be allocated.
        detail: String,
    },
    /// A query ran past its time limit.
    #[error("query exceeded its time limit of {0:?}")]
    Timeout(std::time::Duration),
    /// The work was cancelled before it ended (the server is shutting down).
    #[error("the work was cancelled: the server is shutting down")]
    Cancelled,
    /// A bad argument or input file of a command (not a measure parameter).
    #[error("{0}")]
    Input(String),
    /// The machine: reading or writing pivot's own files, starting the runtime.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Report rendering.
    #[error("report: {0}")]
    Report(#[from] pivot_report::ReportError),
    /// An impossible state.
    #[error("internal error: {0}; this is a bug, please report it")]
    Bug(String),
}

impl From<pivot_measures::MeasureError> for EngineError {
    fn from(e: pivot_measures::MeasureError) -> EngineError {
        match e {
            pivot_measures::MeasureError::Param(p) => EngineError::Param(p),
            pivot_measures::MeasureError::MissingData { what, hint } => {
                EngineError::MissingData { what, hint }
            }
            e => EngineError::Measure(e),
        }
    }
}

impl EngineError {
    pub(crate) fn sql(query: &str, e: datafusion::error::DataFusionError) -> EngineError {
        if let Some(d) = crate::verified::damaged_in(&e) {
            return EngineError::Damaged {
                path: d.path,
                dataset: d.dataset,
                detail: d.detail,
            };
        }
        if let datafusion::error::DataFusionError::ResourcesExhausted(m) = e.find_root() {
            let detail = m.lines().last().unwrap_or(m).trim();
            return EngineError::Memory {
                limit: limit_text(),
                detail: detail.strip_prefix("Error: ").unwrap_or(detail).to_string(),
            };
        }
        // DataFusion repeats the innermost message in its context chain; say it once.
        let mut message = e.to_string();
        if let Some((head, tail)) = message.split_once(": ")
            && tail.contains(head)
        {
            message = tail.to_string();
        }
        // A long query is shown by its start (the user has the whole of it).
        let query = if query.chars().count() > 300 {
            format!("{}…", query.chars().take(300).collect::<String>())
        } else {
            query.to_string()
        };
        EngineError::Sql { query, message }
    }

    /// Who has to act.
    pub fn kind(&self) -> ErrorKind {
        match self {
            EngineError::Bug(_)
            | EngineError::Sink(pivot_tables::SinkError::Bug { .. })
            | EngineError::Source(pivot_sources::SourceError::Bug { .. }) => ErrorKind::Bug,
            EngineError::Sink(_) => ErrorKind::Environment,
            EngineError::Source(pivot_sources::SourceError::Sink { .. }) => ErrorKind::Environment,
            EngineError::Io { .. }
            | EngineError::Report(_)
            | EngineError::Damaged { .. }
            | EngineError::Cluster { .. }
            | EngineError::Memory { .. }
            | EngineError::Cancelled => ErrorKind::Environment,
            EngineError::Store(e) if e.is_environment() => ErrorKind::Environment,
            _ => ErrorKind::Input,
        }
    }

    /// Whether this is the user's input (exit 2).
    pub fn is_user_error(&self) -> bool {
        self.kind() == ErrorKind::Input
    }

    /// Whether the data or the years asked for are not in the store (a claim check over it is
    /// "not testable" rather than an error).
    pub fn is_missing_data(&self) -> bool {
        matches!(self, EngineError::MissingData { .. })
    }
}

/// The memory limit queries run under, as said in [`EngineError::Memory`].
pub(crate) fn limit_text() -> String {
    match crate::memory::memory_limit() {
        Ok(Some(b)) => format!("{:.1} MiB", b as f64 / 1048576.0),
        _ => "this machine".into(),
    }
}
