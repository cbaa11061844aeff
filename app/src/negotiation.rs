//! The rules of one call's media negotiation, as a plain state machine: [`Negotiation::handle`]
//! turns an [`Input`] (a room-socket message, a connection event, the call accepted, ...) into
//! the [`Action`]s to perform. It touches no browser API, so `cargo test -p app` checks every rule;
//! `rtc::engine` (browser only) feeds it and performs what it asks, reporting the outcome of
//! asynchronous actions back as inputs ([`Input::OfferCreated`], ...).
//!
//! Rules:
//! - Only the caller offers (no glare): when the call is accepted and its room socket is
//!   authenticated, again whenever it (re)joins the room (`auth-ok`) and whenever the receiver
//!   (re)joins (`user-joined`), unless its pending offer is the one the server just delivered
//!   from its queue.
//! - Every offer starts a *session* (an id carried as an extra `session` field inside the offer,
//!   answer and candidate objects, which the server relays untouched). Answers and candidates of
//!   another session are ignored, so stale messages queued while a party was away cannot break a
//!   fresh connection. Messages without a session (reference clients) are taken as current.
//! - The receiver answers every offer: a new session gets a fresh connection, the current
//!   session's offer (an ICE restart) is answered on the same one, with fresh ICE servers.
//! - Remote candidates wait until the remote description is set; the receiver also keeps those
//!   that overtake their session's offer.
//! - Either side drops its connection when the other leaves the room (`user-left`), and the
//!   receiver also when the caller (re)joins: a new offer is coming.
//! - When the connection fails, or stays disconnected for [`RESTART_AFTER_DISCONNECT_MS`], the
//!   caller restarts ICE on the same connection after fetching the ICE servers again (TURN
//!   credentials are short-lived, and a restarted TURN server has forgotten its allocations);
//!   while it is not connected again it restarts every [`RESTART_RETRY_MS`] (the path may still
//!   be down), unless an offer is still waiting for its answer.
//! - With relay-only on and no TURN server offered, the page is told the call cannot connect;
//!   with a TURN server offered that yields no relay address within [`RELAY_CHECK_MS`] of a
//!   connection (or of its ICE restart), the page is told the relay cannot be reached, and the
//!   caller restarts ICE as above until it connects. Both notices are lifted by the next
//!   connection that connects.
//! - A closed room socket is reopened with backoff while the call lives, with a refreshed token
//!   after a 4001; a 4003 or 4004 means the call is over.
//! - Events of a replaced connection are ignored.
//! - A microphone or camera chosen mid-call replaces the local track of its kind on the same
//!   connection (no new offer), once local media is there, and keeps the mute and camera state.
//! - Screen sharing replaces the camera's track the same way and says so in the media state, so
//!   the other side shows it uncropped; stopping it, from the page or the browser's own bar, puts
//!   the camera back (in an audio call only if its camera was on, else nothing is sent).
//! - An audio call upgrades without a new offer (issue 19): its connection has an idle video
//!   transceiver from the start, the camera turned on goes on it (replaceTrack) and off again
//!   (replaceTrack(null)), and the media state's `video` says so (see [`crate::upgrade`]).
//! - Chat messages go over the data channel only while it is open (never through the server),
//!   within the length bound.
//! - The data channel carries this side's microphone/camera state and its connection grade
//!   ([`crate::quality`], from the statistics the engine reads while connected): both when the
//!   channel opens, then each when it changes.
//! - The figures of every interval, the media path and the reconnections are gathered for the
//!   call's report ([`Negotiation::report`]), which the page posts when the call ends.

use serde_json::Value;

use crate::api::socket::backoff_ms;
use crate::devices::DeviceKind;
use crate::protocol::{
    chat_text_fits, CallId, CallType, ChannelMsg, ClientMsg, CloseCode, Grade, MediaState,
    ReportBody, ServerMsg,
};
use crate::quality::{report, Counters, Monitor};

