//! Errors of the rendering layer.

use std::path::PathBuf;

/// Why a report could not be rendered or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// An id that cannot be used as an HTML anchor or a file name.
    #[error(
        "{what} id '{id}' is not usable as an anchor or file name: use only ASCII letters, digits, '-' and '_'"
    )]
    InvalidId {
        /// What carried the id (chart, table, section, claim, citation).
        what: &'static str,
        /// The offending id.
        id: String,
    },
    /// Two things in the report share an id.
    #[error(
        "id '{id}' is used more than once in the report; ids of sections, charts, tables and claims must be unique"
    )]
    DuplicateId {
        /// The repeated id.
        id: String,
    },
    /// An id the renderer uses for its own anchors.
    #[error(
        "id '{id}' is reserved for the report's own anchors (contents, limits, references, top, claim-*, cite-*); choose another"
    )]
    ReservedId {
        /// The reserved id.
        id: String,
    },
    /// A table row with the wrong number of cells.
    #[error("table '{table}' row {row} has {cells} cells but the table has {columns} columns")]
    RaggedTable {
        /// The table's id.
        table: String,
        /// 1-based row number.
        row: usize,
        /// Cells in that row.
        cells: usize,
        /// Columns of the table.
        columns: usize,
    },
    /// A claim links to an id that is not in the report.
    #[error(
        "claim '{claim}' links to '{target}', which is not the id of any section, chart or table in the report"
    )]
    DanglingLink {
        /// The claim's id.
        claim: String,
        /// The missing target.
        target: String,
    },
    /// Drawing a chart failed; this is a bug in pivot-report.
    #[error(
        "drawing chart '{chart}' failed: {message} (this is a bug in pivot-report, please report it)"
    )]
    Draw {
        /// The chart's id.
        chart: String,
        /// What plotters reported.
        message: String,
    },
    /// Writing CSV failed (in memory; this is a bug).
    #[error("writing the CSV for '{id}' failed: {source}")]
    Csv {
        /// The chart or table id.
        id: String,
        /// The underlying error.
        #[source]
        source: csv::Error,
    },
    /// A file or folder could not be written.
    #[error("failed to write {path}: {source}")]
    Io {
        /// The path being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}
