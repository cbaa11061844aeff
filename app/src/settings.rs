//! The user's settings on this browser, kept in localStorage (they are about this device's
//! network, not the account).

use crate::storage::{storage_get, storage_set};

const RELAY_ONLY_KEY: &str = "callhub.relay_only";

/// Privacy: calls go only through the server's TURN relay, so the other party never learns this
/// device's IP addresses (ICE transport policy "relay"). Off by default: direct paths are faster.
pub fn relay_only() -> bool {
    storage_get(RELAY_ONLY_KEY).as_deref() == Some("1")
}

pub fn set_relay_only(on: bool) {
    storage_set(RELAY_ONLY_KEY, on.then_some("1"));
}
