//! Wire types shared by server, browser and tests: the single source of truth for JSON shapes.

use serde::{Deserialize, Serialize};

/// `GET /api/health/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// "ok" when every dependency answers, "degraded" otherwise.
    pub status: String,
    pub database: bool,
    pub version: String,
}
