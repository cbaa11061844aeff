//! The API error type. Every failure a handler can return becomes a DRF-shaped JSON body
//! (`{"detail": "..."}` or `{"field": ["message", ...]}`), so reference clients parse our errors
//! as they parsed Django's. Internal errors are logged and never sent to the client.

use std::collections::BTreeMap;

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};

use app::protocol::CallConflict;

use crate::rate::RetryAfter;

/// Field name -> messages, as DRF serializers report validation errors.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid input")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated but not allowed (e.g. the caller trying to accept their own call).
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A call had moved on (or a party was busy): why, and the call as it is now.
    #[error("conflict")]
    Conflict(Box<CallConflict>),
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A validation error on one field.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        Self::Validation(BTreeMap::from([(name.to_owned(), vec![message.into()])]))
    }
}

/// A rate limit that was hit: 429 with `Retry-After`.
impl From<RetryAfter> for ApiError {
    fn from(RetryAfter(retry_after_secs): RetryAfter) -> Self {
        Self::TooManyRequests { retry_after_secs }
    }
}

fn detail(message: &str) -> Value {
    json!({ "detail": message })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            Self::Validation(fields) => (StatusCode::BAD_REQUEST, json!(fields)),
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, detail(message)),
            Self::Unauthorized(message) => (StatusCode::UNAUTHORIZED, detail(message)),
            Self::Forbidden(message) => (StatusCode::FORBIDDEN, detail(message)),
            Self::NotFound => (StatusCode::NOT_FOUND, detail("Not found.")),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                detail("Method not allowed."),
            ),
            Self::Conflict(conflict) => (StatusCode::CONFLICT, json!(conflict)),
            Self::UnsupportedMediaType(content_type) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                detail(&format!(
                    "Unsupported media type \"{content_type}\" in request."
                )),
            ),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                detail("Request body is too large."),
            ),
            Self::TooManyRequests { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                detail(&format!(
                    "Request was throttled. Expected available in {retry_after_secs} seconds."
                )),
            ),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                detail("The service is temporarily unavailable. Please retry shortly."),
            ),
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    detail("Internal server error."),
                )
            }
        };
        let mut response = (status, Json(body)).into_response();
        match self {
            Self::TooManyRequests { retry_after_secs } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            Self::Unauthorized(_) => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"api\""),
                );
            }
            _ => {}
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            // The database is down or saturated: tell the client to retry, not that we broke.
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!(%error, "database unavailable");
                if matches!(error, sqlx::Error::PoolTimedOut) {
                    crate::metrics::db_pool_timeout();
                }
                Self::Unavailable
            }
            other => Self::Internal(other.into()),
        }
    }
}
