//! The registry: one line per [`crate::measure::Measure`] type, from which `pivot measures`,
//! `pivot measure NAME --help`, the JSON Schema of each measure's parameters and the docs are
//! generated.
//!
//! Every measure file (`src/<module>.rs`) implements `Measure` once and has one line here; a
//! test enforces this and that no documentation section is empty.

use crate::measure::{DynMeasure, Registered};

pub use crate::dimension::Dimension;

/// Every measure, in documentation order: one line per measure type. Adding a measure is one
/// file (its `Params`, its `impl Measure`, its doc block) and one line here.
pub static REGISTRY: &[&dyn DynMeasure] = &[
    &Registered::<crate::partner_share::PartnerShare>::NEW,
    &Registered::<crate::region_share::RegionShare>::NEW,
    &Registered::<crate::product_composition::ProductComposition>::NEW,
    &Registered::<crate::gdp_dependence::GdpDependence>::NEW,
    &Registered::<crate::barbieri::Barbieri>::NEW,
    &Registered::<crate::trade_intensity::TradeIntensity>::NEW,
    &Registered::<crate::concentration::PartnerConcentration>::NEW,
    &Registered::<crate::geodep::GeoDep>::NEW,
    &Registered::<crate::energy::EnergyDestinations>::NEW,
    &Registered::<crate::energy_asia::EnergyAsiaShare>::NEW,
    &Registered::<crate::arms::ArmsShares>::NEW,
    &Registered::<crate::un_alignment::UnAlignment>::NEW,
    &Registered::<crate::un_ideal_points::UnIdealPoints>::NEW,
    &Registered::<crate::ideal_point_distance::IdealPointDistance>::NEW,
    &Registered::<crate::alliances::AllianceFlags>::NEW,
    &Registered::<crate::power_ratio::PowerRatio>::NEW,
    &Registered::<crate::finance::OfficialFinance>::NEW,
    &Registered::<crate::finance_class::OfficialFinanceByClass>::NEW,
    &Registered::<crate::hedging::HedgingViewMeasure>::NEW,
    &Registered::<crate::influence::Influence>::NEW,
    &Registered::<crate::events::EventProfile>::NEW,
];

/// Every measure, in documentation order.
pub fn measures() -> &'static [&'static dyn DynMeasure] {
    REGISTRY
}

/// The measure with this kebab-case name.
pub fn find(name: &str) -> Option<&'static dyn DynMeasure> {
    REGISTRY.iter().copied().find(|m| m.name() == name)
}

/// The registered name closest to `name`, for "did you mean".
pub fn closest(name: &str) -> Option<&'static str> {
    REGISTRY
        .iter()
        .map(|m| (strsim::jaro_winkler(name, m.name()), m.name()))
        .filter(|(s, _)| *s >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// The measures of one dimension.
pub fn by_dimension(dimension: Dimension) -> impl Iterator<Item = &'static dyn DynMeasure> {
    REGISTRY
        .iter()
        .copied()
        .filter(move |m| m.dimension() == dimension)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Files in `src/` that are support code, not measures.
    const SUPPORT: [&str; 13] = [
        "lib",
        "registry",
        "error",
        "common",
        "trade",
        "params",
        "data",
        "measure",
        "records",
        "dimension",
        "numerics",
        "ideal_point_model",
        "influence_dims",
    ];

    fn measure_files() -> Vec<(String, String)> {
        let dir = std::path::Path::new(
            &std::env::var_os("CARGO_MANIFEST_DIR")
                .expect("CARGO_MANIFEST_DIR: run by cargo or nextest"),
        )
        .join("src");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
            if SUPPORT.contains(&stem.as_str()) {
                continue;
            }
            out.push((stem, std::fs::read_to_string(&path).unwrap()));
        }
        out.sort();
        out
    }

    #[test]
    fn every_measure_file_implements_measure_once_and_is_registered() {
        let files = measure_files();
        assert_eq!(
            files.len(),
            REGISTRY.len(),
            "one registry line per measure file"
        );
        let registry = include_str!("registry.rs");
        let lib = include_str!("lib.rs");
        for (module, text) in &files {
            let impls: Vec<&str> = text
                .match_indices("impl crate::measure::Measure for ")
                .map(|(i, m)| {
                    text[i + m.len()..]
                        .split([' ', '{'])
                        .next()
                        .unwrap_or_default()
                })
                .collect();
            assert_eq!(
                impls.len(),
                1,
                "{module}.rs must implement Measure exactly once"
            );
            let line = format!("Registered::<crate::{module}::{}>::NEW", impls[0]);
            assert!(registry.contains(&line), "registry lacks `{line}`");
            assert!(
                lib.contains(&format!("pub mod {module};")),
                "lib.rs must declare `pub mod {module};`"
            );
            assert!(
                text.contains(&format!("include_str!(\"{module}.rs\")")),
                "{module}.rs: SOURCE must be its own file"
            );
        }
    }

    #[test]
    fn every_measure_file_has_the_doc_sections_in_order() {
        for (module, text) in measure_files() {
            let doc: String = text
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut last = 0;
            for s in crate::measure::SECTIONS {
                let needle = format!("//! # {s}\n");
                let pos = doc[last..]
                    .find(&needle)
                    .map(|p| p + last)
                    .unwrap_or_else(|| {
                        panic!("{module}.rs: missing or out-of-order section `{s}`")
                    });
                last = pos + needle.len();
            }
        }
    }

    #[test]
    fn every_entry_is_documented_from_its_file_and_its_params() {
        let mut names = BTreeSet::new();
        for m in REGISTRY {
            let name = m.name();
            assert!(names.insert(name), "duplicate name {name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !name.starts_with('-')
                    && !name.ends_with('-')
                    && !name.contains("--"),
                "{name} is not kebab-case"
            );
            let d = m.doc();
            for (field, text) in [
                ("summary", &d.summary),
                ("what", &d.what),
                ("formula", &d.formula),
                ("reading", &d.reading),
                ("data", &d.data),
                ("reference", &d.reference),
            ] {
                assert!(text.trim().len() > 20, "{name}: {field} is (nearly) empty");
            }
            assert!(
                !d.summary.contains('\n'),
                "{name}: summary must be one line"
            );
            assert!(!m.tables().is_empty(), "{name}: no tables");
            let params = m.params();
            assert!(!params.is_empty(), "{name}: no parameters");
            for p in params {
                assert!(
                    !p.description.is_empty(),
                    "{name}: parameter {} has no description (a doc comment on the field)",
                    p.name
                );
                assert!(
                    p.required || p.default.is_some(),
                    "{name}: parameter {} is optional but its default is not stated",
                    p.name
                );
            }
        }
        // The spliced trade series reads BACI's roll-up where BACI is loaded.
        assert_eq!(
            find("partner-share").map(|m| m.table_names()),
            Some(vec!["trade_flows", "trade_dyad_year"])
        );
        assert!(find("no-such-measure").is_none());
        assert_eq!(closest("partner-shares"), Some("partner-share"));
        assert_eq!(closest("zzz"), None);
        // partner-share, region-share, product-composition, gdp-dependence,
        // barbieri-interdependence, trade-intensity, concentration, geodep.
        assert_eq!(by_dimension(Dimension::Trade).count(), 8);
    }

    #[test]
    fn dimensions_round_trip() {
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()).unwrap(), d);
        }
        assert!(Dimension::parse("culture").is_err());
    }
}