/// The longest wait between two attempts to reopen the room socket: the server keeps the call
/// only for a grace period, so retries stay frequent.
pub const ROOM_MAX_BACKOFF_MS: u64 = 5_000;

/// How long a connection may stay disconnected before the caller restarts ICE. Chromium reports
/// `disconnected` after about 2.5 s without a packet and `failed` only when consent expires
/// (30 s); a path that comes back by itself usually does so within a second or two.
pub const RESTART_AFTER_DISCONNECT_MS: u64 = 2_000;

/// How often the caller restarts ICE while the connection is not back: a restart made while
/// the path was still down gathers nothing and may never report `failed`.
pub const RESTART_RETRY_MS: u64 = 5_000;

/// How long a relay-only connection may gather without a single relay address before the page
/// says the TURN relay cannot be reached. A reachable relay answers in milliseconds.
pub const RELAY_CHECK_MS: u64 = 8_000;

/// What the core needs to know about the call.
#[derive(Clone, Debug)]
pub struct Config {
    pub call_id: CallId,
    pub call_type: CallType,
    pub is_caller: bool,
    /// The call is already accepted (else [`Input::Accepted`] comes when it is).
    pub accepted: bool,
    /// The relay-only setting, read when the call starts.
    pub relay_only: bool,
    /// Unique to this page load: session ids are this prefix and a counter, so a reloaded page
    /// never reuses the session of its previous life.
    pub session_prefix: String,
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

/// What the page is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Link(LinkState),
    /// The current connection received a remote track.
    RemoteStream,
    /// The other party's microphone/camera state.
    RemoteMedia(MediaState),
    /// This side sends its screen (true) or its camera again.
    Sharing(bool),
    /// Audio call: this side's camera is sent (true) or not any more.
    Video(bool),
    /// A chat message went (`mine`) or came over the data channel.
    Chat {
        mine: bool,
        text: String,
    },
    /// This side's connection grade changed.
    LocalQuality(Grade),
    /// The other party's connection grade, as it measures it.
    RemoteQuality(Grade),
    /// The other party hung up (call-end in the room).
    RemoteHangUp,
    /// The server says the call is over or not ours (room socket closed with 4004/4003).
    CallOver,
    /// Relay-only is on but the server offers no TURN relay: the call cannot connect.
    NoRelay,
    /// Relay-only is on and the TURN relay gave no address: it cannot be reached from here.
    RelayUnreachable,
}

/// The connection state as the rules need it (`RTCPeerConnection.connectionState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    Connected,
    Disconnected,
    Failed,
    /// new, connecting, closed: nothing to do.
    Other,
}

/// What a connection reports; the engine tags it with the connection's session.
#[derive(Clone, Debug, PartialEq)]
pub enum PeerEvent {
    /// A local ICE candidate to send (RTCIceCandidate.toJSON()).
    Candidate(Value),
    State(ConnectionState),
    /// The remote stream got a track.
    Track,
    ChannelOpen,
    ChannelMessage(String),
}

/// A timer of one connection ([`Action::StartTimer`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Restart ICE unless the connection is back.
    Restart,
    /// Relay-only: tell the page if no relay address came.
    RelayCheck,
}

