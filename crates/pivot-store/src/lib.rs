//! The store: pivot's canonical tables as Parquet files plus a manifest (`manifest.json`) that
//! lists every dataset with its source, version, licence, citation, row counts, files and
//! SHA-256 checksums.
//!
//! Layout (only this crate knows it):
//! ```text
//! <store>/manifest.json                      the only file that says what exists
//! <store>/tables/<table>/<dataset>-<sha8>[-<part>].parquet
//! <store>/.staging/<txn>/…                   an ingest in progress
//! <store>/.lock                              held (flock) while writing
//! <store>/.readers                            held shared by every open `Store`
//! ```
//!
//! Writes are atomic: an ingest writes into `.staging`, and only when the adapter finished
//! without error are the files moved under `tables/` (new names, never overwriting a file the
//! manifest references) and a new manifest written to a temporary file, synced and renamed over
//! the old one. A failure or a SIGKILL at any point leaves `manifest.json` and every file it
//! references exactly as they were; leftovers are swept at the next write.
//!
//! Concurrent use: writers queue on `.lock`, and `begin` re-reads the manifest once it holds
//! the lock, so a write commits over what the previous writer left (two ingests started
//! together both land). Every open `Store` holds `.readers` shared from before it reads the
//! manifest until it is dropped; a file no longer referenced (a replaced or removed dataset's,
//! a killed ingest's) is deleted only while the writer holds `.readers` exclusively, i.e.
//! when no other `Store` is open that might still read it; otherwise the next write sweeps it.
//! A reader therefore sees the manifest it opened, complete, whatever commits meanwhile.

mod manifest;
mod staging;

pub use manifest::{DatasetEntry, FileEntry, Manifest};
pub use staging::Staging;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// File system error on a path.
    #[error("store {path}: {source}")]
    Io {
        /// Path involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The manifest cannot be read.
    #[error(
        "store manifest {path} is unreadable: {message}; move the store aside or run pivot data verify"
    )]
    Manifest {
        /// Manifest path.
        path: PathBuf,
        /// Parse error.
        message: String,
    },
    /// A Parquet write failed.
    #[error("writing {path}: {message}")]
    Parquet {
        /// File.
        path: PathBuf,
        /// Message.
        message: String,
    },
    /// A file's checksum does not match the manifest.
    #[error(
        "{path}: checksum mismatch (manifest {expected}, file {actual}); the store was modified outside pivot"
    )]
    Checksum {
        /// File.
        path: PathBuf,
        /// Expected.
        expected: String,
        /// Actual.
        actual: String,
    },
    /// The store was written in a layout this pivot does not read.
    #[error(
        "store {path} is in format {found}, which this pivot (reading format {FORMAT}) does not know: it was written by a newer pivot. Use that pivot, or give this one another store (--store DIR or PIVOT_STORE); the store was left as it is"
    )]
    Format {
        /// Manifest path.
        path: PathBuf,
        /// The format the manifest says.
        found: u32,
    },
    /// No such dataset.
    #[error("no dataset '{0}' in the store (see pivot data list)")]
    NoDataset(String),
}

impl StoreError {
    /// Whether the machine, not the user's input, has to change (disk, permissions, a damaged
    /// store): everything but a missing dataset.
    pub fn is_environment(&self) -> bool {
        !matches!(self, StoreError::NoDataset(_))
    }
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A store on disk.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    manifest: Manifest,
    /// `.readers`, held shared while this store is open.
    readers: File,
}

/// The default store location: `$PIVOT_STORE`, else `$XDG_DATA_HOME/pivot/store`, else
/// `~/.local/share/pivot/store`.
pub fn default_location() -> PathBuf {
    if let Some(p) = std::env::var_os("PIVOT_STORE") {
        return PathBuf::from(p);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("pivot").join("store")
}

impl Store {
    /// Open (creating if needed) the store at `root`.
    pub fn open(root: &Path) -> Result<Store, StoreError> {
        fs::create_dir_all(root).map_err(io(root))?;
        let rpath = root.join(".readers");
        let readers = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&rpath)
            .map_err(io(&rpath))?;
        readers.lock_shared().map_err(io(&rpath))?;
        let store = Store {
            manifest: read_manifest(root)?,
            root: root.to_path_buf(),
            readers,
        };
        store.sweep_if_idle()?;
        Ok(store)
    }

    /// Remove what an interrupted write left (a killed ingest's `.staging`, files no manifest
    /// references) when no write is in progress: the write lock is taken only if free, so
    /// opening never waits for a writer.
    fn sweep_if_idle(&self) -> Result<(), StoreError> {
        let leftovers = self.root.join(".staging").exists()
            || self.root.join("manifest.json.tmp").exists()
            || self.has_strays();
        if !leftovers {
            return Ok(());
        }
        if self.lock_file()?.try_lock().is_ok() {
            // The manifest may have changed since it was read: sweep against the one on disk.
            let on_disk = Store {
                manifest: read_manifest(&self.root)?,
                root: self.root.clone(),
                readers: self.readers.try_clone().map_err(io(&self.root))?,
            };
            on_disk.sweep()?;
        }
        Ok(())
    }

    /// Every file the manifest references (absolute paths).
    fn referenced_paths(&self) -> std::collections::HashSet<PathBuf> {
        self.manifest
            .datasets
            .values()
            .flat_map(|d| d.files.iter())
            .map(|f| self.path_of(f))
            .collect()
    }

    /// Whether a table folder holds a file the manifest does not reference.
    fn has_strays(&self) -> bool {
        let referenced = self.referenced_paths();
        let Ok(dirs) = fs::read_dir(self.root.join("tables")) else {
            return false;
        };
        dirs.flatten().any(|d| {
            fs::read_dir(d.path())
                .map(|files| files.flatten().any(|f| !referenced.contains(&f.path())))
                .unwrap_or(false)
        })
    }

    /// Run `f` (deleting files no manifest references) only if no other open `Store` might
    /// read them; returns whether it ran. This store's shared hold on `.readers` is converted
    /// to exclusive and back (a failed conversion can drop it, so it is taken again).
    fn if_no_other_reader(&self, f: impl FnOnce()) -> bool {
        let ran = match self.readers.try_lock() {
            Ok(()) => {
                f();
                true
            }
            Err(_) => false,
        };
        let _ = self.readers.lock_shared();
        ran
    }
}

