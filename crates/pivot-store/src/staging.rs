//! A staged ingest: the [`TableSink`] adapters write into. Nothing here is visible to readers
//! until [`crate::Store::commit`]; dropping a `Staging` (an error) deletes what it wrote.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use pivot_sources::{SourceError, TableSink};

use crate::{StoreError, io};

pub(crate) struct StagedFile {
    pub table: String,
    pub part: Option<String>,
    pub staged: PathBuf,
    pub rows: u64,
}

/// A Parquet file being written: writer, path, rows so far.
type OpenFile = (ArrowWriter<File>, PathBuf, u64);

/// An ingest in progress (holds the store's write lock).
pub struct Staging {
    dir: PathBuf,
    writers: BTreeMap<(String, Option<String>), OpenFile>,
    lock: Option<File>,
    done: bool,
}

impl std::fmt::Debug for Staging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staging").field("dir", &self.dir).finish()
    }
}

/// Snappy, row groups of 2^20 rows; no dictionary for floating-point columns (measured values
/// rarely repeat, so the encoder would hash every value only to fall back to plain encoding).
fn props(schema: &arrow::datatypes::Schema) -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1 << 20));
    for f in schema.fields() {
        if f.data_type().is_floating() {
            b = b.set_column_dictionary_enabled(ColumnPath::from(f.name().as_str()), false);
        }
    }
    b.build()
}

impl Staging {
    pub(crate) fn new(root: &Path, lock: File) -> Result<Staging, StoreError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = root
            .join(".staging")
            .join(format!("{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Staging {
            dir,
            writers: BTreeMap::new(),
            lock: Some(lock),
            done: false,
        })
    }

    /// Rows written so far, all tables.
    pub fn rows(&self) -> u64 {
        self.writers.values().map(|w| w.2).sum()
    }

    pub(crate) fn finish(mut self) -> Result<(Vec<StagedFile>, Option<File>), StoreError> {
        let mut out = Vec::new();
        for ((table, part), (w, path, rows)) in std::mem::take(&mut self.writers) {
            let f = w.into_inner().map_err(|e| StoreError::Parquet {
                path: path.clone(),
                message: e.to_string(),
            })?;
            f.sync_all().map_err(io(&path))?;
            out.push(StagedFile {
                table,
                part,
                staged: path,
                rows,
            });
        }
        self.done = true;
        Ok((out, self.lock.take()))
    }
}

impl TableSink for Staging {
    fn push(
        &mut self,
        table: &str,
        part: Option<&str>,
        batch: RecordBatch,
    ) -> Result<(), SourceError> {
        let key = (table.to_string(), part.map(str::to_string));
        let sink_err = |m: String| SourceError::Sink {
            table: table.to_string(),
            message: m,
        };
        if !self.writers.contains_key(&key) {
            let name = match part {
                Some(p) => format!("{table}-{p}.parquet"),
                None => format!("{table}.parquet"),
            };
            let path = self.dir.join(name);
            let f =
                File::create(&path).map_err(|e| sink_err(format!("{}: {e}", path.display())))?;
            let w = ArrowWriter::try_new(f, batch.schema(), Some(props(&batch.schema())))
                .map_err(|e| sink_err(e.to_string()))?;
            self.writers.insert(key.clone(), (w, path, 0));
        }
        let entry = self.writers.get_mut(&key).expect("inserted above");
        entry.0.write(&batch).map_err(|e| sink_err(e.to_string()))?;
        entry.2 += batch.num_rows() as u64;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            self.writers.clear();
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}
