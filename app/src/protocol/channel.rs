//! Messages on a call's WebRTC data channel (negotiated, id 0, label `state`), browser to
//! browser: the server never sees them.

use serde::{Deserialize, Serialize};

/// The sender's microphone and camera state, sent when the channel opens and on every change.
/// Missing fields read as `false`, so an older peer's partial message still parses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaState {
    #[serde(default)]
    pub muted: bool,
    #[serde(default)]
    pub camera_off: bool,
}

#[cfg(test)]
mod tests {
    use super::MediaState;

    #[test]
    fn media_state_wire_format() {
        let state = MediaState {
            muted: true,
            camera_off: false,
        };
        assert_eq!(
            serde_json::to_string(&state).unwrap(),
            r#"{"muted":true,"camera_off":false}"#
        );
        assert_eq!(
            serde_json::from_str::<MediaState>(r#"{"camera_off":true}"#).unwrap(),
            MediaState {
                muted: false,
                camera_off: true
            }
        );
        assert!(serde_json::from_str::<MediaState>("not json").is_err());
    }
}
