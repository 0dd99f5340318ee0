//! The dashboard at `/`: one HTML page, its script and its style sheet, embedded in the
//! binary (plain JavaScript, no library, nothing loaded from elsewhere). It reads only the
//! `/v1` API, so it shows nothing the API does not.

use axum::Router;
use axum::response::Response;
use axum::routing::get;

use crate::{AppState, bytes_response};

const INDEX: &str = include_str!("../assets/index.html");
const SCRIPT: &str = include_str!("../assets/app.js");
const STYLE: &str = include_str!("../assets/app.css");

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/app.js", get(script))
        .route("/assets/app.css", get(style))
}

async fn index() -> Response {
    bytes_response("text/html; charset=utf-8", INDEX.as_bytes().to_vec())
}

async fn script() -> Response {
    bytes_response("text/javascript; charset=utf-8", SCRIPT.as_bytes().to_vec())
}

async fn style() -> Response {
    bytes_response("text/css; charset=utf-8", STYLE.as_bytes().to_vec())
}
