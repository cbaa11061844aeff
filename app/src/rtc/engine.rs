//! One call's media and signaling: local media, the room socket, the current peer connection,
//! and the rules of who offers when.
//!
//! Everything that happens (socket messages, connection events, user actions) becomes a
//! [`Cmd`] processed one at a time in order by a single task, so an offer can never overtake the
//! answer before it and no state is borrowed across an `await`.
//!
//! Rules (see also `rtc` module docs):
//! - The caller offers when the call is accepted and its room socket is authenticated, again
//!   whenever it (re)joins the room (`auth-ok`) and whenever the receiver (re)joins
//!   (`user-joined`) unless its pending offer is the one the server just delivered from its queue.
//! - The receiver answers every offer: a new session gets a fresh connection, the current
//!   session's offer (an ICE restart) is answered on the same connection.
//! - Either side drops its connection when the other leaves the room (`user-left`), and the
//!   receiver also when the caller (re)joins: a new offer is coming.
//! - When the connection fails, the caller restarts ICE on the same connection. Both sides fetch
//!   the ICE servers again first (TURN credentials are short-lived) and apply them with
//!   setConfiguration.
//! - With relay-only on (settings), every connection uses ICE transport policy "relay"; if the
//!   server offers no TURN server the page is told why the call cannot connect.
//! - A lost room socket is reopened (with a refreshed token after a 4001) while the call lives;
//!   the server keeps the call for a grace period meanwhile.

use std::{
    cell::{Cell, RefCell},
    collections::VecDeque,
    rc::Rc,
};

use serde_json::{json, Value};
use web_sys::{MediaStream, RtcPeerConnectionState, RtcSignalingState};

use crate::protocol::{CallId, CallType, ClientMsg, IceServers, ServerMsg};

use super::{
    log, media,
    peer::{self, Peer, PeerEvent},
    signaling::{RoomSocket, SocketEvent},
    stats,
};

/// What the engine needs to know about the call.
#[derive(Clone, Debug)]
pub struct CallConfig {
    pub call_id: CallId,
    pub room_id: String,
    pub call_type: CallType,
    pub is_caller: bool,
    /// The call is already accepted (else call [`CallHandle::accepted`] when it is).
    pub accepted: bool,
}

/// The state of the media path, for the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Joining the room or negotiating.
    Connecting,
    /// In the room, the other party is not (yet, or any more).
    WaitingForPeer,
    Connected,
    /// Media stopped flowing (network change); ICE is being restarted or the peer rejoins.
    Reconnecting,
}

/// Why relay-only cannot work here, in the user's words.
pub const NO_RELAY_MESSAGE: &str = "Relay-only calls are on in your profile, but this server \
    offers no TURN relay, so the call cannot connect. Turn relay-only off in your profile to \
    connect directly.";

/// What the page hears.
pub enum CallEvent {
    LocalStream(MediaStream),
    /// Local media works, with a limitation worth telling (no camera).
    MediaNotice(String),
    /// No local media: the user hears and sees the other side but sends nothing.
    MediaError(String),
    RemoteStream(MediaStream),
    Link(LinkState),
    /// The other party's microphone/camera state.
    RemoteMedia {
        muted: bool,
        camera_off: bool,
    },
    /// The other party hung up (call-end in the room).
    RemoteHangUp,
    /// The server says the call is over or not ours (room socket closed with 4004/4003).
    CallOver,
    /// The media path cannot form as configured (relay-only without a TURN server).
    LinkError(String),
}

enum Cmd {
    Start,
    Socket(u32, SocketEvent),
    Peer(Option<String>, PeerEvent),
    Accepted,
    Reconnect(u32),
    SetMuted(bool),
    SetCameraOff(bool),
}

