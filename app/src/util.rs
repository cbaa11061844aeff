//! Small formatting helpers shared by the pages: times, durations, end reasons.

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

/// `mm:ss` (or `h:mm:ss` from an hour on).
pub fn duration_text(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// "just now", "5 min ago", "3 h ago", "2 days ago".
pub fn ago(then: Timestamp, now_ms: i64) -> String {
    let seconds = ((now_ms - then.millis()) / 1000).max(0);
    match seconds {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", seconds / 60),
        3600..=86_399 => format!("{} h ago", seconds / 3600),
        86_400..=172_799 => "yesterday".into(),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// The presence line under a contact's name.
pub fn presence_text(user: &User, now_ms: i64) -> String {
    if user.is_online {
        "Online".into()
    } else {
        match user.last_seen {
            Some(seen) => format!("Last seen {}", ago(seen, now_ms)),
            None => "Offline".into(),
        }
    }
}

/// A short local date and time (browser), or UTC on the server.
pub fn when_text(at: Timestamp) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.millis() as f64));
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            date.get_full_year(),
            date.get_month() + 1,
            date.get_date(),
            date.get_hours(),
            date.get_minutes()
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let text = at.to_string();
        text.get(..16).unwrap_or(&text).replace('T', " ")
    }
}

/// Why a call ended, in words.
pub fn end_reason_text(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Cancelled => "Cancelled by the caller",
        EndReason::Rejected => "Declined",
        EndReason::Busy => "Busy in another call",
        EndReason::Timeout => "No answer",
        EndReason::HangupCaller => "Caller hung up",
        EndReason::HangupReceiver => "Receiver hung up",
        EndReason::ConnectionLost => "Connection lost",
        EndReason::AnsweredElsewhere => "Answered on another device",
        EndReason::ServerRestart => "Interrupted by a server restart",
        EndReason::DoNotDisturb => "Do not disturb",
    }
}

pub fn status_text(status: CallStatus) -> &'static str {
    match status {
        CallStatus::Initiated => "Calling",
        CallStatus::Ringing => "Ringing",
        CallStatus::Accepted => "In progress",
        CallStatus::Rejected => "Declined",
        CallStatus::Ended => "Completed",
        CallStatus::Missed => "Missed",
        CallStatus::Cancelled => "Cancelled",
    }
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
