//! What pivot knows about itself and its store, as tables: the measures (list, catalogue with
//! every parameter, help text), countries, datasets.

use pivot_store::Manifest;
use pivot_vocab::{Countries, Provenance};
use serde::Serialize;
use serde_json::{Value, json};

use crate::{EngineError, ResultTable, table_from_rows};

#[derive(Serialize)]
struct MeasureListRow {
    name: &'static str,
    dimension: &'static str,
    summary: String,
    parameters: String,
    tables: String,
}

/// `pivot measures`: every measure with its one-line description and parameter names.
pub fn list_measures() -> Result<ResultTable, EngineError> {
    let rows: Vec<MeasureListRow> = pivot_measures::registry::measures()
        .iter()
        .map(|m| MeasureListRow {
            name: m.name(),
            dimension: m.dimension().as_str(),
            summary: m.doc().summary,
            parameters: m
                .params()
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            tables: m.table_names().join(", "),
        })
        .collect();
    table_from_rows(&rows, Provenance::new("measures"))
}

/// One measure as the catalogue describes it: documentation, parameters (type, default,
/// allowed values, range, description) and the JSON Schema they come from.
pub fn measure_entry(m: &dyn pivot_measures::DynMeasure) -> Value {
    json!({
        "name": m.name(),
        "dimension": m.dimension().as_str(),
        "doc": m.doc(),
        "tables": m.table_names(),
        "parameters": m.params(),
        "schema": m.params_schema(),
    })
}

/// `pivot measures --format json`: every measure, every parameter.
pub fn measure_catalog() -> Value {
    Value::Array(
        pivot_measures::registry::measures()
            .iter()
            .map(|m| measure_entry(*m))
            .collect(),
    )
}

/// `pivot measure NAME --help`: the measure's documentation and parameters as text.
pub fn measure_help(name: &str) -> Result<String, EngineError> {
    let m = crate::measure::find_measure(name)?;
    let d = m.doc();
    let mut out = format!(
        "{} — {}\n\nUsage: pivot measure {} [--focal STATE] [--partners LIST] [--years RANGE] [-p KEY=VALUE]...\n",
        m.name(),
        d.summary,
        m.name()
    );
    out.push_str("\nParameters (as --focal/--partners/--years/--by or -p KEY=VALUE):\n");
    for p in m.params() {
        let mut line = format!(
            "  {:<28} {}",
            format!("{} <{}>", p.name, p.ty),
            p.description
        );
        if let Some(a) = &p.allowed {
            line.push_str(&format!(" [one of: {}]", a.join(", ")));
        }
        match (p.minimum, p.maximum) {
            (Some(a), Some(b)) => line.push_str(&format!(" [{a} to {b}]")),
            (Some(a), None) => line.push_str(&format!(" [≥ {a}]")),
            (None, Some(b)) => line.push_str(&format!(" [≤ {b}]")),
            _ => {}
        }
        if p.required {
            line.push_str(" (required)");
        } else if let Some(d) = &p.default {
            let d = match d {
                Value::String(s) => s.clone(),
                Value::Null => "none".into(),
                Value::Array(a) if a.is_empty() => "none".into(),
                other => other.to_string(),
            };
            line.push_str(&format!(" (default: {d})"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    for (h, body) in [
        ("What it measures", &d.what),
        ("Formula", &d.formula),
        ("Reading it", &d.reading),
        ("Data it needs", &d.data),
        ("Reference", &d.reference),
    ] {
        out.push_str(&format!("\n{h}:\n"));
        for para in body.split("\n\n") {
            out.push_str(&wrap(para, 92, "  "));
            out.push('\n');
        }
    }
    Ok(out)
}

fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    for w in text.split_whitespace() {
        if line.len() > indent.len() && line.len() + 1 + w.len() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(w);
    }
    out.push_str(line.trim_end());
    out
}

#[derive(Serialize)]
struct CountryOut {
    query: String,
    matched_as: String,
    iso3: String,
    iso2: Option<String>,
    m49: Option<u16>,
    cow: String,
    gw: String,
    name: String,
    official_name: String,
    kind: String,
    region: String,
    subregion: String,
    note: String,
}

/// `pivot country QUERY`: every code of the match.
pub fn country_table(query: &str) -> Result<ResultTable, EngineError> {
    let r = Countries::bundled().resolve(query)?;
    let c = r.country;
    let join = |v: &[u16]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut note = c.note.clone();
    if let Some(n) = &r.note {
        note = if note.is_empty() {
            n.clone()
        } else {
            format!("{n} {note}")
        };
    }
    let row = CountryOut {
        query: query.to_string(),
        matched_as: r.scheme.as_str().into(),
        iso3: c.iso3.clone(),
        iso2: c.iso2.clone(),
        m49: c.m49,
        cow: join(&c.cow),
        gw: join(&c.gw),
        name: c.name.clone(),
        official_name: c.official_name.clone(),
        kind: c.kind.as_str().into(),
        region: c.region.clone(),
        subregion: c.subregion.clone(),
        note,
    };
    table_from_rows(&[row], Provenance::new("country").param("query", query).note("Country identity from world-countries 5.1.0 (mledoze/countries, ODbL 1.0), COW and Gleditsch-Ward state lists, BACI V202201 codes and pivot's concordances."))
}

#[derive(Serialize)]
struct DatasetRow {
    id: String,
    title: String,
    rows: u64,
    years: String,
    tables: String,
    version: String,
    source: String,
    licence: String,
    bundled: bool,
}

/// `pivot data list`.
pub fn dataset_table(manifest: &Manifest) -> Result<ResultTable, EngineError> {
    let rows: Vec<DatasetRow> = manifest
        .datasets
        .values()
        .map(|d| DatasetRow {
            id: d.id.clone(),
            title: d.title.clone(),
            rows: if d.records > 0 {
                d.records
            } else {
                d.total_rows()
            },
            years: d.years.map(|(a, b)| format!("{a}-{b}")).unwrap_or_default(),
            tables: d
                .rows
                .iter()
                .map(|(t, n)| format!("{t}:{n}"))
                .collect::<Vec<_>>()
                .join(" "),
            version: d.version.clone(),
            source: d.source.clone(),
            licence: d.licence.clone(),
            bundled: d.bundled,
        })
        .collect();
    table_from_rows(&rows, Provenance::new("data-list"))
}
