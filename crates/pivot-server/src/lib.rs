//! `pivot serve`: the HTTP JSON API over one store, read-only, and the dashboard at `/`.
//!
//! This is the only crate that knows HTTP and its wire types ([`wire`]). Handlers parse the
//! request, call the engine on a blocking thread (engine calls block on its own query
//! runtime), and convert the result; no measure is computed here. The OpenAPI 3.1 document
//! ([`openapi`]) is generated from the wire types and from each measure's `params_schema()`,
//! so the API and the CLI read the same parameter definitions.
//!
//! Bounds: a request time limit, a body size limit, a concurrency limit shared by all routes,
//! SQL with DDL, DML and statements refused, a row cap and a query time limit; no file path
//! is ever taken from a request (scenarios are served by name).

mod api;
mod dashboard;
pub mod error;
pub mod openapi;
pub mod wire;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use pivot_engine::Engine;

pub use crate::error::ApiError;

/// The bounds every request runs under.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time limit of any request.
    pub request_timeout: Duration,
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
    /// Requests served at once (the rest wait their turn, within the time limit).
    pub concurrency: usize,
    /// Most rows a SQL query returns.
    pub sql_max_rows: usize,
    /// Time limit of a SQL query.
    pub sql_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(60),
            max_body_bytes: 1 << 20,
            concurrency: 64,
            sql_max_rows: 10_000,
            sql_timeout: Duration::from_secs(5),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) engine: Arc<Engine>,
    pub(crate) limits: Limits,
    /// Scenario results by (name, all pairs): a scenario over a fixed dataset gives the
    /// same answer every time, and a GE fit takes seconds.
    pub(crate) scenarios: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<Vec<u8>>>>>,
    /// The OpenAPI document, built once.
    pub(crate) openapi: Arc<Vec<u8>>,
    /// SQL queries running at once: one per core. A query waits here for its turn (its time
    /// limit starts when it runs), so a burst of scans queues instead of sharing the cores
    /// until every one of them is over its limit.
    pub(crate) sql_slots: Arc<tokio::sync::Semaphore>,
}

/// The whole application: API, OpenAPI document, dashboard, with its bounds and access log.
pub fn router(engine: Arc<Engine>, limits: Limits) -> Router {
    router_with_log(engine, limits, true)
}

/// Like [`router`]; `access_log` off for tests.
pub fn router_with_log(engine: Arc<Engine>, limits: Limits, access_log: bool) -> Router {
    let openapi = serde_json::to_vec_pretty(&openapi::document(&limits))
        .expect("the OpenAPI document is JSON");
    let state = AppState {
        engine,
        limits,
        scenarios: Default::default(),
        openapi: Arc::new(openapi),
        sql_slots: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        )),
    };
    let app = api::routes()
        .merge(dashboard::routes())
        .fallback(not_found)
        .with_state(state)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            limits.max_body_bytes,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            limits.concurrency,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(security_headers));
    if access_log {
        app.layer(middleware::from_fn(log_access))
    } else {
        app
    }
}

async fn not_found(req: Request) -> ApiError {
    ApiError::not_found(format!(
        "no such endpoint: {} {} (GET /openapi.json lists them)",
        req.method(),
        req.uri().path()
    ))
}

/// Errors made by axum or a layer (wrong method, body too large or not JSON, timeout) are
/// plain text; turn them into the same JSON `{error, detail}` as the handlers' own.
async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let detail = match (status, text.is_empty()) {
        (StatusCode::REQUEST_TIMEOUT, _) => "the request ran past the server's time limit".into(),
        (StatusCode::PAYLOAD_TOO_LARGE, _) => {
            "the request body is larger than the server accepts (see /v1/health limits)".into()
        }
        (StatusCode::METHOD_NOT_ALLOWED, true) => "this endpoint does not take that method".into(),
        (_, true) => status.canonical_reason().unwrap_or("error").to_string(),
        (_, false) => text,
    };
    let mut out = ApiError::new(status, error::code_for_status(status), detail).into_response();
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}

/// Nothing the server sends may load from elsewhere.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// One line per request on stderr: method, path and query, status, bytes, milliseconds.
async fn log_access(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let uri = req.uri().clone();
    let res = next.run(req).await;
    let len = axum::body::HttpBody::size_hint(res.body())
        .exact()
        .map(|n| n.to_string())
        .unwrap_or_else(|| "-".into());
    eprintln!(
        "{} {} {} {} {:.1}ms",
        method,
        uri,
        res.status().as_u16(),
        len,
        start.elapsed().as_secs_f64() * 1e3
    );
    res
}

/// Serve `app` on `addr` until SIGTERM or Ctrl-C, then finish the requests in flight.
pub async fn serve(app: Router, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    eprintln!(
        "pivot: serving http://{local}/ (API under /v1, OpenAPI at /openapi.json; Ctrl-C stops)"
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    eprintln!("pivot: stopped");
    Ok(())
}

/// `pivot serve`: serve the engine on `addr` with `limits` until SIGTERM or Ctrl-C.
pub fn run(engine: Engine, addr: SocketAddr, limits: Limits) -> std::io::Result<()> {
    if !addr.ip().is_loopback() {
        eprintln!(
            "pivot: warning: listening on {addr}, reachable from other machines (the default is 127.0.0.1)"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let engine = Arc::new(engine);
    let out = rt.block_on(serve(router(engine.clone(), limits), addr));
    // The engine owns a query runtime of its own, which must not be dropped inside this one.
    drop(rt);
    drop(engine);
    out
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("pivot: shutting down (finishing requests in flight)");
}

/// Run `f` with the engine on a blocking thread (engine calls block on the query runtime).
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Engine) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let e = state.engine.clone();
    tokio::task::spawn_blocking(move || f(&e))
        .await
        .map_err(|j| {
            ApiError::internal(format!(
                "the request's worker failed: {j}; this is a bug, please report it"
            ))
        })?
}

/// A response with a body and content type.
pub(crate) fn bytes_response(content_type: &'static str, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

#[allow(dead_code)]
fn _assert_state_is_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Engine>();
    check::<AppState>();
}
