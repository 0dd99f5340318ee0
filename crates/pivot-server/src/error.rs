//! Errors as JSON `{error, detail}` with the status that says whose move it is: 4xx for the
//! request (an unknown measure 404, a refused parameter 422, a statement that is not a query
//! 400 …), 5xx only for the store or the machine (503) and bugs (500).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pivot_engine::{EngineError, ErrorKind};

use crate::wire::ErrorBody;

/// A refusal or failure, ready to send.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Short code.
    pub error: &'static str,
    /// Sentence.
    pub detail: String,
}

impl ApiError {
    /// A refusal with a status and code.
    pub fn new(status: StatusCode, error: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            error,
            detail: detail.into(),
        }
    }

    /// 400.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    /// 500: a bug.
    pub fn internal(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> ApiError {
        let detail = e.to_string();
        let (status, code) = match (&e, e.kind()) {
            (EngineError::UnknownMeasure { .. }, _) => (StatusCode::NOT_FOUND, "unknown_measure"),
            (EngineError::Param(_), _) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_parameter"),
            (EngineError::Country(_), _) => (StatusCode::UNPROCESSABLE_ENTITY, "unknown_country"),
            (EngineError::MissingData { .. }, _) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "missing_data")
            }
            (EngineError::Measure(_), _) => (StatusCode::UNPROCESSABLE_ENTITY, "measure_refused"),
            (EngineError::Timeout(_), _) => (StatusCode::UNPROCESSABLE_ENTITY, "sql_time_limit"),
            (EngineError::Memory { .. }, _) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "sql_memory_limit")
            }
            (EngineError::Sql { message, .. }, _) if is_not_read_only(message) => {
                return ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "sql_not_read_only",
                    format!(
                        "only read-only queries run here (no DDL such as CREATE EXTERNAL TABLE, no DML such as COPY or INSERT, no statements such as SET): {message}"
                    ),
                );
            }
            (EngineError::Sql { .. }, _) => (StatusCode::BAD_REQUEST, "sql_error"),
            (_, ErrorKind::Input) => (StatusCode::BAD_REQUEST, "bad_request"),
            (_, ErrorKind::Environment) => (StatusCode::SERVICE_UNAVAILABLE, "environment"),
            (_, ErrorKind::Bug) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        ApiError::new(status, code, detail)
    }
}

/// Whether DataFusion refused a statement because the read-only options forbid it.
fn is_not_read_only(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "ddl not supported",
        "dml not supported",
        "statement not supported",
    ]
    .iter()
    .any(|s| m.contains(s))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: self.error.into(),
                detail: self.detail,
            }),
        )
            .into_response()
    }
}

/// The code of an error response built by a layer or by axum itself (no route, wrong method,
/// body too large, timeout, a body that is not JSON).
pub fn code_for_status(s: StatusCode) -> &'static str {
    match s {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
        StatusCode::NOT_ACCEPTABLE => "not_acceptable",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        s if s.is_client_error() => "bad_request",
        _ => "internal",
    }
}
