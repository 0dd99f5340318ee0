//! The `/v1` endpoints. Each handler parses the request, calls the engine on a blocking
//! thread and converts the answer into a wire type (or CSV, Parquet, HTML); nothing is
//! computed here.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use pivot_engine::measure::MeasureRequest;
use pivot_engine::{EngineError, ResultTable, SqlLimits};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::wire::*;
use crate::{ApiError, AppState, blocking, bytes_response};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/v1/health", get(health))
        .route("/v1/datasets", get(datasets))
        .route("/v1/datasets/manifest", get(manifest))
        .route("/v1/datasets/citations", get(citations))
        .route("/v1/countries", get(country_search))
        .route("/v1/countries/resolve", get(country_resolve))
        .route("/v1/measures", get(measures))
        .route("/v1/measures/{name}", get(measure_get).post(measure_post))
        .route("/v1/measures/{name}/schema", get(measure_schema))
        .route("/v1/claims", get(claims_bundled).post(claims_post))
        .route("/v1/report", get(report))
        .route("/v1/scenarios", get(scenarios))
        .route("/v1/scenarios/{name}", get(scenario_run))
        .route("/v1/sql", axum::routing::post(sql))
}

/// The query of an endpoint that takes no parameters: any is refused (400), so that a
/// parameter a user believes applied never goes unnoticed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// The JSON content type.
const JSON: &str = "application/json";
/// CSV.
const CSV: &str = "text/csv; charset=utf-8";
/// Parquet (the media type registered for Apache Parquet).
const PARQUET: &str = "application/vnd.apache.parquet";

fn json_response<T: serde::Serialize>(v: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(v)
        .map_err(|e| ApiError::internal(format!("encoding the response as JSON: {e}")))?;
    Ok(bytes_response(JSON, body))
}

/// How a table is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Csv,
    Parquet,
}

/// `format=json|csv|parquet` wins; else the `Accept` header (`text/csv`,
/// `application/vnd.apache.parquet`); else JSON.
fn negotiate(format: Option<&str>, headers: &HeaderMap) -> Result<Format, ApiError> {
    if let Some(f) = format {
        return match f.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            other => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_format",
                format!("format '{other}' is not one of json, csv, parquet"),
            )),
        };
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    Ok(if accept.contains("text/csv") {
        Format::Csv
    } else if accept.contains("parquet") {
        Format::Parquet
    } else {
        Format::Json
    })
}

/// Encode a table (on the blocking thread): JSON through `json`, CSV, or Parquet with the
/// provenance in its metadata; `stem` names the download.
fn encode(
    t: &ResultTable,
    f: Format,
    stem: &str,
    json: impl FnOnce(&ResultTable) -> Result<Vec<u8>, ApiError>,
) -> Result<Response, ApiError> {
    let (ct, body, ext) = match f {
        Format::Json => (JSON, json(t)?, None),
        Format::Csv => (CSV, pivot_engine::service::csv_bytes(t)?, Some("csv")),
        Format::Parquet => (
            PARQUET,
            pivot_engine::service::parquet_bytes(t)?,
            Some("parquet"),
        ),
    };
    let mut r = bytes_response(ct, body);
    if let Some(ext) = ext {
        let name: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\"")) {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(r)
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(v).map_err(|e| ApiError::internal(format!("encoding JSON: {e}")))
}

async fn openapi(State(s): State<AppState>, Query(NoParams {}): Query<NoParams>) -> Response {
    bytes_response(JSON, s.openapi.as_ref().clone())
}

async fn health(
    State(s): State<AppState>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<Response, ApiError> {
    json_response(&Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        datasets: s.engine.manifest().datasets.len(),
        measures: pivot_measures::registry::measures().len(),
        limits: limits_wire(&s),
    })
}

pub(crate) fn limits_wire(s: &AppState) -> LimitsWire {
    LimitsWire {
        sql_max_rows: s.limits.sql_max_rows,
        sql_timeout_ms: s.limits.sql_timeout.as_millis() as u64,
        request_timeout_ms: s.limits.request_timeout.as_millis() as u64,
        sql_max_bytes: s.limits.sql_max_bytes,
        max_body_bytes: s.limits.max_body_bytes,
        concurrency: s.limits.concurrency,
    }
}

async fn datasets(
    State(s): State<AppState>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<Response, ApiError> {
    let t = pivot_engine::info::dataset_table(s.engine.manifest())?;
    let datasets = pivot_engine::service::json_rows(&t)?
        .into_iter()
        .map(serde_json::from_value::<DatasetWire>)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::internal(format!("dataset rows: {e}")))?;
    json_response(&DatasetList { datasets })
}

