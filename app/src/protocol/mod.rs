//! Wire types shared by server, browser and tests: the single source of truth for JSON shapes.
//! Field names and values follow the reference API (Django REST Framework) exactly.

mod calls;
mod events;
mod time;
mod users;

pub use calls::*;
pub use events::UserEvent;
pub use time::Timestamp;
pub use users::*;

use serde::{Deserialize, Serialize};

/// `GET /api/health/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// "ok" when every dependency answers, "degraded" otherwise.
    pub status: String,
    pub database: bool,
    pub version: String,
}

/// A DRF-style error body: `{"detail": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub detail: String,
}
