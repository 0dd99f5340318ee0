//! The OpenAPI 3.1 document, generated: the fixed endpoints' bodies from the wire types
//! (schemars, JSON Schema 2020-12, which OpenAPI 3.1 embeds as is), and one path per
//! registered measure whose query parameters and JSON body are that measure's
//! `params_schema()` — the same schema the CLI parses `--focal`/`-p KEY=VALUE` against, so
//! the API and the CLI cannot disagree.

use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

use crate::Limits;
use crate::wire::*;

/// Where component schemas live in the document.
const COMPONENTS: &str = "#/components/schemas/";

fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator()
}

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Value {
    g.subschema_for::<T>().to_value()
}

/// `Partner-share` → `PartnerShare`.
fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Point `#/$defs/X` references at `#/components/schemas/{prefix}X`.
fn rewrite_refs(v: &mut Value, prefix: &str) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/$defs/")
            {
                *r = format!("{COMPONENTS}{prefix}{name}");
            }
            for x in m.values_mut() {
                rewrite_refs(x, prefix);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_refs(x, prefix)),
        _ => {}
    }
}

/// A measure's parameter schema as a component (its `$defs` hoisted beside it under the
/// measure's prefix); returns the component name.
fn add_params_schema(
    components: &mut Map<String, Value>,
    m: &dyn pivot_measures::DynMeasure,
) -> (String, Value) {
    let prefix = pascal(m.name());
    let mut root = m.params_schema();
    if let Some(obj) = root.as_object_mut() {
        obj.remove("$schema");
        if let Some(Value::Object(defs)) = obj.remove("$defs") {
            for (k, mut v) in defs {
                rewrite_refs(&mut v, &format!("{prefix}Params_"));
                components.insert(format!("{prefix}Params_{k}"), v);
            }
        }
    }
    rewrite_refs(&mut root, &format!("{prefix}Params_"));
    let name = format!("{prefix}Params");
    components.insert(name.clone(), root.clone());
    (name, root)
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("{COMPONENTS}{name}") })
}

fn json_ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

/// Error responses every operation can give.
fn errors(mut responses: Map<String, Value>) -> Value {
    let err = json!({
        "description": "The request was refused: `{error, detail}` says why and what is accepted.",
        "content": { "application/json": { "schema": r("ErrorBody") } }
    });
    responses.insert("4XX".into(), err.clone());
    responses.insert(
        "default".into(),
        json!({
            "description": "The store or the machine failed (503), or a bug (500).",
            "content": { "application/json": { "schema": r("ErrorBody") } }
        }),
    );
    Value::Object(responses)
}

fn ok(v: Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("200".into(), v);
    m
}

fn table_formats(json_schema: Value, what: &str) -> Value {
    json!({
        "description": format!("{what}: JSON (rows and provenance), CSV, or Parquet with the provenance in its metadata under `pivot.provenance`; chosen by `format` or the Accept header."),
        "content": {
            "application/json": { "schema": json_schema },
            "text/csv": { "schema": { "type": "string" } },
            "application/vnd.apache.parquet": { "schema": { "type": "string", "contentMediaType": "application/vnd.apache.parquet" } }
        }
    })
}

fn query(name: &str, required: bool, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": required, "description": description, "schema": schema })
}

fn format_param(choices: &[&str]) -> Value {
    query(
        "format",
        false,
        "Response format (overrides the Accept header).",
        json!({ "type": "string", "enum": choices }),
    )
}

