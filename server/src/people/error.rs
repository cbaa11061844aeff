//! What the people service refuses, in its own terms; `http/people.rs` maps it to HTTP once.

use crate::rate::RetryAfter;

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    /// Not a contact (or not blocked) of the user.
    #[error("not found")]
    NotFound,
    /// A field of the request is invalid.
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// A per-user bound ([`super::MAX_CONTACTS`], [`super::MAX_BLOCKS`]) is reached.
    #[error("{0}")]
    Limit(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<RetryAfter> for PeopleError {
    fn from(RetryAfter(retry_after_secs): RetryAfter) -> Self {
        Self::TooManyRequests { retry_after_secs }
    }
}

impl From<crate::calls::CallError> for PeopleError {
    fn from(error: crate::calls::CallError) -> Self {
        use crate::calls::CallError;
        match error {
            CallError::Database(error) => Self::Database(error),
            other => Self::Internal(anyhow::anyhow!(other)),
        }
    }
}

impl PeopleError {
    pub(super) fn field(field: &'static str, message: impl Into<String>) -> Self {
        Self::Field {
            field,
            message: message.into(),
        }
    }
}
