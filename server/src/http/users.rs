//! `/api/users/...`: registration, the caller's own record, presence and the directory.

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, State},
    http::{header, HeaderMap, StatusCode},
    Json,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use app::protocol::{PresenceStatus, User, UserPage};

use super::extract::{ApiJson, ApiQuery, AuthUser};
use crate::{error::ApiError, AppState};

pub async fn register(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = state.users.register(&body).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

pub async fn me(State(state): State<AppState>, user: AuthUser) -> Result<Json<User>, ApiError> {
    Ok(Json(state.users.me(user.id).await?))
}

pub async fn online_users(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.users.online_users(user.id).await?))
}

pub async fn set_online(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<PresenceStatus>, ApiError> {
    Ok(Json(state.users.set_presence(user.id, true).await?))
}

pub async fn set_offline(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<PresenceStatus>, ApiError> {
    Ok(Json(state.users.set_presence(user.id, false).await?))
}

#[derive(Deserialize)]
pub struct DirectoryQuery {
    #[serde(default)]
    search: String,
    #[serde(default = "first_page")]
    page: i64,
}

fn first_page() -> i64 {
    1
}

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

pub async fn delete_picture(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.users.delete_picture(user.id).await?))
}