/// The whole document.
pub fn document(limits: &Limits) -> Value {
    let mut g = generator();
    let error = schema::<ErrorBody>(&mut g);
    let health = schema::<Health>(&mut g);
    let datasets = schema::<DatasetList>(&mut g);
    let citations = schema::<CitationList>(&mut g);
    let country = schema::<CountryWire>(&mut g);
    let search = schema::<CountrySearch>(&mut g);
    let measures = schema::<MeasureList>(&mut g);
    let measure_result = schema::<MeasureResult>(&mut g);
    let claims = schema::<ClaimsResult>(&mut g);
    let scenarios = schema::<ScenarioList>(&mut g);
    let scenario = schema::<ScenarioResult>(&mut g);
    let sql_req = schema::<SqlRequest>(&mut g);
    let sql_res = schema::<SqlResult>(&mut g);
    let _ = error;
    let mut components = g.take_definitions(true);

    let mut paths = Map::new();
    paths.insert(
        "/openapi.json".into(),
        json!({ "get": {
            "operationId": "openapi", "summary": "This document (OpenAPI 3.1).",
            "responses": errors(ok(json_ok("The OpenAPI document.", json!({ "type": "object" }))))
        }}),
    );
    paths.insert("/v1/health".into(), json!({ "get": {
        "operationId": "health", "tags": ["server"], "summary": "Whether the server answers, with its bounds.",
        "responses": errors(ok(json_ok("Status, version, counts and limits.", health)))
    }}));
    paths.insert("/v1/datasets".into(), json!({ "get": {
        "operationId": "datasets", "tags": ["datasets"], "summary": "Datasets in the store: rows, years, source, licence.",
        "responses": errors(ok(json_ok("Every dataset.", datasets)))
    }}));
    paths.insert("/v1/datasets/manifest".into(), json!({ "get": {
        "operationId": "manifest", "tags": ["datasets"], "summary": "The store's manifest.json: datasets, versions, licences, citations, files and checksums.",
        "responses": errors(ok(json_ok("The manifest.", json!({ "type": "object" }))))
    }}));
    paths.insert("/v1/datasets/citations".into(), json!({ "get": {
        "operationId": "citations", "tags": ["datasets"], "summary": "Citations of the datasets (all, or `ids`), as JSON or BibTeX.",
        "parameters": [
            query("ids", false, "Dataset ids, comma-separated (default: all).", json!({ "type": "string" })),
            format_param(&["json", "bibtex"])
        ],
        "responses": errors(ok(json!({
            "description": "Citations.",
            "content": {
                "application/json": { "schema": citations },
                "application/x-bibtex": { "schema": { "type": "string" } }
            }
        })))
    }}));
    paths.insert("/v1/countries".into(), json!({ "get": {
        "operationId": "countrySearch", "tags": ["countries"], "summary": "Type-ahead: countries and named sets whose code or name matches, best first.",
        "parameters": [
            query("q", true, "What was typed (any spelling, code or part of a name).", json!({ "type": "string" })),
            query("limit", false, "Most answers (1-50, default 10).", json!({ "type": "integer", "minimum": 1, "maximum": 50 }))
        ],
        "responses": errors(ok(json_ok("Matches.", search)))
    }}));
    paths.insert("/v1/countries/resolve".into(), json!({ "get": {
        "operationId": "countryResolve", "tags": ["countries"], "summary": "Resolve a name or code (ISO2, ISO3, M49, cow:816, gw:816) to every code.",
        "parameters": [ query("q", true, "Name or code.", json!({ "type": "string" })) ],
        "responses": errors(ok(json_ok("The country.", country)))
    }}));
    paths.insert("/v1/measures".into(), json!({ "get": {
        "operationId": "measures", "tags": ["measures"], "summary": "Every measure: documentation and parameters.",
        "responses": errors(ok(json_ok("The catalogue.", measures)))
    }}));

    for m in pivot_measures::registry::measures() {
        let (params_name, root) = add_params_schema(&mut components, *m);
        let required: Vec<&str> = root["required"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut qp: Vec<Value> = Vec::new();
        if let Some(props) = root["properties"].as_object() {
            for (k, s) in props {
                let mut p = query(
                    k,
                    required.contains(&k.as_str()),
                    s["description"].as_str().unwrap_or(""),
                    s.clone(),
                );
                if s["type"] == "array"
                    || s["type"]
                        .as_array()
                        .is_some_and(|t| t.contains(&json!("array")))
                {
                    p["style"] = json!("form");
                    p["explode"] = json!(true);
                }
                qp.push(p);
            }
        }
        qp.push(format_param(&["json", "csv", "parquet"]));
        let doc = m.doc();
        let name = m.name();
        let op = pascal(name);
        paths.insert(format!("/v1/measures/{name}"), json!({
            "get": {
                "operationId": format!("measure{op}"), "tags": ["measures"],
                "summary": doc.summary,
                "description": format!("{}\n\nParameters as query keys (the same as `pivot measure {name}`; a list as repeated keys or comma-separated).", doc.what),
                "parameters": qp,
                "responses": errors(ok(table_formats(measure_result.clone(), "The measure's rows with provenance")))
            },
            "post": {
                "operationId": format!("measure{op}Post"), "tags": ["measures"],
                "summary": doc.summary,
                "description": "Parameters as a JSON object (the same names and types as the query).",
                "parameters": [ format_param(&["json", "csv", "parquet"]) ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": r(&params_name) } } },
                "responses": errors(ok(table_formats(measure_result.clone(), "The measure's rows with provenance")))
            }
        }));
        paths.insert(format!("/v1/measures/{name}/schema"), json!({ "get": {
            "operationId": format!("measure{op}Schema"), "tags": ["measures"],
            "summary": format!("The JSON Schema (2020-12) of {name}'s parameters."),
            "responses": errors(ok(json_ok("The schema, as the measure's Params type defines it.", json!({ "type": "object" }))))
        }}));
    }

    paths.insert("/v1/claims".into(), json!({
        "get": {
            "operationId": "claimsBundled", "tags": ["claims"], "summary": "Verdicts on the bundled claims (Mankoff 2015, Russia's Asia pivot) with evidence.",
            "responses": errors(ok(json_ok("Verdicts.", claims.clone())))
        },
        "post": {
            "operationId": "claimsCheck", "tags": ["claims"], "summary": "Check a claims file (TOML, the format of claims/mankoff-2015.toml).",
            "requestBody": { "required": true, "content": {
                "application/toml": { "schema": { "type": "string" } },
                "text/plain": { "schema": { "type": "string" } }
            }},
            "responses": errors(ok(json_ok("Verdicts.", claims)))
        }
    }));
    paths.insert("/v1/report".into(), json!({ "get": {
        "operationId": "report", "tags": ["report"], "summary": "The report as one self-contained HTML page (inline SVG charts) for any focal state, partners and years.",
        "parameters": [
            query("focal", false, "Focal state (default RUS).", json!({ "type": "string" })),
            query("partners", false, "Partners or named sets, comma-separated (default CHN,IND,JPN,KOR,VNM,DEU,USA).", json!({ "type": "string" })),
            query("years", false, "Years, e.g. 1992-2014 (default: all the data has).", json!({ "type": "string" }))
        ],
        "responses": errors(ok(json!({ "description": "The report.", "content": { "text/html": { "schema": { "type": "string" } } } })))
    }}));
    paths.insert("/v1/scenarios".into(), json!({ "get": {
        "operationId": "scenarios", "tags": ["gravity"], "summary": "The shipped gravity (GE-PPML) scenarios.",
        "responses": errors(ok(json_ok("Scenarios by name.", scenarios)))
    }}));
    let names: Vec<&str> = pivot_engine::service::SCENARIOS
        .iter()
        .map(|s| s.name)
        .collect();
    paths.insert("/v1/scenarios/{name}".into(), json!({ "get": {
        "operationId": "scenarioRun", "tags": ["gravity"], "summary": "Run a shipped scenario by name (never a path).",
        "parameters": [
            { "name": "name", "in": "path", "required": true, "description": "Scenario name.", "schema": { "type": "string", "enum": names } },
            query("all_pairs", false, "Every pair, not only those touching a shocked country.", json!({ "type": "boolean" }))
        ],
        "responses": errors(ok(json_ok("Per-country and per-pair changes.", scenario)))
    }}));
    paths.insert("/v1/sql".into(), json!({ "post": {
        "operationId": "sql", "tags": ["sql"],
        "summary": "One read-only SQL query over the canonical tables.",
        "description": format!(
            "DDL (CREATE EXTERNAL TABLE, CREATE VIEW, DROP), DML (COPY … TO, INSERT) and statements (SET) are refused with 400 before anything runs; no file is read or written. At most {} rows come back (`truncated` says when the cap cut the answer; `max_rows` asks for fewer); a query running longer than {} ms is cancelled with 422 `sql_time_limit`; one that needs more memory than the server's limit (`PIVOT_MEMORY_LIMIT`, default half the machine's) even after spilling to disk is refused with 422 `sql_memory_limit`.",
            limits.sql_max_rows, limits.sql_timeout.as_millis()
        ),
        "parameters": [ format_param(&["json", "csv", "parquet"]) ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": sql_req } } },
        "responses": errors(ok(table_formats(sql_res, "The rows with provenance and the limits applied")))
    }}));

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "pivot",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Measures of how states depend on one another — trade, energy, arms, diplomacy — from open data, with provenance. Read-only over one store. Errors are JSON `{error, detail}`: 4xx for the request, 5xx only for the store, the machine or a bug.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" }
        },
        "paths": paths,
        "components": { "schemas": components }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_names() {
        assert_eq!(pascal("partner-share"), "PartnerShare");
        assert_eq!(pascal("un-alignment"), "UnAlignment");
    }

    #[test]
    fn no_reference_dangles() {
        let doc = document(&Limits::default());
        let comps = doc["components"]["schemas"].as_object().unwrap();
        fn walk(v: &Value, comps: &Map<String, Value>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        let name = r
                            .strip_prefix(COMPONENTS)
                            .unwrap_or_else(|| panic!("ref {r} outside components"));
                        assert!(comps.contains_key(name), "dangling {r}");
                    }
                    m.values().for_each(|x| walk(x, comps));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, comps)),
                _ => {}
            }
        }
        walk(&doc, comps);
    }
}
