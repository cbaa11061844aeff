//! One call's media and signaling in the browser: local media, the room socket and the current
//! peer connection, driven by the [`Negotiation`] core, which decides everything (who offers
//! when, which messages are stale, when to reconnect; see [`crate::negotiation`]). This module
//! only feeds it and performs the [`Action`]s it returns.
//!
//! Everything that happens (socket messages, connection events, user actions) becomes an
//! [`Input`] processed one at a time in order by a single task, so an offer can never overtake
//! the answer before it and no state is borrowed across an `await`. The outcome of an
//! asynchronous action (an offer created, an answer applied) is fed back at once, before the
//! next action.

use std::{
    cell::{Cell, RefCell},
    collections::VecDeque,
    rc::Rc,
};

use web_sys::{MediaStream, RtcPeerConnection};

use crate::api::socket::{Socket, SocketEvent};
use crate::negotiation::{self, Action, Input, Negotiation, Notice, PeerEvent};
use crate::protocol::{CallId, CallType, ClientMsg, CloseCode, Grade, IceServers, MediaState};
use crate::quality::SAMPLE_INTERVAL_MS;

pub use crate::negotiation::LinkState;

use super::{devices, log, media, peer, peer::Peer, stats};
use crate::devices::DeviceKind;

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

/// What the page hears.
pub enum CallEvent {
    LocalStream(MediaStream),
    /// Local media works, with a limitation worth telling (no camera).
    MediaNotice(String),
    /// No local media: the user hears and sees the other side but sends nothing.
    MediaError(String),
    RemoteStream(MediaStream),
    Link(LinkState),
    /// The other party's microphone/camera/screen state.
    RemoteMedia(MediaState),
    /// This side sends its screen (true) or its camera again.
    Sharing(bool),
    /// Audio call: this side sends its camera (true) or no video any more.
    Video(bool),
    /// A chat message sent (`mine`) or received over the data channel.
    Chat {
        mine: bool,
        text: String,
    },
    /// The devices the local tracks capture from, by kind (after getUserMedia and each switch).
    DevicesInUse(Vec<(DeviceKind, String)>),
    /// A connection grade: this side's (`remote` false) or the other party's.
    Quality {
        remote: bool,
        grade: Grade,
    },
    /// The other party hung up (call-end in the room).
    RemoteHangUp,
    /// The server says the call is over or not ours (room socket closed with 4004/4003).
    CallOver,
    /// The media path cannot form as configured (relay-only without a reachable TURN relay);
    /// lifted by the next [`LinkState::Connected`].
    LinkError(String),
}

enum Cmd {
    Input(Input),
    /// From the room socket of generation `u32` (or its reconnect timer): dropped when that
    /// socket has been replaced meanwhile.
    Socket(u32, Input),
}

/// The browser handles the core's actions work on.
#[derive(Default)]
struct Browser {
    ice_servers: IceServers,
    local: Option<MediaStream>,
    socket: Option<Socket>,
    /// Tells the current socket's events from a replaced one's.
    socket_gen: u32,
    peer: Option<Peer>,
    /// While the screen is shared: the camera to go back to, and the screen track's `ended`
    /// handler (the browser's own "stop sharing").
    sharing: Option<Sharing>,
}

struct Sharing {
    camera: Option<String>,
    screen: web_sys::MediaStreamTrack,
    _on_ended: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl Drop for Sharing {
    fn drop(&mut self) {
        self.screen.set_onended(None);
        self.screen.stop();
    }
}

struct Engine {
    config: CallConfig,
    relay_only: bool,
    closed: Cell<bool>,
    on_event: Box<dyn Fn(CallEvent)>,
    queue: RefCell<VecDeque<Cmd>>,
    running: Cell<bool>,
    core: RefCell<Negotiation>,
    browser: RefCell<Browser>,
}

/// A running call. Cheap to clone; [`CallHandle::close`] ends everything.
#[derive(Clone)]
pub struct CallHandle(Rc<Engine>);

impl CallHandle {
    /// Gets local media, joins the room, and connects once the call is accepted.
    pub fn start(config: CallConfig, on_event: impl Fn(CallEvent) + 'static) -> Self {
        stats::install_hook();
        let relay_only = crate::settings::relay_only();
        let core = Negotiation::new(negotiation::Config {
            call_id: config.call_id,
            call_type: config.call_type,
            is_caller: config.is_caller,
            accepted: config.accepted,
            relay_only,
            session_prefix: random_prefix(),
        });
        let engine = Rc::new(Engine {
            config,
            relay_only,
            closed: Cell::new(false),
            on_event: Box::new(on_event),
            queue: RefCell::new(VecDeque::new()),
            running: Cell::new(false),
            core: RefCell::new(core),
            browser: RefCell::default(),
        });
        push(&engine, Cmd::Input(Input::Start));
        sample_quality(Rc::downgrade(&engine));
        Self(engine)
    }