/// Everything that can happen to a call.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// The call page opened.
    Start,
    /// ICE servers were fetched (or the previous ones kept); whether they include a TURN relay.
    IceServers {
        has_relay: bool,
    },
    /// getUserMedia succeeded or failed (the engine tells the page which).
    MediaSettled,
    /// The call was accepted (a status update).
    Accepted,
    SetMuted(bool),
    SetCameraOff(bool),
    /// A message on the room socket (boxed: it is much larger than the other inputs).
    Server(Box<ServerMsg>),
    /// The room socket closed, or could not open ([`CloseCode::Abnormal`]).
    SocketClosed(CloseCode),
    /// The wait of [`Action::ScheduleReconnect`] is over.
    ReconnectDue,
    /// An event of the connection of `session`.
    Peer {
        session: Option<String>,
        event: PeerEvent,
    },
    /// A timer of the connection of `session` is due.
    TimerDue {
        session: Option<String>,
        timer: Timer,
    },
    /// [`Action::NewPeer`] failed: there is no connection.
    PeerUnavailable,
    /// [`Action::MakeOffer`] produced this local description (`{type, sdp}`).
    OfferCreated(Value),
    OfferFailed,
    /// [`Action::AnswerOffer`] produced this local description.
    AnswerCreated(Value),
    /// [`Action::ApplyAnswer`] set the remote description.
    AnswerApplied,
    /// A read of the current connection's statistics (taken while it is connected).
    Stats(Counters),
    /// The user chose a microphone or camera (None: the browser's default).
    SwitchDevice {
        kind: DeviceKind,
        device: Option<String>,
    },
    /// [`Action::SwitchDevice`] put the new device's track in place.
    DeviceSwitched,
    /// The user starts (true) or stops sharing the screen; false also when the browser's own
    /// "stop sharing" ended the screen track.
    ShareScreen(bool),
    /// The user sends a chat message (dropped unless the data channel is open and it fits).
    SendChat(String),
    /// [`Action::ShareScreen`] or [`Action::StopSharing`] is done: the screen is (not) sent.
    SharingChanged(bool),
    /// Audio call: the user turns the camera on (true) or off.
    SetVideo(bool),
    /// [`Action::StartCamera`] or [`Action::StopCamera`] is done: the camera is (not) sent.
    VideoChanged(bool),
}

/// What the engine performs, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Emit(Notice),
    Log(String),
    /// GET the ICE servers; reports [`Input::IceServers`].
    FetchIceServers,
    /// getUserMedia; reports [`Input::MediaSettled`].
    AcquireMedia,
    /// Enables or disables (silence, black frames) the local tracks.
    EnableTracks {
        audio: bool,
        video: bool,
    },
    /// Opens the room socket (replacing the current one) and sends `auth`; a socket that cannot
    /// open reports [`Input::SocketClosed`].
    OpenSocket,
    /// Reports [`Input::TimerDue`] after `delay_ms`.
    StartTimer {
        session: Option<String>,
        timer: Timer,
        delay_ms: u64,
    },
    /// Reports [`Input::ReconnectDue`] after `delay_ms`.
    ScheduleReconnect {
        delay_ms: u64,
    },
    /// Rotates the access token before the socket reopens.
    RefreshToken,
    Send(ClientMsg),
    /// A fresh connection with the local tracks, replacing the current one.
    NewPeer {
        session: Option<String>,
    },
    ClosePeer,
    /// createOffer + setLocalDescription; reports [`Input::OfferCreated`] or [`Input::OfferFailed`].
    MakeOffer {
        ice_restart: bool,
    },
    /// Fetches the ICE servers again and applies them to the current connection (before an ICE
    /// restart); reports [`Input::IceServers`].
    RefreshIceServers,
    /// setRemoteDescription(offer) + createAnswer + setLocalDescription; reports
    /// [`Input::AnswerCreated`].
    AnswerOffer(Value),
    /// setRemoteDescription(answer); reports [`Input::AnswerApplied`].
    ApplyAnswer(Value),
    AddCandidate(Value),
    /// On the data channel, when it is open.
    SendChannel(ChannelMsg),
    /// Captures `device`'s track and puts it in place of the local one of its kind, on the
    /// connection too (replaceTrack: no renegotiation); reports [`Input::DeviceSwitched`].
    SwitchDevice {
        kind: DeviceKind,
        device: Option<String>,
    },
    /// getDisplayMedia, and its track in place of the camera's (replaceTrack); reports
    /// [`Input::SharingChanged`] (nothing when the user cancels).
    ShareScreen,
    /// The camera again in place of the screen (`camera`), or nothing (an audio call whose
    /// camera was off); reports [`Input::SharingChanged`].
    StopSharing {
        camera: bool,
    },
    /// Audio call: captures the camera and puts it on the idle video transceiver
    /// (replaceTrack); reports [`Input::VideoChanged`] (nothing when it cannot start).
    StartCamera,
    /// Audio call: replaceTrack(null) and the camera stopped; reports [`Input::VideoChanged`].
    StopCamera,
}

