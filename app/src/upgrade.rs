//! Audio calls upgrading to video (issue 19): what the call page shows and offers. Every audio
//! call negotiates an idle video transceiver up front (`rtc::peer`), so a camera or a shared
//! screen goes on it with `replaceTrack` and no new offer; the media state's `video` and
//! `sharing` flags tell the other side. Plain Rust: the page only renders what these say.

use crate::protocol::{CallType, MediaState};

/// Whether the page shows the video stage (remote video large, local preview small) rather
/// than the audio stage (the other person's avatar): always in a video call, and in an audio
/// call while either side sends its camera or its screen.
pub fn video_stage(call_type: CallType, local: MediaState, remote: MediaState) -> bool {
    call_type == CallType::Video || sends_video(local) || sends_video(remote)
}

/// Whether the other side's picture is missing on the video stage, so its avatar is shown
/// instead: its camera is off in a video call, or it sends nothing in an upgraded audio call.
pub fn remote_picture_off(call_type: CallType, remote: MediaState) -> bool {
    match call_type {
        CallType::Video => remote.camera_off && !remote.sharing,
        CallType::Audio => !sends_video(remote),
    }
}

/// Whether the small local preview shows: in a video call, and in an audio call while this
/// side sends video (else it would be an empty box over the other side's picture).
pub fn local_preview(call_type: CallType, local: MediaState) -> bool {
    call_type == CallType::Video || sends_video(local)
}

/// What the camera button does: in a video call it pauses the camera the call started with;
/// in an audio call it starts or stops sending one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CameraButton {
    /// Video call: "Camera off" / "Camera on" (the track stays, its frames go black).
    Pause,
    /// Audio call: "Turn camera on" / "Turn camera off"; not while the screen is shared (the
    /// screen has the video transceiver).
    Upgrade { enabled: bool },
}

pub fn camera_button(call_type: CallType, sharing: bool) -> CameraButton {
    match call_type {
        CallType::Video => CameraButton::Pause,
        CallType::Audio => CameraButton::Upgrade { enabled: !sharing },
    }
}

/// A side sends video in an audio call: its camera or its screen.
fn sends_video(state: MediaState) -> bool {
    state.video || state.sharing
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: MediaState = MediaState {
        muted: false,
        camera_off: false,
        sharing: false,
        video: false,
    };
    const CAMERA: MediaState = MediaState {
        video: true,
        ..NONE
    };
    const SCREEN: MediaState = MediaState {
        sharing: true,
        ..NONE
    };

    #[test]
    fn an_audio_call_shows_the_video_stage_while_either_side_sends_video() {
        assert!(!video_stage(CallType::Audio, NONE, NONE));
        assert!(video_stage(CallType::Audio, CAMERA, NONE));
        assert!(video_stage(CallType::Audio, NONE, CAMERA));
        assert!(video_stage(CallType::Audio, SCREEN, NONE));
        assert!(video_stage(CallType::Audio, NONE, SCREEN));
        // Muted is no video.
        let muted = MediaState {
            muted: true,
            ..NONE
        };
        assert!(!video_stage(CallType::Audio, muted, muted));
        // A video call always has it, camera off or not.
        let off = MediaState {
            camera_off: true,
            ..NONE
        };
        assert!(video_stage(CallType::Video, off, off));
    }

    #[test]
    fn the_avatar_stands_in_for_a_side_that_sends_no_picture() {
        assert!(remote_picture_off(CallType::Audio, NONE));
        assert!(!remote_picture_off(CallType::Audio, CAMERA));
        assert!(!remote_picture_off(CallType::Audio, SCREEN));
        assert!(!remote_picture_off(CallType::Video, NONE));
        let off = MediaState {
            camera_off: true,
            ..NONE
        };
        assert!(remote_picture_off(CallType::Video, off));
        assert!(!remote_picture_off(
            CallType::Video,
            MediaState {
                sharing: true,
                ..off
            }
        ));
    }

    #[test]
    fn the_local_preview_shows_only_what_this_side_sends() {
        assert!(local_preview(CallType::Video, NONE));
        assert!(!local_preview(CallType::Audio, NONE));
        assert!(local_preview(CallType::Audio, CAMERA));
        assert!(local_preview(CallType::Audio, SCREEN));
    }

    #[test]
    fn the_camera_button_upgrades_an_audio_call_unless_the_screen_is_shared() {
        assert_eq!(camera_button(CallType::Video, false), CameraButton::Pause);
        assert_eq!(camera_button(CallType::Video, true), CameraButton::Pause);
        assert_eq!(
            camera_button(CallType::Audio, false),
            CameraButton::Upgrade { enabled: true }
        );
        assert_eq!(
            camera_button(CallType::Audio, true),
            CameraButton::Upgrade { enabled: false }
        );
    }
}
