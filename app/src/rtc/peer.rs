//! One RTCPeerConnection: local tracks, offer/answer, trickle ICE with remote candidates held
//! until the remote description is set, and a negotiated data channel for the media state.

use std::rc::Rc;

use serde_json::{json, Value};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MediaStream, MediaStreamTrack, MessageEvent, RtcConfiguration, RtcDataChannel,
    RtcDataChannelInit, RtcDataChannelState, RtcIceCandidateInit, RtcIceTransportPolicy,
    RtcOfferOptions, RtcPeerConnection, RtcPeerConnectionIceEvent, RtcPeerConnectionState,
    RtcRtpSender, RtcRtpTransceiver, RtcRtpTransceiverDirection, RtcRtpTransceiverInit, RtcSdpType,
    RtcSessionDescriptionInit, RtcTrackEvent,
};

use crate::negotiation::{ConnectionState, PeerEvent};
use crate::protocol::IceServers;

use super::{error_text, from_js, media, to_js};

pub struct Peer {
    pub pc: RtcPeerConnection,
    /// What the other side sends; it grows a track per `track` event.
    pub remote: MediaStream,
    channel: RtcDataChannel,
    _closures: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl Peer {
    /// A connection with the local tracks. Without a local microphone audio is received only;
    /// without a local video track (an audio call, or no camera) the video transceiver is
    /// sendrecv even so, with no track: a camera or a screen goes on it later with
    /// replaceTrack, and the other side receives it without a new offer (issue 19).
    pub fn new(
        config: &RtcConfiguration,
        local: Option<&MediaStream>,
        on_event: Rc<dyn Fn(PeerEvent)>,
    ) -> Result<Self, String> {
        let pc = RtcPeerConnection::new_with_configuration(config).map_err(|e| error_text(&e))?;

        for kind in &["audio", "video"] {
            let track = local.and_then(|stream| {
                media::tracks(stream)
                    .into_iter()
                    .find(|track| track.kind() == *kind)
            });
            match (track, local) {
                (Some(track), Some(stream)) => {
                    pc.add_track_0(&track, stream);
                }
                _ => {
                    let init = RtcRtpTransceiverInit::new();
                    init.set_direction(match *kind {
                        "video" => RtcRtpTransceiverDirection::Sendrecv,
                        _ => RtcRtpTransceiverDirection::Recvonly,
                    });
                    pc.add_transceiver_with_str_and_init(kind, &init);
                }
            }
        }

        // Both sides create the same channel (id 0): no in-band announcement needed.
        let init = RtcDataChannelInit::new();
        init.set_negotiated(true);
        init.set_id(0);
        let channel = pc.create_data_channel_with_data_channel_dict("state", &init);

        let mut closures = Vec::new();
        let events = on_event.clone();
        let on_candidate = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let event: RtcPeerConnectionIceEvent = event.unchecked_into();
            if let Some(candidate) = event.candidate() {
                // An empty candidate string is the end-of-candidates marker: nothing to send.
                if !candidate.candidate().is_empty() {
                    events(PeerEvent::Candidate(from_js(&candidate.to_json())));
                }
            }
        });
        pc.set_onicecandidate(Some(on_candidate.as_ref().unchecked_ref()));
        closures.push(on_candidate);

        let events = on_event.clone();
        let state_pc = pc.clone();
        let on_state = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let state = match state_pc.connection_state() {
                RtcPeerConnectionState::Connected => ConnectionState::Connected,
                RtcPeerConnectionState::Disconnected => ConnectionState::Disconnected,
                RtcPeerConnectionState::Failed => ConnectionState::Failed,
                _ => ConnectionState::Other,
            };
            events(PeerEvent::State(state));
        });
        pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
        closures.push(on_state);

        let events = on_event.clone();
        let remote = MediaStream::new().map_err(|e| error_text(&e))?;
        // `Clone::clone`, not `remote.clone()`: that is MediaStream.clone(), a new stream.
        let stream = Clone::clone(&remote);
        let on_track = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let event: RtcTrackEvent = event.unchecked_into();
            let track: MediaStreamTrack = event.track();
            stream.add_track(&track);
            events(PeerEvent::Track);
        });
        pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
        closures.push(on_track);

        let events = on_event.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| events(PeerEvent::ChannelOpen));
        channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        closures.push(on_open);

        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let event: MessageEvent = event.unchecked_into();
            if let Some(text) = event.data().as_string() {
                on_event(PeerEvent::ChannelMessage(text));
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        closures.push(on_message);

        super::stats::track(Some(&pc));
        Ok(Self {
            pc,
            remote,
            channel,
            _closures: closures,
        })
    }

    /// Sends a text on the data channel when it is open.
    pub fn send_state(&self, text: &str) {
        if self.channel.ready_state() == RtcDataChannelState::Open {
            let _ = self.channel.send_with_str(text);
        }
    }

    /// Closes the connection and silences its handlers. Local tracks are not stopped: they are
    /// reused by the next connection of the call.
    fn close(&self) {
        self.pc.set_onicecandidate(None);
        self.pc.set_onconnectionstatechange(None);
        self.pc.set_ontrack(None);
        self.channel.set_onopen(None);
        self.channel.set_onmessage(None);
        self.channel.close();
        self.pc.close();
        super::stats::forget(&self.pc);
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.close();
    }
}