/// The connection as the rules see it.
#[derive(Debug)]
struct Peer {
    session: Option<String>,
    /// Caller: an offer is out and its answer not applied (signaling state have-local-offer).
    offer_pending: bool,
    remote_described: bool,
    /// Remote candidates that arrived before the remote description.
    pending: Vec<Value>,
    /// The last state the connection reported.
    state: ConnectionState,
    /// Local candidates gathered since the connection (or its last ICE restart) began.
    gathered: u32,
    /// A [`Timer::Restart`] is running.
    restart_timer: bool,
    /// Its data channel is open: chat messages can go.
    channel_open: bool,
}

impl Peer {
    fn new(session: Option<String>) -> Self {
        Self {
            session,
            offer_pending: false,
            remote_described: false,
            pending: Vec::new(),
            state: ConnectionState::Other,
            gathered: 0,
            restart_timer: false,
            channel_open: false,
        }
    }

    /// A message of `session` belongs to this connection (no session: a reference client).
    fn accepts(&self, session: &Option<String>) -> bool {
        session.is_none() || *session == self.session
    }
}

/// One call's negotiation state.
#[derive(Debug)]
pub struct Negotiation {
    config: Config,
    accepted: bool,
    authed: bool,
    /// Room socket attempts that failed since the last `auth-ok`.
    failures: u32,
    /// The last close was a 4001: refresh the token before reopening.
    refresh_token: bool,
    peer: Option<Peer>,
    /// Receiver: candidates that came before the offer of their session.
    early_candidates: Vec<Value>,
    media: MediaState,
    sessions: u32,
    quality: Monitor,
    /// getUserMedia has answered (whether or not it gave media).
    media_settled: bool,
}

impl Negotiation {
    pub fn new(config: Config) -> Self {
        Self {
            accepted: config.accepted,
            config,
            authed: false,
            failures: 0,
            refresh_token: false,
            peer: None,
            early_candidates: Vec::new(),
            media: MediaState::default(),
            sessions: 0,
            quality: Monitor::default(),
            media_settled: false,
        }
    }

    /// The actions `input` calls for, in order.
    pub fn handle(&mut self, input: Input) -> Vec<Action> {
        let actions = self.decide(input);
        // The call's report counts the link coming back as the page is told it.
        for action in &actions {
            if let Action::Emit(Notice::Link(state)) = action {
                self.quality.link(*state);
            }
        }
        actions
    }

    /// This side's report of the call so far (issue 19); None for a call never answered,
    /// which has nothing to report.
    pub fn report(&self) -> Option<ReportBody> {
        self.accepted
            .then(|| report::summary(self.quality.tally(), self.config.relay_only))
    }

