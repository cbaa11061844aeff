//! `/api/users/...`: registration, the caller's own record, presence and the directory.

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, Path, State},
    http::{header, HeaderMap, StatusCode},
    response::IntoResponse,
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;

use app::protocol::{Detail, ErrorBody, ErrorCode, PresenceStatus, Register, User, UserPage};

use super::extract::{ApiJson, ApiQuery, AuthUser, ClientIp};
use crate::{
    error::ApiError,
    users::{validation::RegistrationForm, UserError},
    AppState,
};

/// The account service's refusals as HTTP errors (DRF's shapes, SimpleJWT's messages).
impl From<UserError> for ApiError {
    fn from(error: UserError) -> Self {
        match error {
            UserError::Invalid(fields) => Self::Validation(fields),
            UserError::BadCredentials => {
                Self::Unauthorized(ErrorCode::InvalidCredentials, error.to_string())
            }
            UserError::BadToken => Self::Unauthorized(ErrorCode::TokenNotValid, error.to_string()),
            UserError::Gone => Self::Unauthorized(ErrorCode::UserNotFound, error.to_string()),
            UserError::TooManyRequests { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            UserError::Database(error) => error.into(),
            UserError::Internal(error) => Self::Internal(error),
        }
    }
}

/// Registers an account with Django's username and password validators.
#[utoipa::path(
    post,
    path = "/users/",
    tag = "users",
    request_body = Register,
    responses(
        (status = CREATED, description = "The new user, with email", body = User),
        (status = BAD_REQUEST, description = "Invalid or taken fields", body = ErrorBody),
        (status = PAYLOAD_TOO_LARGE, description = "Body over 64 KiB", body = Detail),
        (status = TOO_MANY_REQUESTS, description = "Too many sign-ups from this address (SIGNUPS_PER_IP_PER_HOUR); see Retry-After", body = Detail),
        (status = UNSUPPORTED_MEDIA_TYPE, description = "Body is not JSON", body = Detail),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(form): ApiJson<RegistrationForm>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = state.users.register(form, ip).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// The caller's own record, with email.
#[utoipa::path(
    get,
    path = "/users/me/",
    tag = "users",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "The caller", body = User),
        (status = UNAUTHORIZED, description = "No valid access token, or the user is gone", body = Detail),
    )
)]
pub async fn me(State(state): State<AppState>, user: AuthUser) -> Result<Json<User>, ApiError> {
    Ok(Json(state.users.me(user.id).await?))
}

/// Online users other than the caller.
#[utoipa::path(
    get,
    path = "/users/online_users/",
    tag = "users",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "Online users, without email", body = Vec<User>),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn online_users(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.users.online_users(user.id).await?))
}

#[utoipa::path(
    post,
    path = "/users/set_online/",
    tag = "users",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "`{\"status\": \"online\"}`", body = PresenceStatus),
        (status = UNAUTHORIZED, description = "No valid access token, or the user is gone", body = Detail),
    )
)]
pub async fn set_online(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<PresenceStatus>, ApiError> {
    Ok(Json(state.users.set_presence(user.id, true).await?))
}

#[utoipa::path(
    post,
    path = "/users/set_offline/",
    tag = "users",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "`{\"status\": \"offline\"}`", body = PresenceStatus),
        (status = UNAUTHORIZED, description = "No valid access token, or the user is gone", body = Detail),
    )
)]
pub async fn set_offline(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<PresenceStatus>, ApiError> {
    Ok(Json(state.users.set_presence(user.id, false).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Part of a username, case-insensitive; at most 150 characters.
    #[serde(default)]
    search: String,
    /// 1-based page number.
    #[serde(default = "first_page")]
    page: i64,
}

fn first_page() -> i64 {
    1
}

/// The directory for contacts: paginated, online first, without the caller.
#[utoipa::path(
    get,
    path = "/users/",
    tag = "users",
    security(("jwt" = [])),
    params(DirectoryQuery),
    responses(
        (status = OK, description = "One page of users", body = UserPage),
        (status = BAD_REQUEST, description = "Invalid query parameters", body = ErrorBody),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn directory(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<DirectoryQuery>,
) -> Result<Json<UserPage>, ApiError> {
    if query.search.chars().count() > 150 {
        return Err(ApiError::field(
            "search",
            "Ensure this field has no more than 150 characters.",
        ));
    }
    Ok(Json(
        state
            .users
            .directory(user.id, &query.search, query.page)
            .await?,
    ))
}

/// `PUT /api/users/me/picture/` with the image as the body (`Content-Type: image/png`,
/// `image/jpeg` or `image/webp`).
#[utoipa::path(
    put,
    path = "/users/me/picture/",
    tag = "users",
    security(("jwt" = [])),
    // No schema: in OpenAPI 3.1 a media type alone describes raw bytes.
    request_body(
        description = "The image; stored as a re-encoded PNG thumbnail",
        content(("image/png"), ("image/jpeg"), ("image/webp"))
    ),
    responses(
        (status = OK, description = "The caller with the new picture", body = User),
        (status = BAD_REQUEST, description = "Not an image of those types (`profile_picture` errors)",
            body = ErrorBody),
        (status = UNAUTHORIZED, description = "No valid access token, or the user is gone", body = Detail),
        (status = PAYLOAD_TOO_LARGE, description = "Image over 5 MiB", body = Detail),
        (status = TOO_MANY_REQUESTS, description = "Too many uploads (PICTURE_UPLOADS_PER_HOUR); see Retry-After", body = Detail),
    )
)]
pub async fn upload_picture(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<User>, ApiError> {
    let body = body.map_err(|_| ApiError::PayloadTooLarge)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    Ok(Json(
        state.users.set_picture(user.id, content_type, body).await?,
    ))
}

/// Removes the caller's picture.
#[utoipa::path(
    delete,
    path = "/users/me/picture/",
    tag = "users",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "The caller without a picture", body = User),
        (status = UNAUTHORIZED, description = "No valid access token, or the user is gone", body = Detail),
    )
)]
pub async fn delete_picture(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.users.delete_picture(user.id).await?))
}

/// A profile picture by the name in its URL: our own PNG (served with nosniff like every
/// response). A new upload gets a new name, so a picture never changes under its URL.
pub async fn picture(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let png = state
        .users
        .picture(&name)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        png,
    ))
}