    /// The call was accepted (a status update).
    pub fn accepted(&self) {
        push(&self.0, Cmd::Input(Input::Accepted));
    }

    pub fn set_muted(&self, muted: bool) {
        push(&self.0, Cmd::Input(Input::SetMuted(muted)));
    }

    pub fn set_camera_off(&self, off: bool) {
        push(&self.0, Cmd::Input(Input::SetCameraOff(off)));
    }

    /// Sends a chat message over the data channel (when open and within the bound).
    pub fn send_chat(&self, text: String) {
        push(&self.0, Cmd::Input(Input::SendChat(text)));
    }

    /// Audio call: turns the camera on or off on the idle video transceiver (no new offer).
    pub fn set_video(&self, on: bool) {
        push(&self.0, Cmd::Input(Input::SetVideo(on)));
    }

    /// Starts or stops sharing the screen.
    pub fn share_screen(&self, share: bool) {
        push(&self.0, Cmd::Input(Input::ShareScreen(share)));
    }

    /// Captures from another microphone or camera (None: the browser's default) mid-call.
    pub fn switch_device(&self, kind: DeviceKind, device: Option<String>) {
        push(&self.0, Cmd::Input(Input::SwitchDevice { kind, device }));
    }

    /// Sends call-end in the room (the server ends the call and tells the other party); false
    /// if the room socket is not open to take it.
    pub fn hang_up(&self) -> bool {
        self.0
            .browser
            .borrow()
            .socket
            .as_ref()
            .is_some_and(|socket| {
                socket.send(&ClientMsg::CallEnd {
                    call_id: self.0.config.call_id,
                    reason: Some("hangup".into()),
                })
            })
    }

    /// This side's report of the call so far (None for a call never answered).
    pub fn report(&self) -> Option<crate::protocol::ReportBody> {
        self.0.core.borrow().report()
    }

    /// Stops every track, closes the connection and the socket. Idempotent.
    pub fn close(&self) {
        if self.0.closed.replace(true) {
            return;
        }
        self.0.queue.borrow_mut().clear();
        let mut browser = self.0.browser.borrow_mut();
        browser.peer = None;
        browser.socket = None;
        browser.sharing = None;
        if let Some(local) = browser.local.take() {
            media::stop(&local);
        }
        stats::track(None);
    }
}

/// Shares a screen in place of the camera; nothing when the user cancels the browser's picker.
async fn share_screen(engine: &Rc<Engine>) -> Option<Input> {
    let local = engine.browser.borrow().local.clone()?;
    let screen = match devices::capture_screen().await {
        Ok(screen) => screen,
        Err(name) => {
            log(&format!("getDisplayMedia: {name}"));
            return None;
        }
    };
    let camera = devices::in_use(&local)
        .into_iter()
        .find(|(kind, _)| *kind == DeviceKind::Camera)
        .map(|(_, id)| id);
    let weak = Rc::downgrade(engine);
    let on_ended = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        if let Some(engine) = weak.upgrade() {
            push(&engine, Cmd::Input(Input::ShareScreen(false)));
        }
    });
    screen.set_onended(Some(wasm_bindgen::JsCast::unchecked_ref(on_ended.as_ref())));
    devices::swap(&local, current_pc(engine).as_ref(), &screen).await;
    engine.browser.borrow_mut().sharing = Some(Sharing {
        camera,
        screen,
        _on_ended: on_ended,
    });
    Some(Input::SharingChanged(true))
}