    fn decide(&mut self, input: Input) -> Vec<Action> {
        match input {
            Input::Start => vec![
                Action::Emit(Notice::Link(LinkState::Connecting)),
                Action::FetchIceServers,
                Action::AcquireMedia,
            ],
            Input::IceServers { has_relay } => {
                if self.config.relay_only && !has_relay {
                    vec![Action::Emit(Notice::NoRelay)]
                } else {
                    Vec::new()
                }
            }
            Input::MediaSettled => {
                self.media_settled = true;
                vec![self.enable_tracks(), self.open_socket()]
            }
            Input::Accepted => {
                if std::mem::replace(&mut self.accepted, true) {
                    return Vec::new();
                }
                if self.config.is_caller && self.authed && self.peer.is_none() {
                    self.offer()
                } else {
                    Vec::new()
                }
            }
            Input::SetMuted(muted) => {
                self.media.muted = muted;
                self.media_changed()
            }
            Input::SetCameraOff(off) => {
                self.media.camera_off = off;
                self.media_changed()
            }
            Input::Server(message) => self.server_message(*message),
            Input::SocketClosed(code) => self.socket_closed(code),
            Input::ReconnectDue => {
                let mut actions = Vec::new();
                if self.refresh_token {
                    actions.push(Action::RefreshToken);
                }
                actions.push(self.open_socket());
                actions
            }
            Input::Peer { session, event } => {
                let current = self.peer.as_ref().is_some_and(|p| p.session == session);
                if current {
                    self.peer_event(event)
                } else {
                    Vec::new()
                }
            }
            Input::TimerDue { session, timer } => {
                let current = self.peer.as_ref().is_some_and(|p| p.session == session);
                if current {
                    self.timer_due(timer)
                } else {
                    Vec::new()
                }
            }
            Input::PeerUnavailable => {
                self.peer = None;
                Vec::new()
            }
            Input::OfferCreated(offer) => match &self.peer {
                Some(peer) => vec![Action::Send(ClientMsg::CallOffer {
                    offer: with_session(offer, &peer.session),
                    call_id: self.config.call_id,
                    call_type: Some(self.config.call_type),
                })],
                None => Vec::new(),
            },
            Input::OfferFailed => {
                if let Some(peer) = self.peer.as_mut() {
                    peer.offer_pending = false;
                }
                vec![Action::Log("createOffer failed".into())]
            }
            Input::AnswerCreated(answer) => {
                let Some(peer) = &self.peer else {
                    return Vec::new();
                };
                let mut actions = vec![Action::Send(ClientMsg::CallAnswer {
                    answer: with_session(answer, &peer.session),
                    call_id: self.config.call_id,
                })];
                actions.extend(self.flush_candidates());
                actions
            }
            Input::AnswerApplied => {
                if let Some(peer) = self.peer.as_mut() {
                    peer.offer_pending = false;
                }
                self.flush_candidates()
            }
            // An audio call's camera that is off: the page remembers the choice, and turning the
            // camera on starts that one (a swap now would send video unannounced).
            Input::SwitchDevice {
                kind: DeviceKind::Camera,
                ..
            } if self.config.call_type == CallType::Audio && !self.media.video => Vec::new(),
            // Without local media there is no track to replace (the call stays receive-only).
            Input::SwitchDevice { kind, device } if self.media_settled => {
                vec![Action::SwitchDevice { kind, device }]
            }
            Input::SwitchDevice { .. } => Vec::new(),
            // A fresh track starts enabled: it takes the microphone and camera state.
            Input::DeviceSwitched => vec![self.enable_tracks()],
            Input::ShareScreen(share) => match (share, self.media.sharing) {
                (true, false) if self.media_settled => vec![Action::ShareScreen],
                (false, true) => vec![Action::StopSharing {
                    camera: self.config.call_type == CallType::Video || self.media.video,
                }],
                _ => Vec::new(),
            },
            // The screen has the video transceiver while shared: the camera waits.
            Input::SetVideo(on)
                if self.config.call_type == CallType::Audio
                    && self.media_settled
                    && !self.media.sharing
                    && on != self.media.video =>
            {
                vec![if on {
                    Action::StartCamera
                } else {
                    Action::StopCamera
                }]
            }
            Input::SetVideo(_) => Vec::new(),
            Input::VideoChanged(on) => {
                self.media.video = on;
                let mut actions = vec![Action::Emit(Notice::Video(on))];
                actions.extend(self.media_changed());
                actions
            }
            Input::SharingChanged(sharing) => {
                self.media.sharing = sharing;
                let mut actions = vec![Action::Emit(Notice::Sharing(sharing))];
                actions.extend(self.media_changed());
                actions
            }
            Input::SendChat(text) => {
                let open = self.peer.as_ref().is_some_and(|peer| peer.channel_open);
                if !open || !chat_text_fits(&text) {
                    return Vec::new();
                }
                vec![
                    Action::SendChannel(ChannelMsg::Chat { text: text.clone() }),
                    Action::Emit(Notice::Chat { mine: true, text }),
                ]
            }
            Input::Stats(counters) => {
                // A still screen needs little bitrate: only the camera's says something.
                let camera = match self.config.call_type {
                    CallType::Video => !self.media.camera_off,
                    CallType::Audio => self.media.video,
                };
                let sending_video = camera && !self.media.sharing;
                match self.quality.observe(counters, sending_video) {
                    Some(grade) if self.peer.is_some() => vec![
                        Action::Emit(Notice::LocalQuality(grade)),
                        Action::SendChannel(ChannelMsg::Quality { grade }),
                    ],
                    Some(grade) => vec![Action::Emit(Notice::LocalQuality(grade))],
                    None => Vec::new(),
                }
            }
        }
    }