async fn manifest(
    State(s): State<AppState>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<Response, ApiError> {
    json_response(s.engine.manifest())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CitationQuery {
    ids: Option<String>,
    format: Option<String>,
}

async fn citations(
    State(s): State<AppState>,
    Query(q): Query<CitationQuery>,
) -> Result<Response, ApiError> {
    let ids: Vec<String> = q
        .ids
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect();
    let c = s.engine.citations(&ids);
    if c.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_dataset",
            format!(
                "no dataset {} in the store (GET /v1/datasets lists them)",
                ids.join(", ")
            ),
        ));
    }
    match q.format.as_deref().unwrap_or("json") {
        "json" => json_response(&CitationList {
            citations: c
                .into_iter()
                .map(|(id, citation, bibtex)| Citation {
                    id,
                    citation,
                    bibtex,
                })
                .collect(),
        }),
        "bibtex" => {
            let text: String = c.into_iter().map(|(_, _, b)| format!("{b}\n\n")).collect();
            Ok(bytes_response(
                "application/x-bibtex; charset=utf-8",
                text.into_bytes(),
            ))
        }
        other => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_format",
            format!("format '{other}' is not one of json, bibtex"),
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchQuery {
    q: String,
    limit: Option<usize>,
}

async fn country_search(Query(q): Query<SearchQuery>) -> Result<Response, ApiError> {
    let limit = q.limit.unwrap_or(10).clamp(1, 50);
    let results = pivot_engine::service::search_countries(&q.q, limit)
        .into_iter()
        .map(|h| CountryHitWire {
            code: h.code,
            name: h.name,
            kind: h.kind,
            region: h.region,
        })
        .collect();
    json_response(&CountrySearch {
        query: q.q,
        results,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveQuery {
    q: String,
}

async fn country_resolve(Query(q): Query<ResolveQuery>) -> Result<Response, ApiError> {
    let t = pivot_engine::info::country_table(&q.q).map_err(|e| match e {
        EngineError::Country(_) => {
            ApiError::new(StatusCode::NOT_FOUND, "unknown_country", e.to_string())
        }
        e => e.into(),
    })?;
    let row = pivot_engine::service::json_rows(&t)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("a resolved country without a row"))?;
    let c: CountryWire =
        serde_json::from_value(row).map_err(|e| ApiError::internal(format!("country row: {e}")))?;
    json_response(&c)
}

async fn measures(Query(NoParams {}): Query<NoParams>) -> Result<Response, ApiError> {
    json_response(&MeasureList {
        measures: pivot_measures::registry::measures()
            .iter()
            .map(|m| MeasureInfo::of(*m))
            .collect(),
    })
}

async fn measure_schema(
    Path(name): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<Response, ApiError> {
    let m = pivot_engine::measure::find_measure(&name)?;
    json_response(&m.params_schema())
}

/// Query parameters as raw measure parameters: a key given once is a string (the measure's
/// types coerce it, `partners=CHN,IND` included), a key given more than once a list; empty
/// values are left out; `format` is the response format, not a parameter.
fn query_params(raw: Option<&str>) -> (Map<String, Value>, Option<String>) {
    let mut params = Map::new();
    let mut format = None;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k == "format" {
            format = Some(v.into_owned());
            continue;
        }
        if v.is_empty() {
            continue;
        }
        let v = Value::String(v.into_owned());
        match params.get_mut(k.as_ref()) {
            None => {
                params.insert(k.into_owned(), v);
            }
            Some(Value::Array(a)) => a.push(v),
            Some(old) => {
                let first = old.take();
                *old = Value::Array(vec![first, v]);
            }
        }
    }
    (params, format)
}

async fn measure_get(
    State(s): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let (params, format) = query_params(q.as_deref());
    run_measure(&s, name, params, format.as_deref(), &headers).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatQuery {
    format: Option<String>,
}

async fn measure_post(
    State(s): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(f): Query<FormatQuery>,
    Json(params): Json<Map<String, Value>>,
) -> Result<Response, ApiError> {
    run_measure(&s, name, params, f.format.as_deref(), &headers).await
}

async fn run_measure(
    s: &AppState,
    name: String,
    params: Map<String, Value>,
    format: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    // Refuse an unknown measure or format before taking a worker.
    pivot_engine::measure::find_measure(&name)?;
    let fmt = negotiate(format, headers)?;
    blocking(s, move |e| {
        let t = e.measure(&MeasureRequest {
            name: name.clone(),
            params,
        })?;
        encode(&t, fmt, &name, |t| {
            to_json(&MeasureResult {
                measure: name.clone(),
                table: TableWire::from_table(t)?,
            })
        })
    })
    .await
}

/// Where the bundled claims file is cited from.
const BUNDLED_CLAIMS: &str = "claims/mankoff-2015.toml";

async fn claims_bundled(
    State(s): State<AppState>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<Response, ApiError> {
    claims_of(
        &s,
        pivot_engine::report::MANKOFF_CLAIMS.to_string(),
        BUNDLED_CLAIMS,
    )
    .await
}

async fn claims_post(
    State(s): State<AppState>,
    Query(NoParams {}): Query<NoParams>,
    body: String,
) -> Result<Response, ApiError> {
    if body.trim().is_empty() {
        return Err(ApiError::bad_request(
            "the body must be a claims file in TOML (see claims/mankoff-2015.toml)",
        ));
    }
    claims_of(&s, body, "request body").await
}

async fn claims_of(s: &AppState, text: String, label: &'static str) -> Result<Response, ApiError> {
    blocking(s, move |e| {
        let t = e.check_claims_toml(&text, label)?;
        let verdicts = pivot_engine::service::json_rows(&t)?
            .into_iter()
            .map(serde_json::from_value::<VerdictWire>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::internal(format!("verdict rows: {e}")))?;
        json_response(&ClaimsResult {
            verdicts,
            provenance: (&t.provenance).into(),
        })
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    focal: Option<String>,
    partners: Option<String>,
    years: Option<String>,
}

async fn report(
    State(s): State<AppState>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let mut opts = pivot_engine::report::ReportOptions::default();
    if let Some(f) = q.focal.filter(|f| !f.trim().is_empty()) {
        opts.focal = f;
    }
    if let Some(p) = q.partners.filter(|p| !p.trim().is_empty()) {
        opts.partners = p
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect();
    }
    opts.years = q.years.filter(|y| !y.trim().is_empty());
    blocking(&s, move |e| {
        let r = e.build_report(&opts)?;
        let html = pivot_report::render_html(&r).map_err(EngineError::from)?;
        Ok(bytes_response(
            "text/html; charset=utf-8",
            html.into_bytes(),
        ))
    })
    .await
}

async fn scenarios(Query(NoParams {}): Query<NoParams>) -> Result<Response, ApiError> {
    json_response(&ScenarioList {
        scenarios: pivot_engine::service::SCENARIOS
            .iter()
            .map(|s| ScenarioInfo {
                name: s.name.into(),
                description: s.description(),
            })
            .collect(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioQuery {
    all_pairs: Option<bool>,
}

async fn scenario_run(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<ScenarioQuery>,
) -> Result<Response, ApiError> {
    let sc = pivot_engine::service::shipped_scenario(&name)
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, "unknown_scenario", e.to_string()))?;
    let all_pairs = q.all_pairs.unwrap_or(false);
    let key = format!("{}|{all_pairs}", sc.name);
    if let Some(body) = s.scenarios.lock().expect("no poisoned lock").get(&key) {
        return Ok(bytes_response(JSON, body.as_ref().clone()));
    }
    let body = blocking(&s, move |e| {
        let out = e.run_shipped_scenario(sc.name, all_pairs)?;
        to_json(&ScenarioResult {
            name: sc.name.into(),
            countries: TableWire::from_table(&out.countries)?,
            pairs: TableWire::from_table(&out.pairs)?,
            notes: out.notes,
        })
    })
    .await?;
    let body = Arc::new(body);
    s.scenarios
        .lock()
        .expect("no poisoned lock")
        .insert(key, body.clone());
    Ok(bytes_response(JSON, body.as_ref().clone()))
}

async fn sql(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<FormatQuery>,
    Json(req): Json<SqlRequest>,
) -> Result<Response, ApiError> {
    if req.query.trim().is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "sql_error",
            "the query is empty",
        ));
    }
    let fmt = negotiate(f.format.as_deref(), &headers)?;
    if req.max_rows == Some(0) {
        return Err(ApiError::bad_request(
            "max_rows must be at least 1 (leave it out for the server's cap)",
        ));
    }
    let cap = req
        .max_rows
        .map(|n| {
            usize::try_from(n)
                .unwrap_or(usize::MAX)
                .min(s.limits.sql_max_rows)
        })
        .unwrap_or(s.limits.sql_max_rows);
    let timeout = s.limits.sql_timeout;
    let max_bytes = s.limits.sql_max_bytes;
    let limits = SqlLimitsWire {
        max_rows: cap,
        timeout_ms: timeout.as_millis() as u64,
        max_bytes,
        read_only:
            "one query; DDL (CREATE, DROP), DML (COPY, INSERT) and statements (SET) are refused"
                .into(),
    };
    let _slot = s.sql_slots.clone().acquire_owned().await.map_err(|_| {
        ApiError::internal("the SQL queue is closed; this is a bug, please report it")
    })?;
    blocking(&s, move |e| {
        let out = e.sql_read_only(
            &req.query,
            SqlLimits {
                max_rows: Some(cap),
                timeout: Some(timeout),
                max_bytes: Some(max_bytes),
            },
        )?;
        let truncated = out.truncated;
        let mut r = encode(&out.table, fmt, "query", |t| {
            to_json(&SqlResult {
                table: TableWire::from_table(t)?,
                truncated,
                limits,
            })
        })?;
        let h = r.headers_mut();
        h.insert("x-pivot-row-cap", HeaderValue::from(cap));
        h.insert(
            "x-pivot-truncated",
            HeaderValue::from_static(if truncated { "true" } else { "false" }),
        );
        Ok(r)
    })
    .await
}
