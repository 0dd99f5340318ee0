//! Tidy checks over the repository (issue 28).

use pivot_tidy::{architecture_paths, cycles, module_edges, repo_root};

/// No two modules of a crate import each other, directly or around a circle: shared row types
/// and helpers live in leaf modules. Each crate's top-level modules and their `crate::` edges
/// are read from the source.
#[test]
fn no_module_cycles_inside_a_crate() {
    let root = repo_root();
    let mut found = vec![];
    let mut crates: Vec<_> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("src").is_dir())
        .collect();
    crates.sort();
    assert!(crates.len() >= 10, "{crates:?}");
    for c in &crates {
        for cycle in cycles(&module_edges(c)) {
            found.push(format!(
                "{}: {}",
                c.file_name().unwrap().to_string_lossy(),
                cycle.join(" ⇄ ")
            ));
        }
    }
    assert!(
        found.is_empty(),
        "modules that import each other around a circle (move what they share to a leaf module):\n{}",
        found.join("\n")
    );
}

/// Every repository path ARCHITECTURE.md names exists (a renamed or split file updates the map
/// of the code with it).
#[test]
fn every_path_in_architecture_md_exists() {
    let root = repo_root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let paths = architecture_paths(&text);
    assert!(paths.len() >= 10, "{paths:?}");
    let crates = root.join("crates");
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| {
            // A path is from the root, or from a crate or its `src/` (the crate the text is
            // about: any crate with it will do).
            !root.join(p).exists()
                && !std::fs::read_dir(&crates)
                    .unwrap()
                    .flatten()
                    .any(|c| c.path().join(p).exists() || c.path().join("src").join(p).exists())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}
