//! The manifest: what the store holds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version of this file.
    #[serde(default = "one")]
    pub format: u32,
    /// Datasets by id.
    pub datasets: BTreeMap<String, DatasetEntry>,
}

fn one() -> u32 {
    1
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            format: crate::FORMAT,
            datasets: BTreeMap::new(),
        }
    }
}

/// One dataset in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetEntry {
    /// Id (`cow_trade`, `baci` …).
    pub id: String,
    /// Title.
    pub title: String,
    /// Publisher.
    pub source: String,
    /// Version / release.
    pub version: String,
    /// Licence.
    pub licence: String,
    /// Plain citation.
    pub citation: String,
    /// BibTeX.
    pub bibtex: String,
    /// Units and caveats.
    pub notes: Vec<String>,
    /// Adapter that read it.
    pub adapter: String,
    /// Input names (file paths or bundled `data/…` paths).
    pub inputs: Vec<String>,
    /// Whether it is pivot's bundled default data.
    pub bundled: bool,
    /// Ingest time, seconds since the Unix epoch (UTC).
    pub ingested_at: u64,
    /// Data records read from the source files (as the publisher counts rows).
    #[serde(default)]
    pub records: u64,
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// First and last year.
    pub years: Option<(i32, i32)>,
    /// Rows deliberately not loaded, with reasons.
    pub dropped: Vec<String>,
    /// Files.
    pub files: Vec<FileEntry>,
    /// SHA-256 over the files' checksums.
    pub checksum: String,
}

/// One Parquet file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Canonical table.
    pub table: String,
    /// Partition (e.g. a year), if any.
    pub part: Option<String>,
    /// Path relative to the store root.
    pub path: String,
    /// Rows.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

impl DatasetEntry {
    /// Total rows over tables.
    pub fn total_rows(&self) -> u64 {
        self.rows.values().sum()
    }
}