    fn server_message(&mut self, message: ServerMsg) -> Vec<Action> {
        let caller = self.config.is_caller;
        match message {
            ServerMsg::AuthOk { .. } => {
                self.authed = true;
                self.failures = 0;
                // Whatever we had is stale: the other side dropped it when we left.
                let mut actions = self.drop_peer();
                if caller && self.accepted {
                    actions.extend(self.offer());
                } else {
                    actions.push(Action::Emit(Notice::Link(LinkState::WaitingForPeer)));
                }
                actions
            }
            ServerMsg::UserJoined { .. } if caller => {
                // A pending offer was made while they were away: the server has just delivered
                // it from its queue.
                let offer_pending = self.peer.as_ref().is_some_and(|p| p.offer_pending);
                if self.accepted && !offer_pending {
                    self.offer()
                } else {
                    Vec::new()
                }
            }
            ServerMsg::UserJoined { .. } => {
                let mut actions = self.drop_peer();
                self.early_candidates.clear();
                actions.push(Action::Emit(Notice::Link(LinkState::Connecting)));
                actions
            }
            ServerMsg::UserLeft { .. } => {
                let mut actions = self.drop_peer();
                self.early_candidates.clear();
                actions.push(Action::Emit(Notice::Link(LinkState::WaitingForPeer)));
                actions
            }
            ServerMsg::CallOffer { offer, .. } if !caller => self.answer(offer),
            ServerMsg::CallAnswer { answer, .. } if caller => {
                let session = session_of(&answer);
                match self.peer.as_mut() {
                    Some(peer) if peer.accepts(&session) && peer.offer_pending => {
                        vec![Action::ApplyAnswer(answer)]
                    }
                    _ => Vec::new(),
                }
            }
            ServerMsg::IceCandidate { candidate, .. } => self.remote_candidate(candidate),
            ServerMsg::CallEnd { .. } => vec![Action::Emit(Notice::RemoteHangUp)],
            ServerMsg::Error { message, .. } => vec![Action::Log(format!("room error: {message}"))],
            _ => Vec::new(),
        }
    }

    fn socket_closed(&mut self, code: CloseCode) -> Vec<Action> {
        self.authed = false;
        self.refresh_token = code == CloseCode::Unauthorized;
        if code.ends_call() {
            return vec![Action::Emit(Notice::CallOver)];
        }
        let delay_ms = backoff_ms(self.failures, ROOM_MAX_BACKOFF_MS);
        self.failures = self.failures.saturating_add(1);
        vec![
            Action::Log(format!(
                "room socket closed ({}); reconnecting",
                u16::from(code)
            )),
            Action::ScheduleReconnect { delay_ms },
        ]
    }

