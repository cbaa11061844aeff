//! Events the server pushes to a user's devices (the `/ws/` user socket). Who receives an event is
//! decided server-side and never part of the message.

use serde::{Deserialize, Serialize};

use super::{Call, CallMessage, PrivacySettings, Timestamp, User, UserId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum UserEvent {
    /// A new call for the receiver: every open device of theirs rings.
    CallIncoming { call: Call },
    /// A call of this user changed (ringing, accepted, ended, ...): the call as it is now.
    CallStatus { call: Call },
    /// A user this one subscribed to (`subscribe-presence`) came online or went offline.
    Presence {
        user_id: UserId,
        is_online: bool,
        last_seen: Option<Timestamp>,
    },
    /// This user's privacy or do-not-disturb settings changed (from another tab, or DND ended
    /// by itself): every tab shows the same.
    PrivacyChanged { settings: PrivacySettings },
    /// The caller of a missed call of this user's left a message (to the receiver's tabs).
    CallMessage { message: CallMessage },
    /// Someone this user asked about (`POST /api/availability/`) is free now: online, in no
    /// call, without do-not-disturb. The request is used up.
    UserAvailable { user: User },
}

impl UserEvent {
    /// The call an event is about, if it is about one.
    pub fn call(&self) -> Option<&Call> {
        match self {
            Self::CallIncoming { call } | Self::CallStatus { call } => Some(call),
            Self::Presence { .. }
            | Self::PrivacyChanged { .. }
            | Self::CallMessage { .. }
            | Self::UserAvailable { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{test_call, CallId, CallStatus};

    #[test]
    fn events_are_tagged_with_a_kebab_case_type() {
        let call = Call {
            room_id: "room".into(),
            ..test_call(7, CallStatus::Initiated, "u1", "u2")
        };
        let json = serde_json::to_value(UserEvent::CallIncoming { call: call.clone() }).unwrap();
        assert_eq!(json["type"], "call-incoming");
        assert_eq!(json["call"]["id"], 7);
        let json = serde_json::to_value(UserEvent::CallStatus { call }).unwrap();
        assert_eq!(json["type"], "call-status");
        let back: UserEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back.call().map(|c| c.id), Some(CallId(7)));
        let json = serde_json::to_value(UserEvent::Presence {
            user_id: UserId(3),
            is_online: true,
            last_seen: Some(Timestamp(0)),
        })
        .unwrap();
        assert_eq!(json["type"], "presence");
        assert_eq!(json["is_online"], true);
    }
}
