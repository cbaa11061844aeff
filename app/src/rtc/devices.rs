//! The browser's media devices: listing them (enumerateDevices), capturing one device's track,
//! swapping it into a live connection (RTCRtpSender.replaceTrack: the other side keeps
//! receiving, no new offer), choosing the speaker (setSinkId where the browser has it) and
//! hearing about devices coming and going (devicechange). What to choose is
//! [`crate::devices`]' business.

use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    HtmlMediaElement, MediaDevices, MediaStream, MediaStreamConstraints, MediaStreamTrack,
    RtcPeerConnection, RtcRtpSender,
};

use super::{error_name, error_text, media};
use crate::devices::{Device, DeviceKind};

fn media_devices() -> Option<MediaDevices> {
    web_sys::window()?
        .navigator()
        .media_devices()
        .ok()
        .filter(|d| !JsValue::from(d).is_undefined())
}

fn text(object: &JsValue, key: &str) -> String {
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Every camera, microphone and speaker the page may know of (labels only once permitted).
pub async fn list() -> Vec<Device> {
    let Some(promise) = media_devices().and_then(|d| d.enumerate_devices().ok()) else {
        return Vec::new();
    };
    let Ok(found) = JsFuture::from(promise).await else {
        return Vec::new();
    };
    js_sys::Array::from(&found)
        .iter()
        .filter_map(|info| {
            Some(Device {
                kind: DeviceKind::from_web(&text(&info, "kind"))?,
                id: text(&info, "deviceId"),
                label: text(&info, "label"),
            })
        })
        .collect()
}

/// The constraint for one kind: `true` (the browser's default) or `{deviceId: {exact: id}}`.
pub fn constraint(device: Option<&str>) -> JsValue {
    let Some(id) = device else {
        return JsValue::TRUE;
    };
    let wanted = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&wanted, &JsValue::from_str("exact"), &JsValue::from_str(id));
    let outer = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&outer, &JsValue::from_str("deviceId"), &wanted);
    outer.into()
}

/// A fresh track of `kind` from `device` (None: the browser's default); the error's name.
pub async fn capture(kind: DeviceKind, device: Option<&str>) -> Result<MediaStreamTrack, String> {
    let devices = media_devices().ok_or_else(|| "NoMediaDevices".to_owned())?;
    let constraints = MediaStreamConstraints::new();
    let wanted = constraint(device);
    match kind {
        DeviceKind::Microphone => constraints.set_audio(&wanted),
        DeviceKind::Camera => constraints.set_video(&wanted),
        DeviceKind::Speaker => return Err("NotACaptureDevice".into()),
    }
    first_track(
        devices.get_user_media_with_constraints(&constraints),
        kind.track_kind(),
    )
    .await
}

/// The first track (of `kind`, if given) of the stream a capture promise gives; the error's name.
async fn first_track(
    promise: Result<js_sys::Promise, JsValue>,
    kind: Option<&str>,
) -> Result<MediaStreamTrack, String> {
    let promise = promise.map_err(|e| error_name(&e))?;
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .map_err(|e| error_name(&e))?
        .unchecked_into();
    media::tracks(&stream)
        .into_iter()
        .find(|track| kind.is_none_or(|kind| track.kind() == kind))
        .ok_or_else(|| "NotFoundError".to_owned())
}

/// A screen (or window, or tab: the browser asks) to share, as a video track; the error's name
/// (NotAllowedError when the user cancels).
pub async fn capture_screen() -> Result<MediaStreamTrack, String> {
    let devices = media_devices().ok_or_else(|| "NoMediaDevices".to_owned())?;
    first_track(devices.get_display_media(), Some("video")).await
}

/// The id of the device a track captures from.
pub fn device_of(track: &MediaStreamTrack) -> String {
    text(&track.get_settings().into(), "deviceId")
}

/// The device each track of `local` captures from.
pub fn in_use(local: &MediaStream) -> Vec<(DeviceKind, String)> {
    media::tracks(local)
        .iter()
        .filter_map(|track| {
            let kind = match track.kind().as_str() {
                "audio" => DeviceKind::Microphone,
                "video" => DeviceKind::Camera,
                _ => return None,
            };
            Some((kind, device_of(track)))
        })
        .collect()
}

