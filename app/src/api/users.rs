//! `/api/users/...` and `/api/token/...`: accounts, the directory, the session's tokens.

use super::{delete, get, post, ApiFailure};
use crate::protocol::{Credentials, Detail, RefreshRequest, Register, TokenPair, User, UserPage};

pub async fn me() -> Result<User, ApiFailure> {
    get("/api/users/me/").await
}

pub async fn register(form: &Register) -> Result<User, ApiFailure> {
    post("/api/users/", form).await
}

/// The directory for contacts (online first), filtered by `search`.
pub async fn directory(search: &str) -> Result<UserPage, ApiFailure> {
    get(&format!("/api/users/?search={}", encode_component(search))).await
}

/// A new token pair for a username and password.
pub async fn sign_in(credentials: &Credentials) -> Result<TokenPair, ApiFailure> {
    post("/api/token/", credentials).await
}

/// Revokes the sign-in that `refresh` belongs to.
pub async fn sign_out(refresh: String) -> Result<Detail, ApiFailure> {
    post("/api/token/logout/", &RefreshRequest { refresh }).await
}

/// Replaces the profile picture with an image file.
#[cfg(feature = "hydrate")]
pub async fn set_picture(file: &web_sys::Blob) -> Result<User, ApiFailure> {
    super::put_bytes("/api/users/me/picture/", file).await
}

pub async fn remove_picture() -> Result<User, ApiFailure> {
    delete("/api/users/me/picture/").await
}

/// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay).
fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(super::encode_component("a b&c=é"), "a%20b%26c%3D%C3%A9");
    }
}
