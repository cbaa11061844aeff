//! `/api/contacts/`, `/api/blocks/` and `/api/users/me/privacy/`: the people a user knows and
//! who may reach them (extensions beyond the reference, in its style).

use axum::{
    extract::{FromRequestParts, Path, State},
    http::{request::Parts, StatusCode},
    Json,
};

use app::protocol::{
    AddContact, BlockUser, BlockedUser, Contact, Detail, ErrorBody, ErrorCode, PrivacySettings,
    UpdateContact, UpdatePrivacy, UserId,
};

use super::extract::{ApiJson, AuthUser};
use crate::{error::ApiError, people::PeopleError, AppState};

/// The people service's refusals as HTTP errors.
impl From<PeopleError> for ApiError {
    fn from(error: PeopleError) -> Self {
        match error {
            PeopleError::NotFound => Self::NotFound,
            PeopleError::Field { field, message } => Self::field(field, message),
            PeopleError::Limit(message) => Self::BadRequest(ErrorCode::LimitReached, message),
            PeopleError::TooManyRequests { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            PeopleError::Database(error) => error.into(),
            PeopleError::Internal(error) => Self::Internal(error),
        }
    }
}

/// The `{user_id}` of a contact or block path. Anything but a positive integer names no one:
/// 404 JSON.
pub struct UserPath(pub(super) UserId);

impl<S: Send + Sync> FromRequestParts<S> for UserPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(Self(UserId(id))),
            _ => Err(ApiError::NotFound),
        }
    }
}

/// 201 for a new entry, 200 for one that existed.
fn created_or_ok<T>(value: T, created: bool) -> (StatusCode, Json<T>) {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(value))
}

/// The caller's contacts: favourites first, then online first, then by username.
#[utoipa::path(
    get,
    path = "/contacts/",
    tag = "people",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "Every contact, presence as the caller may see it", body = Vec<Contact>),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn contacts(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Vec<Contact>>, ApiError> {
    Ok(Json(state.people.contacts(user.id).await?))
}

/// Adds a person to the caller's contacts.
#[utoipa::path(
    post,
    path = "/contacts/",
    tag = "people",
    security(("jwt" = [])),
    request_body = AddContact,
    responses(
        (status = CREATED, description = "The new contact", body = Contact),
        (status = OK, description = "Already a contact: unchanged", body = Contact),
        (status = BAD_REQUEST, description = "Oneself, an unknown or a blocked user, or MAX_CONTACTS reached", body = ErrorBody),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = TOO_MANY_REQUESTS, description = "Too many writes (PEOPLE_WRITES_PER_MINUTE); see Retry-After", body = Detail),
    )
)]
pub async fn add_contact(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<AddContact>,
) -> Result<(StatusCode, Json<Contact>), ApiError> {
    let (contact, created) = state.people.add_contact(user.id, body).await?;
    Ok(created_or_ok(contact, created))
}

/// Marks a contact favourite or not.
#[utoipa::path(
    patch,
    path = "/contacts/{user_id}/",
    tag = "people",
    security(("jwt" = [])),
    params(("user_id" = i64, Path, description = "The contact's user id")),
    request_body = UpdateContact,
    responses(
        (status = OK, description = "The contact", body = Contact),
        (status = BAD_REQUEST, description = "Invalid fields", body = ErrorBody),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = NOT_FOUND, description = "Not a contact of the caller", body = Detail),
        (status = TOO_MANY_REQUESTS, description = "Too many writes (PEOPLE_WRITES_PER_MINUTE); see Retry-After", body = Detail),
    )
)]
pub async fn update_contact(
    State(state): State<AppState>,
    user: AuthUser,
    UserPath(contact): UserPath,
    ApiJson(body): ApiJson<UpdateContact>,
) -> Result<Json<Contact>, ApiError> {
    Ok(Json(
        state.people.update_contact(user.id, contact, body).await?,
    ))
}

