//! The API error type. Every failure a handler can return becomes a DRF-shaped JSON body
//! (`{"detail": "..."}` or `{"field": ["message", ...]}`), so reference clients parse our errors
//! as they parsed Django's. Internal errors are logged and never sent to the client.
//!
//! Every body also carries stable machine codes ([`ErrorCode`]): `"code"` beside `"detail"`, and
//! `"codes"` (field -> codes, in the order of the messages) beside field errors, so the app shows
//! its own translated text instead of the English `detail`.

use std::collections::BTreeMap;

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};

use app::protocol::{CallConflict, ErrorCode};

use crate::rate::RetryAfter;

/// Field name -> messages, as DRF serializers report validation errors.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid input")]
    Validation(FieldErrors),
    #[error("{1}")]
    BadRequest(ErrorCode, String),
    #[error("{1}")]
    Unauthorized(ErrorCode, String),
    /// Authenticated but not allowed (e.g. the caller trying to accept their own call).
    #[error("{1}")]
    Forbidden(ErrorCode, String),
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

fn detail(code: ErrorCode, message: &str) -> Value {
    json!({ "detail": message, "code": code })
}

/// DRF's field errors, with each message's code under `codes`.
fn fields_body(fields: &FieldErrors) -> Value {
    let mut body = json!(fields);
    let codes: BTreeMap<&String, Vec<ErrorCode>> = fields
        .iter()
        .map(|(field, messages)| (field, messages.iter().map(|m| field_code(m)).collect()))
        .collect();
    if let Some(object) = body.as_object_mut() {
        object.insert("codes".to_owned(), json!(codes));
    }
    body
}

