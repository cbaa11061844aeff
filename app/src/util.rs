//! Small formatting helpers shared by the pages: times, durations, end reasons, in the current
//! language ([`crate::i18n`]).

use crate::i18n::{self, format, t, t_with};
use crate::protocol::{Call, CallStatus, EndReason, Timestamp, User};

/// Milliseconds since the epoch, now.
pub fn now_millis() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default()
    }
}

/// `mm:ss` (or `h:mm:ss` from an hour on): a running clock ([`i18n::format::format_clock`]).
pub fn duration_text(seconds: i64) -> String {
    format::format_clock(seconds)
}

/// How long a finished call lasted, in words of the current language.
pub fn duration_words(seconds: i64) -> String {
    format::format_duration(i18n::locale(), seconds)
}

/// "just now", "5 min ago", "3 h ago", "2 days ago", in the current language.
pub fn ago(then: Timestamp, now_ms: i64) -> String {
    format::format_ago(i18n::locale(), then, now_ms)
}

/// The presence line under a contact's name.
pub fn presence_text(user: &User, now_ms: i64) -> String {
    if user.is_online {
        t("presence-online")
    } else {
        match user.last_seen {
            Some(seen) => t_with("presence-last-seen", &[("ago", ago(seen, now_ms).into())]),
            None => t("presence-offline"),
        }
    }
}

/// A short date and time in the current language: the browser's time zone, or UTC on the
/// server.
pub fn when_text(at: Timestamp) -> String {
    format::format_datetime(i18n::locale(), format::local_parts(at))
}

/// Why a call ended, in words.
pub fn end_reason_text(reason: EndReason) -> String {
    t(match reason {
        EndReason::Cancelled => "reason-cancelled",
        EndReason::Rejected => "reason-rejected",
        EndReason::Busy => "reason-busy",
        EndReason::Timeout => "reason-timeout",
        EndReason::HangupCaller => "reason-hangup-caller",
        EndReason::HangupReceiver => "reason-hangup-receiver",
        EndReason::ConnectionLost => "reason-connection-lost",
        EndReason::AnsweredElsewhere => "reason-answered-elsewhere",
        EndReason::ServerRestart => "reason-server-restart",
        EndReason::DoNotDisturb => "reason-do-not-disturb",
    })
}

pub fn status_text(status: CallStatus) -> String {
    t(match status {
        CallStatus::Initiated => "status-initiated",
        CallStatus::Ringing => "status-ringing",
        CallStatus::Accepted => "status-accepted",
        CallStatus::Rejected => "status-rejected",
        CallStatus::Ended => "status-ended",
        CallStatus::Missed => "status-missed",
        CallStatus::Cancelled => "status-cancelled",
    })
}

/// The other party of a call, seen from `me`.
pub fn other_party(call: &Call, me: crate::protocol::UserId) -> &User {
    if call.caller.id == me {
        &call.receiver
    } else {
        &call.caller
    }
}

/// One or two letters for an avatar without a picture.
pub fn initials(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_clock_time() {
        assert_eq!(duration_text(0), "00:00");
        assert_eq!(duration_text(65), "01:05");
        assert_eq!(duration_text(3600 + 61), "1:01:01");
    }

    #[test]
    fn ages_are_rounded_down() {
        let now = 10_000_000_000;
        assert_eq!(ago(Timestamp(now - 5_000), now), "just now");
        assert_eq!(ago(Timestamp(now - 125_000), now), "2 min ago");
        assert_eq!(ago(Timestamp(now - 7_200_000), now), "2 h ago");
        assert_eq!(ago(Timestamp(now - 3 * 86_400_000), now), "3 days ago");
    }
}
