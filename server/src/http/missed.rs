//! When nobody answers (issue 23): `/api/calls/{id}/message/` (the message a caller leaves on a
//! call that went unanswered), `/api/calls/messages/` and `/api/availability/` ("tell me when
//! they are free"). Extensions beyond the reference, in its style.

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, State},
    http::{header, HeaderMap, StatusCode},
    response::IntoResponse,
    Json,
};

use app::protocol::{
    message_content_type, AvailabilityRequest, CallConflict, CallMessage, Detail, ErrorBody,
    MessageQuery, WatchAvailability,
};

use super::{
    calls::CallPath,
    extract::{ApiJson, ApiQuery, AuthUser},
    people::UserPath,
};
use crate::{calls::messages::Recording, error::ApiError, AppState};

/// `PUT` with the recording as the body (`Content-Type: audio/webm` or `video/webm`, codecs
/// allowed) and its length as `?duration_ms=`.
#[utoipa::path(
    put,
    path = "/calls/{id}/message/",
    tag = "calls",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The call's id"), MessageQuery),
    // No schema: in OpenAPI 3.1 a media type alone describes raw bytes.
    request_body(
        description = "The WebM recording (MediaRecorder), at most 30 s and 2 MiB",
        content(("audio/webm"), ("video/webm"))
    ),
    responses(
        (status = CREATED, description = "The message; the receiver's tabs get `call-message`", body = CallMessage),
        (status = BAD_REQUEST, description = "`duration_ms` not 1 to 30000, or the body is not WebM", body = ErrorBody),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = FORBIDDEN, description = "Only the caller can leave a message", body = Detail),
        (status = NOT_FOUND, description = "No such call, or the caller is not a party of it", body = Detail),
        (status = CONFLICT, description = "The call did not go unanswered (it is live, was answered or cancelled), or has its message already", body = CallConflict),
        (status = PAYLOAD_TOO_LARGE, description = "Over 2 MiB, or larger than its duration allows", body = Detail),
        (status = UNSUPPORTED_MEDIA_TYPE, description = "Not audio/webm or video/webm", body = Detail),
    )
)]
pub async fn leave_message(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
    ApiQuery(query): ApiQuery<MessageQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CallMessage>), ApiError> {
    let header = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let content_type = message_content_type(header)
        .ok_or_else(|| ApiError::UnsupportedMediaType(header.to_owned()))?;
    let content = body.map_err(|_| ApiError::PayloadTooLarge)?;
    let recording = Recording {
        content_type,
        duration_ms: query.duration_ms,
        content,
    };
    let message = state.calls.leave_message(user.id, id, recording).await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// The recording itself, to either party of the call.
#[utoipa::path(
    get,
    path = "/calls/{id}/message/",
    tag = "calls",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The call's id")),
    responses(
        (status = OK, description = "The recording, as its stored content type, with nosniff",
            content(("audio/webm"), ("video/webm"))),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = NOT_FOUND, description = "No message, no such call, or not a party of it", body = Detail),
    )
)]
pub async fn message(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<impl IntoResponse, ApiError> {
    let (content_type, content) = state.calls.message_content(user.id, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            // Every response has nosniff already; this one must never be sniffed.
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            // Opened as a page, it runs nothing.
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_owned()),
        ],
        content,
    ))
}

/// The receiver has heard the message.
#[utoipa::path(
    post,
    path = "/calls/{id}/message/heard/",
    tag = "calls",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The call's id")),
    responses(
        (status = OK, description = "The message, with `heard_at`", body = CallMessage),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = FORBIDDEN, description = "Only the receiver marks it heard", body = Detail),
        (status = NOT_FOUND, description = "No message, no such call, or not a party of it", body = Detail),
    )
)]
pub async fn message_heard(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
) -> Result<Json<CallMessage>, ApiError> {
    Ok(Json(state.calls.mark_message_heard(user.id, id).await?))
}

/// The messages left for the caller, newest first (at most 200).
#[utoipa::path(
    get,
    path = "/calls/messages/",
    tag = "calls",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "Newest first, without their content", body = Vec<CallMessage>),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn messages(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Vec<CallMessage>>, ApiError> {
    Ok(Json(state.calls.messages_for(user.id).await?))
}

/// Tell me when this person is free: online, in no call, without do-not-disturb.
#[utoipa::path(
    post,
    path = "/availability/",
    tag = "people",
    security(("jwt" = [])),
    request_body = WatchAvailability,
    responses(
        (status = CREATED, description = "Open (or renewed) for a day; fires once as `user-available`. Someone who hides their presence from the caller is accepted the same way and never fires", body = AvailabilityRequest),
        (status = BAD_REQUEST, description = "Oneself or an unknown user", body = ErrorBody),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = TOO_MANY_REQUESTS, description = "Already 5 open (MAX_OPEN_AVAILABILITY); Retry-After until the oldest expires", body = Detail),
    )
)]
pub async fn watch(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<WatchAvailability>,
) -> Result<(StatusCode, Json<AvailabilityRequest>), ApiError> {
    let request = state
        .people
        .watch_availability(user.id, body.user_id)
        .await?;
    Ok((StatusCode::CREATED, Json(request)))
}

/// The caller's open requests, oldest first.
#[utoipa::path(
    get,
    path = "/availability/",
    tag = "people",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "Open requests", body = Vec<AvailabilityRequest>),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn watching(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Vec<AvailabilityRequest>>, ApiError> {
    Ok(Json(state.people.availability_requests(user.id).await?))
}

/// Withdraws a request.
#[utoipa::path(
    delete,
    path = "/availability/{user_id}/",
    tag = "people",
    security(("jwt" = [])),
    params(("user_id" = i64, Path, description = "The person asked about")),
    responses(
        (status = NO_CONTENT, description = "Withdrawn"),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = NOT_FOUND, description = "No open request about them", body = Detail),
    )
)]
pub async fn unwatch(
    State(state): State<AppState>,
    user: AuthUser,
    UserPath(target): UserPath,
) -> Result<StatusCode, ApiError> {
    state.people.forget_availability(user.id, target).await?;
    Ok(StatusCode::NO_CONTENT)
}
