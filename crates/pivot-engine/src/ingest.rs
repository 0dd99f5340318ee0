//! Ingest: the bundled default data on first use, and users' files. Both go through the store's
//! staging, so a failure leaves the store exactly as it was.

use std::path::PathBuf;

use pivot_sources::adapters::{Ctx, Stats};
use pivot_sources::{
    Adapter, DatasetInfo, Input, MemorySink, TableSink, adapter_for, bundled_datasets,
};
use pivot_store::{DatasetEntry, Store};
use pivot_vocab::Countries;

use crate::EngineError;

/// What an ingest did.
#[derive(Debug, Clone)]
pub struct IngestOutcome {
    /// The dataset as recorded in the manifest.
    pub entry: DatasetEntry,
    /// Whether it replaced a dataset with the same id.
    pub replaced: bool,
}

fn entry(
    info: &DatasetInfo,
    adapter: &str,
    inputs: &[Input],
    bundled: bool,
    stats: Stats,
) -> DatasetEntry {
    DatasetEntry {
        id: info.id.clone(),
        title: info.title.clone(),
        source: info.source.clone(),
        version: info.version.clone(),
        licence: info.licence.clone(),
        citation: info.citation.clone(),
        bibtex: info.bibtex.clone(),
        notes: info.notes.clone(),
        adapter: adapter.to_string(),
        inputs: inputs.iter().map(Input::name).collect(),
        bundled,
        ingested_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        records: stats.records,
        rows: stats.rows,
        years: stats.years,
        dropped: stats.dropped,
        files: vec![],
        checksum: String::new(),
    }
}

/// Load every bundled dataset the store lacks. Parsing runs in parallel; commits are one per
/// dataset, each atomic.
pub(crate) fn ensure_bundled(
    store: &mut Store,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<(), EngineError> {
    let missing: Vec<(Box<dyn Adapter>, Vec<Input>, DatasetInfo)> = bundled_datasets()
        .into_iter()
        .filter_map(|(name, inputs)| {
            let a = adapter_for(name)?;
            let info = a.dataset(&inputs);
            (!store.manifest().datasets.contains_key(&info.id)).then_some((a, inputs, info))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let countries = Countries::bundled();
    let noop = |_: u64| {};
    let ctx = Ctx {
        countries,
        progress: &noop,
    };
    // Parse in parallel (two workers, largest inputs first), commit in order.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<
        std::sync::Mutex<Option<Result<(MemorySink, Stats), pivot_sources::SourceError>>>,
    > = missing
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some((a, inputs, info)) = missing.get(i) else {
                        break;
                    };
                    progress(&info.id);
                    let mut sink = MemorySink::default();
                    let (r, n) =
                        pivot_sources::input::records_read(|| a.read(inputs, &ctx, &mut sink));
                    let r = r.map(|mut st| {
                        st.records = n;
                        (sink, st)
                    });
                    *results[i].lock().expect("no poisoned lock") = Some(r);
                }
            });
        }
    });
    for ((a, inputs, info), r) in missing.iter().zip(results) {
        let (sink, stats) = r.into_inner().expect("no poisoned lock").ok_or_else(|| {
            EngineError::Bug(format!("bundled dataset {} was not parsed", info.id))
        })??;
        let mut staging = store.begin()?;
        // Another process may have loaded it while this one parsed (`begin` re-read the
        // manifest under the write lock).
        if store.manifest().datasets.contains_key(&info.id) {
            continue;
        }
        for (table, part, batch) in sink.batches {
            staging.push(&table, part.as_deref(), batch)?;
        }
        store.commit(staging, entry(info, a.name(), inputs, true, stats))?;
    }
    Ok(())
}

/// Files in a folder that are not data: hidden files (`.DS_Store`, markers) and the readme
/// publishers ship beside the data (BACI's `Readme.txt`). Files named explicitly are always read.
fn is_aside(f: &std::path::Path) -> bool {
    let name = f
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.starts_with('.') || name.starts_with("readme")
}

/// Expand folders into their files (sorted, skipping hidden files and readmes), keep files as
/// they are.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, EngineError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| {
                    EngineError::Input(format!("cannot read folder {}: {e}", p.display()))
                })?
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.is_file() && !is_aside(f))
                .collect();
            v.sort();
            out.extend(v);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(EngineError::Input(format!(
                "{}: no such file or folder",
                p.display()
            )));
        }
    }
    Ok(out)
}