struct State {
    ice_servers: IceServers,
    /// The relay-only setting, read when the call starts.
    relay_only: bool,
    local: Option<MediaStream>,
    socket: Option<RoomSocket>,
    /// Tells the current socket's events from a replaced one's.
    socket_gen: u32,
    authed: bool,
    failures: u32,
    refresh_token: bool,
    peer: Option<Peer>,
    /// Receiver: candidates that came before the offer of their session.
    early_candidates: Vec<Value>,
    muted: bool,
    camera_off: bool,
}

struct Engine {
    config: CallConfig,
    accepted: Cell<bool>,
    closed: Cell<bool>,
    on_event: Box<dyn Fn(CallEvent)>,
    queue: RefCell<VecDeque<Cmd>>,
    running: Cell<bool>,
    state: RefCell<State>,
}

/// A running call. Cheap to clone; [`CallHandle::close`] ends everything.
#[derive(Clone)]
pub struct CallHandle(Rc<Engine>);

impl CallHandle {
    /// Gets local media, joins the room, and connects once the call is accepted.
    pub fn start(config: CallConfig, on_event: impl Fn(CallEvent) + 'static) -> Self {
        stats::install_hook();
        let engine = Rc::new(Engine {
            accepted: Cell::new(config.accepted),
            config,
            closed: Cell::new(false),
            on_event: Box::new(on_event),
            queue: RefCell::new(VecDeque::new()),
            running: Cell::new(false),
            state: RefCell::new(State {
                ice_servers: IceServers::default(),
                relay_only: crate::settings::relay_only(),
                local: None,
                socket: None,
                socket_gen: 0,
                authed: false,
                failures: 0,
                refresh_token: false,
                peer: None,
                early_candidates: Vec::new(),
                muted: false,
                camera_off: false,
            }),
        });
        push(&engine, Cmd::Start);
        Self(engine)
    }

    /// The call was accepted (a status update).
    pub fn accepted(&self) {
        if !self.0.accepted.replace(true) {
            push(&self.0, Cmd::Accepted);
        }
    }

    pub fn set_muted(&self, muted: bool) {
        push(&self.0, Cmd::SetMuted(muted));
    }

    pub fn set_camera_off(&self, off: bool) {
        push(&self.0, Cmd::SetCameraOff(off));
    }

    /// Tells the other party through the room (call-end); the server ends the call too.
    /// Sends call-end in the room; false if the room socket is not open to take it.
    pub fn hang_up(&self) -> bool {
        self.0.state.borrow().socket.as_ref().is_some_and(|socket| {
            socket.send(&ClientMsg::CallEnd {
                call_id: self.0.config.call_id,
                reason: Some("hangup".into()),
            })
        })
    }

    /// Stops every track, closes the connection and the socket. Idempotent.
    pub fn close(&self) {
        if self.0.closed.replace(true) {
            return;
        }
        self.0.queue.borrow_mut().clear();
        let mut state = self.0.state.borrow_mut();
        if let Some(peer) = state.peer.take() {
            peer.close();
        }
        if let Some(socket) = state.socket.take() {
            socket.close();
        }
        if let Some(local) = state.local.take() {
            media::stop(&local);
        }
        stats::track(None);
    }
}

/// Queues a command; starts the processing task when idle.
fn push(engine: &Rc<Engine>, cmd: Cmd) {
    if engine.closed.get() {
        return;
    }
    engine.queue.borrow_mut().push_back(cmd);
    if engine.running.replace(true) {
        return;
    }
    let engine = engine.clone();
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            let next = engine.queue.borrow_mut().pop_front();
            let Some(cmd) = next else { break };
            if engine.closed.get() {
                break;
            }
            handle(&engine, cmd).await;
        }
        engine.running.set(false);
    });
}

fn emit(engine: &Engine, event: CallEvent) {
    if !engine.closed.get() {
        (engine.on_event)(event);
    }
}

