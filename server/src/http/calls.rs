//! `/api/calls/...`: starting calls, acting on them and the listings.

use axum::{
    extract::{FromRequestParts, Path, State},
    http::{request::Parts, StatusCode},
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;

use app::protocol::{
    Call, CallConflict, CallId, Detail, ErrorBody, ErrorCode, MissedCount, StartCall,
};

use super::extract::{ApiJson, ApiQuery, AuthUser};
use crate::{
    calls::{CallError, Paging, Started},
    db::calls::CallFilter,
    error::ApiError,
    AppState,
};

/// The call service's refusals as HTTP errors (DRF's shapes: `detail`, or the field's messages).
impl From<CallError> for ApiError {
    fn from(error: CallError) -> Self {
        match error {
            CallError::NotFound => Self::NotFound,
            CallError::Forbidden(message) => Self::Forbidden(ErrorCode::NotYourRole, message),
            CallError::Conflict { ref call, .. } => Self::Conflict(Box::new(CallConflict {
                detail: error.detail(),
                code: Some(ErrorCode::CallChanged),
                call: (**call).clone(),
                reason: None,
            })),
            CallError::Busy { call, reason } => Self::Conflict(Box::new(CallConflict {
                detail: "busy".to_owned(),
                code: Some(ErrorCode::Busy),
                call: *call,
                reason,
            })),
            CallError::MessageExists { ref call } => Self::Conflict(Box::new(CallConflict {
                detail: error.detail(),
                code: Some(ErrorCode::MessageExists),
                call: (**call).clone(),
                reason: None,
            })),
            CallError::Report { ref call, .. } => Self::Conflict(Box::new(CallConflict {
                detail: error.detail(),
                code: Some(ErrorCode::ReportRefused),
                call: (**call).clone(),
                reason: None,
            })),
            CallError::MessageTooLarge => Self::PayloadTooLarge,
            CallError::Field { field, message } => Self::field(field, message),
            CallError::TooManyRequests { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            CallError::Database(error) => error.into(),
            CallError::Internal(error) => Self::Internal(error),
        }
    }
}

/// The `{id}` of a call path. Anything but a positive integer names no call: 404 JSON, not
/// axum's plain-text 400.
pub struct CallPath(pub(super) CallId);

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
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// How many calls, 1 to 200; 50 if absent.
    limit: Option<i64>,
    /// Only calls with a smaller id: the last id of the previous page.
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
#[utoipa::path(
    post,
    path = "/calls/",
    tag = "calls",
    security(("jwt" = [])),
    request_body = StartCall,
    responses(
        (status = CREATED, description = "The new call; the receiver's devices ring", body = Call),
        (status = OK, description = "Glare: the receiver's call to the caller, still ringing", body = Call),
        (status = BAD_REQUEST, description = "Invalid fields, an unknown receiver or oneself", body = ErrorBody),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = CONFLICT, description = "`busy`: either party is in a live call; recorded as missed", body = CallConflict),
        (status = TOO_MANY_REQUESTS, description = "Too many calls started by this user (CALL_STARTS_PER_MINUTE) or to this person (CALL_STARTS_PER_PAIR_PER_HOUR); nothing rings and nothing is recorded; see Retry-After", body = Detail),
        (status = PAYLOAD_TOO_LARGE, description = "Body over 64 KiB", body = Detail),
        (status = UNSUPPORTED_MEDIA_TYPE, description = "Body is not JSON", body = Detail),
    )
)]
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

/// One call of the caller's.
#[utoipa::path(
    get,
    path = "/calls/{id}/",
    tag = "calls",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The call's id")),
    responses(
        (status = OK, description = "The call", body = Call),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = NOT_FOUND, description = "No such call, or the caller is not a party of it", body = Detail),
    )
)]
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

