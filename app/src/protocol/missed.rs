//! When nobody answers (issue 23): the message a caller leaves on a call that ended unanswered
//! (`PUT /api/calls/{id}/message/`), and "tell me when they are free"
//! (`/api/availability/`). Extensions beyond the reference API, in its style. The bounds are
//! here so that the browser's recorder and the server's check use the same numbers.

use serde::{Deserialize, Serialize};

use super::{CallId, Timestamp, UserId};

/// The longest message, in milliseconds, as the recording browser reports it.
pub const MAX_MESSAGE_MS: i64 = 30_000;

/// The largest message body: 30 s at [`MESSAGE_BITS_PER_SECOND`] with room for the container.
pub const MAX_MESSAGE_BYTES: usize = 2 * 1024 * 1024;

/// The bit rate the browser records at (audio and video together), and the one the server holds
/// a message's size to for its reported duration: a message claiming 1 s cannot carry 2 MiB.
pub const MESSAGE_BITS_PER_SECOND: u64 = 480_000;

/// Bytes a message of `duration_ms` may take: its bit rate with half again for bursts, plus
/// 64 KiB for the WebM header and first key frame, and never over [`MAX_MESSAGE_BYTES`].
pub fn message_bytes_allowed(duration_ms: i64) -> usize {
    let millis = u64::try_from(duration_ms.clamp(0, MAX_MESSAGE_MS)).unwrap_or(0);
    let bytes = MESSAGE_BITS_PER_SECOND / 8 * 3 / 2 * millis / 1000 + 64 * 1024;
    usize::try_from(bytes).map_or(MAX_MESSAGE_BYTES, |bytes| bytes.min(MAX_MESSAGE_BYTES))
}

/// The message content types accepted, as stored and served (without parameters).
pub const MESSAGE_CONTENT_TYPES: [&str; 2] = ["audio/webm", "video/webm"];

/// The stored content type for a `Content-Type` header: `audio/webm` or `video/webm`, with or
/// without parameters (`;codecs=opus`); None for anything else.
pub fn message_content_type(header: &str) -> Option<&'static str> {
    let essence = header.split(';').next().unwrap_or_default().trim();
    MESSAGE_CONTENT_TYPES
        .into_iter()
        .find(|allowed| essence.eq_ignore_ascii_case(allowed))
}

/// Whether `content` starts as a WebM (EBML) file does.
pub fn is_webm(content: &[u8]) -> bool {
    content.starts_with(&[0x1A, 0x45, 0xDF, 0xA3])
}

/// `PUT /api/calls/{id}/message/?duration_ms=`: how long the recording is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct MessageQuery {
    /// The recording's length in milliseconds, 1 to 30,000.
    pub duration_ms: i64,
}

/// A message left on a missed call, without its content (`GET /api/calls/{id}/message/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallMessage {
    pub call_id: CallId,
    /// Who left it (the call's caller).
    pub caller_id: UserId,
    /// `audio/webm` or `video/webm`.
    pub content_type: String,
    pub duration_ms: i64,
    pub created_at: Timestamp,
    /// When the receiver marked it heard; null until then.
    pub heard_at: Option<Timestamp>,
}

/// `POST /api/availability/`: tell me when this user is free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WatchAvailability {
    pub user_id: UserId,
}

/// An open "tell me when they are free" request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AvailabilityRequest {
    pub user_id: UserId,
    pub created_at: Timestamp,
    /// A request not fired by then is dropped.
    pub expires_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_webm_audio_or_video_with_or_without_parameters() {
        assert_eq!(message_content_type("audio/webm"), Some("audio/webm"));
        assert_eq!(
            message_content_type("video/webm;codecs=vp8,opus"),
            Some("video/webm")
        );
        assert_eq!(
            message_content_type("Audio/WebM ; codecs=opus"),
            Some("audio/webm")
        );
        assert_eq!(message_content_type("audio/ogg"), None);
        assert_eq!(message_content_type("text/html"), None);
        assert_eq!(message_content_type("audio/webmx"), None);
        assert_eq!(message_content_type(""), None);
    }

    #[test]
    fn webm_is_told_by_its_ebml_magic() {
        assert!(is_webm(&[0x1A, 0x45, 0xDF, 0xA3, 0x01]));
        assert!(!is_webm(b"<html>"));
        assert!(!is_webm(&[0x1A, 0x45]));
    }

    #[test]
    fn the_size_allowed_grows_with_the_duration_up_to_the_cap() {
        assert_eq!(message_bytes_allowed(0), 64 * 1024);
        assert!(message_bytes_allowed(1_000) < 200 * 1024);
        assert!(message_bytes_allowed(10_000) > message_bytes_allowed(1_000));
        assert_eq!(message_bytes_allowed(MAX_MESSAGE_MS), MAX_MESSAGE_BYTES);
        assert_eq!(message_bytes_allowed(i64::MAX), MAX_MESSAGE_BYTES);
    }
}
