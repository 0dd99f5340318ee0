//! A fingerprint of the code that computes measures, so results cached in a store by one build
//! are never served by another (see `src/result_cache.rs`).
use std::hash::{Hash, Hasher};
use std::path::Path;

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, files);
        } else if p.extension().is_some_and(|x| x == "rs" || x == "toml") {
            files.push(p);
        }
    }
}

fn main() {
    // The manifest folder as cargo gives it to this run, not as it was when the script was
    // compiled: a target folder reused by a checkout elsewhere would otherwise hash nothing.
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR: set by cargo");
    let here = Path::new(&dir);
    let mut files = vec![];
    for krate in [
        "pivot-engine",
        "pivot-measures",
        "pivot-vocab",
        "pivot-tables",
        "pivot-store",
    ] {
        let src = here.join("..").join(krate).join("src");
        println!("cargo:rerun-if-changed={}", src.display());
        walk(&src, &mut files);
    }
    files.sort();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("pivot-measures/src/lib.rs")),
        "no measure sources under {}",
        here.display()
    );
    // SipHash with fixed keys: the same sources give the same fingerprint in every build.
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    for f in &files {
        f.strip_prefix(here.join("..")).unwrap_or(f).hash(&mut h);
        std::fs::read(f).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rustc-env=PIVOT_CODE_HASH={:016x}", h.finish());
}
