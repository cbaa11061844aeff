//! WebRTC in the browser (hydrate only): the only module that touches web-sys RTC and media APIs.
//!
//! - [`media`]: getUserMedia with user-facing error messages.
//! - [`peer`]: one RTCPeerConnection (local tracks, offer/answer, trickle ICE, a negotiated data
//!   channel for the mute/camera state).
//! - [`stats`]: inbound bytes from getStats(), exposed to tests as `window.__callhub_stats`.
//! - [`engine`]: ties them and the room socket ([`crate::api::socket`]) together for one call,
//!   performing what [`crate::negotiation`] (who offers, sessions, resets on rejoin, ICE
//!   restart, reconnects; plain Rust, tested on the host) decides.

pub mod devices;
pub mod engine;
pub mod media;
pub mod peer;
pub mod stats;

pub use engine::{CallConfig, CallEvent, CallHandle, LinkState};

use wasm_bindgen::{JsCast, JsValue};

/// Resolves after `ms` milliseconds (a `setTimeout` promise).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// `error.name` of a rejected DOM promise (`NotAllowedError`, ...), or "".
pub(crate) fn error_name(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &JsValue::from_str("name"))
        .ok()
        .and_then(|name| name.as_string())
        .unwrap_or_default()
}

/// A short text for a JS error, for the console.
pub(crate) fn error_text(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

pub(crate) fn log(message: &str) {
    web_sys::console::log_1(&JsValue::from_str(&format!("[callhub rtc] {message}")));
}

/// serde_json -> a plain JS object.
pub(crate) fn to_js(value: &serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// A plain JS object -> serde_json.
pub(crate) fn from_js(value: &JsValue) -> serde_json::Value {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(serde_json::Value::Null)
}