/// Audio call: the camera (the one chosen on this browser, else the default) on the idle video
/// transceiver; nothing when it cannot start or the other side's connection has no video.
async fn start_camera(engine: &Rc<Engine>) -> Option<Input> {
    let local = engine.browser.borrow().local.clone()?;
    let pc = current_pc(engine);
    if pc
        .as_ref()
        .is_some_and(|pc| peer::video_sender(pc).is_none())
    {
        // An older app on the other side negotiated no video for this call.
        emit(
            engine,
            CallEvent::MediaNotice(crate::i18n::t("call-video-unavailable")),
        );
        return None;
    }
    let chosen = crate::devices::remembered(DeviceKind::Camera);
    let track = match devices::capture(DeviceKind::Camera, chosen.as_deref()).await {
        Ok(track) => Ok(track),
        Err(_) if chosen.is_some() => devices::capture(DeviceKind::Camera, None).await,
        Err(name) => Err(name),
    };
    match track {
        Ok(track) => {
            devices::swap(&local, pc.as_ref(), &track).await;
            emit(engine, CallEvent::DevicesInUse(devices::in_use(&local)));
            Some(Input::VideoChanged(true))
        }
        Err(name) => {
            log(&format!("turning the camera on: {name}"));
            emit(
                engine,
                CallEvent::MediaNotice(crate::i18n::t_with(
                    "call-video-failed",
                    &[("error", name.as_str().into())],
                )),
            );
            None
        }
    }
}

/// Reads the current connection's statistics every [`SAMPLE_INTERVAL_MS`] while it is
/// connected and hands them to the core, which grades them; stops with the engine.
fn sample_quality(engine: std::rc::Weak<Engine>) {
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            super::sleep(i32::try_from(SAMPLE_INTERVAL_MS).unwrap_or(i32::MAX)).await;
            let pc = match engine.upgrade() {
                Some(engine) if !engine.closed.get() => current_pc(&engine),
                _ => return,
            };
            let Some(pc) =
                pc.filter(|pc| pc.connection_state() == web_sys::RtcPeerConnectionState::Connected)
            else {
                continue;
            };
            let counters = stats::read(&pc).await.counters;
            if let Some(engine) = engine.upgrade() {
                push(&engine, Cmd::Input(Input::Stats(counters)));
            }
        }
    });
}

/// Unique enough per page load that a reloaded page never reuses a session id.
fn random_prefix() -> String {
    format!(
        "{:x}{:x}",
        (js_sys::Math::random() * 4_294_967_296.0) as u64,
        js_sys::Date::now() as u64
    )
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
            let input = match cmd {
                Cmd::Input(input) => Some(input),
                Cmd::Socket(gen, input) => {
                    (gen == engine.browser.borrow().socket_gen).then_some(input)
                }
            };
            if let Some(input) = input {
                process(&engine, input).await;
            }
        }
        engine.running.set(false);
    });
}

/// Performs what the core asks for `input`; an action's outcome goes back to the core at once
/// and its actions run before the rest.
async fn process(engine: &Rc<Engine>, input: Input) {
    let mut actions: VecDeque<Action> = engine.core.borrow_mut().handle(input).into();
    while let Some(action) = actions.pop_front() {
        if engine.closed.get() {
            return;
        }
        if let Some(outcome) = perform(engine, action).await {
            let more = engine.core.borrow_mut().handle(outcome);
            for action in more.into_iter().rev() {
                actions.push_front(action);
            }
        }
    }
}

fn emit(engine: &Engine, event: CallEvent) {
    if !engine.closed.get() {
        (engine.on_event)(event);
    }
}

