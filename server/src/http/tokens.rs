//! `/api/token/...`: sign-in, refresh-token rotation and sign-out.

use axum::{extract::State, Json};

use app::protocol::{Credentials, Detail, ErrorBody, RefreshRequest, TokenPair};

use super::extract::{ApiJson, ClientIp};
use crate::{error::ApiError, AppState};

/// Signs in: an access and a refresh token.
#[utoipa::path(
    post,
    path = "/token/",
    tag = "auth",
    request_body = Credentials,
    responses(
        (status = OK, description = "Signed in", body = TokenPair),
        (status = BAD_REQUEST, description = "Malformed body or missing fields", body = ErrorBody),
        (status = UNAUTHORIZED, description = "Unknown user or wrong password", body = Detail),
        (status = PAYLOAD_TOO_LARGE, description = "Body over 64 KiB", body = Detail),
        (status = UNSUPPORTED_MEDIA_TYPE, description = "Body is not JSON", body = Detail),
        (status = TOO_MANY_REQUESTS, description = "Too many attempts for this username or address",
            body = Detail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn obtain(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<Json<TokenPair>, ApiError> {
    let pair = state
        .users
        .login(&credentials.username, &credentials.password, ip)
        .await?;
    Ok(Json(pair))
}

/// Rotates a refresh token: a new pair. Reusing a rotated token revokes its whole family.
#[utoipa::path(
    post,
    path = "/token/refresh/",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = OK, description = "A new pair", body = TokenPair),
        (status = BAD_REQUEST, description = "Malformed body or missing fields", body = ErrorBody),
        (status = UNAUTHORIZED, description = "Invalid, expired, revoked or reused token", body = Detail),
        (status = PAYLOAD_TOO_LARGE, description = "Body over 64 KiB", body = Detail),
        (status = UNSUPPORTED_MEDIA_TYPE, description = "Body is not JSON", body = Detail),
    )
)]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    Ok(Json(state.users.refresh(&request.refresh).await?))
}

/// Signs out: revokes the refresh token's family.
#[utoipa::path(
    post,
    path = "/token/logout/",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = OK, description = "Signed out", body = Detail),
        (status = BAD_REQUEST, description = "Malformed body or missing fields", body = ErrorBody),
        (status = UNAUTHORIZED, description = "Invalid or expired token", body = Detail),
        (status = PAYLOAD_TOO_LARGE, description = "Body over 64 KiB", body = Detail),
        (status = UNSUPPORTED_MEDIA_TYPE, description = "Body is not JSON", body = Detail),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<Detail>, ApiError> {
    state.users.logout(&request.refresh).await?;
    Ok(Json(Detail {
        detail: "Signed out.".into(),
        code: None,
    }))
}