/// The senders of `pc` that send a track of `kind`; for video with none, the idle video
/// transceiver's (an audio call turning its camera on or sharing its screen).
fn senders(pc: &RtcPeerConnection, kind: &str) -> Vec<RtcRtpSender> {
    let sending: Vec<RtcRtpSender> = pc
        .get_senders()
        .iter()
        .map(|sender| sender.unchecked_into::<RtcRtpSender>())
        .filter(|sender| sender.track().is_some_and(|t| t.kind() == kind))
        .collect();
    match (sending.is_empty(), kind) {
        (true, "video") => super::peer::video_sender(pc).into_iter().collect(),
        _ => sending,
    }
}

async fn replace(sender: &RtcRtpSender, track: Option<&MediaStreamTrack>) {
    if let Err(error) = JsFuture::from(sender.replace_track(track)).await {
        super::log(&format!("replaceTrack failed: {}", error_text(&error)));
    }
}

/// Puts `track` in place of the local stream's track of its kind, in `local` and on every
/// sender of `pc` that sends that kind (replaceTrack: no renegotiation), and stops the old one.
pub async fn swap(local: &MediaStream, pc: Option<&RtcPeerConnection>, track: &MediaStreamTrack) {
    let kind = track.kind();
    if let Some(pc) = pc {
        for sender in senders(pc, &kind) {
            replace(&sender, Some(track)).await;
        }
    }
    drop_local(local, &kind, Some(track));
    local.add_track(track);
}

/// Stops sending `kind` (replaceTrack(null): the transceiver stays for the next time) and
/// stops the local track of that kind.
pub async fn unsend(local: &MediaStream, pc: Option<&RtcPeerConnection>, kind: &str) {
    if let Some(pc) = pc {
        for sender in senders(pc, kind) {
            replace(&sender, None).await;
        }
    }
    drop_local(local, kind, None);
}

/// Removes and stops the tracks of `kind` in `local`, except `keep`.
fn drop_local(local: &MediaStream, kind: &str, keep: Option<&MediaStreamTrack>) {
    for old in media::tracks(local) {
        if old.kind() == kind && Some(&old) != keep {
            local.remove_track(&old);
            old.stop();
        }
    }
}

/// Plays `element` on the speaker `device` ("" is the default) where the browser can choose.
pub async fn set_speaker(element: &HtmlMediaElement, device: &str) -> bool {
    let Ok(set_sink) = js_sys::Reflect::get(element, &JsValue::from_str("setSinkId")) else {
        return false;
    };
    let Some(set_sink) = set_sink.dyn_ref::<js_sys::Function>() else {
        return false;
    };
    match set_sink.call1(element, &JsValue::from_str(device)) {
        Ok(promise) => JsFuture::from(js_sys::Promise::from(promise)).await.is_ok(),
        Err(_) => false,
    }
}

/// Whether this browser can choose the speaker (setSinkId).
pub fn can_choose_speaker() -> bool {
    web_sys::window()
        .and_then(|w| w.get("HTMLMediaElement"))
        .and_then(|c| js_sys::Reflect::get(&c, &JsValue::from_str("prototype")).ok())
        .and_then(|p| js_sys::Reflect::has(&p, &JsValue::from_str("setSinkId")).ok())
        .unwrap_or(false)
}

/// Calls `on_change` on every devicechange until the returned guard is dropped.
pub struct Watch {
    devices: MediaDevices,
    _closure: Closure<dyn FnMut()>,
}

impl Watch {
    pub fn start(on_change: impl FnMut() + 'static) -> Option<Self> {
        let devices = media_devices()?;
        let closure = Closure::<dyn FnMut()>::new(on_change);
        devices.set_ondevicechange(Some(closure.as_ref().unchecked_ref()));
        Some(Self {
            devices,
            _closure: closure,
        })
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.devices.set_ondevicechange(None);
    }
}
