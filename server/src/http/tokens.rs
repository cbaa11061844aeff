//! `/api/token/...`: sign-in, refresh-token rotation and sign-out.

use axum::{extract::State, Json};

use app::protocol::{Credentials, Detail, RefreshRequest, TokenPair};

use super::extract::{ApiJson, ClientIp};
use crate::{error::ApiError, AppState};

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

pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    Ok(Json(state.users.refresh(&request.refresh).await?))
}

pub async fn logout(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<Detail>, ApiError> {
    state.users.logout(&request.refresh).await?;
    Ok(Json(Detail {
        detail: "Signed out.".into(),
    }))
}
