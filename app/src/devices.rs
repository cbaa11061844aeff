//! The device menu's rules, as plain Rust that `cargo test` runs: which devices to list and how
//! to name them, which one is chosen (remembered per browser), and what to do when the chosen one
//! disappears mid-call. `app::rtc::devices` lists them (enumerateDevices) and performs the
//! switch (getUserMedia for that one device, then RTCRtpSender.replaceTrack: no renegotiation).

use crate::i18n::{t, t_with};
use crate::storage::{storage_get, storage_set};

pub mod level;

/// The three kinds in the menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    Microphone,
    Camera,
    Speaker,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 3] = [Self::Microphone, Self::Camera, Self::Speaker];

    /// From `MediaDeviceInfo.kind`.
    pub fn from_web(kind: &str) -> Option<Self> {
        match kind {
            "audioinput" => Some(Self::Microphone),
            "videoinput" => Some(Self::Camera),
            "audiooutput" => Some(Self::Speaker),
            _ => None,
        }
    }

    /// The track kind it captures ("audio", "video"); None for the speaker.
    pub fn track_kind(self) -> Option<&'static str> {
        match self {
            Self::Microphone => Some("audio"),
            Self::Camera => Some("video"),
            Self::Speaker => None,
        }
    }

    /// A stable name for test ids and logs.
    pub fn key(self) -> &'static str {
        match self {
            Self::Microphone => "microphone",
            Self::Camera => "camera",
            Self::Speaker => "speaker",
        }
    }

    /// Its name in the current language.
    pub fn name(self) -> String {
        t(match self {
            Self::Microphone => "device-microphone",
            Self::Camera => "device-camera",
            Self::Speaker => "device-speaker",
        })
    }

    /// "That microphone cannot be started (NotReadableError): the call keeps the one it had."
    pub fn failed_notice(self, error: &str) -> String {
        let key = match self {
            Self::Microphone => "device-failed-microphone",
            Self::Camera => "device-failed-camera",
            Self::Speaker => "device-failed-speaker",
        };
        t_with(key, &[("error", error.into())])
    }

    fn storage_key(self) -> &'static str {
        match self {
            Self::Microphone => "callhub.device.microphone",
            Self::Camera => "callhub.device.camera",
            Self::Speaker => "callhub.device.speaker",
        }
    }
}

/// One entry of enumerateDevices().
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub kind: DeviceKind,
    pub id: String,
    /// Empty until the page may use the camera or microphone.
    pub label: String,
}

/// The menu's entries of `kind`: `(id, name)`, named "Camera 2" while the browser withholds the
/// labels (no permission yet). Entries without an id (no permission in some browsers) are left
/// out: they cannot be chosen.
pub fn entries(devices: &[Device], kind: DeviceKind) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = devices
        .iter()
        .filter(|d| d.kind == kind && !d.id.is_empty())
        .enumerate()
        .map(|(i, d)| {
            let name = if d.label.is_empty() {
                t_with(
                    "device-numbered",
                    &[("device", kind.name().into()), ("number", (i + 1).into())],
                )
            } else {
                d.label.clone()
            };
            (d.id.clone(), name)
        })
        .collect();
    // The speaker the page plays on when none is chosen ("" for setSinkId), for browsers that
    // do not list it as "default" themselves.
    if kind == DeviceKind::Speaker && !entries.iter().any(|(id, _)| id == DEFAULT_ID) {
        entries.insert(0, (String::new(), t("device-default")));
    }
    entries
}

/// The id browsers (Chromium) give the system's default device in the list.
const DEFAULT_ID: &str = "default";

/// The menu entry of the speaker in use: the chosen one, or for none ("") the browser's own
/// "default" entry when it lists one.
pub fn speaker_entry(devices: &[Device], chosen: &str) -> String {
    let listed_default = devices
        .iter()
        .any(|d| d.kind == DeviceKind::Speaker && d.id == DEFAULT_ID);
    match chosen {
        "" if listed_default => DEFAULT_ID.to_owned(),
        chosen => chosen.to_owned(),
    }
}

/// The menu entry of `kind` in use: for the microphone and camera the device its track
/// captures from (`in_use`, "" when unknown), for the speaker [`speaker_entry`] of `speaker`.
pub fn entry_in_use(
    devices: &[Device],
    in_use: &[(DeviceKind, String)],
    speaker: &str,
    kind: DeviceKind,
) -> String {
    if kind == DeviceKind::Speaker {
        return speaker_entry(devices, speaker);
    }
    in_use
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, id)| id.clone())
        .unwrap_or_default()
}

/// The device of `kind` chosen on this browser, if any.
pub fn remembered(kind: DeviceKind) -> Option<String> {
    storage_get(kind.storage_key())
}

/// Remembers (or, with None, forgets: the browser's default) the choice for `kind`.
pub fn remember(kind: DeviceKind, id: Option<&str>) {
    storage_set(kind.storage_key(), id);
}

/// The device of `kind` to ask for: the remembered one when it is present, else the browser's
/// default (None).
pub fn preferred(devices: &[Device], kind: DeviceKind, remembered: Option<&str>) -> Option<String> {
    remembered
        .filter(|id| devices.iter().any(|d| d.kind == kind && d.id == *id))
        .map(str::to_owned)
}

/// After the devices changed (devicechange): the kinds whose device in use (`in_use`, by id) is
/// gone, and so fall back to the browser's default.
pub fn lost(devices: &[Device], in_use: &[(DeviceKind, String)]) -> Vec<DeviceKind> {
    in_use
        .iter()
        .filter(|(kind, id)| !devices.iter().any(|d| d.kind == *kind && d.id == *id))
        .map(|(kind, _)| *kind)
        .collect()
}

/// What the page says when `kind`'s device went away mid-call.
pub fn fallback_notice(kind: DeviceKind) -> String {
    t(match kind {
        DeviceKind::Microphone => "device-lost-microphone",
        DeviceKind::Camera => "device-lost-camera",
        DeviceKind::Speaker => "device-lost-speaker",
    })
}

#[cfg(test)]
mod tests;
