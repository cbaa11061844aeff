//! The local microphone and camera.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

use super::error_name;
use crate::devices::{preferred, remembered, DeviceKind};
use crate::i18n::{t, t_with};

/// The local stream, and a notice when it is less than asked for (a video call without camera).
pub struct LocalMedia {
    pub stream: MediaStream,
    pub notice: Option<String>,
}

/// Asks for the microphone, and the camera too for a video call. A video call on a machine
/// without a usable camera falls back to audio only (with a notice). The error is a sentence
/// for the user.
pub async fn acquire(video: bool) -> Result<LocalMedia, String> {
    match request(true, video).await {
        Ok(stream) => Ok(LocalMedia {
            stream,
            notice: None,
        }),
        Err(name)
            if video
                && matches!(
                    name.as_str(),
                    "NotFoundError" | "NotReadableError" | "OverconstrainedError"
                ) =>
        {
            let stream = request(true, false)
                .await
                .map_err(|name| explain(&name, false))?;
            Ok(LocalMedia {
                stream,
                notice: Some(t("media-no-camera")),
            })
        }
        Err(name) => Err(explain(&name, video)),
    }
}

/// getUserMedia; the error's name on failure.
async fn request(audio: bool, video: bool) -> Result<MediaStream, String> {
    let devices = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| n.media_devices().ok())
        .filter(|d| !JsValue::from(d).is_undefined())
        .ok_or_else(|| "NoMediaDevices".to_owned())?;
    // The devices chosen on this browser, asked for exactly when they are there (some
    // browsers, Chromium's fake UI among them, ignore an "ideal" device); else the default.
    let available = super::devices::list().await;
    let wanted = |kind: DeviceKind, on: bool| match on {
        true => super::devices::constraint(
            preferred(&available, kind, remembered(kind).as_deref()).as_deref(),
        ),
        false => JsValue::FALSE,
    };
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&wanted(DeviceKind::Microphone, audio));
    constraints.set_video(&wanted(DeviceKind::Camera, video));
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| error_name(&e))?;
    let stream = JsFuture::from(promise).await.map_err(|e| error_name(&e))?;
    stream
        .dyn_into::<MediaStream>()
        .map_err(|_| "TypeError".to_owned())
}

/// What went wrong, for the user.
fn explain(name: &str, video: bool) -> String {
    // "microphone and camera" or "microphone": whole sentences per case, as languages inflect.
    let pick = |both: &'static str, microphone: &'static str| if video { both } else { microphone };
    match name {
        "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => {
            t(pick("media-denied-both", "media-denied-microphone"))
        }
        "NotFoundError" | "DevicesNotFoundError" => {
            t(pick("media-missing-both", "media-missing-microphone"))
        }
        "NotReadableError" | "TrackStartError" => {
            t(pick("media-in-use-both", "media-in-use-microphone"))
        }
        "NoMediaDevices" => t("media-insecure"),
        other => t_with(
            pick("media-failed-both", "media-failed-microphone"),
            &[("error", other.into())],
        ),
    }
}

/// Every track of `stream`.
pub fn tracks(stream: &MediaStream) -> Vec<MediaStreamTrack> {
    stream
        .get_tracks()
        .iter()
        .filter_map(|t| t.dyn_into::<MediaStreamTrack>().ok())
        .collect()
}

/// Enables or disables (silence / black frames) the tracks of one kind ("audio" or "video").
pub fn set_enabled(stream: &MediaStream, kind: &str, enabled: bool) {
    for track in tracks(stream) {
        if track.kind() == kind {
            track.set_enabled(enabled);
        }
    }
}

/// Stops every track: the camera light goes off.
pub fn stop(stream: &MediaStream) {
    for track in tracks(stream) {
        track.stop();
    }
}
