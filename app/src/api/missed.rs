//! When nobody answers (issue 23): the message left on a missed call, and "tell me when they
//! are free".

use super::{get, post, post_empty, ApiFailure};
use crate::protocol::{AvailabilityRequest, CallId, CallMessage, UserId, WatchAvailability};

/// Leaves `recording` (a WebM blob from MediaRecorder, sent as its own content type) on my
/// unanswered call.
#[cfg(feature = "hydrate")]
pub async fn leave_message(
    call: CallId,
    recording: &web_sys::Blob,
    duration_ms: i64,
) -> Result<CallMessage, ApiFailure> {
    super::put_bytes(
        &format!("/api/calls/{call}/message/?duration_ms={duration_ms}"),
        recording,
    )
    .await
}

/// The recording of a call's message.
#[cfg(feature = "hydrate")]
pub async fn recording(call: CallId) -> Result<web_sys::Blob, ApiFailure> {
    super::get_blob(&format!("/api/calls/{call}/message/")).await
}

/// The messages left for me, newest first.
pub async fn messages() -> Result<Vec<CallMessage>, ApiFailure> {
    get("/api/calls/messages/").await
}

pub async fn mark_heard(call: CallId) -> Result<CallMessage, ApiFailure> {
    post_empty(&format!("/api/calls/{call}/message/heard/")).await
}

/// Tell me when `user_id` is free (429 with too many open).
pub async fn watch(user_id: UserId) -> Result<AvailabilityRequest, ApiFailure> {
    post("/api/availability/", &WatchAvailability { user_id }).await
}
