//! Messages on a call's WebRTC data channel (negotiated, id 0, label `state`), browser to
//! browser: the server never sees them.

use serde::{Deserialize, Serialize};

/// The longest chat message, in characters: a chat line, not a file transfer (the channel
/// carries the media state too). Longer ones are not sent, and dropped when received.
pub const MAX_CHAT_CHARS: usize = 1000;

/// The sender's microphone and camera state, sent when the channel opens and on every change.
/// Missing fields read as `false`, so an older peer's partial message still parses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaState {
    #[serde(default)]
    pub muted: bool,
    #[serde(default)]
    pub camera_off: bool,
    /// The video is a shared screen, not the camera: show it whole, uncropped.
    #[serde(default)]
    pub sharing: bool,
    /// An audio call upgraded: the sender's camera is on (issue 19). Video calls leave it false.
    #[serde(default)]
    pub video: bool,
}

/// How well a side's network carries the call, as that side measures it (see `app::quality`).
/// Ordered from best to worst, so the worst of several is their `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    Good,
    Fair,
    Poor,
}

impl Grade {
    /// The wire name: "good", "fair" or "poor".
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Good => "good",
            Grade::Fair => "fair",
            Grade::Poor => "poor",
        }
    }
}

/// One message on the channel: `{"type": "media-state", "muted": …, "camera_off": …,
/// "sharing": …, "video": …}`, `{"type": "quality", "grade": "good"|"fair"|"poor"}` or
/// `{"type": "chat", "text": …}`. A type this version does not know
/// (a newer peer's) reads as [`ChannelMsg::Unknown`] and is ignored, never mistaken for another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ChannelMsg {
    MediaState(MediaState),
    /// The sender's own connection grade, sent when the channel opens and when it changes.
    Quality {
        grade: Grade,
    },
    /// An in-call chat message (1 to [`MAX_CHAT_CHARS`] characters); never stored anywhere.
    Chat {
        text: String,
    },
    #[serde(other)]
    Unknown,
}

impl ChannelMsg {
    /// The message in `text`; None for text that is not one (not JSON, no known shape, a chat
    /// message empty or over [`MAX_CHAT_CHARS`]).
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text)
            .ok()
            .filter(|message| match message {
                ChannelMsg::Chat { text } => chat_text_fits(text),
                _ => true,
            })
    }
}

/// Whether `text` is a chat message we send and take: not blank, at most [`MAX_CHAT_CHARS`].
pub fn chat_text_fits(text: &str) -> bool {
    !text.trim().is_empty() && text.chars().count() <= MAX_CHAT_CHARS
}

#[cfg(test)]
mod tests {
    use super::{ChannelMsg, Grade, MediaState, MAX_CHAT_CHARS};

    #[test]
    fn media_state_wire_format() {
        let state = ChannelMsg::MediaState(MediaState {
            muted: true,
            ..MediaState::default()
        });
        assert_eq!(
            serde_json::to_string(&state).unwrap(),
            r#"{"type":"media-state","muted":true,"camera_off":false,"sharing":false,"video":false}"#
        );
        // An older peer's state has no `video`: it reads as false.
        assert_eq!(
            ChannelMsg::parse(
                r#"{"type":"media-state","muted":false,"camera_off":false,"sharing":false}"#
            ),
            Some(ChannelMsg::MediaState(MediaState::default()))
        );
        assert_eq!(
            ChannelMsg::parse(r#"{"type":"media-state","video":true}"#),
            Some(ChannelMsg::MediaState(MediaState {
                video: true,
                ..MediaState::default()
            }))
        );
        assert_eq!(
            ChannelMsg::parse(r#"{"type":"media-state","camera_off":true}"#),
            Some(ChannelMsg::MediaState(MediaState {
                camera_off: true,
                ..MediaState::default()
            }))
        );
        assert_eq!(ChannelMsg::parse("not json"), None);
    }

    #[test]
    fn quality_wire_format() {
        let message = ChannelMsg::Quality { grade: Grade::Poor };
        assert_eq!(
            serde_json::to_string(&message).unwrap(),
            r#"{"type":"quality","grade":"poor"}"#
        );
        assert_eq!(
            ChannelMsg::parse(r#"{"type":"quality","grade":"fair"}"#),
            Some(ChannelMsg::Quality { grade: Grade::Fair })
        );
        assert_eq!(
            ChannelMsg::parse(r#"{"type":"quality","grade":"excellent"}"#),
            None
        );
        for grade in [Grade::Good, Grade::Fair, Grade::Poor] {
            let json = serde_json::to_string(&grade).unwrap();
            assert_eq!(json, format!("\"{}\"", grade.as_str()));
        }
    }

    #[test]
    fn unknown_types_are_ignored_not_misread() {
        assert_eq!(
            ChannelMsg::parse(r#"{"type":"whiteboard","muted":true}"#),
            Some(ChannelMsg::Unknown)
        );
        assert_eq!(ChannelMsg::parse(r#"{"muted":true}"#), None);
    }

    #[test]
    fn chat_messages_are_bounded() {
        let message = ChannelMsg::Chat { text: "hi".into() };
        assert_eq!(
            serde_json::to_string(&message).unwrap(),
            r#"{"type":"chat","text":"hi"}"#
        );
        let longest = "é".repeat(MAX_CHAT_CHARS);
        let fits = serde_json::to_string(&ChannelMsg::Chat { text: longest }).unwrap();
        assert!(ChannelMsg::parse(&fits).is_some(), "counted in characters");
        let over = "a".repeat(MAX_CHAT_CHARS + 1);
        let over = serde_json::to_string(&ChannelMsg::Chat { text: over }).unwrap();
        assert_eq!(ChannelMsg::parse(&over), None);
        assert_eq!(ChannelMsg::parse(r#"{"type":"chat","text":"  "}"#), None);
    }

    #[test]
    fn grades_order_from_best_to_worst() {
        assert_eq!(Grade::Good.max(Grade::Poor), Grade::Poor);
        assert!(Grade::Fair > Grade::Good);
    }
}
