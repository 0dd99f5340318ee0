//! A staged ingest: the [`TableSink`] adapters write into. Nothing here is visible to readers
//! until [`crate::Store::commit`]; dropping a `Staging` (an error) deletes what it wrote.
//!
//! Each Parquet file is encoded on a writer thread of its own, which also computes the file's
//! SHA-256 as the bytes go out, so the adapter's parsing, the encoding and the checksums overlap.
//! A partition that grows past [`SPLIT_ROWS`] gets a second file (and thread), batches going to
//! its files in turn, so one large partition (a BACI year) is encoded on two cores.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use pivot_tables::{SinkError, TableSink};
use sha2::{Digest, Sha256};

use crate::{StoreError, io};

pub(crate) struct StagedFile {
    pub table: String,
    pub part: Option<String>,
    pub staged: PathBuf,
    pub rows: u64,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

/// Rows a partition's first file takes before the partition is split over a second file.
const SPLIT_ROWS: u64 = 1 << 18;
/// Files (and writer threads) per partition at most.
const FILES_PER_PART: usize = 2;

/// Columns that hold one value per dataset (`source`, `basis`): dictionary encoding would hash
/// every row's value to build a one-entry dictionary; plain pages of one repeated value cost a
/// copy and Snappy shrinks them to almost nothing.
const PLAIN_COLUMNS: [&str; 2] = ["source", "basis"];

/// Columns whose min/max statistics no query prunes by (`basis`: one repeated string); writing
/// them would only compare every value with the running min and max. The A/B in
/// `bench/baci/RESULTS.md` found no measurable ingest-time change either way. `source` keeps its
/// statistics: a cluster, which reads each table as one scan, prunes other datasets' files by them.
const NO_STATISTICS: [&str; 1] = ["basis"];

/// Snappy, row groups of 2^20 rows; no dictionary for floating-point columns (measured values
/// rarely repeat, so the encoder would hash every value only to fall back to plain encoding).
fn props(schema: &arrow::datatypes::Schema) -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1 << 20));
    for f in schema.fields() {
        let col = ColumnPath::from(f.name().as_str());
        if f.data_type().is_floating() || PLAIN_COLUMNS.contains(&f.name().as_str()) {
            b = b.set_column_dictionary_enabled(col.clone(), false);
        }
        if NO_STATISTICS.contains(&f.name().as_str()) {
            b = b.set_column_statistics_enabled(
                col,
                parquet::file::properties::EnabledStatistics::None,
            );
        }
    }
    b.build()
}

