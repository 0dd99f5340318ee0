//! Tidy checks on pivot's own source tree, run as tests (`tests/tidy.rs`), the way
//! rust-analyzer's `xtask/src/tidy.rs` keeps its codebase in shape: checks that read files,
//! not code that ships.
//!
//! - [`module_edges`]: which top-level modules of a crate name which others (`crate::x` paths),
//!   so a test can refuse cycles between them.
//! - [`architecture_paths`]: the repository paths `ARCHITECTURE.md` names in backticks, so a
//!   test can check each exists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/pivot-tidy lies two levels below the root")
        .to_path_buf()
}

/// The top-level module a source file under `src/` belongs to: `src/foo.rs` and
/// `src/foo/bar.rs` are `foo`; the crate root (`lib.rs`, `main.rs`) and `bin/` are none.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    match name {
        "lib" | "main" | "bin" => None,
        _ => Some(name.to_string()),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The modules named by `crate::` paths in `text`: `crate::a::B`, `crate::{a::B, c}` (the
/// first segment of each path, whether or not it is a module; the caller keeps modules).
/// Comments are skipped.
fn named_after_crate(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().last();
            rest = &rest[i + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `pivot_crate::`, not `crate::`
            }
            if let Some(inner) = rest.strip_prefix('{') {
                // `crate::{a::X, b}`: the first segment of each top-level item.
                let mut depth = 0;
                let mut item = String::new();
                for ch in inner.chars() {
                    match ch {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.insert(first_segment(&item));
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    item.push(ch);
                }
                out.insert(first_segment(&item));
            } else {
                out.insert(first_segment(rest));
            }
        }
    }
    out.remove("");
    out
}

fn first_segment(s: &str) -> String {
    s.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Edges between the top-level modules of the crate at `crate_dir`: module → the modules its
/// files name through `crate::`. The crate root is left out (it declares and re-exports).
pub fn module_edges(crate_dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let src = crate_dir.join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(m) = module_of(&src, f) else {
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap_or_default();
        // A module's own tests may name anything.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let to = edges.entry(m.clone()).or_default();
        for n in named_after_crate(text) {
            if n != m && modules.contains(&n) {
                to.insert(n);
            }
        }
    }
    edges
}

/// The cycles among modules: each strongly connected component of more than one module
/// (Tarjan), sorted.
pub fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        t.on.insert(v);
        if let Some(ws) = t.edges.get(v) {
            for w in ws {
                let w = w.as_str();
                if !t.index.contains_key(w) {
                    visit(t, w);
                    let lw = t.low[w];
                    let lv = t.low[v];
                    t.low.insert(v, lv.min(lw));
                } else if t.on.contains(w) {
                    let iw = t.index[w];
                    let lv = t.low[v];
                    t.low.insert(v, lv.min(iw));
                }
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = vec![];
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        on: BTreeSet::new(),
        out: vec![],
    };
    let nodes: BTreeSet<&str> = edges
        .iter()
        .flat_map(|(k, v)| std::iter::once(k.as_str()).chain(v.iter().map(String::as_str)))
        .collect();
    for n in nodes {
        if !t.index.contains_key(n) {
            visit(&mut t, n);
        }
    }
    t.out.sort();
    t.out
}

/// Where a path in the repository can start (the store's own layout, `tables/…`, `cache/…`,
/// `.staging/`, is described in ARCHITECTURE.md too but is not in the tree).
const REPO_ROOTS: [&str; 14] = [
    "crates",
    "bench",
    "docs",
    "python",
    "fuzz",
    "tests",
    "scenarios",
    "claims",
    "data",
    "src",
    ".ci",
    "dashboard",
    "assets",
    "adapters",
];

/// The repository paths `ARCHITECTURE.md` names: text in backticks that contains a `/` and no
/// space and starts with a directory of the repository (or of a crate), with any glob (`*`) or
/// placeholder (`<module>`) cut off at the last whole directory.
pub fn architecture_paths(text: &str) -> Vec<String> {
    let mut out = vec![];
    for (k, part) in text.split('`').enumerate() {
        if k % 2 == 0 || !part.contains('/') || part.contains(' ') || part.contains("://") {
            continue;
        }
        if !REPO_ROOTS.contains(&part.split('/').next().unwrap_or_default()) {
            continue;
        }
        let cut = part
            .find(['*', '<', '{'])
            .map(|i| &part[..part[..i].rfind('/').map(|j| j + 1).unwrap_or(0)])
            .unwrap_or(part);
        let cut = cut.trim_end_matches('/');
        if !cut.is_empty() {
            out.push(cut.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-made cases: plain paths, brace lists (nested), other crates' `crate::`, comments.
    #[test]
    fn crate_paths_are_read() {
        let t = "use crate::a::X;\nuse crate::{b::Y, c, d::{e, f}};\nlet x = pivot_crate::z;\n// crate::comment\nfoo(crate::g::h());";
        let got: Vec<String> = named_after_crate(t).into_iter().collect();
        assert_eq!(got, ["a", "b", "c", "d", "g"]);
    }

    /// A three-module circle and a separate two-module circle are found; a chain is not.
    #[test]
    fn cycles_are_strongly_connected_components() {
        let mut e: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut add = |a: &str, b: &str| {
            e.entry(a.into()).or_default().insert(b.into());
        };
        add("a", "b");
        add("b", "c");
        add("c", "a");
        add("x", "y");
        add("y", "x");
        add("p", "q");
        assert_eq!(
            cycles(&e),
            vec![vec!["a", "b", "c"], vec!["x", "y"]]
                .into_iter()
                .map(|v| v.into_iter().map(String::from).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn architecture_paths_are_cut_at_globs_and_placeholders() {
        let t = "see `crates/a/src/lib.rs`, `adapters/*.rs`, `crates/m/src/<module>.rs`, `tables/<table>/x.parquet`, `sw()/csw()`, `pivot data ingest`, `https://x.org/a`";
        assert_eq!(
            architecture_paths(t),
            ["crates/a/src/lib.rs", "adapters", "crates/m/src"]
        );
    }
}
