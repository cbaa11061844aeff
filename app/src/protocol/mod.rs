//! Wire types shared by server, browser and tests: the single source of truth for JSON shapes.
//! Field names and values follow the reference API (Django REST Framework) exactly.

mod calls;
mod channel;
mod close;
mod errors;
mod events;
mod ice;
mod missed;
mod people;
mod report;
mod tabs;
mod time;
mod users;
mod ws;

pub use calls::*;
pub use channel::{chat_text_fits, ChannelMsg, Grade, MediaState, MAX_CHAT_CHARS};
pub use close::CloseCode;
pub use errors::ErrorCode;
pub use events::UserEvent;
pub use ice::*;
pub use missed::*;
pub use people::*;
pub use report::*;
pub use tabs::*;
pub use time::Timestamp;
pub use users::*;
pub use ws::*;

use serde::{Deserialize, Serialize};

/// `GET /api/health/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Health {
    /// "ok" when every dependency answers, "degraded" otherwise.
    pub status: String,
    pub database: bool,
    /// Whether Redis (several instances) is connected; absent when REDIS_URL is not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis: Option<bool>,
    pub version: String,
}

/// A DRF-style error body: `{"detail": "...", "code": "..."}` (the code for apps, the detail for
/// people and reference clients).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Detail {
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
}

/// Any error body: `{"detail": "..."}`, or, for invalid input, DRF's field errors: each field's
/// messages (`{"username": ["This field is required."]}`), with the same fields' codes under
/// `codes` (`"codes": {"username": ["required"]}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ErrorBody {
    Detail(Detail),
    Fields(std::collections::BTreeMap<String, Vec<String>>),
}
