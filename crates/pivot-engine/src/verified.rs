//! Corruption caught where it is read: the object store DataFusion reads the store's Parquet
//! files through checks each file against the SHA-256 the manifest recorded at ingest before
//! its first byte reaches a query, so a damaged file fails the query with an error naming the
//! file (and `pivot data verify`) instead of yielding a wrong number. The Parquet writer of
//! the locked `parquet` crate does not write page CRCs (`column/page.rs`: "TODO: Add support
//! for crc checksum"), so the manifest's whole-file checksum is the check.
//!
//! A file is hashed once and then trusted while its *stamp* — size, modification time, and on
//! Unix its inode and change time (which no user call can set back) — is the one it had when it
//! matched: one `stat` per read. Stamps of files that matched are kept in the store's
//! `cache/verified.json` (derived, deletable: a missing or unreadable one means hashing again),
//! so one process's check serves the next; without them every `pivot sql` over a 50 M-row BACI
//! table began by hashing 750 MB (0.5 s). Any write to a file changes its stamp, so it is hashed
//! again and refused if it differs. What a stamp cannot see is decay of the medium under an
//! unchanged file: `pivot data verify` re-hashes every file. Files the manifest does not list
//! (a `gravity fit --data` file) are read unchecked.

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

/// What identifies a file's bytes without reading them: size, modification time, and on Unix
/// inode, change time and device.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Stamp {
    size: u64,
    mtime_ns: Option<i128>,
    /// Unix: (inode, device, change time in ns).
    unix: Option<(u64, u64, i128)>,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        let ns = |t: SystemTime| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_nanos() as i128)
                .unwrap_or_else(|e| -(e.duration().as_nanos() as i128))
        };
        #[cfg(unix)]
        let unix = {
            use std::os::unix::fs::MetadataExt;
            Some((
                meta.ino(),
                meta.dev(),
                i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
            ))
        };
        #[cfg(not(unix))]
        let unix = None;
        Stamp {
            size: meta.len(),
            mtime_ns: meta.modified().ok().map(ns),
            unix,
        }
    }
}

/// Stamps of files that matched, by canonical path, with the checksum they matched.
type Stamps = HashMap<PathBuf, (Stamp, String)>;

/// The local file system, checking store files against the manifest on first read.
#[derive(Debug)]
pub(crate) struct VerifiedFs {
    inner: LocalFileSystem,
    /// Canonical path → what the manifest says.
    expected: HashMap<PathBuf, Expected>,
    /// Files that matched (this process's and earlier ones' from `stamps_file`).
    verified: Mutex<Stamps>,
    /// Where stamps are kept between processes (`cache/verified.json`), if anywhere.
    stamps_file: Option<PathBuf>,
}

impl std::fmt::Display for VerifiedFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifiedFs({})", self.inner)
    }
}

impl VerifiedFs {
    /// Over the files `(path, expected)` (paths as the store gives them), keeping stamps in
    /// `stamps_file` when given.
    pub(crate) fn new(
        files: impl IntoIterator<Item = (PathBuf, Expected)>,
        stamps_file: Option<PathBuf>,
    ) -> VerifiedFs {
        let expected = files
            .into_iter()
            .map(|(p, e)| (std::fs::canonicalize(&p).unwrap_or(p), e))
            .collect();
        let verified = stamps_file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|b| serde_json::from_slice::<Vec<(PathBuf, Stamp, String)>>(&b).ok())
            .map(|v| v.into_iter().map(|(p, st, sha)| (p, (st, sha))).collect())
            .unwrap_or_default();
        VerifiedFs {
            inner: LocalFileSystem::new(),
            expected,
            verified: Mutex::new(verified),
            stamps_file,
        }
    }

    /// Write the stamps of the store's files that matched (atomically; a failure only costs
    /// the next process a hash).
    fn save_stamps(&self, stamps: &Stamps) {
        let Some(f) = &self.stamps_file else {
            return;
        };
        let listed: Vec<(&PathBuf, &Stamp, &String)> = stamps
            .iter()
            .filter(|(p, _)| self.expected.contains_key(*p))
            .map(|(p, (st, sha))| (p, st, sha))
            .collect();
        let Ok(json) = serde_json::to_vec(&listed) else {
            return;
        };
        let tmp = f.with_extension(format!("json.{}.tmp", std::process::id()));
        let written = f
            .parent()
            .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
            && std::fs::write(&tmp, json).is_ok()
            && std::fs::rename(&tmp, f).is_ok();
        if !written {
            let _ = std::fs::remove_file(&tmp);
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
        let stamp = Stamp::of(&meta);
        if let Some((st, sha)) = self
            .verified
            .lock()
            .expect("no poisoned lock")
            .get(&canonical)
            && *st == stamp
            && *sha == exp.sha256
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
        let mut v = self.verified.lock().expect("no poisoned lock");
        v.insert(canonical, (stamp, actual));
        self.save_stamps(&v);
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
        let fs = VerifiedFs::new(
            [(
                p.clone(),
                Expected {
                    dataset: "d".into(),
                    sha256: sha.into(),
                },
            )],
            None,
        );
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

    /// Stamps kept between processes: a file that matched is not hashed again by the next
    /// engine while unchanged, but bytes rewritten in place with the old size and modification
    /// time put back (`touch -r`) are caught — the change time moved — and refused.
    #[cfg(unix)]
    #[test]
    fn stamps_outlive_the_process_and_any_write_voids_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        std::fs::write(&p, b"abc").unwrap();
        let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let stamps = dir.path().join("cache/verified.json");
        let open = || {
            VerifiedFs::new(
                [(
                    p.clone(),
                    Expected {
                        dataset: "d".into(),
                        sha256: sha.into(),
                    },
                )],
                Some(stamps.clone()),
            )
        };
        let loc = Path::from_absolute_path(&p).unwrap();
        open().check(&loc).unwrap();
        let kept = std::fs::read_to_string(&stamps).unwrap();
        assert!(kept.contains("t.parquet") && kept.contains(sha), "{kept}");
        // A second "process" starts from the stamp …
        let second = open();
        assert!(
            second
                .verified
                .lock()
                .unwrap()
                .contains_key(&std::fs::canonicalize(&p).unwrap())
        );
        second.check(&loc).unwrap();
        // … until the file is rewritten in place, same size, old modification time restored.
        let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&p, b"abd").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().modified().unwrap(), mtime);
        let err = open().check(&loc).unwrap_err();
        assert!(damaged_in(&err).is_some(), "{err}");
        // A damaged or missing stamps file only means hashing again.
        std::fs::write(&p, b"abc").unwrap();
        std::fs::write(&stamps, b"{ not json").unwrap();
        open().check(&loc).unwrap();
        std::fs::remove_file(&stamps).unwrap();
        open().check(&loc).unwrap();
    }
}
