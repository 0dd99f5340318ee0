//! Helpers shared by the adapter tests: run an adapter into a `MemorySink`, write fixtures to a
//! temporary folder, and check where an error points.
#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};

use pivot_sources::adapters::{Ctx, Stats};
use pivot_sources::{Input, MemorySink, SourceError, adapter_for, bundled_datasets};

/// The context every test uses: the bundled country table, no progress output.
pub fn ctx() -> Ctx<'static> {
    Ctx {
        countries: pivot_vocab::Countries::bundled(),
        progress: &no_progress,
    }
}

fn no_progress(_: u64) {}

/// Run the adapter `name` on `inputs`.
pub fn run(name: &str, inputs: &[Input]) -> Result<(MemorySink, Stats), SourceError> {
    let adapter = adapter_for(name).unwrap_or_else(|| panic!("no adapter {name}"));
    let mut sink = MemorySink::default();
    let stats = adapter.read(inputs, &ctx(), &mut sink)?;
    // Whatever an adapter reports in its statistics is what it pushed.
    for (table, n) in &stats.rows {
        assert_eq!(
            sink.rows(table) as u64,
            *n,
            "{name}: stats for {table} disagree with the sink"
        );
    }
    Ok((sink, stats))
}

/// Run the adapter `name` on the bundled inputs it is listed with.
pub fn ingest_bundled(name: &str) -> (MemorySink, Stats) {
    let (_, inputs) = bundled_datasets()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} is not bundled"));
    run(name, &inputs).unwrap_or_else(|e| panic!("bundled {name} failed: {e}"))
}

/// Distinct tables pushed, in order of first arrival.
pub fn by_table(sink: &MemorySink) -> Vec<String> {
    let mut t: Vec<String> = Vec::new();
    for (name, _, _) in &sink.batches {
        if !t.contains(name) {
            t.push(name.clone());
        }
    }
    t
}

/// A committed fixture under `tests/fixtures/`.
pub fn fixture(name: &str) -> Input {
    Input::File(fixture_path(name))
}

/// Path of a committed fixture.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(
        &std::env::var_os("CARGO_MANIFEST_DIR")
            .expect("CARGO_MANIFEST_DIR: run by cargo or nextest"),
    )
    .join("tests/fixtures")
    .join(name)
}

/// A file in the repository's `data/` folder.
pub fn repo_data(path: &str) -> Input {
    Input::File(
        Path::new(
            &std::env::var_os("CARGO_MANIFEST_DIR")
                .expect("CARGO_MANIFEST_DIR: run by cargo or nextest"),
        )
        .join("../../data")
        .join(path),
    )
}

/// A temporary folder holding files written by a test.
pub struct Dir(pub tempfile::TempDir);

impl Dir {
    pub fn new() -> Dir {
        Dir(tempfile::tempdir().expect("temporary folder"))
    }

    /// Write `bytes` as `name` and return it as an input.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> Input {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write fixture");
        Input::File(p)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

/// Assert that `err` is a field error at `line` and `field` of a file whose name ends in
/// `file_suffix`, and that its message says so too. Returns the message.
#[track_caller]
pub fn assert_field(err: &SourceError, file_suffix: &str, line: u64, field: &str) -> String {
    let msg = err.to_string();
    match err {
        SourceError::Field {
            file,
            line: l,
            field: f,
            ..
        } => {
            assert!(
                file.ends_with(file_suffix),
                "file {file} should end with {file_suffix}: {msg}"
            );
            assert_eq!(*l, line, "line: {msg}");
            assert_eq!(f, field, "field: {msg}");
        }
        other => panic!("expected a field error at line {line} field {field}, got {other:?}"),
    }
    assert!(msg.contains(file_suffix), "message names the file: {msg}");
    assert!(
        msg.contains(&format!("line {line}")),
        "message names the line: {msg}"
    );
    assert!(
        msg.contains(&format!("'{field}'")),
        "message names the field: {msg}"
    );
    msg
}

/// Assert that `err` is a row error (wrong field count and the like) at `line`.
#[track_caller]
pub fn assert_row(err: &SourceError, file_suffix: &str, line: u64) -> String {
    let msg = err.to_string();
    match err {
        SourceError::Row { file, line: l, .. } => {
            assert!(file.ends_with(file_suffix), "file {file}: {msg}");
            assert_eq!(*l, line, "line: {msg}");
        }
        other => panic!("expected a row error at line {line}, got {other:?}"),
    }
    assert!(msg.contains(&format!("line {line}")), "{msg}");
    msg
}

/// Assert that `err` is a missing-column error naming `column`.
#[track_caller]
pub fn assert_header(err: &SourceError, file_suffix: &str, column: &str) -> String {
    let msg = err.to_string();
    match err {
        SourceError::Header { file, missing, .. } => {
            assert!(file.contains(file_suffix), "file {file}: {msg}");
            assert!(
                missing.contains(column),
                "missing {missing} should name {column}: {msg}"
            );
        }
        other => panic!("expected a header error naming {column}, got {other:?}"),
    }
    msg
}