/// Every call the caller made or received.
#[utoipa::path(
    get,
    path = "/calls/",
    tag = "calls",
    security(("jwt" = [])),
    params(PageQuery),
    responses(
        (status = OK, description = "Newest first", body = Vec<Call>),
        (status = BAD_REQUEST, description = "Invalid query parameters", body = Detail),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Vec<Call>>, ApiError> {
    listing(&state, user, CallFilter::All, query).await
}

/// Finished calls: ended, rejected, missed, cancelled.
#[utoipa::path(
    get,
    path = "/calls/history/",
    tag = "calls",
    security(("jwt" = [])),
    params(PageQuery),
    responses(
        (status = OK, description = "Newest first", body = Vec<Call>),
        (status = BAD_REQUEST, description = "Invalid query parameters", body = Detail),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn history(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Vec<Call>>, ApiError> {
    listing(&state, user, CallFilter::History, query).await
}

/// Live calls: initiated, ringing, accepted.
#[utoipa::path(
    get,
    path = "/calls/active/",
    tag = "calls",
    security(("jwt" = [])),
    params(PageQuery),
    responses(
        (status = OK, description = "Newest first", body = Vec<Call>),
        (status = BAD_REQUEST, description = "Invalid query parameters", body = Detail),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn active(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Vec<Call>>, ApiError> {
    listing(&state, user, CallFilter::Active, query).await
}

/// Calls the caller received and missed.
#[utoipa::path(
    get,
    path = "/calls/missed/",
    tag = "calls",
    security(("jwt" = [])),
    params(PageQuery),
    responses(
        (status = OK, description = "Newest first", body = Vec<Call>),
        (status = BAD_REQUEST, description = "Invalid query parameters", body = Detail),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn missed(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Vec<Call>>, ApiError> {
    listing(&state, user, CallFilter::Missed, query).await
}

/// Unseen missed calls, for the badge.
#[utoipa::path(
    get,
    path = "/calls/missed/count/",
    tag = "calls",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "The count", body = MissedCount),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn missed_count(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<MissedCount>, ApiError> {
    Ok(Json(state.calls.missed_count(user.id).await?))
}

/// Marks every missed call seen.
#[utoipa::path(
    post,
    path = "/calls/missed/seen/",
    tag = "calls",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "The count left: 0 unless one just arrived", body = MissedCount),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn missed_seen(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<MissedCount>, ApiError> {
    Ok(Json(state.calls.mark_missed_seen(user.id).await?))
}

/// The receiver answers.
#[utoipa::path(
    post,
    path = "/calls/{id}/accept/",
    tag = "calls",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The call's id")),
    responses(
        (status = OK, description = "The call as it is now", body = Call),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = FORBIDDEN, description = "Only the receiver can accept", body = Detail),
        (status = NOT_FOUND, description = "No such call, or the caller is not a party of it", body = Detail),
        (status = CONFLICT, description = "The call had moved on: why, and the call as it is now", body = CallConflict),
    )
)]
pub async fn accept(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.accept(user.id, id).await?))
}

/// The receiver declines.
#[utoipa::path(
    post,
    path = "/calls/{id}/reject/",
    tag = "calls",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The call's id")),
    responses(
        (status = OK, description = "The call as it is now", body = Call),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = FORBIDDEN, description = "Only the receiver can reject", body = Detail),
        (status = NOT_FOUND, description = "No such call, or the caller is not a party of it", body = Detail),
        (status = CONFLICT, description = "The call had moved on: why, and the call as it is now", body = CallConflict),
    )
)]
pub async fn reject(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.reject(user.id, id).await?))
}

/// The caller gives up before an answer.
#[utoipa::path(
    post,
    path = "/calls/{id}/cancel/",
    tag = "calls",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The call's id")),
    responses(
        (status = OK, description = "The call as it is now", body = Call),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = FORBIDDEN, description = "Only the caller can cancel", body = Detail),
        (status = NOT_FOUND, description = "No such call, or the caller is not a party of it", body = Detail),
        (status = CONFLICT, description = "The call had moved on: why, and the call as it is now", body = CallConflict),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.cancel(user.id, id).await?))
}

/// Hangs up: either party, in any live state.
#[utoipa::path(
    post,
    path = "/calls/{id}/end/",
    tag = "calls",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The call's id")),
    responses(
        (status = OK, description = "The call as it is now", body = Call),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = NOT_FOUND, description = "No such call, or the caller is not a party of it", body = Detail),
        (status = CONFLICT, description = "The call had moved on: why, and the call as it is now", body = CallConflict),
    )
)]
pub async fn end(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.end(user.id, id).await?))
}

/// The receiver's device reports it is ringing.
#[utoipa::path(
    post,
    path = "/calls/{id}/ringing/",
    tag = "calls",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The call's id")),
    responses(
        (status = OK, description = "The call as it is now", body = Call),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = FORBIDDEN, description = "Only the receiver can report ringing", body = Detail),
        (status = NOT_FOUND, description = "No such call, or the caller is not a party of it", body = Detail),
        (status = CONFLICT, description = "The call had moved on: why, and the call as it is now", body = CallConflict),
    )
)]
pub async fn ringing(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(state.calls.ringing(user.id, id).await?))
}