    fn peer_event(&mut self, event: PeerEvent) -> Vec<Action> {
        let Some(peer) = self.peer.as_mut() else {
            return Vec::new();
        };
        if let PeerEvent::State(state) = event {
            peer.state = state;
        }
        match event {
            PeerEvent::Candidate(candidate) => {
                peer.gathered += 1;
                vec![Action::Send(ClientMsg::IceCandidate {
                    candidate: with_session(candidate, &peer.session),
                    call_id: self.config.call_id,
                })]
            }
            PeerEvent::State(ConnectionState::Connected) => {
                vec![Action::Emit(Notice::Link(LinkState::Connected))]
            }
            PeerEvent::State(ConnectionState::Disconnected) => {
                let mut actions = vec![Action::Emit(Notice::Link(LinkState::Reconnecting))];
                actions.extend(self.restart_timer(RESTART_AFTER_DISCONNECT_MS));
                actions
            }
            PeerEvent::State(ConnectionState::Failed) => {
                let mut actions = vec![Action::Emit(Notice::Link(LinkState::Reconnecting))];
                actions.extend(self.restart_ice("connection failed"));
                actions
            }
            PeerEvent::State(ConnectionState::Other) => Vec::new(),
            PeerEvent::Track => vec![Action::Emit(Notice::RemoteStream)],
            PeerEvent::ChannelOpen => {
                peer.channel_open = true;
                let grade = self
                    .quality
                    .grade()
                    .map(|grade| ChannelMsg::Quality { grade });
                std::iter::once(ChannelMsg::MediaState(self.media))
                    .chain(grade)
                    .map(Action::SendChannel)
                    .collect()
            }
            PeerEvent::ChannelMessage(text) => match ChannelMsg::parse(&text) {
                Some(ChannelMsg::MediaState(state)) => {
                    vec![Action::Emit(Notice::RemoteMedia(state))]
                }
                Some(ChannelMsg::Quality { grade }) => {
                    vec![Action::Emit(Notice::RemoteQuality(grade))]
                }
                Some(ChannelMsg::Chat { text }) => {
                    vec![Action::Emit(Notice::Chat { mine: false, text })]
                }
                Some(ChannelMsg::Unknown) | None => Vec::new(),
            },
        }
    }

    fn timer_due(&mut self, timer: Timer) -> Vec<Action> {
        let Some(peer) = self.peer.as_mut() else {
            return Vec::new();
        };
        match timer {
            Timer::Restart => {
                peer.restart_timer = false;
                if peer.state == ConnectionState::Connected {
                    Vec::new()
                } else if peer.offer_pending {
                    self.restart_timer(RESTART_RETRY_MS).into_iter().collect()
                } else {
                    self.restart_ice("connection not back")
                }
            }
            Timer::RelayCheck => {
                if peer.state == ConnectionState::Connected || peer.gathered > 0 {
                    return Vec::new();
                }
                // A connection that never formed may never report a failure either: the
                // caller keeps restarting until the relay answers.
                let mut actions = vec![Action::Emit(Notice::RelayUnreachable)];
                actions.extend(self.restart_timer(RESTART_RETRY_MS));
                actions
            }
        }
    }

    /// Caller: an ICE restart on the current connection with fresh ICE servers (unless an
    /// offer is out already), and a check that it worked.
    fn restart_ice(&mut self, why: &str) -> Vec<Action> {
        let Some(peer) = self.peer.as_mut() else {
            return Vec::new();
        };
        if !self.config.is_caller {
            return Vec::new();
        }
        let mut actions = Vec::new();
        if !peer.offer_pending {
            peer.offer_pending = true;
            actions.extend([
                Action::Log(format!("{why}: restarting ICE")),
                Action::RefreshIceServers,
                Action::MakeOffer { ice_restart: true },
            ]);
            actions.extend(self.gathering());
        }
        actions.extend(self.restart_timer(RESTART_RETRY_MS));
        actions
    }

    /// Caller: a [`Timer::Restart`] for the current connection, unless one runs.
    fn restart_timer(&mut self, delay_ms: u64) -> Option<Action> {
        let peer = self.peer.as_mut()?;
        if !self.config.is_caller || std::mem::replace(&mut peer.restart_timer, true) {
            return None;
        }
        Some(Action::StartTimer {
            session: peer.session.clone(),
            timer: Timer::Restart,
            delay_ms,
        })
    }