/// The RTCConfiguration for `servers`; `relay_only` keeps every path on the TURN relay so the
/// other party sees only the relay's address, never this device's.
pub fn configuration(servers: &IceServers, relay_only: bool) -> RtcConfiguration {
    let config = RtcConfiguration::new();
    let list = serde_json::to_value(&servers.ice_servers).unwrap_or_else(|_| json!([]));
    config.set_ice_servers(&to_js(&list));
    if relay_only {
        config.set_ice_transport_policy(RtcIceTransportPolicy::Relay);
    }
    config
}

/// Gives a live connection new servers (fresh TURN credentials) before an ICE restart.
pub fn reconfigure(pc: &RtcPeerConnection, config: &RtcConfiguration) -> Result<(), String> {
    pc.set_configuration_with_configuration(config)
        .map_err(|e| error_text(&e))
}

/// `{type, sdp}` of a description JS object.
fn description_json(description: &JsValue) -> Value {
    let get = |key: &str| {
        js_sys::Reflect::get(description, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    json!({ "type": get("type"), "sdp": get("sdp") })
}

fn description_init(description: &Value, kind: RtcSdpType) -> RtcSessionDescriptionInit {
    let init = RtcSessionDescriptionInit::new(kind);
    init.set_sdp(description.get("sdp").and_then(Value::as_str).unwrap_or(""));
    init
}

/// createOffer (with an ICE restart when asked) + setLocalDescription; the offer as JSON.
pub async fn make_offer(pc: &RtcPeerConnection, ice_restart: bool) -> Result<Value, String> {
    let options = RtcOfferOptions::new();
    if ice_restart {
        options.set_ice_restart(true);
    }
    let offer = JsFuture::from(pc.create_offer_with_rtc_offer_options(&options))
        .await
        .map_err(|e| error_text(&e))?;
    let offer = description_json(&offer);
    JsFuture::from(pc.set_local_description(&description_init(&offer, RtcSdpType::Offer)))
        .await
        .map_err(|e| error_text(&e))?;
    Ok(offer)
}

/// setRemoteDescription(offer) + createAnswer + setLocalDescription; the answer as JSON.
pub async fn answer_offer(pc: &RtcPeerConnection, offer: &Value) -> Result<Value, String> {
    JsFuture::from(pc.set_remote_description(&description_init(offer, RtcSdpType::Offer)))
        .await
        .map_err(|e| error_text(&e))?;
    // The offer's video created a receive-only transceiver here when no local track took it:
    // sendrecv, so this side can turn a camera or a screen on later without a new offer.
    for transceiver in transceivers(pc) {
        if transceiver.mid().is_some()
            && transceiver.receiver().track().kind() == "video"
            && transceiver.direction() == RtcRtpTransceiverDirection::Recvonly
        {
            transceiver.set_direction(RtcRtpTransceiverDirection::Sendrecv);
        }
    }
    let answer = JsFuture::from(pc.create_answer())
        .await
        .map_err(|e| error_text(&e))?;
    let answer = description_json(&answer);
    JsFuture::from(pc.set_local_description(&description_init(&answer, RtcSdpType::Answer)))
        .await
        .map_err(|e| error_text(&e))?;
    Ok(answer)
}

pub async fn apply_answer(pc: &RtcPeerConnection, answer: &Value) -> Result<(), String> {
    JsFuture::from(pc.set_remote_description(&description_init(answer, RtcSdpType::Answer)))
        .await
        .map(|_| ())
        .map_err(|e| error_text(&e))
}

/// addIceCandidate from a relayed RTCIceCandidate JSON.
pub async fn add_candidate(pc: &RtcPeerConnection, candidate: &Value) -> Result<(), String> {
    let text = candidate
        .get("candidate")
        .and_then(Value::as_str)
        .unwrap_or("");
    let init = RtcIceCandidateInit::new(text);
    init.set_sdp_mid(candidate.get("sdpMid").and_then(Value::as_str));
    init.set_sdp_m_line_index(
        candidate
            .get("sdpMLineIndex")
            .and_then(Value::as_u64)
            .and_then(|i| u16::try_from(i).ok()),
    );
    JsFuture::from(pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init)))
        .await
        .map(|_| ())
        .map_err(|e| error_text(&e))
}

fn transceivers(pc: &RtcPeerConnection) -> Vec<RtcRtpTransceiver> {
    pc.get_transceivers()
        .iter()
        .filter_map(|t| t.dyn_into::<RtcRtpTransceiver>().ok())
        .collect()
}

/// The sender of the negotiated video transceiver that may send (with a track or idle): where
/// a camera or a screen goes in a call that did not start with one.
pub fn video_sender(pc: &RtcPeerConnection) -> Option<RtcRtpSender> {
    transceivers(pc)
        .into_iter()
        .find(|t| {
            t.mid().is_some()
                && t.receiver().track().kind() == "video"
                && matches!(
                    t.current_direction(),
                    Some(
                        RtcRtpTransceiverDirection::Sendrecv | RtcRtpTransceiverDirection::Sendonly
                    )
                )
        })
        .map(|t| t.sender())
}