async fn handle(engine: &Rc<Engine>, cmd: Cmd) {
    match cmd {
        Cmd::Start => start(engine).await,
        Cmd::Socket(gen, event) => {
            if gen == engine.state.borrow().socket_gen {
                socket_event(engine, event).await;
            }
        }
        Cmd::Peer(session, event) => {
            let current = engine
                .state
                .borrow()
                .peer
                .as_ref()
                .is_some_and(|p| p.session == session);
            if current {
                peer_event(engine, event).await;
            }
        }
        Cmd::Accepted => {
            let ready = {
                let state = engine.state.borrow();
                state.authed && state.peer.is_none()
            };
            if engine.config.is_caller && ready {
                offer(engine).await;
            }
        }
        Cmd::Reconnect(gen) => {
            if gen == engine.state.borrow().socket_gen {
                if engine.state.borrow().refresh_token {
                    let _ = crate::api::refresh().await;
                }
                open_socket(engine);
            }
        }
        Cmd::SetMuted(muted) => {
            let mut state = engine.state.borrow_mut();
            state.muted = muted;
            if let Some(local) = &state.local {
                media::set_enabled(local, "audio", !muted);
            }
            send_media_state(&state);
        }
        Cmd::SetCameraOff(off) => {
            let mut state = engine.state.borrow_mut();
            state.camera_off = off;
            if let Some(local) = &state.local {
                media::set_enabled(local, "video", !off);
            }
            send_media_state(&state);
        }
    }
}

async fn start(engine: &Rc<Engine>) {
    emit(engine, CallEvent::Link(LinkState::Connecting));
    fetch_ice_servers(engine).await;
    if engine.closed.get() {
        return;
    }
    match media::acquire(engine.config.call_type == CallType::Video).await {
        Ok(local) => {
            if engine.closed.get() {
                media::stop(&local.stream);
                return;
            }
            if let Some(notice) = local.notice {
                emit(engine, CallEvent::MediaNotice(notice));
            }
            emit(engine, CallEvent::LocalStream(Clone::clone(&local.stream)));
            let mut state = engine.state.borrow_mut();
            media::set_enabled(&local.stream, "audio", !state.muted);
            media::set_enabled(&local.stream, "video", !state.camera_off);
            state.local = Some(local.stream);
        }
        Err(message) => emit(engine, CallEvent::MediaError(message)),
    }
    if engine.closed.get() {
        return;
    }
    open_socket(engine);
}

/// TURN/STUN from the server when it offers them (loopback and LAN calls need none); on failure
/// the previous ones are kept.
async fn fetch_ice_servers(engine: &Engine) {
    match crate::api::get::<IceServers>("/api/ice-servers/").await {
        Ok(servers) => engine.state.borrow_mut().ice_servers = servers,
        Err(failure) => log(&format!("no ICE servers: {}", failure.message())),
    }
    let unusable = {
        let state = engine.state.borrow();
        state.relay_only && !state.ice_servers.has_relay()
    };
    if unusable {
        emit(engine, CallEvent::LinkError(NO_RELAY_MESSAGE.into()));
    }
}

/// The current connection's configuration with freshly fetched servers, before an ICE restart.
async fn refresh_ice_servers(engine: &Engine, pc: &web_sys::RtcPeerConnection) {
    fetch_ice_servers(engine).await;
    let config = {
        let state = engine.state.borrow();
        peer::configuration(&state.ice_servers, state.relay_only)
    };
    if let Err(error) = peer::reconfigure(pc, &config) {
        log(&format!("setConfiguration failed: {error}"));
    }
}

fn open_socket(engine: &Rc<Engine>) {
    let gen = {
        let mut state = engine.state.borrow_mut();
        state.socket_gen += 1;
        state.authed = false;
        state.refresh_token = false;
        if let Some(old) = state.socket.take() {
            old.close();
        }
        state.socket_gen
    };
    let weak = Rc::downgrade(engine);
    let on_event = Rc::new(move |event: SocketEvent| {
        if let Some(engine) = weak.upgrade() {
            push(&engine, Cmd::Socket(gen, event));
        }
    });
    let token = crate::session::access_token();
    match RoomSocket::open(&engine.config.room_id, token, on_event) {
        Ok(socket) => engine.state.borrow_mut().socket = Some(socket),
        Err(error) => {
            log(&format!("cannot open the room socket: {error}"));
            schedule_reconnect(engine, gen);
        }
    }
}

