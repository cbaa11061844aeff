//! What the call service refuses, in its own terms. The HTTP edge maps it to
//! [`crate::error::ApiError`] (`http/calls.rs`), the call room socket to a WebSocket error
//! (`ws/room_socket.rs`); each mapping exists once.

use app::protocol::{Call, EndReason};

use crate::rate::RetryAfter;

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No such call, or the user is not a party of it (ids reveal nothing).
    #[error("not found")]
    NotFound,
    /// A party acting out of their role (e.g. the caller accepting their own call).
    #[error("{0}")]
    Forbidden(String),
    /// The call had moved on: `verb` cannot apply to it as it is now.
    #[error("Cannot {verb} a call that is {}.", call.status.as_str())]
    Conflict { verb: &'static str, call: Box<Call> },
    /// Either party was in a live call, or the receiver has do-not-disturb on (`reason`); the
    /// attempt is recorded as this missed call.
    #[error("busy")]
    Busy {
        call: Box<Call>,
        reason: Option<EndReason>,
    },
    /// A field of the request is invalid.
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// The call has its message already (one per call).
    #[error("A message was already left on this call.")]
    MessageExists { call: Box<Call> },
    /// A report refused: the call was not answered, ended too long ago, or has this party's
    /// report already (`detail` says which).
    #[error("{detail}")]
    Report {
        detail: &'static str,
        call: Box<Call>,
    },
    /// A message body over what its duration allows (`protocol::message_bytes_allowed`).
    #[error("message too large")]
    MessageTooLarge,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// The database failed (unavailable or otherwise: the edges tell which).
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<RetryAfter> for CallError {
    fn from(RetryAfter(retry_after_secs): RetryAfter) -> Self {
        Self::TooManyRequests { retry_after_secs }
    }
}

impl CallError {
    /// What the client is told (the `detail` of a refusal).
    pub fn detail(&self) -> String {
        match self {
            Self::NotFound => "Not found.".to_owned(),
            other => other.to_string(),
        }
    }
}
