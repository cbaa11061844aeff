//! Inbound media statistics from getStats(): what proves media flows. Exposed to tests (and to
//! curious people in the console) as `await window.__callhub_stats()`, which resolves to
//! `{audioBytes, videoBytes, videoFrames, videoTracks, connection, localCandidateType,
//! remoteCandidateType, videoBytesSent, rttMs}` of the current connection (zeros when there is
//! none; the candidate types of the selected pair, "host", "srflx", "prflx" or "relay", are ""
//! until one is selected; rttMs is null until measured). The same read gives the
//! [`Counters`] that `app::quality` grades.
//! The connection itself is `window.__callhub_pc`.

use std::cell::RefCell;

use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RtcPeerConnection, RtcRtpReceiver};

use crate::quality::Counters;

thread_local! {
    static CURRENT: RefCell<Option<RtcPeerConnection>> = const { RefCell::new(None) };
    static INSTALLED: RefCell<bool> = const { RefCell::new(false) };
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallStats {
    pub audio_bytes: f64,
    pub video_bytes: f64,
    pub video_frames: f64,
    /// Remote video tracks being received: live and not muted. An audio call's idle video
    /// receiver (issue 19) is muted until the other side turns a camera or screen on, so an
    /// audio call counts 0.
    pub video_tracks: u32,
    /// Candidate types of the selected candidate pair: "relay" when media goes through TURN.
    pub local_candidate_type: String,
    pub remote_candidate_type: String,
    /// The figures the connection grade is made of.
    pub counters: Counters,
}

/// Makes `pc` the connection the hook reports (None: no connection).
pub fn track(pc: Option<&RtcPeerConnection>) {
    CURRENT.with(|current| *current.borrow_mut() = pc.cloned());
    if let Some(window) = web_sys::window() {
        let value = pc.map_or(JsValue::NULL, JsValue::from);
        let _ = js_sys::Reflect::set(&window, &JsValue::from_str("__callhub_pc"), &value);
    }
}

/// Forgets `pc` if it is the current one.
pub fn forget(pc: &RtcPeerConnection) {
    let current = CURRENT.with(|current| current.borrow().as_ref() == Some(pc));
    if current {
        track(None);
    }
}

/// Sums the inbound-rtp byte counters by kind.
pub async fn read(pc: &RtcPeerConnection) -> CallStats {
    let mut stats = CallStats::default();
    let Ok(report) = JsFuture::from(pc.get_stats()).await else {
        return stats;
    };
    let report: web_sys::RtcStatsReport = report.unchecked_into();
    let number = |entry: &JsValue, key: &str| {
        js_sys::Reflect::get(entry, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    };
    let text = |entry: &JsValue, key: &str| {
        js_sys::Reflect::get(entry, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let entries: Vec<JsValue> = report.values().into_iter().flatten().collect();
    let by_id = |id: &str| entries.iter().find(|entry| text(entry, "id") == id);
    // The transport names the pair ICE selected; the pair names its two candidates.
    let pair = entries
        .iter()
        .filter(|entry| text(entry, "type") == "transport")
        .map(|transport| text(transport, "selectedCandidatePairId"))
        .find_map(|id| by_id(&id));
    if let Some(pair) = pair {
        let candidate_type = |key: &str| {
            by_id(&text(pair, key))
                .map(|candidate| text(candidate, "candidateType"))
                .unwrap_or_default()
        };
        stats.local_candidate_type = candidate_type("localCandidateId");
        stats.remote_candidate_type = candidate_type("remoteCandidateId");
        stats.counters.relayed = Some(crate::quality::relayed(
            &stats.local_candidate_type,
            &stats.remote_candidate_type,
        ));
        let rtt = js_sys::Reflect::get(pair, &JsValue::from_str("currentRoundTripTime"))
            .ok()
            .and_then(|v| v.as_f64());
        stats.counters.rtt_ms = rtt.map(|seconds| seconds * 1000.0);
    }
    stats.counters.at_ms = js_sys::Date::now();
    for entry in &entries {
        let kind = match text(entry, "kind") {
            kind if kind.is_empty() => text(entry, "mediaType"),
            kind => kind,
        };
        let counters = &mut stats.counters;
        match (text(entry, "type").as_str(), kind.as_str()) {
            ("inbound-rtp", kind) => {
                counters.packets_received += number(entry, "packetsReceived");
                counters.packets_lost += number(entry, "packetsLost");
                let jitter = number(entry, "jitter") * 1000.0;
                counters.jitter_ms = Some(counters.jitter_ms.unwrap_or(0.0).max(jitter));
                match kind {
                    "audio" => stats.audio_bytes += number(entry, "bytesReceived"),
                    "video" => {
                        stats.video_bytes += number(entry, "bytesReceived");
                        stats.video_frames += number(entry, "framesDecoded");
                    }
                    _ => {}
                }
            }
            ("outbound-rtp", "video") => {
                counters.video_bytes_sent += number(entry, "bytesSent");
                counters.bandwidth_limited |= text(entry, "qualityLimitationReason") == "bandwidth";
            }
            _ => {}
        }
    }
    stats.video_tracks = pc
        .get_receivers()
        .iter()
        .filter_map(|r| r.dyn_into::<RtcRtpReceiver>().ok())
        .filter(|r| {
            let track = r.track();
            track.kind() == "video"
                && track.ready_state() == web_sys::MediaStreamTrackState::Live
                && !track.muted()
        })
        .count() as u32;
    stats
}

/// Defines `window.__callhub_stats` once per page.
pub fn install_hook() {
    if INSTALLED.with(|installed| installed.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let hook = Closure::<dyn Fn() -> js_sys::Promise>::new(|| {
        wasm_bindgen_futures::future_to_promise(async {
            let pc = CURRENT.with(|current| current.borrow().clone());
            let (stats, connection) = match &pc {
                Some(pc) => (read(pc).await, format!("{:?}", pc.connection_state())),
                None => (CallStats::default(), "none".to_owned()),
            };
            let result = js_sys::Object::new();
            let set = |key: &str, value: JsValue| {
                let _ = js_sys::Reflect::set(&result, &JsValue::from_str(key), &value);
            };
            set("audioBytes", stats.audio_bytes.into());
            set("videoBytes", stats.video_bytes.into());
            set("videoFrames", stats.video_frames.into());
            set("videoTracks", stats.video_tracks.into());
            set("connection", connection.to_lowercase().into());
            set("localCandidateType", stats.local_candidate_type.into());
            set("remoteCandidateType", stats.remote_candidate_type.into());
            set("videoBytesSent", stats.counters.video_bytes_sent.into());
            set(
                "rttMs",
                stats.counters.rtt_ms.map_or(JsValue::NULL, JsValue::from),
            );
            Ok(result.into())
        })
    });
    let _ = js_sys::Reflect::set(
        &window,
        &JsValue::from_str("__callhub_stats"),
        hook.as_ref().unchecked_ref(),
    );
    // Lives as long as the page.
    hook.forget();
}
