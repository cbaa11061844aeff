//! What the account service refuses, in its own terms. The HTTP edge maps it to
//! [`crate::error::ApiError`] (`http/users.rs`); the socket authentication matches it directly.

use crate::{error::FieldErrors, rate::RetryAfter};

/// SimpleJWT's messages, which reference clients may match on.
pub const BAD_CREDENTIALS: &str = "No active account found with the given credentials";
pub const BAD_TOKEN: &str = "Token is invalid or expired";

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// Input that fails validation: each field's messages, as DRF reports them.
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("{BAD_CREDENTIALS}")]
    BadCredentials,
    /// A refresh token that is forged, expired, revoked or already used.
    #[error("{BAD_TOKEN}")]
    BadToken,
    /// The user a valid token names no longer exists.
    #[error("User not found")]
    Gone,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// The database failed (unavailable or otherwise: the edges tell which).
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl UserError {
    /// A validation error on one field.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldErrors::from([(name.to_owned(), vec![message.into()])]))
    }
}

impl From<RetryAfter> for UserError {
    fn from(RetryAfter(retry_after_secs): RetryAfter) -> Self {
        Self::TooManyRequests { retry_after_secs }
    }
}
