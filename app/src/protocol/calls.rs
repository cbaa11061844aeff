//! Calls and their lifecycle.

use serde::{Deserialize, Serialize};

use super::{Timestamp, User, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct CallId(pub i64);

impl std::fmt::Display for CallId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CallType {
    Audio,
    Video,
}

impl CallType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "audio" => Some(Self::Audio),
            "video" => Some(Self::Video),
            _ => None,
        }
    }
}

/// The reference's statuses. initiated -> ringing -> accepted -> ended; initiated|ringing ->
/// rejected | cancelled | missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CallStatus {
    Initiated,
    Ringing,
    Accepted,
    Rejected,
    Ended,
    Missed,
    Cancelled,
}

impl CallStatus {
    pub const ALL: [Self; 7] = [
        Self::Initiated,
        Self::Ringing,
        Self::Accepted,
        Self::Rejected,
        Self::Ended,
        Self::Missed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initiated => "initiated",
            Self::Ringing => "ringing",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Ended => "ended",
            Self::Missed => "missed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Ringing or in progress: the call still occupies both parties. The one definition of
    /// "live" (the server's SQL is built from it too).
    pub const LIVE: [Self; 3] = [Self::Initiated, Self::Ringing, Self::Accepted];

    /// Not yet answered.
    pub const UNANSWERED: [Self; 2] = [Self::Initiated, Self::Ringing];

    /// Over: no status follows.
    pub const FINISHED: [Self; 4] = [Self::Ended, Self::Rejected, Self::Missed, Self::Cancelled];

    /// One of [`CallStatus::LIVE`].
    pub fn is_live(self) -> bool {
        Self::LIVE.contains(&self)
    }

    /// One of [`CallStatus::UNANSWERED`].
    pub fn is_unanswered(self) -> bool {
        Self::UNANSWERED.contains(&self)
    }

    /// The call ended without an answer from the receiver (no answer, declined, busy,
    /// do-not-disturb): its caller may leave a message. Not a call the caller cancelled.
    pub fn went_unanswered(self) -> bool {
        matches!(self, Self::Missed | Self::Rejected)
    }
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    Cancelled,
    Rejected,
    Busy,
    Timeout,
    HangupCaller,
    HangupReceiver,
    ConnectionLost,
    AnsweredElsewhere,
    ServerRestart,
    /// The receiver had do-not-disturb on: recorded as missed without ringing any device.
    DoNotDisturb,
}

impl EndReason {
    pub const ALL: [Self; 10] = [
        Self::Cancelled,
        Self::Rejected,
        Self::Busy,
        Self::Timeout,
        Self::HangupCaller,
        Self::HangupReceiver,
        Self::ConnectionLost,
        Self::AnsweredElsewhere,
        Self::ServerRestart,
        Self::DoNotDisturb,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled",
            Self::Rejected => "rejected",
            Self::Busy => "busy",
            Self::Timeout => "timeout",
            Self::HangupCaller => "hangup_caller",
            Self::HangupReceiver => "hangup_receiver",
            Self::ConnectionLost => "connection_lost",
            Self::AnsweredElsewhere => "answered_elsewhere",
            Self::ServerRestart => "server_restart",
            Self::DoNotDisturb => "do_not_disturb",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Call JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Call {
    pub id: CallId,
    pub caller: User,
    pub receiver: User,
    pub call_type: CallType,
    pub status: CallStatus,
    pub room_id: String,
    pub initiated_at: Timestamp,
    pub ringing_at: Option<Timestamp>,
    pub accepted_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// Seconds from accepted to ended; null until a call that was answered ends.
    pub duration: Option<i64>,
    pub end_reason: Option<EndReason>,
    /// Each party's report of its connection (issue 19), in the listings and
    /// `GET /api/calls/{id}/` only; absent when there is none, so reference clients see the
    /// shape they know.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<super::CallReport>,
}

/// `POST /api/calls/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StartCall {
    pub receiver: UserId,
    pub call_type: CallType,
}

/// `GET /api/calls/missed/count/`: unseen missed calls, for the badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MissedCount {
    pub count: i64,
}

/// The 409 body of a call action that lost (the call had moved on) or of a busy start: why, and
/// the call as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallConflict {
    pub detail: String,
    /// `busy`, `call_changed` or `message_exists`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<crate::protocol::ErrorCode>,
    pub call: Call,
    /// Why a start was refused as busy when it was not a live call (`do_not_disturb`); absent
    /// otherwise, so reference clients see the busy answer they know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<EndReason>,
}

/// A call for unit tests: `caller` (user 1) calls `receiver` (user 2), both online, audio, with
/// no timestamps but the start; tests change what they look at with struct update syntax.
#[cfg(test)]
pub(crate) fn test_call(id: i64, status: CallStatus, caller: &str, receiver: &str) -> Call {
    use crate::protocol::{Timestamp, User, UserId};
    let user = |id, name: &str| User {
        id: UserId(id),
        username: name.into(),
        email: None,
        is_online: true,
        last_seen: None,
        profile_picture: None,
    };
    Call {
        id: CallId(id),
        caller: user(1, caller),
        receiver: user(2, receiver),
        call_type: CallType::Audio,
        status,
        room_id: "r".into(),
        initiated_at: Timestamp(0),
        ringing_at: None,
        accepted_at: None,
        ended_at: None,
        duration: None,
        end_reason: None,
        reports: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_use_the_reference_spelling() {
        for status in CallStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(CallStatus::parse(status.as_str()), Some(status));
        }
        for reason in EndReason::ALL {
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
            assert_eq!(EndReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(CallType::parse("video"), Some(CallType::Video));
        assert_eq!(CallType::parse("fax"), None);
    }
}
