//! What every fuzz target calls: each parser over arbitrary bytes. A parser may refuse its
//! input with an error; a panic, an abort or a hang is a bug.

use std::path::PathBuf;

use pivot_sources::adapters::Ctx;
use pivot_sources::{Input, MemorySink, adapter_for};
use pivot_vocab::Countries;

/// A per-process scratch folder (adapters read files).
fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("pivot-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("scratch folder");
    d
}

/// Run adapter `name` over `data` written to a file called `file_name`.
pub fn adapter(name: &str, file_name: &str, data: &[u8]) {
    let path = scratch().join(file_name);
    std::fs::write(&path, data).expect("scratch file");
    let a = adapter_for(name).expect("a registered adapter");
    let noop = |_: u64| {};
    let ctx = Ctx {
        countries: Countries::bundled(),
        progress: &noop,
    };
    let inputs = [Input::File(path)];
    let _ = a.dataset(&inputs);
    let mut sink = MemorySink::default();
    let _ = a.read(&inputs, &ctx, &mut sink);
}

/// Claims TOML.
pub fn claims(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = pivot_engine::claims::parse_claims(s);
    }
}

/// GE scenario TOML.
pub fn scenario(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = pivot_gravity::ScenarioSpec::from_toml_str(s);
    }
}

/// fixest formulas (with `sw()`/`csw()` expansion) and vcov specifications.
pub fn formula(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(f) = pivot_gravity::Formula::parse(s) {
            let _ = f.to_string();
        }
        let _ = pivot_gravity::Formula::expand(s);
        let _ = pivot_engine::gravity::parse_vcov(s);
    }
}

/// Country queries and named sets.
pub fn country(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let c = Countries::bundled();
        let _ = c.resolve(s);
        let _ = pivot_vocab::regions::members(c, s);
    }
}

/// The CSV/TSV reader behind `gravity fit --data file.csv` (first byte picks the delimiter).
pub fn csv(data: &[u8]) {
    let Some((&d, rest)) = data.split_first() else {
        return;
    };
    let delim = [b',', b'\t', b';', b'|'][usize::from(d % 4)];
    let _ = pivot_engine::gravity::read_delimited(rest, delim, "fuzz.csv");
}

/// SQL text through the server's path (issue 27): `Engine::sql_read_only` with the server's
/// row and byte caps and a 1 s time limit, over the bundled store, opened once per process in
/// a folder of its own. Any answer or refusal is fine; a panic, an abort (a stack overflow
/// from a deep expression) or a hang is a finding.
pub fn sql(data: &[u8]) {
    static ENGINE: std::sync::OnceLock<pivot_engine::Engine> = std::sync::OnceLock::new();
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    let e = ENGINE.get_or_init(|| {
        let root = std::env::temp_dir().join("pivot-fuzz-sql-store");
        pivot_engine::Engine::open(&root).expect("the bundled store opens")
    });
    let _ = e.sql_read_only(
        q,
        pivot_engine::SqlLimits {
            max_rows: Some(100),
            timeout: Some(std::time::Duration::from_secs(1)),
            max_bytes: Some(1 << 20),
        },
    );
}
