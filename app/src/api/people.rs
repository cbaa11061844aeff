//! `/api/contacts/`, `/api/blocks/` and `/api/users/me/privacy/`: the people a user knows and
//! who may reach them.

use super::{delete, get, patch, post, ApiFailure};
use crate::protocol::{
    AddContact, BlockUser, BlockedUser, Contact, PrivacySettings, UpdateContact, UpdatePrivacy,
    UserId,
};

/// My contacts: favourites first, then online, then by username.
pub async fn contacts() -> Result<Vec<Contact>, ApiFailure> {
    get("/api/contacts/").await
}

/// Adds a contact (the existing one if already added); 400 for myself or someone I blocked.
pub async fn add_contact(user_id: UserId) -> Result<Contact, ApiFailure> {
    post(
        "/api/contacts/",
        &AddContact {
            user_id,
            is_favourite: false,
        },
    )
    .await
}

pub async fn set_favourite(user_id: UserId, is_favourite: bool) -> Result<Contact, ApiFailure> {
    patch(
        &format!("/api/contacts/{user_id}/"),
        &UpdateContact { is_favourite },
    )
    .await
}

pub async fn remove_contact(user_id: UserId) -> Result<(), ApiFailure> {
    delete(&format!("/api/contacts/{user_id}/")).await
}

/// The people I blocked, newest first.
pub async fn blocks() -> Result<Vec<BlockedUser>, ApiFailure> {
    get("/api/blocks/").await
}

/// Blocks someone (also removes them from my contacts).
pub async fn block(user_id: UserId) -> Result<BlockedUser, ApiFailure> {
    post("/api/blocks/", &BlockUser { user_id }).await
}

pub async fn unblock(user_id: UserId) -> Result<(), ApiFailure> {
    delete(&format!("/api/blocks/{user_id}/")).await
}

pub async fn privacy() -> Result<PrivacySettings, ApiFailure> {
    get("/api/users/me/privacy/").await
}

/// Changes the given settings; the answer is all of them as they are now.
pub async fn update_privacy(update: &UpdatePrivacy) -> Result<PrivacySettings, ApiFailure> {
    patch("/api/users/me/privacy/", update).await
}