/// A file that hashes what is written to it.
struct HashingFile {
    file: File,
    hash: Sha256,
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// What a writer thread returns: rows written and the file's SHA-256.
type Written = Result<(u64, String), String>;

/// One Parquet file being written by its own thread.
struct FileWriter {
    path: PathBuf,
    tx: Option<SyncSender<RecordBatch>>,
    handle: Option<JoinHandle<Written>>,
}

impl FileWriter {
    fn spawn(path: PathBuf, schema: arrow::datatypes::SchemaRef) -> Result<FileWriter, String> {
        let file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (tx, rx) = sync_channel::<RecordBatch>(2);
        let p = path.clone();
        let handle = std::thread::Builder::new()
            .name("pivot-parquet".into())
            .spawn(move || -> Written {
                let out = HashingFile {
                    file,
                    hash: Sha256::new(),
                };
                let mut w = ArrowWriter::try_new(out, schema.clone(), Some(props(&schema)))
                    .map_err(|e| e.to_string())?;
                let mut rows = 0u64;
                for batch in rx {
                    rows += batch.num_rows() as u64;
                    w.write(&batch).map_err(|e| e.to_string())?;
                }
                let out = w.into_inner().map_err(|e| e.to_string())?;
                out.file
                    .sync_all()
                    .map_err(|e| format!("{}: {e}", p.display()))?;
                let sha: String = out
                    .hash
                    .finalize()
                    .iter()
                    .map(|x| format!("{x:02x}"))
                    .collect();
                Ok((rows, sha))
            })
            .map_err(|e| format!("writer thread: {e}"))?;
        Ok(FileWriter {
            path,
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Send a batch; if the thread has stopped, its error.
    fn send(&mut self, batch: RecordBatch) -> Result<(), String> {
        let tx = self.tx.as_ref().ok_or("writer already closed")?;
        if tx.send(batch).is_err() {
            return Err(self
                .close()
                .err()
                .unwrap_or_else(|| "writer stopped".into()));
        }
        Ok(())
    }

    /// Close the channel and wait for the thread.
    fn close(&mut self) -> Written {
        self.tx = None;
        match self.handle.take() {
            Some(h) => h
                .join()
                .map_err(|_| "the Parquet writer thread panicked".to_string())?,
            None => Err("writer already closed".into()),
        }
    }
}

/// The files of one (table, partition).
struct Part {
    files: Vec<FileWriter>,
    rows: u64,
    next: usize,
    /// Files opened so far (names stay unique after a `part_done`).
    opened: usize,
}

/// An ingest in progress (holds the store's write lock).
pub struct Staging {
    dir: PathBuf,
    parts: BTreeMap<(String, Option<String>), Part>,
    /// Files whose partition is done (`part_done`): their threads finish on their own and are
    /// joined in `finish`, so the adapter does not wait for them.
    closing: Vec<(String, Option<String>, FileWriter)>,
    lock: Option<File>,
    done: bool,
}

impl std::fmt::Debug for Staging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staging").field("dir", &self.dir).finish()
    }
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
            parts: BTreeMap::new(),
            closing: Vec::new(),
            lock: Some(lock),
            done: false,
        })
    }

    /// Rows written so far, all tables.
    pub fn rows(&self) -> u64 {
        self.parts.values().map(|p| p.rows).sum()
    }

    /// Stop sending to the open files of a (table, part); they are joined in `finish`.
    fn close_part(&mut self, key: &(String, Option<String>)) {
        if let Some(p) = self.parts.get_mut(key) {
            for mut w in p.files.drain(..) {
                w.tx = None;
                self.closing.push((key.0.clone(), key.1.clone(), w));
            }
        }
    }

    pub(crate) fn finish(mut self) -> Result<(Vec<StagedFile>, Option<File>), StoreError> {
        let keys: Vec<_> = self.parts.keys().cloned().collect();
        for k in &keys {
            self.close_part(k);
        }
        let mut out = Vec::new();
        for (table, part, mut w) in std::mem::take(&mut self.closing) {
            let (rows, sha256) = w.close().map_err(|message| StoreError::Parquet {
                path: w.path.clone(),
                message,
            })?;
            out.push(StagedFile {
                table,
                part,
                staged: w.path.clone(),
                rows,
                sha256,
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
    ) -> Result<(), SinkError> {
        let key = (table.to_string(), part.map(str::to_string));
        let sink_err = |m: String| SinkError::Write {
            table: table.to_string(),
            message: m,
        };
        let p = self.parts.entry(key).or_insert(Part {
            files: vec![],
            rows: 0,
            next: 0,
            opened: 0,
        });
        if p.files.is_empty() || (p.files.len() < FILES_PER_PART && p.rows >= SPLIT_ROWS) {
            let name = match part {
                Some(x) => format!("{table}-{x}-{}.parquet", p.opened),
                None => format!("{table}-{}.parquet", p.opened),
            };
            p.opened += 1;
            p.files
                .push(FileWriter::spawn(self.dir.join(name), batch.schema()).map_err(sink_err)?);
        }
        p.rows += batch.num_rows() as u64;
        let i = p.next % p.files.len();
        p.next = p.next.wrapping_add(1);
        p.files[i].send(batch).map_err(sink_err)
    }

    fn part_done(&mut self, table: &str, part: Option<&str>) -> Result<(), SinkError> {
        self.close_part(&(table.to_string(), part.map(str::to_string)));
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            // Stop the writer threads before deleting their files.
            for p in self.parts.values_mut() {
                for w in &mut p.files {
                    let _ = w.close();
                }
            }
            for (_, _, w) in &mut self.closing {
                let _ = w.close();
            }
            self.parts.clear();
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}
