//! Measure results kept in the store between runs, for the measures that take long to compute
//! (the UN ideal-point estimate, the influence index over every dyad-year): a run that asks the
//! same question of the same data again reads the answer instead of estimating it again.
//!
//! A cached result is a Parquet file under `<store>/cache/measures/`, named by a SHA-256 key of
//! everything the answer depends on: the measure, its parameters as applied, every dataset in
//! the manifest (id and checksum, so any ingest invalidates every entry), pivot's version and
//! a fingerprint of the sources of the crates that compute measures (made by `build.rs`, so a
//! rebuilt pivot never reads another build's answers). The provenance travels inside the file
//! (the same `pivot.provenance` metadata as any Parquet pivot writes), so a cached answer
//! carries the provenance it was computed with, byte for byte.
//!
//! The cache is an optimisation, never a source of truth: it is not in the manifest, `pivot
//! data verify` ignores it, a file that cannot be read (damaged, truncated, another format) is
//! a miss and is replaced, and a failed write (a read-only store) is ignored. Writes are atomic
//! (a temporary file renamed into place). Only answers that took at least
//! [`MIN_COMPUTE`] and fit in [`MAX_BYTES`] are kept, at most [`MAX_ENTRIES`] files (the
//! oldest go first).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::record_batch::RecordBatchReader;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sha2::{Digest, Sha256};

use crate::result_io::{PROVENANCE_KEY, parquet_bytes};
use crate::{Engine, ResultTable};

/// Answers computed faster than this are not worth a file.
pub const MIN_COMPUTE: Duration = Duration::from_millis(250);
/// Larger answers are not kept.
pub const MAX_BYTES: usize = 64 << 20;
/// Files kept; the oldest are removed beyond this.
pub const MAX_ENTRIES: usize = 64;

/// The fingerprint of the measure code this binary was built from.
pub const CODE_HASH: &str = env!("PIVOT_CODE_HASH");

impl Engine {
    pub(crate) fn result_dir(&self) -> PathBuf {
        self.store_cache_dir().join("measures")
    }
}

impl Engine {
    /// The cache key of a measure request with its parameters as applied.
    pub(crate) fn result_key(&self, measure: &str, applied: &str) -> String {
        let mut h = Sha256::new();
        // A cluster's answers carry its name in their provenance, so they are kept apart.
        let cluster = self.cluster().map(|c| c.url()).unwrap_or_default();
        for part in [
            env!("CARGO_PKG_VERSION"),
            CODE_HASH,
            measure,
            applied,
            &cluster,
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        for (id, d) in &self.manifest().datasets {
            h.update(id.as_bytes());
            h.update([0]);
            h.update(d.checksum.as_bytes());
            h.update([0]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A cached answer, if one is there and reads back whole.
    pub(crate) fn cached_result(&self, key: &str) -> Option<ResultTable> {
        let path = self.result_dir().join(format!("{key}.parquet"));
        let bytes = std::fs::read(&path).ok()?;
        read(bytes::Bytes::from(bytes))
    }

    /// Keep an answer (errors ignored: the cache is only an optimisation).
    pub(crate) fn keep_result(&self, key: &str, t: &ResultTable) {
        let Ok(bytes) = parquet_bytes(t) else { return };
        if bytes.len() > MAX_BYTES {
            return;
        }
        let d = self.result_dir();
        if std::fs::create_dir_all(&d).is_err() {
            return;
        }
        let tmp = d.join(format!(".{key}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, &bytes).is_err()
            || std::fs::rename(&tmp, d.join(format!("{key}.parquet"))).is_err()
        {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        prune(&d);
    }
}

fn read(bytes: bytes::Bytes) -> Option<ResultTable> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes).ok()?;
    let kv = builder.metadata().file_metadata().key_value_metadata()?;
    let prov = kv
        .iter()
        .find(|k| k.key == PROVENANCE_KEY)?
        .value
        .as_deref()?;
    let provenance = serde_json::from_str(prov).ok()?;
    let reader = builder.build().ok()?;
    let file_schema = reader.schema();
    let mut meta = file_schema.metadata().clone();
    // What pivot's Parquet writer adds (the reader merges the file's key-value metadata in).
    meta.remove(PROVENANCE_KEY);
    meta.remove("pivot.method");
    let schema = Arc::new(Schema::new_with_metadata(
        file_schema.fields().clone(),
        meta,
    ));
    let mut batches = vec![];
    for b in reader {
        batches.push(b.ok()?.with_schema(schema.clone()).ok()?);
    }
    Some(ResultTable {
        schema,
        batches,
        provenance,
    })
}

fn prune(d: &Path) {
    let Ok(rd) = std::fs::read_dir(d) else { return };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = rd
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "parquet"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if files.len() <= MAX_ENTRIES {
        return;
    }
    files.sort();
    for (_, p) in &files[..files.len() - MAX_ENTRIES] {
        let _ = std::fs::remove_file(p);
    }
}