/// One action; the outcome to report, for those that have one.
async fn perform(engine: &Rc<Engine>, action: Action) -> Option<Input> {
    match action {
        Action::Emit(notice) => notify(engine, notice),
        Action::Log(text) => log(&text),
        Action::FetchIceServers => return Some(fetch_ice_servers(engine).await),
        Action::AcquireMedia => {
            acquire_media(engine).await;
            return Some(Input::MediaSettled);
        }
        Action::EnableTracks { audio, video } => {
            if let Some(local) = &engine.browser.borrow().local {
                media::set_enabled(local, "audio", audio);
                media::set_enabled(local, "video", video);
            }
        }
        Action::OpenSocket => return open_socket(engine),
        Action::ScheduleReconnect { delay_ms } => {
            let gen = engine.browser.borrow().socket_gen;
            let weak = Rc::downgrade(engine);
            wasm_bindgen_futures::spawn_local(async move {
                super::sleep(i32::try_from(delay_ms).unwrap_or(i32::MAX)).await;
                if let Some(engine) = weak.upgrade() {
                    push(&engine, Cmd::Socket(gen, Input::ReconnectDue));
                }
            });
        }
        Action::StartTimer {
            session,
            timer,
            delay_ms,
        } => {
            let weak = Rc::downgrade(engine);
            wasm_bindgen_futures::spawn_local(async move {
                super::sleep(i32::try_from(delay_ms).unwrap_or(i32::MAX)).await;
                if let Some(engine) = weak.upgrade() {
                    push(&engine, Cmd::Input(Input::TimerDue { session, timer }));
                }
            });
        }
        Action::RefreshToken => {
            // The room socket was refused with the token as stored now.
            let _ = crate::api::refresh(crate::session::access_token()).await;
        }
        Action::Send(message) => {
            let sent = engine
                .browser
                .borrow()
                .socket
                .as_ref()
                .is_some_and(|s| s.send(&message));
            if !sent {
                log(&format!("not sent (socket closed): {}", message.kind()));
            }
        }
        Action::NewPeer { session } => return new_peer(engine, session),
        Action::ClosePeer => engine.browser.borrow_mut().peer = None,
        Action::MakeOffer { ice_restart } => {
            let pc = current_pc(engine)?;
            return Some(match peer::make_offer(&pc, ice_restart).await {
                Ok(offer) => Input::OfferCreated(offer),
                Err(error) => {
                    log(&format!(
                        "createOffer (ICE restart: {ice_restart}): {error}"
                    ));
                    Input::OfferFailed
                }
            });
        }
        Action::RefreshIceServers => {
            let outcome = fetch_ice_servers(engine).await;
            if let Some(pc) = current_pc(engine) {
                let config =
                    peer::configuration(&engine.browser.borrow().ice_servers, engine.relay_only);
                if let Err(error) = peer::reconfigure(&pc, &config) {
                    log(&format!("setConfiguration failed: {error}"));
                }
            }
            return Some(outcome);
        }
        Action::AnswerOffer(offer) => {
            let pc = current_pc(engine)?;
            match peer::answer_offer(&pc, &offer).await {
                Ok(answer) => return Some(Input::AnswerCreated(answer)),
                Err(error) => log(&format!("answering the offer failed: {error}")),
            }
        }
        Action::ApplyAnswer(answer) => {
            let pc = current_pc(engine)?;
            match peer::apply_answer(&pc, &answer).await {
                Ok(()) => return Some(Input::AnswerApplied),
                Err(error) => log(&format!("setRemoteDescription(answer) failed: {error}")),
            }
        }
        Action::AddCandidate(candidate) => {
            let pc = current_pc(engine)?;
            if let Err(error) = peer::add_candidate(&pc, &candidate).await {
                log(&format!("addIceCandidate failed: {error}"));
            }
        }
        Action::SwitchDevice { kind, device } => {
            let local = engine.browser.borrow().local.clone()?;
            return match devices::capture(kind, device.as_deref()).await {
                Ok(track) => {
                    devices::swap(&local, current_pc(engine).as_ref(), &track).await;
                    emit(engine, CallEvent::DevicesInUse(devices::in_use(&local)));
                    Some(Input::DeviceSwitched)
                }
                Err(name) => {
                    log(&format!("switching the {}: {name}", kind.key()));
                    emit(engine, CallEvent::MediaNotice(kind.failed_notice(&name)));
                    None
                }
            };
        }
        Action::ShareScreen => return share_screen(engine).await,
        Action::StopSharing { camera } => {
            let sharing = engine.browser.borrow_mut().sharing.take();
            let local = engine.browser.borrow().local.clone();
            let pc = current_pc(engine);
            match (sharing, local) {
                (Some(sharing), Some(local)) if camera => {
                    match devices::capture(DeviceKind::Camera, sharing.camera.as_deref()).await {
                        Ok(camera) => devices::swap(&local, pc.as_ref(), &camera).await,
                        Err(name) => log(&format!("the camera after sharing: {name}")),
                    }
                }
                (Some(_), Some(local)) => devices::unsend(&local, pc.as_ref(), "video").await,
                _ => {}
            }
            return Some(Input::SharingChanged(false));
        }
        Action::StartCamera => return start_camera(engine).await,
        Action::StopCamera => {
            let local = engine.browser.borrow().local.clone()?;
            devices::unsend(&local, current_pc(engine).as_ref(), "video").await;
            emit(engine, CallEvent::DevicesInUse(devices::in_use(&local)));
            return Some(Input::VideoChanged(false));
        }
        Action::SendChannel(message) => {
            if let (Some(peer), Ok(text)) = (
                engine.browser.borrow().peer.as_ref(),
                serde_json::to_string(&message),
            ) {
                peer.send_state(&text);
            }
        }
    }
    None
}

