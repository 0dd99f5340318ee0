//! The JSON wire types: what the API sends and receives, each with its JSON Schema (schemars,
//! draft 2020-12, what OpenAPI 3.1 embeds). Engine types are converted here, never serialized
//! through by accident.

use std::collections::BTreeMap;

use pivot_engine::{Provenance, ResultTable};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Every refusal and failure: a short machine-readable code and a sentence for people.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    /// What kind of refusal (`invalid_parameter`, `unknown_measure`, `sql_not_read_only`,
    /// `sql_time_limit`, `payload_too_large`, `not_found`, `internal` …).
    pub error: String,
    /// What was wrong and what is accepted.
    pub detail: String,
}

/// A dataset a result read, as the store's manifest records it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DatasetRefWire {
    /// Stable id, e.g. `cow_trade`.
    pub id: String,
    /// Version or release, e.g. `v4.0`.
    pub version: String,
    /// Who publishes it.
    pub source: String,
    /// Licence as understood.
    pub licence: String,
    /// Full citation in plain text.
    pub citation: String,
    /// SHA-256 of the stored files (hex).
    pub checksum: String,
}

/// Where a result came from: method, parameters as applied, datasets, notes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProvenanceWire {
    /// The measure or procedure.
    pub method: String,
    /// Parameters as applied (defaults resolved), by name.
    pub parameters: BTreeMap<String, String>,
    /// Datasets read.
    pub datasets: Vec<DatasetRefWire>,
    /// Caveats a reader must know.
    pub notes: Vec<String>,
    /// pivot version that computed it.
    pub pivot_version: String,
}

impl From<&Provenance> for ProvenanceWire {
    fn from(p: &Provenance) -> Self {
        ProvenanceWire {
            method: p.method.clone(),
            parameters: p.parameters.clone(),
            datasets: p
                .datasets
                .iter()
                .map(|d| DatasetRefWire {
                    id: d.id.clone(),
                    version: d.version.clone(),
                    source: d.source.clone(),
                    licence: d.licence.clone(),
                    citation: d.citation.clone(),
                    checksum: d.checksum.clone(),
                })
                .collect(),
            notes: p.notes.clone(),
            pivot_version: p.pivot_version.clone(),
        }
    }
}

/// A column of a result table.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Column {
    /// Name.
    pub name: String,
    /// Arrow data type (`Utf8`, `Int32`, `Float64` …).
    #[serde(rename = "type")]
    pub ty: String,
}

/// A result table: columns, rows as objects (column name to value), provenance.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TableWire {
    /// The columns in order.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Map<String, Value>>,
    /// Number of rows.
    pub row_count: usize,
    /// Where the numbers came from.
    pub provenance: ProvenanceWire,
}

impl TableWire {
    /// Convert an engine result.
    pub fn from_table(t: &ResultTable) -> Result<TableWire, crate::ApiError> {
        let rows = pivot_engine::service::json_rows(t)?
            .into_iter()
            .map(|v| match v {
                Value::Object(m) => m,
                other => {
                    let mut m = Map::new();
                    m.insert("value".into(), other);
                    m
                }
            })
            .collect::<Vec<_>>();
        Ok(TableWire {
            columns: t
                .schema
                .fields()
                .iter()
                .map(|f| Column {
                    name: f.name().clone(),
                    ty: f.data_type().to_string(),
                })
                .collect(),
            row_count: rows.len(),
            rows,
            provenance: (&t.provenance).into(),
        })
    }
}

/// A measure's result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MeasureResult {
    /// The measure's registry name.
    pub measure: String,
    /// Columns, rows and provenance.
    #[serde(flatten)]
    pub table: TableWire,
}

/// `GET /v1/health`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// pivot version.
    pub version: String,
    /// Datasets in the store.
    pub datasets: usize,
    /// Registered measures.
    pub measures: usize,
    /// The server's bounds.
    pub limits: LimitsWire,
}

/// The bounds every request runs under.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LimitsWire {
    /// Most rows a SQL query returns (more are cut and the response says so).
    pub sql_max_rows: usize,
    /// Time limit of a SQL query, in milliseconds.
    pub sql_timeout_ms: u64,
    /// Time limit of any request, in milliseconds.
    pub request_timeout_ms: u64,
    /// Largest SQL answer, in bytes of its values (a larger one is refused with 400).
    pub sql_max_bytes: usize,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Requests served at once (others wait).
    pub concurrency: usize,
}

/// A parameter of a measure, as documented (generated from its `Params` type).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ParamWire {
    /// Name (the query key or JSON member).
    pub name: String,
    /// JSON type (`string`, `integer`, `number`, `boolean`, `array`).
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether it must be given.
    pub required: bool,
    /// Default, when it has one.
    pub default: Option<Value>,
    /// Allowed values, for an enumeration.
    pub allowed: Option<Vec<String>>,
    /// Inclusive lower bound.
    pub minimum: Option<f64>,
    /// Inclusive upper bound.
    pub maximum: Option<f64>,
    /// What it does.
    pub description: String,
}

/// A measure's documentation sections (read from its source file's doc block).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MeasureDocWire {
    /// One line.
    pub summary: String,
    /// What it measures.
    pub what: String,
    /// Formula.
    pub formula: String,
    /// Reading it.
    pub reading: String,
    /// Data it needs.
    pub data: String,
    /// Reference.
    pub reference: String,
}

/// A measure in the catalogue.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MeasureInfo {
    /// Registry name (the path segment).
    pub name: String,
    /// Dimension (trade, energy, arms, diplomacy, power, finance, events, hedging …).
    pub dimension: String,
    /// Documentation.
    pub doc: MeasureDocWire,
    /// Store tables it reads.
    pub tables: Vec<String>,
    /// Parameters.
    pub parameters: Vec<ParamWire>,
    /// Where its parameters' JSON Schema is served.
    pub schema_url: String,
}