/// A user's files described by what was read from them, not by the text of pivot's bundled
/// copy: the version names the files, the years they held and the day they were ingested
/// (after the user's `label`, where given); the citation and BibTeX say the same, and a first
/// note says that the notes after it describe the source as bundled.
fn user_info(
    mut info: DatasetInfo,
    inputs: &[Input],
    years: Option<(i32, i32)>,
    label: Option<&str>,
) -> DatasetInfo {
    let names: Vec<String> = inputs
        .iter()
        .map(|i| {
            let n = i.name();
            n.rsplit('/').next().unwrap_or(&n).to_string()
        })
        .collect();
    let files = format!(
        "user file{} {}",
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    );
    let span = match years {
        Some((a, b)) if a == b => format!("{a}"),
        Some((a, b)) => format!("{a}–{b}"),
        None => "no years".into(),
    };
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_secs() / 86_400) as i32)
        .unwrap_or(0);
    let date = datafusion::arrow::array::temporal_conversions::date32_to_datetime(days)
        .map(|d| d.date().to_string())
        .unwrap_or_default();
    let what = format!("{files}, years {span}, ingested {date}");
    info.version = match label {
        Some(l) => format!("{l} ({what})"),
        None => what.clone(),
    };
    info.citation = format!(
        "{}, {}: {}{}. Cite the publisher's release the file came from.",
        info.source,
        info.title,
        label.map(|l| format!("{l}; ")).unwrap_or_default(),
        what
    );
    info.bibtex = format!(
        "@misc{{{}_user,\n  author = {{{{{}}}}},\n  title = {{{}}},\n  note = {{{}}}\n}}",
        info.id,
        info.source,
        info.title,
        info.version.replace('–', "--")
    );
    info.notes.insert(
        0,
        format!(
            "Ingested from the {files} (years {span}); the notes after this one describe the source as pivot bundles it."
        ),
    );
    info
}

pub(crate) fn ingest_user(
    store: &mut Store,
    source: &str,
    paths: &[PathBuf],
    label: Option<&str>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<IngestOutcome, EngineError> {
    if let Some(l) = label
        && (l.trim().is_empty() || l.len() > 200 || l.chars().any(char::is_control))
    {
        return Err(EngineError::Input(format!(
            "--label '{}' must be a short line of text (1-200 bytes, no control characters)",
            l.escape_debug()
        )));
    }
    let adapter = adapter_for(source)
        .filter(|a| a.user_ingest())
        .ok_or_else(|| {
            let names: Vec<&str> = pivot_sources::user_sources()
                .into_iter()
                .map(|x| x.0)
                .collect();
            EngineError::Input(format!(
                "unknown source '{source}'; sources: {}",
                names.join(", ")
            ))
        })?;
    let files = expand(paths)?;
    if files.is_empty() {
        return Err(EngineError::Input("no input files".into()));
    }
    let inputs: Vec<Input> = files.into_iter().map(Input::File).collect();
    let info = adapter.dataset(&inputs);
    let ctx = Ctx {
        countries: Countries::bundled(),
        progress,
    };
    let mut staging = store.begin()?;
    // On error `staging` is dropped here, deleting what it wrote; the manifest is untouched.
    let (stats, n) =
        pivot_sources::input::records_read(|| adapter.read(&inputs, &ctx, &mut staging));
    let mut stats = stats?;
    stats.records = n;
    if stats.rows.values().sum::<u64>() == 0 {
        // Committing would replace a dataset of the same id (a bundled one included) with
        // nothing.
        return Err(EngineError::Input(format!(
            "{}: no data rows to ingest with {source} (only a header, or every row dropped{}); the store is unchanged",
            inputs
                .iter()
                .map(Input::name)
                .collect::<Vec<_>>()
                .join(", "),
            if stats.dropped.is_empty() {
                String::new()
            } else {
                format!(": {}", stats.dropped.join("; "))
            }
        )));
    }
    let info = if adapter.describes_inputs() {
        info
    } else {
        user_info(info, &inputs, stats.years, label)
    };
    let replaced = store.manifest().datasets.contains_key(&info.id);
    let e = store
        .commit(staging, entry(&info, adapter.name(), &inputs, false, stats))?
        .clone();
    Ok(IngestOutcome { entry: e, replaced })
}
