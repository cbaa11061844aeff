//! Extractors whose rejections are our DRF-shaped errors: JSON bodies, query strings, the
//! authenticated user and the client address.

use std::net::{IpAddr, SocketAddr};

use axum::{
    body::Bytes,
    extract::{
        rejection::{BytesRejection, FailedToBufferBody},
        ConnectInfo, FromRequest, FromRequestParts, Request,
    },
    http::{header, request::Parts},
};
use serde::de::DeserializeOwned;

use app::protocol::{ErrorCode, UserId};

use crate::{auth::jwt::TokenType, error::ApiError, AppState};

/// A JSON body. Malformed JSON is a 400 with DRF's "JSON parse error", wrong or missing fields a
/// 400 naming the field, another content type a 415, an oversized body a 413. An empty body
/// counts as `{}`, as in DRF, so a bare POST gets "This field is required." errors.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
                        ApiError::PayloadTooLarge
                    }
                    other => ApiError::BadRequest(ErrorCode::ParseError, other.body_text()),
                })?;
        let empty = bytes.iter().all(u8::is_ascii_whitespace);
        match content_type {
            Some(ct) if is_json(&ct) => {}
            None if empty => {}
            Some(ct) if empty && ct.is_empty() => {}
            other => {
                return Err(ApiError::UnsupportedMediaType(other.unwrap_or_default()));
            }
        }
        let bytes: &[u8] = if empty { b"{}" } else { &bytes };
        parse_json(bytes).map(ApiJson)
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Deserializes and turns serde's error into a DRF-shaped one naming the offending field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let inner = error.inner();
        if !inner.is_data() {
            return ApiError::BadRequest(
                ErrorCode::ParseError,
                format!("JSON parse error - {inner}"),
            );
        }
        let message = inner.to_string();
        let message = message.split(" at line ").next().unwrap_or_default();
        let path = error.path().to_string();
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            let field = if path == "." {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            };
            return ApiError::field(&field, "This field is required.");
        }
        if path == "." {
            return ApiError::field(
                "non_field_errors",
                "Invalid data. Expected a dictionary, but got another type.",
            );
        }
        ApiError::field(&path, field_message(message))
    })?;
    deserializer.end().map_err(|error| {
        ApiError::BadRequest(ErrorCode::ParseError, format!("JSON parse error - {error}"))
    })?;
    Ok(value)
}

/// DRF's wording for the common serde complaints.
fn field_message(serde_message: &str) -> String {
    if let Some(variant) = serde_message
        .strip_prefix("unknown variant `")
        .and_then(|rest| rest.split('`').next())
    {
        return format!("\"{variant}\" is not a valid choice.");
    }
    if serde_message.starts_with("invalid type: null") {
        return "This field may not be null.".into();
    }
    if serde_message.ends_with("expected a string") {
        return "Not a valid string.".into();
    }
    if serde_message.ends_with("expected i64") || serde_message.ends_with("expected u64") {
        return "A valid integer is required.".into();
    }
    if serde_message.ends_with("expected a boolean") {
        return "Must be a valid boolean.".into();
    }
    "Invalid value.".into()
}

/// A query string; bad values are a 400 rather than axum's plain-text rejection.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(ApiQuery)
            .map_err(|error| {
                ApiError::BadRequest(
                    ErrorCode::ParseError,
                    format!("Invalid query parameters: {error}"),
                )
            })
    }
}

/// The user a valid access token names. A handler that takes `AuthUser` is authenticated by its
/// signature; verifying costs no database query.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub id: UserId,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    ErrorCode::NotAuthenticated,
                    "Authentication credentials were not provided.".into(),
                )
            })?;
        let token = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    ErrorCode::NotAuthenticated,
                    "Authentication credentials were not provided.".into(),
                )
            })?;
        let claims = state
            .users
            .tokens()
            .verify(token, TokenType::Access)
            .map_err(|_| {
                ApiError::Unauthorized(
                    ErrorCode::TokenNotValid,
                    "Given token not valid for any token type".into(),
                )
            })?;
        Ok(Self { id: claims.user_id })
    }
}

/// The client's address: the peer of the connection, or whom a trusted proxy forwarded for
/// ([`super::client_ip`]).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
        Ok(Self(state.proxies.client_ip(peer, &parts.headers)))
    }
}