/// The code of a field message. The messages are the server's own (Django's and DRF's wording,
/// which reference clients may match on), so they are mapped here, once, rather than carried
/// through every service; `tests` hold every message the services send to a specific code.
pub fn field_code(message: &str) -> ErrorCode {
    const BY_PREFIX: [(&str, ErrorCode); 25] = [
        ("This field is required", ErrorCode::Required),
        ("This field may not be null", ErrorCode::NotNull),
        ("Not a valid string", ErrorCode::NotAString),
        ("This field may not be blank", ErrorCode::Blank),
        ("Ensure this field has no more than", ErrorCode::TooLong),
        ("A valid integer is required", ErrorCode::InvalidInteger),
        ("Enter a valid username", ErrorCode::InvalidUsername),
        ("Enter a valid email", ErrorCode::InvalidEmail),
        ("This password is too short", ErrorCode::PasswordTooShort),
        ("This password is too common", ErrorCode::PasswordTooCommon),
        (
            "This password is entirely numeric",
            ErrorCode::PasswordNumeric,
        ),
        ("The password is too similar", ErrorCode::PasswordTooSimilar),
        ("Password fields didn't match", ErrorCode::PasswordMismatch),
        ("A user with that username", ErrorCode::UsernameTaken),
        ("user with this email", ErrorCode::EmailTaken),
        ("Invalid pk", ErrorCode::UnknownUser),
        ("You cannot", ErrorCode::NotYourself),
        ("Unblock this person first", ErrorCode::UnblockFirst),
        ("Upload a PNG", ErrorCode::InvalidPicture),
        ("Upload a valid image", ErrorCode::InvalidPicture),
        ("The image", ErrorCode::InvalidPicture),
        ("A message lasts", ErrorCode::InvalidMessage),
        ("The message is not", ErrorCode::InvalidMessage),
        ("Only with do_not_disturb", ErrorCode::InvalidTime),
        ("Must be in the future", ErrorCode::InvalidTime),
    ];
    if message.ends_with("is not a valid choice.") {
        return ErrorCode::InvalidChoice;
    }
    BY_PREFIX
        .iter()
        .find(|(prefix, _)| message.starts_with(prefix))
        .map_or(ErrorCode::Invalid, |&(_, code)| code)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            Self::Validation(fields) => (StatusCode::BAD_REQUEST, fields_body(fields)),
            Self::BadRequest(code, message) => (StatusCode::BAD_REQUEST, detail(*code, message)),
            Self::Unauthorized(code, message) => (StatusCode::UNAUTHORIZED, detail(*code, message)),
            Self::Forbidden(code, message) => (StatusCode::FORBIDDEN, detail(*code, message)),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                detail(ErrorCode::NotFound, "Not found."),
            ),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                detail(ErrorCode::MethodNotAllowed, "Method not allowed."),
            ),
            Self::Conflict(conflict) => (StatusCode::CONFLICT, json!(conflict)),
            Self::UnsupportedMediaType(content_type) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                detail(
                    ErrorCode::UnsupportedMediaType,
                    &format!("Unsupported media type \"{content_type}\" in request."),
                ),
            ),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                detail(ErrorCode::PayloadTooLarge, "Request body is too large."),
            ),
            Self::TooManyRequests { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                detail(
                    ErrorCode::RateLimited,
                    &format!(
                        "Request was throttled. Expected available in {retry_after_secs} seconds."
                    ),
                ),
            ),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                detail(
                    ErrorCode::Unavailable,
                    "The service is temporarily unavailable. Please retry shortly.",
                ),
            ),
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    detail(ErrorCode::Internal, "Internal server error."),
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
            Self::Unauthorized(..) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field message a service sends has its own code (none falls to the generic one).
    #[test]
    fn every_field_message_of_the_services_has_a_specific_code() {
        let cases = [
            ("This field is required.", ErrorCode::Required),
            ("This field may not be null.", ErrorCode::NotNull),
            ("Not a valid string.", ErrorCode::NotAString),
            ("This field may not be blank.", ErrorCode::Blank),
            (
                "Ensure this field has no more than 150 characters.",
                ErrorCode::TooLong,
            ),
            ("A valid integer is required.", ErrorCode::InvalidInteger),
            ("\"fax\" is not a valid choice.", ErrorCode::InvalidChoice),
            (
                "Enter a valid username. This value may contain only letters, numbers, and \
                 @/./+/-/_ characters.",
                ErrorCode::InvalidUsername,
            ),
            ("Enter a valid email address.", ErrorCode::InvalidEmail),
            (
                "This password is too short. It must contain at least 8 characters.",
                ErrorCode::PasswordTooShort,
            ),
            ("This password is too common.", ErrorCode::PasswordTooCommon),
            (
                "This password is entirely numeric.",
                ErrorCode::PasswordNumeric,
            ),
            (
                "The password is too similar to the username.",
                ErrorCode::PasswordTooSimilar,
            ),
            ("Password fields didn't match.", ErrorCode::PasswordMismatch),
            (
                "A user with that username already exists.",
                ErrorCode::UsernameTaken,
            ),
            (
                "user with this email already exists.",
                ErrorCode::EmailTaken,
            ),
            (
                "Invalid pk \"9\" - object does not exist.",
                ErrorCode::UnknownUser,
            ),
            ("You cannot call yourself.", ErrorCode::NotYourself),
            ("You cannot block yourself.", ErrorCode::NotYourself),
            ("Unblock this person first.", ErrorCode::UnblockFirst),
            (
                "Upload a PNG, JPEG or WebP image.",
                ErrorCode::InvalidPicture,
            ),
            (
                "A message lasts 1 to 30000 milliseconds.",
                ErrorCode::InvalidMessage,
            ),
            ("Must be in the future.", ErrorCode::InvalidTime),
        ];
        for (message, code) in cases {
            assert_eq!(field_code(message), code, "{message}");
        }
        assert_eq!(field_code("Something new."), ErrorCode::Invalid);
    }

    #[test]
    fn field_errors_keep_drfs_shape_and_add_codes() {
        let fields = FieldErrors::from([(
            "password".to_owned(),
            vec![
                "This password is too common.".to_owned(),
                "This password is entirely numeric.".to_owned(),
            ],
        )]);
        assert_eq!(
            fields_body(&fields),
            json!({
                "password": ["This password is too common.", "This password is entirely numeric."],
                "codes": {"password": ["password_too_common", "password_numeric"]},
            })
        );
    }
}
