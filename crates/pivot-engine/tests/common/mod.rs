//! What the engine's test binaries share: where a binary keeps the stores it builds once.

use std::path::PathBuf;

/// `CARGO_TARGET_TMPDIR/{name}-{stamp}`, the stamp being this test binary's modification time
/// (a rebuilt binary gets a fresh store), and the lock file under which the store is built
/// once (nextest runs each test in its own process). The folder is created.
pub fn per_binary(name: &str) -> (PathBuf, PathBuf) {
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(tmp).unwrap();
    let stamp = std::fs::metadata(std::env::current_exe().unwrap())
        .unwrap()
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    (
        tmp.join(format!("{name}-{stamp}")),
        tmp.join(format!("{name}.lock")),
    )
}
