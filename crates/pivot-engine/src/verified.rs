//! Corruption caught where it is read: the object store DataFusion reads the store's Parquet
//! files through checks each file against the SHA-256 the manifest recorded at ingest before
//! its first byte reaches a query, so a damaged file fails the query with an error naming the
//! file (and `pivot data verify`) instead of yielding a wrong number. The Parquet writer of
//! the locked `parquet` crate does not write page CRCs (`column/page.rs`: "TODO: Add support
//! for crc checksum"), so the manifest's whole-file checksum is the check.
//!
//! A file is hashed once per engine and then trusted while its size and modification time are
//! those it had when hashed (one `stat` per read); a file changed after that is hashed again.
//! Files the manifest does not list (a `gravity fit --data` file) are read unchecked.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use bytes::Bytes;
use datafusion::object_store::local::LocalFileSystem;
use datafusion::object_store::path::Path;
use datafusion::object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};
use futures::stream::BoxStream;

/// A store file whose bytes no longer match the manifest.
#[derive(Debug, Clone, thiserror::Error)]
#[error("store file {path} is damaged: {detail}")]
pub(crate) struct DamagedFile {
    /// The file.
    pub path: PathBuf,
    /// The dataset it belongs to.
    pub dataset: String,
    /// What did not match.
    pub detail: String,
}

/// What the manifest says of one file.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    /// Dataset id.
    pub dataset: String,
    /// SHA-256, hex.
    pub sha256: String,
}

/// The local file system, checking store files against the manifest on first read.
#[derive(Debug)]
pub(crate) struct VerifiedFs {
    inner: LocalFileSystem,
    /// Canonical path → what the manifest says.
    expected: HashMap<PathBuf, Expected>,
    /// Canonical path → (size, mtime) when it was last hashed and matched.
    verified: Mutex<HashMap<PathBuf, (u64, Option<SystemTime>)>>,
}

impl std::fmt::Display for VerifiedFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifiedFs({})", self.inner)
    }
}

impl VerifiedFs {
    /// Over the files `(path, expected)` (paths as the store gives them).
    pub(crate) fn new(files: impl IntoIterator<Item = (PathBuf, Expected)>) -> VerifiedFs {
        let expected = files
            .into_iter()
            .map(|(p, e)| (std::fs::canonicalize(&p).unwrap_or(p), e))
            .collect();
        VerifiedFs {
            inner: LocalFileSystem::new(),
            expected,
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// Check `location` if it is a store file (hashing it unless it is unchanged since it last
    /// matched).
    fn check(&self, location: &Path) -> Result<()> {
        if self.expected.is_empty() {
            return Ok(());
        }
        let Ok(fs_path) = self.inner.path_to_filesystem(location) else {
            return Ok(());
        };
        self.check_file(&fs_path)
            .map_err(|d| datafusion::object_store::Error::Generic {
                store: "pivot store",
                source: Box::new(d),
            })
    }

    /// Check a file by its path if it is a store file (hashing it unless it is unchanged since
    /// it last matched). Used directly where the reader is not this object store: a cluster's
    /// executors read the files by path, so the client checks them before it sends a query.
    pub(crate) fn check_file(
        &self,
        fs_path: &std::path::Path,
    ) -> std::result::Result<(), DamagedFile> {
        let canonical = std::fs::canonicalize(fs_path).unwrap_or_else(|_| fs_path.to_path_buf());
        let Some(exp) = self.expected.get(&canonical) else {
            return Ok(());
        };
        let damaged = |detail: String| DamagedFile {
            path: canonical.clone(),
            dataset: exp.dataset.clone(),
            detail,
        };
        let meta = std::fs::metadata(&canonical)
            .map_err(|e| damaged(format!("it cannot be read ({e})")))?;
        let stamp = (meta.len(), meta.modified().ok());
        if self
            .verified
            .lock()
            .expect("no poisoned lock")
            .get(&canonical)
            == Some(&stamp)
        {
            return Ok(());
        }
        let actual = pivot_store::sha256_file(&canonical).map_err(|e| damaged(e.to_string()))?;
        if actual != exp.sha256 {
            return Err(damaged(format!(
                "its SHA-256 is {actual}, the manifest recorded {} at ingest",
                exp.sha256
            )));
        }
        self.verified
            .lock()
            .expect("no poisoned lock")
            .insert(canonical, stamp);
        Ok(())
    }
}

#[async_trait::async_trait]
impl ObjectStore for VerifiedFs {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        if !options.head {
            self.check(location)?;
        }
        self.inner.get_opts(location, options).await
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        self.check(location)?;
        self.inner.get_ranges(location, ranges).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

/// The damaged file behind a DataFusion error, if that is what it is.
pub(crate) fn damaged_in(e: &(dyn std::error::Error + 'static)) -> Option<DamagedFile> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    // Error chains are short; the cap only guards against a cycle.
    for _ in 0..64 {
        let err = cur?;
        if let Some(d) = err.downcast_ref::<DamagedFile>() {
            return Some(d.clone());
        }
        cur = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file that matched is trusted while unchanged; rewritten, it is hashed again and
    /// refused. A file the manifest does not list is never checked.
    #[test]
    fn a_file_changed_after_it_matched_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        std::fs::write(&p, b"abc").unwrap();
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let fs = VerifiedFs::new([(
            p.clone(),
            Expected {
                dataset: "d".into(),
                sha256: sha.into(),
            },
        )]);
        let loc = Path::from_absolute_path(&p).unwrap();
        fs.check(&loc).unwrap();
        fs.check(&loc).unwrap();
        // Same size, new bytes and a new modification time.
        std::fs::write(&p, b"abd").unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(later)
            .unwrap();
        let err = fs.check(&loc).unwrap_err();
        let d = damaged_in(&err).expect("a DamagedFile in the chain");
        assert_eq!(d.path, std::fs::canonicalize(&p).unwrap());
        assert_eq!(d.dataset, "d");
        let other = dir.path().join("user.parquet");
        std::fs::write(&other, b"anything").unwrap();
        fs.check(&Path::from_absolute_path(&other).unwrap())
            .unwrap();
    }
}
