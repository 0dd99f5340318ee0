//! Drift tests (rust-analyzer's tidy habit): every format example in the docs parses with the
//! code that reads the real files, so the docs cannot fall behind the parsers.

use std::path::Path;

fn repo(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(
            &std::env::var_os("CARGO_MANIFEST_DIR")
                .expect("CARGO_MANIFEST_DIR: run by cargo or nextest"),
        )
        .join("../..")
        .join(rel),
    )
    .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The fenced blocks of one language in a Markdown or `//!` text.
fn fenced(text: &str, lang: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur: Option<String> = None;
    for line in text.lines() {
        let l = line.trim_start_matches("//!").trim_start();
        match &mut cur {
            None if l.starts_with(&format!("```{lang}")) => cur = Some(String::new()),
            Some(b) if l.starts_with("```") => {
                out.push(std::mem::take(b));
                cur = None;
            }
            Some(b) => {
                // Keep the indentation of doc-comment blocks after the "//! " prefix.
                let body = line
                    .strip_prefix("//! ")
                    .or_else(|| line.strip_prefix("//!"))
                    .unwrap_or(line);
                b.push_str(body);
                b.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn the_claims_format_example_parses() {
    let doc = repo("crates/pivot-engine/src/claims.rs");
    let blocks = fenced(&doc, "toml");
    assert_eq!(blocks.len(), 1, "one TOML example in claims.rs");
    let f = pivot_engine::claims::parse_claims(&blocks[0])
        .unwrap_or_else(|e| panic!("the documented claims format does not parse: {e}"));
    let check = &f.claims[0].checks[0];
    assert_eq!(check.measure, "partner-share");
    // The example's parameters are the measure's own: they pass its parameter check.
    let req = check.request();
    pivot_engine::measure::find_measure(&req.name)
        .unwrap()
        .check(&req.params)
        .unwrap_or_else(|e| panic!("the documented check has a bad parameter: {e}"));
}

#[test]
fn every_shipped_claims_file_has_valid_measure_parameters() {
    for entry in std::fs::read_dir(
        Path::new(
            &std::env::var_os("CARGO_MANIFEST_DIR")
                .expect("CARGO_MANIFEST_DIR: run by cargo or nextest"),
        )
        .join("../../claims"),
    )
    .unwrap()
    .flatten()
    {
        let p = entry.path();
        if p.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let f = pivot_engine::claims::parse_claims(&std::fs::read_to_string(&p).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        for c in &f.claims {
            for check in &c.checks {
                let req = check.request();
                pivot_engine::measure::find_measure(&req.name)
                    .unwrap()
                    .check(&req.params)
                    .unwrap_or_else(|e| panic!("{} {}: {e}", p.display(), check.label));
            }
        }
    }
}

#[test]
fn the_scenario_format_example_and_shipped_scenarios_parse() {
    let blocks = fenced(&repo("scenarios/README.md"), "toml");
    assert_eq!(blocks.len(), 1, "one TOML example in scenarios/README.md");
    let spec = pivot_gravity::ScenarioSpec::from_toml_str(&blocks[0])
        .unwrap_or_else(|e| panic!("the documented scenario format does not parse: {e}"));
    assert_eq!(spec.name, "short-name");
    for name in ["agtpa-borders-2006", "agtpa-nafta", "russia-west-costs"] {
        pivot_gravity::ScenarioSpec::from_toml_str(&repo(&format!("scenarios/{name}.toml")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