fn schedule_reconnect(engine: &Rc<Engine>, gen: u32) {
    let delay = {
        let mut state = engine.state.borrow_mut();
        state.failures += 1;
        (500 * 2_i32.pow(state.failures.min(4))).min(5000)
    };
    let weak = Rc::downgrade(engine);
    wasm_bindgen_futures::spawn_local(async move {
        super::sleep(delay).await;
        if let Some(engine) = weak.upgrade() {
            push(&engine, Cmd::Reconnect(gen));
        }
    });
}

fn send(engine: &Engine, message: &ClientMsg) {
    let sent = engine
        .state
        .borrow()
        .socket
        .as_ref()
        .is_some_and(|s| s.send(message));
    if !sent {
        log(&format!("not sent (socket closed): {}", message.kind()));
    }
}

fn send_media_state(state: &State) {
    if let Some(peer) = &state.peer {
        let text = json!({ "muted": state.muted, "camera_off": state.camera_off }).to_string();
        peer.send_state(&text);
    }
}

fn drop_peer(engine: &Engine) {
    let peer = engine.state.borrow_mut().peer.take();
    if let Some(peer) = peer {
        peer.close();
    }
}

/// A fresh connection for `session`, replacing the current one.
fn new_peer(engine: &Rc<Engine>, session: Option<String>) -> Option<web_sys::RtcPeerConnection> {
    drop_peer(engine);
    let weak = Rc::downgrade(engine);
    let tag = session.clone();
    let on_event = Rc::new(move |event: PeerEvent| {
        if let Some(engine) = weak.upgrade() {
            push(&engine, Cmd::Peer(tag.clone(), event));
        }
    });
    let mut state = engine.state.borrow_mut();
    let video = engine.config.call_type == CallType::Video;
    let config = peer::configuration(&state.ice_servers, state.relay_only);
    match Peer::new(&config, session, state.local.as_ref(), video, on_event) {
        Ok(peer) => {
            let pc = peer.pc.clone();
            state.peer = Some(peer);
            Some(pc)
        }
        Err(error) => {
            log(&format!("cannot create a peer connection: {error}"));
            None
        }
    }
}

fn with_session(mut description: Value, session: &Option<String>) -> Value {
    if let (Some(object), Some(session)) = (description.as_object_mut(), session) {
        object.insert("session".into(), Value::String(session.clone()));
    }
    description
}