fn notify(engine: &Engine, notice: Notice) {
    let event = match notice {
        Notice::Link(state) => CallEvent::Link(state),
        Notice::RemoteStream => {
            let Some(stream) = engine
                .browser
                .borrow()
                .peer
                .as_ref()
                .map(|p| Clone::clone(&p.remote))
            else {
                return;
            };
            CallEvent::RemoteStream(stream)
        }
        Notice::RemoteMedia(state) => CallEvent::RemoteMedia(state),
        Notice::Sharing(sharing) => CallEvent::Sharing(sharing),
        Notice::Video(on) => CallEvent::Video(on),
        Notice::Chat { mine, text } => CallEvent::Chat { mine, text },
        Notice::LocalQuality(grade) => CallEvent::Quality {
            remote: false,
            grade,
        },
        Notice::RemoteQuality(grade) => CallEvent::Quality {
            remote: true,
            grade,
        },
        Notice::RemoteHangUp => CallEvent::RemoteHangUp,
        Notice::CallOver => CallEvent::CallOver,
        Notice::NoRelay => CallEvent::LinkError(crate::i18n::t("relay-none")),
        Notice::RelayUnreachable => CallEvent::LinkError(crate::i18n::t("relay-unreachable")),
    };
    emit(engine, event);
}

fn current_pc(engine: &Engine) -> Option<RtcPeerConnection> {
    engine.browser.borrow().peer.as_ref().map(|p| p.pc.clone())
}

/// TURN/STUN from the server when it offers them (loopback and LAN calls need none); on failure
/// the previous ones are kept.
async fn fetch_ice_servers(engine: &Engine) -> Input {
    match crate::api::ice_servers().await {
        Ok(servers) => engine.browser.borrow_mut().ice_servers = servers,
        Err(failure) => log(&format!("no ICE servers: {}", failure.message())),
    }
    Input::IceServers {
        has_relay: engine.browser.borrow().ice_servers.has_relay(),
    }
}

async fn acquire_media(engine: &Engine) {
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
            emit(
                engine,
                CallEvent::DevicesInUse(devices::in_use(&local.stream)),
            );
            engine.browser.borrow_mut().local = Some(local.stream);
        }
        Err(message) => emit(engine, CallEvent::MediaError(message)),
    }
}

/// Replaces the room socket; a socket that cannot open is reported closed.
fn open_socket(engine: &Rc<Engine>) -> Option<Input> {
    let gen = {
        let mut browser = engine.browser.borrow_mut();
        browser.socket_gen += 1;
        browser.socket = None;
        browser.socket_gen
    };
    let weak = Rc::downgrade(engine);
    let on_event = Rc::new(move |event: SocketEvent| {
        let input = match event {
            SocketEvent::Message(message) => Input::Server(message),
            SocketEvent::Closed(code) => Input::SocketClosed(code),
        };
        if let Some(engine) = weak.upgrade() {
            push(&engine, Cmd::Socket(gen, input));
        }
    });
    let path = format!("/ws/call/{}/", engine.config.room_id);
    let token = crate::session::access_token().unwrap_or_default();
    match Socket::open(&path, token, on_event) {
        Ok(socket) => {
            engine.browser.borrow_mut().socket = Some(socket);
            None
        }
        Err(error) => {
            log(&format!("cannot open the room socket: {error}"));
            Some(Input::SocketClosed(CloseCode::Abnormal))
        }
    }
}

/// A fresh connection for `session`, replacing the current one.
fn new_peer(engine: &Rc<Engine>, session: Option<String>) -> Option<Input> {
    engine.browser.borrow_mut().peer = None;
    let weak = Rc::downgrade(engine);
    let on_event = Rc::new(move |event: PeerEvent| {
        if let Some(engine) = weak.upgrade() {
            let session = session.clone();
            push(&engine, Cmd::Input(Input::Peer { session, event }));
        }
    });
    let mut browser = engine.browser.borrow_mut();
    let config = peer::configuration(&browser.ice_servers, engine.relay_only);
    match Peer::new(&config, browser.local.as_ref(), on_event) {
        Ok(peer) => {
            browser.peer = Some(peer);
            None
        }
        Err(error) => {
            log(&format!("cannot create a peer connection: {error}"));
            Some(Input::PeerUnavailable)
        }
    }
}
