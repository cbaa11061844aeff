//! Messages that never reach the server: between the tabs of one browser (a BroadcastChannel
//! named [`TAB_CHANNEL`]) and from our service worker (`public/sw.js`) to a tab.

use serde::{Deserialize, Serialize};

use super::{CallId, UserId};

/// The BroadcastChannel every tab of this origin joins.
pub const TAB_CHANNEL: &str = "callhub";

/// One tab telling the others what changed, so they all show the same at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum TabMsg {
    /// The missed-calls badge as the server now counts it (cleared on the history page).
    MissedCount { count: i64 },
    /// This browser signed out: the stored tokens are gone.
    SignedOut,
}

/// What the service worker posts to the tab it focuses when a notification is clicked
/// (`public/sw.js` writes the same JSON by hand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum WorkerMsg {
    NotificationClick {
        call_id: CallId,
        /// The notification's button, if one was clicked rather than its body.
        #[serde(default)]
        action: Option<NotificationButton>,
    },
    /// The notification that someone asked about is free now was clicked: call them.
    AvailableClick { user_id: UserId },
}

/// The buttons of a ringing call's notification (its `actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationButton {
    Accept,
    Decline,
}

impl NotificationButton {
    pub const ALL: [Self; 2] = [Self::Accept, Self::Decline];

    /// The `action` name in the notification (what the worker reports back).
    pub fn action(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Decline => "decline",
        }
    }

    /// The catalogue key of the button's text (`app::i18n`).
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Accept => "incoming-accept",
            Self::Decline => "incoming-decline",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_messages_wire_format() {
        let text = serde_json::to_string(&TabMsg::MissedCount { count: 0 }).unwrap();
        assert_eq!(text, r#"{"type":"missed-count","count":0}"#);
        assert_eq!(
            serde_json::from_str::<TabMsg>(r#"{"type":"signed-out"}"#).unwrap(),
            TabMsg::SignedOut
        );
        assert!(serde_json::from_str::<TabMsg>(r#"{"type":"other"}"#).is_err());
    }

    #[test]
    fn worker_messages_as_sw_js_writes_them() {
        // public/sw.js: {type, call_id, action: event.action || null}
        assert_eq!(
            serde_json::from_str::<WorkerMsg>(
                r#"{"type":"notification-click","call_id":7,"action":"accept"}"#
            )
            .unwrap(),
            WorkerMsg::NotificationClick {
                call_id: CallId(7),
                action: Some(NotificationButton::Accept)
            }
        );
        assert_eq!(
            serde_json::from_str::<WorkerMsg>(
                r#"{"type":"notification-click","call_id":7,"action":null}"#
            )
            .unwrap(),
            WorkerMsg::NotificationClick {
                call_id: CallId(7),
                action: None
            }
        );
    }
}
