//! Adapters: each source format (COW, SIPRI, UN votes, World Bank, BACI, Comtrade, …) is parsed
//! and validated here into pivot's canonical tables ([`canonical`]).
//!
//! An adapter streams its input, checks types, ranges, duplicate keys and country codes, and
//! pushes Arrow record batches into a [`TableSink`] (the store's staging area). Any problem is a
//! [`SourceError`] naming the file, line and field; the store then discards everything staged,
//! so nothing partial is ever committed.
//!
//! Adapters know formats, never file layout of the store, and compute no measure.

pub mod adapters;
pub mod canonical;
pub mod dataset;
pub mod error;
pub mod input;
pub mod synth;

pub use adapters::{Adapter, adapter_for, bundled_datasets, user_sources};
pub use dataset::DatasetInfo;
pub use error::SourceError;
pub use input::Input;

use arrow::record_batch::RecordBatch;

/// Where adapters put what they parse: one call per batch of rows of a canonical table.
pub trait TableSink {
    /// Accept a batch for `table` (a canonical table name). `part` names a partition (e.g. a
    /// year) for sources that arrive one file per partition; `None` otherwise.
    fn push(
        &mut self,
        table: &str,
        part: Option<&str>,
        batch: RecordBatch,
    ) -> Result<(), SourceError>;

    /// A hint that no more batches will come for (`table`, `part`), so its files can be
    /// finished now rather than at the end of the ingest. Sinks may ignore it.
    fn part_done(&mut self, _table: &str, _part: Option<&str>) -> Result<(), SourceError> {
        Ok(())
    }
}

/// A sink that keeps everything in memory (tests and small inputs).
#[derive(Debug, Default)]
pub struct MemorySink {
    /// (table, part, batch) in arrival order.
    pub batches: Vec<(String, Option<String>, RecordBatch)>,
}

impl MemorySink {
    /// Total rows pushed for `table`.
    pub fn rows(&self, table: &str) -> usize {
        self.batches
            .iter()
            .filter(|b| b.0 == table)
            .map(|b| b.2.num_rows())
            .sum()
    }

    /// Deserialize every row of `table` into `T` (a canonical row type).
    pub fn decode<T: serde::de::DeserializeOwned>(&self, table: &str) -> Vec<T> {
        self.batches
            .iter()
            .filter(|b| b.0 == table)
            .flat_map(|b| {
                serde_arrow::from_record_batch::<Vec<T>>(&b.2)
                    .expect("canonical batches decode into their own row type; this is a bug")
            })
            .collect()
    }
}

impl TableSink for MemorySink {
    fn push(
        &mut self,
        table: &str,
        part: Option<&str>,
        batch: RecordBatch,
    ) -> Result<(), SourceError> {
        self.batches
            .push((table.to_string(), part.map(str::to_string), batch));
        Ok(())
    }
}
