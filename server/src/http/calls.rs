//! `/api/calls/...`: starting calls, acting on them and the listings.

use axum::{
    extract::{FromRequestParts, Path, State},
    http::{request::Parts, StatusCode},
    Json,
};
use serde::Deserialize;

use app::protocol::{Call, CallId, MissedCount, StartCall};

use super::extract::{ApiJson, ApiQuery, AuthUser};
use crate::{
    calls::{Paging, Started},
    db::calls::CallFilter,
    error::ApiError,
    AppState,
};

/// The `{id}` of a call path. Anything but a positive integer names no call: 404 JSON, not
/// axum's plain-text 400.
pub struct CallPath(CallId);

impl<S: Send + Sync> FromRequestParts<S> for CallPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(Self(CallId(id))),
            _ => Err(ApiError::NotFound),
        }
    }
}

/// `?limit=` (default 50, at most 200) and `?before=<id>` (keyset paging, newest first).
#[derive(Deserialize)]
pub struct PageQuery {
    limit: Option<i64>,
    before: Option<i64>,
}

impl From<PageQuery> for Paging {
    fn from(query: PageQuery) -> Self {
        Self {
            limit: query.limit,
            before: query.before.map(CallId),
        }
    }
}

/// 201 with the new call; 200 with the existing one on glare (the receiver was already calling).
pub async fn start(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<StartCall>,
) -> Result<(StatusCode, Json<Call>), ApiError> {
    Ok(match state.calls.start(user.id, body).await? {
        Started::Created(call) => (StatusCode::CREATED, Json(call)),
        Started::Existing(call) => (StatusCode::OK, Json(call)),
    })
}

pub async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.get(user.id, id).await?))
}

async fn listing(
    state: &AppState,
    user: AuthUser,
    filter: CallFilter,
    query: PageQuery,
) -> Result<Json<Vec<Call>>, ApiError> {
    Ok(Json(state.calls.list(user.id, filter, query.into()).await?))
}

pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Vec<Call>>, ApiError> {
    listing(&state, user, CallFilter::All, query).await
}

pub async fn history(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Vec<Call>>, ApiError> {
    listing(&state, user, CallFilter::History, query).await
}

pub async fn active(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Vec<Call>>, ApiError> {
    listing(&state, user, CallFilter::Active, query).await
}

pub async fn missed(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Vec<Call>>, ApiError> {
    listing(&state, user, CallFilter::Missed, query).await
}

pub async fn missed_count(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<MissedCount>, ApiError> {
    Ok(Json(state.calls.missed_count(user.id).await?))
}

pub async fn missed_seen(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<MissedCount>, ApiError> {
    Ok(Json(state.calls.mark_missed_seen(user.id).await?))
}

pub async fn accept(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.accept(user.id, id).await?))
}

pub async fn reject(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.reject(user.id, id).await?))
}

pub async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.cancel(user.id, id).await?))
}

pub async fn end(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.end(user.id, id).await?))
}

pub async fn ringing(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.ringing(user.id, id).await?))
}
