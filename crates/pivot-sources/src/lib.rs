//! Adapters: each source format (COW, SIPRI, UN votes, World Bank, BACI, Comtrade, …) is parsed
//! and validated here into pivot's canonical tables ([`canonical`]).
//!
//! An adapter streams its input, checks types, ranges, duplicate keys and country codes, and
//! pushes Arrow record batches into a [`TableSink`] (the store's staging area; the sink and the
//! canonical tables live in `pivot-tables`, re-exported here). Any problem is a
//! [`SourceError`] naming the file, line and field; the store then discards everything staged,
//! so nothing partial is ever committed.
//!
//! Adapters know formats, never file layout of the store, and compute no measure.

pub mod adapters;
pub mod dataset;
pub mod error;
pub mod input;
pub mod synth;

pub use adapters::{Adapter, adapter_for, bundled_datasets, user_sources};
pub use dataset::DatasetInfo;
pub use error::SourceError;
pub use input::Input;

pub use pivot_tables::{MemorySink, SinkError, Table, TableSink, canonical};