impl MeasureInfo {
    /// From the registry.
    pub fn of(m: &dyn pivot_measures::DynMeasure) -> MeasureInfo {
        let d = m.doc();
        MeasureInfo {
            name: m.name().into(),
            dimension: m.dimension().as_str().into(),
            doc: MeasureDocWire {
                summary: d.summary,
                what: d.what,
                formula: d.formula,
                reading: d.reading,
                data: d.data,
                reference: d.reference,
            },
            tables: m.table_names().iter().map(|t| t.to_string()).collect(),
            parameters: m
                .params()
                .into_iter()
                .map(|p| ParamWire {
                    name: p.name,
                    ty: p.ty,
                    required: p.required,
                    default: p.default,
                    allowed: p.allowed,
                    minimum: p.minimum,
                    maximum: p.maximum,
                    description: p.description,
                })
                .collect(),
            schema_url: format!("/v1/measures/{}/schema", m.name()),
        }
    }
}

/// `GET /v1/measures`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MeasureList {
    /// Every registered measure.
    pub measures: Vec<MeasureInfo>,
}

/// A dataset in the store.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DatasetWire {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Rows (records).
    pub rows: u64,
    /// Years covered (`1870-2014`), empty when not yearly.
    pub years: String,
    /// Rows per table (`trade_flows:123 …`).
    pub tables: String,
    /// Version.
    pub version: String,
    /// Publisher.
    pub source: String,
    /// Licence.
    pub licence: String,
    /// Whether it ships with pivot.
    pub bundled: bool,
}

/// `GET /v1/datasets`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DatasetList {
    /// Every dataset in the store.
    pub datasets: Vec<DatasetWire>,
}

/// A dataset's citation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Citation {
    /// Dataset id.
    pub id: String,
    /// Plain text.
    pub citation: String,
    /// BibTeX entry.
    pub bibtex: String,
}

/// `GET /v1/datasets/citations`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CitationList {
    /// One per dataset asked for.
    pub citations: Vec<Citation>,
}

/// Every code of a resolved country.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CountryWire {
    /// What was asked.
    pub query: String,
    /// The scheme it matched in (`iso3`, `name`, `cow` …).
    pub matched_as: String,
    /// ISO3 code.
    pub iso3: String,
    /// ISO2 code (Namibia's is `NA`).
    pub iso2: Option<String>,
    /// UN M49 / ISO numeric.
    pub m49: Option<u16>,
    /// COW codes, comma-separated.
    pub cow: String,
    /// Gleditsch-Ward codes, comma-separated.
    pub gw: String,
    /// Common name.
    pub name: String,
    /// Official name.
    pub official_name: String,
    /// state, territory, historical or area.
    pub kind: String,
    /// UN region.
    pub region: String,
    /// UN subregion.
    pub subregion: String,
    /// Notes on continuity or matching.
    pub note: String,
}

/// One type-ahead answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CountryHitWire {
    /// ISO3 code, or the name of a named set (`asia`, `eu27` …).
    pub code: String,
    /// Common name, or the set's description.
    pub name: String,
    /// state, territory, historical, area, or set.
    pub kind: String,
    /// UN region (empty for a set).
    pub region: String,
}

/// `GET /v1/countries?q=…`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CountrySearch {
    /// What was asked.
    pub query: String,
    /// Best first.
    pub results: Vec<CountryHitWire>,
}

/// A claim's verdict with its evidence.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct VerdictWire {
    /// Claim id.
    pub id: String,
    /// The claim's text.
    pub claim: String,
    /// supported, not supported, mixed or not testable.
    pub verdict: pivot_engine::Verdict,
    /// Evidence, one sentence per check.
    pub evidence: String,
    /// Checks passed.
    pub passed: u64,
    /// Checks evaluated.
    pub evaluated: u64,
}

/// Verdicts of a claims file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClaimsResult {
    /// One per claim.
    pub verdicts: Vec<VerdictWire>,
    /// Datasets, file, notes.
    pub provenance: ProvenanceWire,
}

/// `POST /v1/sql`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlRequest {
    /// One read-only query (SELECT, WITH, VALUES, SHOW, EXPLAIN) over the canonical tables.
    pub query: String,
    /// Fewer rows than the server's cap (the cap applies when larger or absent).
    #[schemars(range(min = 1))]
    pub max_rows: Option<u64>,
}

/// A SQL answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SqlResult {
    /// Columns, rows (at most the cap) and provenance.
    #[serde(flatten)]
    pub table: TableWire,
    /// Whether the row cap cut the answer.
    pub truncated: bool,
    /// The limits the query ran under.
    pub limits: SqlLimitsWire,
}

/// The limits of a SQL query.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SqlLimitsWire {
    /// Most rows returned.
    pub max_rows: usize,
    /// Time limit in milliseconds.
    pub timeout_ms: u64,
    /// Largest answer, in bytes of its values (a larger one is refused).
    pub max_bytes: usize,
    /// What is refused.
    pub read_only: String,
}

/// A shipped scenario.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScenarioInfo {
    /// Name (the path segment).
    pub name: String,
    /// One line.
    pub description: String,
}

/// `GET /v1/scenarios`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScenarioList {
    /// Every shipped scenario.
    pub scenarios: Vec<ScenarioInfo>,
}

/// A scenario's counterfactual.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// Per-country % changes.
    pub countries: TableWire,
    /// Per-pair changes in trade.
    pub pairs: TableWire,
    /// Identification and convergence notes.
    pub notes: Vec<String>,
}
