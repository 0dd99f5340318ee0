//! Errors of adapters: always naming the file, and the line and field where there is one.

/// Something wrong with a source file. User errors (bad input) name file, line and field;
/// [`SourceError::Bug`] marks an impossible state.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file could not be opened or read.
    #[error("failed to read {file}: {source}")]
    Io {
        /// File as the user named it.
        file: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// Required columns are missing from the header.
    #[error(
        "{file} line {line}: missing column(s) {missing} (found: {found}); is this a {format} file?"
    )]
    Header {
        /// File.
        file: String,
        /// Line of the header (1-based).
        line: u64,
        /// Missing column names, comma-separated.
        missing: String,
        /// Columns found.
        found: String,
        /// The format the adapter expected.
        format: String,
    },
    /// A row that is malformed as a whole (wrong number of fields, bad quoting, bad encoding).
    #[error("{file} line {line}: {problem}")]
    Row {
        /// File.
        file: String,
        /// Line (1-based, counting the preamble and header).
        line: u64,
        /// What is wrong.
        problem: String,
    },
    /// A field with a bad value.
    #[error("{file} line {line} field '{field}': {problem} (value: '{value}')")]
    Field {
        /// File.
        file: String,
        /// Line (1-based).
        line: u64,
        /// Column name.
        field: String,
        /// The offending value as written.
        value: String,
        /// What is wrong, with a hint where there is one.
        problem: String,
    },
    /// A writer refused a batch (the store's staging area), e.g. disk full.
    #[error("failed to stage {table}: {message}")]
    Sink {
        /// Table.
        table: String,
        /// Message.
        message: String,
    },
    /// An impossible state: a bug in pivot.
    #[error("internal error in adapter {adapter}: {message}; this is a bug, please report it")]
    Bug {
        /// Adapter.
        adapter: String,
        /// Message.
        message: String,
    },
}

impl SourceError {
    /// The line the error points at, if any.
    pub fn line(&self) -> Option<u64> {
        match self {
            SourceError::Header { line, .. }
            | SourceError::Row { line, .. }
            | SourceError::Field { line, .. } => Some(*line),
            _ => None,
        }
    }
}

impl From<pivot_tables::SinkError> for SourceError {
    fn from(e: pivot_tables::SinkError) -> SourceError {
        match e {
            pivot_tables::SinkError::Write { table, message } => {
                SourceError::Sink { table, message }
            }
            pivot_tables::SinkError::Bug { table, message } => SourceError::Bug {
                adapter: table,
                message,
            },
        }
    }
}