    /// The current connection starts gathering (anew): relay-only watches for a relay address.
    fn gathering(&mut self) -> Option<Action> {
        let peer = self.peer.as_mut()?;
        peer.gathered = 0;
        self.config.relay_only.then(|| Action::StartTimer {
            session: peer.session.clone(),
            timer: Timer::RelayCheck,
            delay_ms: RELAY_CHECK_MS,
        })
    }

    /// Caller: a new session and its offer.
    fn offer(&mut self) -> Vec<Action> {
        self.sessions += 1;
        let session = Some(format!("{}-{}", self.config.session_prefix, self.sessions));
        let mut peer = Peer::new(session.clone());
        peer.offer_pending = true;
        self.peer = Some(peer);
        let mut actions = vec![
            Action::NewPeer { session },
            Action::Emit(Notice::Link(LinkState::Connecting)),
            Action::MakeOffer { ice_restart: false },
        ];
        actions.extend(self.gathering());
        actions
    }

    /// Receiver: answers an offer; a new session gets a new connection.
    fn answer(&mut self, offer: Value) -> Vec<Action> {
        let session = session_of(&offer);
        let restart = session.is_some()
            && self
                .peer
                .as_ref()
                .is_some_and(|peer| peer.session == session);
        if restart {
            // An ICE restart: gather with fresh credentials, as the caller does.
            let mut actions = vec![Action::RefreshIceServers, Action::AnswerOffer(offer)];
            actions.extend(self.gathering());
            return actions;
        }
        let mut peer = Peer::new(session.clone());
        // Candidates of this session that overtook it, if any.
        peer.pending = std::mem::take(&mut self.early_candidates)
            .into_iter()
            .filter(|c| session_of(c) == session)
            .collect();
        self.peer = Some(peer);
        let mut actions = vec![
            Action::NewPeer { session },
            Action::Emit(Notice::Link(LinkState::Connecting)),
            Action::AnswerOffer(offer),
        ];
        actions.extend(self.gathering());
        actions
    }

    fn remote_candidate(&mut self, candidate: Value) -> Vec<Action> {
        let session = session_of(&candidate);
        match self.peer.as_mut() {
            Some(peer) if peer.accepts(&session) => {
                if peer.remote_described {
                    return vec![Action::AddCandidate(candidate)];
                }
                peer.pending.push(candidate);
            }
            _ if !self.config.is_caller => self.early_candidates.push(candidate),
            _ => {}
        }
        Vec::new()
    }

    /// The remote description is set: the candidates held back go in.
    fn flush_candidates(&mut self) -> Vec<Action> {
        let Some(peer) = self.peer.as_mut() else {
            return Vec::new();
        };
        peer.remote_described = true;
        std::mem::take(&mut peer.pending)
            .into_iter()
            .map(Action::AddCandidate)
            .collect()
    }

    fn drop_peer(&mut self) -> Vec<Action> {
        match self.peer.take() {
            Some(_) => vec![Action::ClosePeer],
            None => Vec::new(),
        }
    }

    fn open_socket(&mut self) -> Action {
        self.authed = false;
        self.refresh_token = false;
        Action::OpenSocket
    }

    fn enable_tracks(&self) -> Action {
        Action::EnableTracks {
            audio: !self.media.muted,
            // A shared screen is sent even with the camera off: sharing is asked for.
            video: !self.media.camera_off || self.media.sharing,
        }
    }

    fn media_changed(&self) -> Vec<Action> {
        let mut actions = vec![self.enable_tracks()];
        if self.peer.is_some() {
            actions.push(Action::SendChannel(ChannelMsg::MediaState(self.media)));
        }
        actions
    }
}

/// `description` with this side's session added, so the other side can tell it from stale ones.
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

#[cfg(test)]
mod tests;