/// The store layout this pivot writes and reads (the manifest's `format`). A store in a newer
/// format is refused, never guessed at; a future layout change bumps this and upgrades older
/// stores explicitly.
pub const FORMAT: u32 = 1;

/// The manifest as last committed (empty when there is none yet).
fn read_manifest(root: &Path) -> Result<Manifest, StoreError> {
    let mpath = root.join("manifest.json");
    match fs::read(&mpath) {
        Ok(b) => {
            let m: Manifest = serde_json::from_slice(&b).map_err(|e| StoreError::Manifest {
                path: mpath.clone(),
                message: e.to_string(),
            })?;
            // 0: stores written before the format was set (a defaulted field); same layout.
            if m.format > FORMAT {
                return Err(StoreError::Format {
                    path: mpath,
                    found: m.format,
                });
            }
            Ok(Manifest {
                format: FORMAT,
                ..m
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
        Err(e) => Err(StoreError::Io {
            path: mpath,
            source: e,
        }),
    }
}

impl Store {
    /// Root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Folder for derived answers kept between runs (`cache/`): outside the manifest, never
    /// verified or read as data; anything in it may be deleted at any time.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// The manifest as last committed.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Absolute path of a file entry.
    pub fn path_of(&self, f: &FileEntry) -> PathBuf {
        self.root.join(&f.path)
    }

    /// Parquet files of a canonical table across datasets (absolute paths).
    pub fn files_of(&self, table: &str) -> Vec<PathBuf> {
        self.files_by_dataset(table)
            .into_iter()
            .flat_map(|(_, files)| files)
            .collect()
    }

    /// Parquet files of a canonical table, dataset by dataset (ids in order; absolute paths).
    pub fn files_by_dataset(&self, table: &str) -> Vec<(&str, Vec<PathBuf>)> {
        self.manifest
            .datasets
            .values()
            .map(|d| {
                let files: Vec<PathBuf> = d
                    .files
                    .iter()
                    .filter(|f| f.table == table)
                    .map(|f| self.path_of(f))
                    .collect();
                (d.id.as_str(), files)
            })
            .filter(|(_, files)| !files.is_empty())
            .collect()
    }

    /// Every file the manifest references: (absolute path, dataset id, SHA-256 recorded at
    /// ingest).
    pub fn checksums(&self) -> Vec<(PathBuf, &str, &str)> {
        self.manifest
            .datasets
            .values()
            .flat_map(|d| d.files.iter().map(move |f| (d, f)))
            .map(|(d, f)| (self.path_of(f), d.id.as_str(), f.sha256.as_str()))
            .collect()
    }

    /// The write lock's file, `.lock` (created if needed; not locked yet).
    fn lock_file(&self) -> Result<File, StoreError> {
        let lock_path = self.root.join(".lock");
        File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))
    }

    /// Take the write lock (waiting for a write in progress to finish), re-read the manifest
    /// as the last writer left it, and start a staged ingest.
    pub fn begin(&mut self) -> Result<Staging, StoreError> {
        let lock = self.lock_file()?;
        lock.lock().map_err(io(&self.root.join(".lock")))?;
        self.manifest = read_manifest(&self.root)?;
        self.sweep()?;
        Staging::new(&self.root, lock)
    }

    /// Remove leftovers of interrupted writes: staging folders and table files that the
    /// manifest does not reference. Called with the lock held.
    fn sweep(&self) -> Result<(), StoreError> {
        let staging = self.root.join(".staging");
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        let referenced = self.referenced_paths();
        let tables = self.root.join("tables");
        let mut swept = Ok(());
        self.if_no_other_reader(|| {
            let Ok(dirs) = fs::read_dir(&tables) else {
                return;
            };
            for d in dirs.flatten() {
                let Ok(files) = fs::read_dir(d.path()) else {
                    continue;
                };
                for f in files.flatten() {
                    if !referenced.contains(&f.path())
                        && let Err(e) = fs::remove_file(f.path())
                    {
                        swept = Err(StoreError::Io {
                            path: f.path(),
                            source: e,
                        });
                        return;
                    }
                }
            }
        });
        swept?;
        let tmp = self.root.join("manifest.json.tmp");
        if tmp.exists() {
            fs::remove_file(&tmp).map_err(io(&tmp))?;
        }
        Ok(())
    }

    /// Commit a finished staging as dataset `entry` (replacing a dataset with the same id).
    pub fn commit(
        &mut self,
        staging: Staging,
        mut entry: DatasetEntry,
    ) -> Result<&DatasetEntry, StoreError> {
        let (files, _lock) = staging.finish()?;
        let mut moved = Vec::new();
        for f in files {
            // Computed by the writer thread from the bytes it wrote (`verify` re-reads them).
            let sha = f.sha256;
            let dir = self.root.join("tables").join(&f.table);
            fs::create_dir_all(&dir).map_err(io(&dir))?;
            let name = match &f.part {
                Some(p) => format!("{}-{}-{}.parquet", entry.id, &sha[..12], p),
                None => format!("{}-{}.parquet", entry.id, &sha[..12]),
            };
            let dest = dir.join(&name);
            fs::rename(&f.staged, &dest).map_err(io(&dest))?;
            moved.push(FileEntry {
                table: f.table,
                part: f.part,
                path: format!(
                    "tables/{}/{}",
                    dest.parent()
                        .and_then(|p| p.file_name())
                        .map(|s| s.to_string_lossy().to_string())
                        .unwrap_or_default(),
                    name
                ),
                rows: f.rows,
                bytes: fs::metadata(&dest).map_err(io(&dest))?.len(),
                sha256: sha,
            });
        }
        // The renames are made durable before the manifest that references them.
        let dirs: std::collections::BTreeSet<&str> =
            moved.iter().map(|f| f.table.as_str()).collect();
        for t in dirs {
            let d = self.root.join("tables").join(t);
            File::open(&d).and_then(|f| f.sync_all()).map_err(io(&d))?;
        }
        moved.sort_by(|a, b| (&a.table, &a.part).cmp(&(&b.table, &b.part)));
        let mut h = Sha256::new();
        for f in &moved {
            h.update(f.sha256.as_bytes());
        }
        entry.checksum = hex(&h.finalize());
        entry.files = moved;
        let old = self
            .manifest
            .datasets
            .insert(entry.id.clone(), entry.clone());
        self.write_manifest()?;
        // The new manifest is in place: files only the old entry referenced are now garbage.
        // (Deleted now only if no other open store might read them; else swept later.)
        if let Some(old) = old {
            let keep: std::collections::HashSet<&str> =
                entry.files.iter().map(|f| f.path.as_str()).collect();
            self.if_no_other_reader(|| {
                for f in old.files.iter().filter(|f| !keep.contains(f.path.as_str())) {
                    let _ = fs::remove_file(self.root.join(&f.path));
                }
            });
        }
        let staging = self.root.join(".staging");
        let _ = fs::remove_dir_all(&staging);
        Ok(&self.manifest.datasets[&entry.id])
    }

    /// Remove a dataset.
    pub fn remove(&mut self, id: &str) -> Result<DatasetEntry, StoreError> {
        let staging = self.begin()?;
        let old = self
            .manifest
            .datasets
            .remove(id)
            .ok_or_else(|| StoreError::NoDataset(id.to_string()))?;
        self.write_manifest()?;
        self.if_no_other_reader(|| {
            for f in &old.files {
                let _ = fs::remove_file(self.root.join(&f.path));
            }
        });
        drop(staging);
        Ok(old)
    }

    fn write_manifest(&self) -> Result<(), StoreError> {
        let tmp = self.root.join("manifest.json.tmp");
        let dest = self.root.join("manifest.json");
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(|e| StoreError::Manifest {
            path: dest.clone(),
            message: e.to_string(),
        })?;
        {
            let mut f = File::create(&tmp).map_err(io(&tmp))?;
            f.write_all(&json).map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
        }
        fs::rename(&tmp, &dest).map_err(io(&dest))?;
        if let Ok(d) = File::open(&self.root) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Recompute every referenced file's checksum; returns the number of files checked.
    pub fn verify(&self) -> Result<usize, StoreError> {
        let mut n = 0;
        for d in self.manifest.datasets.values() {
            for f in &d.files {
                let p = self.path_of(f);
                let actual = sha256_file(&p)?;
                if actual != f.sha256 {
                    return Err(StoreError::Checksum {
                        path: p,
                        expected: f.sha256.clone(),
                        actual,
                    });
                }
                n += 1;
            }
        }
        Ok(n)
    }
}

/// SHA-256 of a file, hex.
pub fn sha256_file(p: &Path) -> Result<String, StoreError> {
    let mut f = File::open(p).map_err(io(p))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(io(p))?;
    Ok(hex(&h.finalize()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests;
