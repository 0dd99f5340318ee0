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
    /// Largest SQL answer, in bytes of its values (a larger one is refused, not cut).
    pub sql_max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(60),
            max_body_bytes: 1 << 20,
            concurrency: 64,
            sql_max_rows: 10_000,
            sql_timeout: Duration::from_secs(5),
            sql_max_bytes: 32 << 20,
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
    /// Set when the server shuts down: engine work in flight stops at its next check.
    pub(crate) shutdown: pivot_engine::Cancel,
}

/// The whole application: API, OpenAPI document, dashboard, with its bounds and access log.
pub fn router(engine: Arc<Engine>, limits: Limits) -> Router {
    router_with_log(engine, limits, true)
}

/// Like [`router`]; `access_log` off for tests.
pub fn router_with_log(engine: Arc<Engine>, limits: Limits, access_log: bool) -> Router {
    router_with(engine, limits, access_log, pivot_engine::Cancel::new())
}

/// Like [`router_with_log`]; setting `shutdown` cancels the engine work of every request.
pub fn router_with(
    engine: Arc<Engine>,
    limits: Limits,
    access_log: bool,
    shutdown: pivot_engine::Cancel,
) -> Router {
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
        shutdown,
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
        .layer(middleware::from_fn(bounded_head))
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

/// How long a shutdown waits for requests in flight after cancelling their engine work.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long a client may take to send a request's head (line and headers).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections open at once (the rest wait to be accepted).
pub const MAX_CONNECTIONS: usize = 1024;
/// Headers hyper parses before refusing a request itself (with an empty 431); the JSON
/// limit [`MAX_HEADERS`] below it answers first.
const HYPER_MAX_HEADERS: usize = 1000;
/// Most headers in a request (more: 431 with a JSON body).
pub const MAX_HEADERS: usize = 100;
/// Most bytes of header names and values in a request (more: 431 with a JSON body).
pub const MAX_HEADER_BYTES: usize = 64 << 10;
/// Longest request target (path and query) in bytes (longer: 414 with a JSON body).
pub const MAX_URI_BYTES: usize = 16 << 10;

/// Serve `app` on `addr` until SIGTERM or Ctrl-C; then `shutdown` is set (engine work in
/// flight stops at its next check) and connections get [`SHUTDOWN_GRACE`] to finish their
/// requests before they are dropped. Each connection must send a request's head within
/// [`HEADER_READ_TIMEOUT`]; at most [`MAX_CONNECTIONS`] are open at once.
pub async fn serve(
    app: Router,
    addr: SocketAddr,
    shutdown: pivot_engine::Cancel,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    eprintln!(
        "pivot: serving http://{local}/ (API under /v1, OpenAPI at /openapi.json; Ctrl-C stops)"
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut conns = tokio::task::JoinSet::new();
    let signal = shutdown_signal();
    tokio::pin!(signal);
    loop {
        let permit = tokio::select! {
            _ = &mut signal => break,
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        let stream = tokio::select! {
            _ = &mut signal => break,
            a = listener.accept() => match a {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    eprintln!("pivot: accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let svc = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut stop = stop_rx.clone();
        conns.spawn(async move {
            let _permit = permit;
            let mut b = hyper::server::conn::http1::Builder::new();
            b.timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_headers(HYPER_MAX_HEADERS);
            let conn = b.serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
        while conns.try_join_next().is_some() {}
    }
    shutdown.cancel();
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        eprintln!(
            "pivot: requests still running {} s after the signal were dropped",
            SHUTDOWN_GRACE.as_secs()
        );
        conns.abort_all();
    }
    eprintln!("pivot: stopped");
    Ok(())
}

/// A request head larger than the server takes is refused with JSON `{error, detail}` (414
/// for the target, 431 for the headers) before anything else runs. Heads past hyper's own
/// limits (1,000 headers, about 400 KB) and requests that are not HTTP at all are refused by
/// hyper with a bare status line: no request exists yet to answer in JSON.
async fn bounded_head(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            error::code_for_status(StatusCode::URI_TOO_LONG),
            format!("the request target is {target} bytes; the server takes at most {MAX_URI_BYTES} (send long parameters in a POST body)"),
        )
        .into_response();
    }
    let h = req.headers();
    let bytes: usize = h.iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if h.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            error::code_for_status(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
            format!(
                "the request has {} headers of {bytes} bytes; the server takes at most {MAX_HEADERS} headers and {MAX_HEADER_BYTES} bytes",
                h.len()
            ),
        )
        .into_response();
    }
    next.run(req).await
}

/// `pivot serve`: serve the engine on `addr` with `limits` until SIGTERM or Ctrl-C.
pub fn run(engine: Engine, addr: SocketAddr, limits: Limits) -> std::io::Result<()> {
    if !addr.ip().is_loopback() {
        eprintln!(
            "pivot: warning: listening on {addr}, reachable from other machines (the default is 127.0.0.1)"
        );
    }
    // Handlers run engine calls on blocking threads; their stack leaves room for deep input.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(16 << 20)
        .enable_all()
        .build()?;
    let engine = Arc::new(engine);
    let shutdown = pivot_engine::Cancel::new();
    let app = router_with(engine.clone(), limits, true, shutdown.clone());
    let out = rt.block_on(serve(app, addr, shutdown));
    // A request still running (one call that cannot be interrupted) must not hold the
    // process: its blocking thread is left behind. The engine owns a query runtime of its own,
    // dropped after this one (never inside it) and without waiting for its tasks.
    rt.shutdown_timeout(Duration::from_secs(1));
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
    eprintln!("pivot: shutting down (cancelling the work in flight)");
}

/// Run `f` with the engine on a blocking thread (engine calls block on the query runtime).
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Engine) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let e = state.engine.clone();
    // The engine work stops at the request's time limit, or when the server shuts down.
    let limit = state.limits.request_timeout;
    let cancel = state.shutdown.clone();
    let started = std::time::Instant::now();
    let r = tokio::task::spawn_blocking(move || {
        pivot_engine::bounded(Some(limit), Some(&cancel), || f(&e))
    })
    .await
    .map_err(|j| {
        ApiError::internal(format!(
            "the request's worker failed: {j}; this is a bug, please report it"
        ))
    })?;
    // The engine's time limit is the request's unless a query's own (the SQL limit) is
    // shorter: past the request's, it is the request that ran out of time (408), as the
    // timeout layer answers when the engine has not noticed yet.
    r.map_err(|e| {
        if e.error == "sql_time_limit" && started.elapsed() >= limit {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!(
                    "the request ran past the server's time limit of {} ms",
                    limit.as_millis()
                ),
            )
        } else {
            e
        }
    })
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