fn session_of(value: &Value) -> Option<String> {
    value
        .get("session")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn random_session() -> String {
    format!(
        "{:x}{:x}",
        (js_sys::Math::random() * 4_294_967_296.0) as u64,
        js_sys::Date::now() as u64
    )
}

/// Caller: a new session and its offer.
async fn offer(engine: &Rc<Engine>) {
    let session = Some(random_session());
    let Some(pc) = new_peer(engine, session.clone()) else {
        return;
    };
    emit(engine, CallEvent::Link(LinkState::Connecting));
    send_offer(engine, &pc, &session, false).await;
}

/// Creates an offer (with an ICE restart or not) for `session` and sends it.
async fn send_offer(
    engine: &Rc<Engine>,
    pc: &web_sys::RtcPeerConnection,
    session: &Option<String>,
    ice_restart: bool,
) {
    match peer::make_offer(pc, ice_restart).await {
        Ok(offer) => send(
            engine,
            &ClientMsg::CallOffer {
                offer: with_session(offer, session),
                call_id: engine.config.call_id,
                call_type: Some(engine.config.call_type),
            },
        ),
        Err(error) => log(&format!(
            "createOffer failed (ICE restart: {ice_restart}): {error}"
        )),
    }
}

async fn socket_event(engine: &Rc<Engine>, event: SocketEvent) {
    let caller = engine.config.is_caller;
    match event {
        SocketEvent::Closed { code } => {
            let gen = {
                let mut state = engine.state.borrow_mut();
                state.socket = None;
                state.authed = false;
                state.refresh_token = code == 4001;
                state.socket_gen
            };
            match code {
                4003 | 4004 => emit(engine, CallEvent::CallOver),
                _ => {
                    log(&format!("room socket closed ({code}); reconnecting"));
                    schedule_reconnect(engine, gen);
                }
            }
        }
        SocketEvent::Message(message) => match *message {
            ServerMsg::AuthOk { .. } => {
                {
                    let mut state = engine.state.borrow_mut();
                    state.authed = true;
                    state.failures = 0;
                }
                // Whatever we had is stale: the other side dropped it when we left.
                drop_peer(engine);
                if caller && engine.accepted.get() {
                    offer(engine).await;
                } else {
                    emit(engine, CallEvent::Link(LinkState::WaitingForPeer));
                }
            }
            ServerMsg::UserJoined { .. } => {
                if caller {
                    let offer_pending =
                        engine.state.borrow().peer.as_ref().is_some_and(|p| {
                            p.signaling_state() == RtcSignalingState::HaveLocalOffer
                        });
                    // A pending offer was made while they were away: the server has just
                    // delivered it from its queue.
                    if engine.accepted.get() && !offer_pending {
                        offer(engine).await;
                    }
                } else {
                    drop_peer(engine);
                    engine.state.borrow_mut().early_candidates.clear();
                    emit(engine, CallEvent::Link(LinkState::Connecting));
                }
            }
            ServerMsg::UserLeft { .. } => {
                drop_peer(engine);
                engine.state.borrow_mut().early_candidates.clear();
                emit(engine, CallEvent::Link(LinkState::WaitingForPeer));
            }
            ServerMsg::CallOffer { offer, .. } if !caller => answer(engine, offer).await,
            ServerMsg::CallAnswer { answer, .. } if caller => {
                let session = session_of(&answer);
                let pc = {
                    let state = engine.state.borrow();
                    state
                        .peer
                        .as_ref()
                        .filter(|p| {
                            (session.is_none() || p.session == session)
                                && p.signaling_state() == RtcSignalingState::HaveLocalOffer
                        })
                        .map(|p| p.pc.clone())
                };
                let Some(pc) = pc else {
                    return;
                };
                match peer::apply_answer(&pc, &answer).await {
                    Ok(()) => flush_candidates(engine).await,
                    Err(error) => log(&format!("setRemoteDescription(answer) failed: {error}")),
                }
            }
            ServerMsg::IceCandidate { candidate, .. } => remote_candidate(engine, candidate).await,
            ServerMsg::CallEnd { .. } => emit(engine, CallEvent::RemoteHangUp),
            ServerMsg::Error { message, .. } => log(&format!("room error: {message}")),
            _ => {}
        },
    }
}

/// Receiver: answers an offer (a new session gets a new connection).
async fn answer(engine: &Rc<Engine>, offer: Value) {
    let session = session_of(&offer);
    let same = engine
        .state
        .borrow()
        .peer
        .as_ref()
        .filter(|p| p.session == session && session.is_some())
        .map(|p| p.pc.clone());
    let pc = match same {
        // An ICE restart: gather with fresh credentials, as the caller does.
        Some(pc) => {
            refresh_ice_servers(engine, &pc).await;
            pc
        }
        None => {
            let Some(pc) = new_peer(engine, session.clone()) else {
                return;
            };
            // Candidates of this session that overtook it, if any.
            let early: Vec<Value> = std::mem::take(&mut engine.state.borrow_mut().early_candidates)
                .into_iter()
                .filter(|c| session_of(c) == session)
                .collect();
            if let Some(peer) = engine.state.borrow_mut().peer.as_mut() {
                peer.pending.extend(early);
            }
            emit(engine, CallEvent::Link(LinkState::Connecting));
            pc
        }
    };
    match peer::answer_offer(&pc, &offer).await {
        Ok(answer) => {
            if let Some(peer) = engine.state.borrow_mut().peer.as_mut() {
                peer.remote_described = true;
            }
            send(
                engine,
                &ClientMsg::CallAnswer {
                    answer: with_session(answer, &session),
                    call_id: engine.config.call_id,
                },
            );
            flush_candidates(engine).await;
        }
        Err(error) => log(&format!("answering the offer failed: {error}")),
    }
}

async fn flush_candidates(engine: &Rc<Engine>) {
    let (pc, pending) = {
        let mut state = engine.state.borrow_mut();
        let Some(peer) = state.peer.as_mut() else {
            return;
        };
        peer.remote_described = true;
        (peer.pc.clone(), std::mem::take(&mut peer.pending))
    };
    for candidate in pending {
        if let Err(error) = peer::add_candidate(&pc, &candidate).await {
            log(&format!("addIceCandidate failed: {error}"));
        }
    }
}

async fn remote_candidate(engine: &Rc<Engine>, candidate: Value) {
    let session = session_of(&candidate);
    let ready = {
        let mut state = engine.state.borrow_mut();
        let caller = engine.config.is_caller;
        match state.peer.as_mut() {
            Some(peer) if peer.session == session || session.is_none() => {
                if peer.remote_described {
                    Some(peer.pc.clone())
                } else {
                    peer.pending.push(candidate.clone());
                    None
                }
            }
            _ => {
                if !caller {
                    state.early_candidates.push(candidate.clone());
                }
                None
            }
        }
    };
    if let Some(pc) = ready {
        if let Err(error) = peer::add_candidate(&pc, &candidate).await {
            log(&format!("addIceCandidate failed: {error}"));
        }
    }
}

async fn peer_event(engine: &Rc<Engine>, event: PeerEvent) {
    match event {
        PeerEvent::Candidate(candidate) => {
            let session = engine
                .state
                .borrow()
                .peer
                .as_ref()
                .and_then(|p| p.session.clone());
            send(
                engine,
                &ClientMsg::IceCandidate {
                    candidate: with_session(candidate, &session),
                    call_id: engine.config.call_id,
                },
            );
        }
        PeerEvent::State(state) => match state {
            RtcPeerConnectionState::Connected => {
                emit(engine, CallEvent::Link(LinkState::Connected))
            }
            RtcPeerConnectionState::Disconnected => {
                emit(engine, CallEvent::Link(LinkState::Reconnecting))
            }
            RtcPeerConnectionState::Failed => {
                emit(engine, CallEvent::Link(LinkState::Reconnecting));
                let pc = engine.state.borrow().peer.as_ref().map(|p| p.pc.clone());
                let session = engine
                    .state
                    .borrow()
                    .peer
                    .as_ref()
                    .and_then(|p| p.session.clone());
                if let (true, Some(pc)) = (engine.config.is_caller, pc) {
                    if pc.signaling_state() == RtcSignalingState::Stable {
                        log("connection failed: restarting ICE");
                        refresh_ice_servers(engine, &pc).await;
                        send_offer(engine, &pc, &session, true).await;
                    }
                }
            }
            _ => {}
        },
        PeerEvent::Track(stream) => emit(engine, CallEvent::RemoteStream(stream)),
        PeerEvent::ChannelOpen => send_media_state(&engine.state.borrow()),
        PeerEvent::ChannelMessage(text) => {
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                let flag = |key: &str| value.get(key).and_then(Value::as_bool).unwrap_or(false);
                emit(
                    engine,
                    CallEvent::RemoteMedia {
                        muted: flag("muted"),
                        camera_off: flag("camera_off"),
                    },
                );
            }
        }
    }
}