/// Removes a person from the caller's contacts.
#[utoipa::path(
    delete,
    path = "/contacts/{user_id}/",
    tag = "people",
    security(("jwt" = [])),
    params(("user_id" = i64, Path, description = "The contact's user id")),
    responses(
        (status = NO_CONTENT, description = "Removed"),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = NOT_FOUND, description = "Not a contact of the caller", body = Detail),
        (status = TOO_MANY_REQUESTS, description = "Too many writes (PEOPLE_WRITES_PER_MINUTE); see Retry-After", body = Detail),
    )
)]
pub async fn remove_contact(
    State(state): State<AppState>,
    user: AuthUser,
    UserPath(contact): UserPath,
) -> Result<StatusCode, ApiError> {
    state.people.remove_contact(user.id, contact).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The people the caller blocked, newest first.
#[utoipa::path(
    get,
    path = "/blocks/",
    tag = "people",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "Newest first", body = Vec<BlockedUser>),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn blocks(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Vec<BlockedUser>>, ApiError> {
    Ok(Json(state.people.blocks(user.id).await?))
}

/// Blocks a person: their calls no longer ring the caller (they see them go unanswered), they
/// cannot see the caller's presence nor find them in the directory, and they leave the caller's
/// contacts.
#[utoipa::path(
    post,
    path = "/blocks/",
    tag = "people",
    security(("jwt" = [])),
    request_body = BlockUser,
    responses(
        (status = CREATED, description = "Blocked", body = BlockedUser),
        (status = OK, description = "Already blocked: unchanged", body = BlockedUser),
        (status = BAD_REQUEST, description = "Oneself, an unknown user, or MAX_BLOCKS reached", body = ErrorBody),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = TOO_MANY_REQUESTS, description = "Too many writes (PEOPLE_WRITES_PER_MINUTE); see Retry-After", body = Detail),
    )
)]
pub async fn block(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<BlockUser>,
) -> Result<(StatusCode, Json<BlockedUser>), ApiError> {
    let (blocked, created) = state.people.block(user.id, body).await?;
    Ok(created_or_ok(blocked, created))
}

/// Unblocks a person.
#[utoipa::path(
    delete,
    path = "/blocks/{user_id}/",
    tag = "people",
    security(("jwt" = [])),
    params(("user_id" = i64, Path, description = "The blocked user's id")),
    responses(
        (status = NO_CONTENT, description = "Unblocked"),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = NOT_FOUND, description = "Not blocked by the caller", body = Detail),
        (status = TOO_MANY_REQUESTS, description = "Too many writes (PEOPLE_WRITES_PER_MINUTE); see Retry-After", body = Detail),
    )
)]
pub async fn unblock(
    State(state): State<AppState>,
    user: AuthUser,
    UserPath(blocked): UserPath,
) -> Result<StatusCode, ApiError> {
    state.people.unblock(user.id, blocked).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who may ring the caller and see their presence, and do-not-disturb.
#[utoipa::path(
    get,
    path = "/users/me/privacy/",
    tag = "people",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "The settings in effect now", body = PrivacySettings),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
    )
)]
pub async fn privacy(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<PrivacySettings>, ApiError> {
    Ok(Json(state.people.privacy(user.id).await?))
}

/// Changes the fields present; every tab of the caller gets `privacy-changed`.
#[utoipa::path(
    patch,
    path = "/users/me/privacy/",
    tag = "people",
    security(("jwt" = [])),
    request_body = UpdatePrivacy,
    responses(
        (status = OK, description = "The settings now", body = PrivacySettings),
        (status = BAD_REQUEST, description = "Invalid fields; `do_not_disturb_until` in the past or without `do_not_disturb: true`", body = ErrorBody),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = TOO_MANY_REQUESTS, description = "Too many writes (PEOPLE_WRITES_PER_MINUTE); see Retry-After", body = Detail),
    )
)]
pub async fn update_privacy(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<UpdatePrivacy>,
) -> Result<Json<PrivacySettings>, ApiError> {
    Ok(Json(state.people.update_privacy(user.id, body).await?))
}
