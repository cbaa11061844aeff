//! `/call/{id}`: the call screen. The caller lands here right after starting a call (outgoing
//! ringing view with Cancel), the receiver after accepting. Once accepted: remote video large,
//! local preview small (or an avatar for audio calls), mute / camera / hang-up controls, a timer
//! and the connection state. Media and signaling live in [`crate::rtc`] (browser only); the server
//! renders a "Connecting…" shell.
//!
//! The call's status comes from the user socket ([`crate::events::UserEvents`]) with a REST poll
//! as a fallback; the room socket's `call-end` ends the call at once.

use leptos::prelude::*;
use leptos_meta::Style;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use crate::components::Avatar;
use crate::protocol::{Call, CallId, CallStatus, CallType, EndReason, User, UserId};
use crate::util::duration_text;

/// The media path as the page shows it (only the browser moves it on).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    Connecting,
    Waiting,
    Connected,
    Reconnecting,
}

/// What the page shows.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Loading,
    Failed(String),
    /// Caller, before the answer.
    Outgoing,
    /// Receiver, opened while it still rings.
    Incoming,
    InCall,
    /// The call is over (or never happened); the sentence says how.
    Over(String),
}

/// The page's reactive state (all `Copy`).
#[derive(Clone, Copy)]
struct CallView {
    call: RwSignal<Option<Call>>,
    me: RwSignal<Option<UserId>>,
    error: RwSignal<Option<String>>,
    link: RwSignal<Link>,
    media_error: RwSignal<Option<String>>,
    media_notice: RwSignal<Option<String>>,
    /// Why the media path cannot form (relay-only without TURN).
    link_error: RwSignal<Option<String>>,
    muted: RwSignal<bool>,
    camera_off: RwSignal<bool>,
    remote_muted: RwSignal<bool>,
    remote_camera_off: RwSignal<bool>,
    /// Bumped when a stream arrives, so the effects attach it to the media elements.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    remote_version: RwSignal<u32>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    local_version: RwSignal<u32>,
    now: RwSignal<i64>,
    busy: RwSignal<bool>,
}

impl CallView {
    fn new() -> Self {
        Self {
            call: RwSignal::new(None),
            me: RwSignal::new(None),
            error: RwSignal::new(None),
            link: RwSignal::new(Link::Connecting),
            media_error: RwSignal::new(None),
            media_notice: RwSignal::new(None),
            link_error: RwSignal::new(None),
            muted: RwSignal::new(false),
            camera_off: RwSignal::new(false),
            remote_muted: RwSignal::new(false),
            remote_camera_off: RwSignal::new(false),
            remote_version: RwSignal::new(0),
            local_version: RwSignal::new(0),
            now: RwSignal::new(crate::util::now_millis()),
            busy: RwSignal::new(false),
        }
    }

    fn other(&self) -> Option<User> {
        let me = self.me.get()?;
        self.call.with(|call| {
            call.as_ref().map(|c| {
                if c.caller.id == me {
                    c.receiver.clone()
                } else {
                    c.caller.clone()
                }
            })
        })
    }

    fn other_name(&self) -> String {
        self.other().map(|u| u.username).unwrap_or_default()
    }

    fn phase(&self) -> Phase {
        if let Some(error) = self.error.get() {
            return Phase::Failed(error);
        }
        let (Some(call), Some(me)) = (self.call.get(), self.me.get()) else {
            return Phase::Loading;
        };
        let caller = call.caller.id == me;
        match call.status {
            CallStatus::Initiated | CallStatus::Ringing if caller => Phase::Outgoing,
            CallStatus::Initiated | CallStatus::Ringing => Phase::Incoming,
            CallStatus::Accepted => Phase::InCall,
            _ => Phase::Over(outcome(&call, caller)),
        }
    }
}

/// How a call that is over ended, from this side.
fn outcome(call: &Call, caller: bool) -> String {
    let other = if caller {
        &call.receiver.username
    } else {
        &call.caller.username
    };
    match (call.status, call.end_reason) {
        (CallStatus::Rejected, _) if caller => format!("{other} declined"),
        (CallStatus::Rejected, _) => "You declined this call".into(),
        (CallStatus::Missed, Some(EndReason::Busy)) if caller => format!("{other} is busy"),
        (CallStatus::Missed, Some(EndReason::AnsweredElsewhere)) => {
            "Answered on another device".into()
        }
        (CallStatus::Missed, _) if caller => "No answer".into(),
        (CallStatus::Missed, _) => format!("Missed call from {other}"),
        (CallStatus::Cancelled, _) if caller => "Call cancelled".into(),
        (CallStatus::Cancelled, _) => format!("{other} cancelled the call"),
        (_, reason) => {
            let mut text = "Call ended".to_owned();
            if let Some(seconds) = call.duration {
                text.push_str(&format!(" after {}", duration_text(seconds)));
            }
            if reason == Some(EndReason::ConnectionLost) {
                text.push_str(" (connection lost)");
            }
            text
        }
    }
}

fn link_text(link: Link, other: &str) -> String {
    match link {
        Link::Connecting => "Connecting…".into(),
        Link::Waiting => format!("Waiting for {other}…"),
        Link::Connected => "Connected".into(),
        Link::Reconnecting => "Reconnecting…".into(),
    }
}

/// The buttons' actions; in the browser they drive the [`crate::rtc`] engine.
#[derive(Clone)]
struct Controls {
    view: CallView,
    navigate: Callback<String>,
    #[cfg(feature = "hydrate")]
    live: browser::Shared,
}

impl Controls {
    fn go_contacts(&self) {
        self.navigate.run("/contacts".to_owned());
    }
}

#[component]
pub fn CallPage() -> impl IntoView {
    let params = use_params_map();
    let call_id = Memo::new(move |_| {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse::<i64>().ok())
                .map(CallId)
        })
    });
    let view = CallView::new();
    let navigate = use_navigate();
    let controls = Controls {
        view,
        navigate: Callback::new(move |path: String| navigate(&path, NavigateOptions::default())),
        #[cfg(feature = "hydrate")]
        live: browser::Shared::default(),
    };

    let remote_video = NodeRef::<leptos::html::Video>::new();
    let local_video = NodeRef::<leptos::html::Video>::new();
    let remote_audio = NodeRef::<leptos::html::Audio>::new();

    #[cfg(feature = "hydrate")]
    browser::wire(&controls, call_id, remote_video, local_video, remote_audio);
    #[cfg(not(feature = "hydrate"))]
    let _ = call_id;

    let phase = Memo::new(move |_| view.phase());
    let body = {
        let controls = controls.clone();
        move || match phase.get() {
            Phase::Loading => view! {
                <div class="call-center">
                    <p class="call-state" data-testid="call-state">"Connecting…"</p>
                </div>
            }
            .into_any(),
            Phase::Failed(message) => view! {
                <div class="call-center">
                    <p class="call-error" role="alert" data-testid="call-error">{message}</p>
                    <a class="call-link" href="/contacts">"Back to contacts"</a>
                </div>
            }
            .into_any(),
            Phase::Outgoing => outgoing(controls.clone()).into_any(),
            Phase::Incoming => incoming(controls.clone()).into_any(),
            Phase::InCall => {
                in_call(controls.clone(), remote_video, local_video, remote_audio).into_any()
            }
            Phase::Over(text) => {
                let controls = controls.clone();
                view! {
                    <div class="call-center">
                        <PartyAvatar view=view />
                        <p class="call-outcome" data-testid="call-outcome">{text}</p>
                        <button data-testid="back-button" on:click=move |_| controls.go_contacts()>
                            "Back to contacts"
                        </button>
                    </div>
                }
                .into_any()
            }
        }
    };

    view! {
        <Style>{CALL_CSS}</Style>
        <section class="call-page" data-testid="call-page">{body}</section>
    }
}

#[component]
fn PartyAvatar(view: CallView) -> impl IntoView {
    move || {
        view.other().map(|user| {
            view! { <Avatar name=user.username.clone() picture=user.profile_picture.clone() large=true /> }
        })
    }
}

fn outgoing(controls: Controls) -> impl IntoView {
    let view = controls.view;
    let kind = move || {
        view.call.with(|c| match c.as_ref().map(|c| c.call_type) {
            Some(CallType::Video) => "Video call",
            _ => "Audio call",
        })
    };
    view! {
        <div class="call-center">
            <PartyAvatar view=view />
            <h1 class="call-name" data-testid="callee-name">{move || view.other_name()}</h1>
            <p class="call-kind">{kind}</p>
            <p class="call-state" data-testid="call-state">"Ringing…"</p>
            <MediaMessages view=view />
            <div class="call-controls">
                <button
                    class="call-btn call-btn-end"
                    data-testid="cancel-button"
                    disabled=move || view.busy.get()
                    on:click=move |_| cancel(&controls)
                >
                    "Cancel"
                </button>
            </div>
        </div>
    }
}

fn incoming(controls: Controls) -> impl IntoView {
    let view = controls.view;
    let accept_controls = controls.clone();
    view! {
        <div class="call-center">
            <PartyAvatar view=view />
            <h1 class="call-name">{move || view.other_name()}</h1>
            <p class="call-state" data-testid="call-state">"Incoming call…"</p>
            <div class="call-controls">
                <button
                    class="call-btn"
                    data-testid="accept-button"
                    disabled=move || view.busy.get()
                    on:click=move |_| answer(&accept_controls, true)
                >
                    "Accept"
                </button>
                <button
                    class="call-btn call-btn-end"
                    data-testid="decline-button"
                    disabled=move || view.busy.get()
                    on:click=move |_| answer(&controls, false)
                >
                    "Decline"
                </button>
            </div>
        </div>
    }
}

#[component]
fn MediaMessages(view: CallView) -> impl IntoView {
    view! {
        {move || {
            view.media_error
                .get()
                .map(|m| view! { <p class="call-error" role="alert" data-testid="media-error">{m}</p> })
        }}
        {move || {
            view.media_notice
                .get()
                .map(|m| view! { <p class="call-notice" data-testid="media-notice">{m}</p> })
        }}
        {move || {
            view.link_error
                .get()
                .map(|m| view! { <p class="call-error" role="alert" data-testid="link-error">{m}</p> })
        }}
    }
}

fn in_call(
    controls: Controls,
    remote_video: NodeRef<leptos::html::Video>,
    local_video: NodeRef<leptos::html::Video>,
    remote_audio: NodeRef<leptos::html::Audio>,
) -> impl IntoView {
    let view = controls.view;
    let video = view
        .call
        .with_untracked(|c| c.as_ref().is_some_and(|c| c.call_type == CallType::Video));
    let timer = move || {
        let accepted = view
            .call
            .with(|c| c.as_ref().and_then(|c| c.accepted_at.map(|t| t.millis())));
        accepted
            .map(|at| duration_text((view.now.get() - at) / 1000))
            .unwrap_or_else(|| duration_text(0))
    };
    let stage = if video {
        view! {
            <div class="call-stage call-stage-video">
                <video
                    class="remote-video"
                    data-testid="remote-video"
                    node_ref=remote_video
                    autoplay=true
                    playsinline=true
                    muted=true
                    prop:muted=true
                ></video>
                <video
                    class="local-video"
                    data-testid="local-video"
                    node_ref=local_video
                    autoplay=true
                    playsinline=true
                    muted=true
                    prop:muted=true
                ></video>
                <Show when=move || view.remote_camera_off.get()>
                    <div class="remote-camera-off" data-testid="remote-camera-off">
                        <PartyAvatar view=view />
                        <p>{move || format!("{} turned their camera off", view.other_name())}</p>
                    </div>
                </Show>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="call-stage call-stage-audio" data-testid="audio-stage">
                <PartyAvatar view=view />
                <p class="call-name">{move || view.other_name()}</p>
            </div>
        }
        .into_any()
    };
    let mute_controls = controls.clone();
    let camera_controls = controls.clone();
    view! {
        <div class="call-live">
            {stage}
            <audio class="remote-audio" data-testid="remote-audio" node_ref=remote_audio autoplay=true></audio>
            <div class="call-bar">
                <span class="call-name">{move || view.other_name()}</span>
                <span class="call-state" data-testid="call-state">
                    {move || link_text(view.link.get(), &view.other_name())}
                </span>
                <span class="call-timer" data-testid="call-timer">{timer}</span>
            </div>
            <Show when=move || view.remote_muted.get()>
                <p class="call-notice" data-testid="remote-muted">
                    {move || format!("{} muted their microphone", view.other_name())}
                </p>
            </Show>
            <MediaMessages view=view />
            <div class="call-controls">
                <button
                    class="call-btn"
                    class:call-btn-off=move || view.muted.get()
                    data-testid="mute-button"
                    aria-pressed=move || view.muted.get().to_string()
                    on:click=move |_| set_muted(&mute_controls, !view.muted.get_untracked())
                >
                    {move || if view.muted.get() { "Unmute" } else { "Mute" }}
                </button>
                {video
                    .then(|| {
                        view! {
                            <button
                                class="call-btn"
                                class:call-btn-off=move || view.camera_off.get()
                                data-testid="camera-button"
                                aria-pressed=move || view.camera_off.get().to_string()
                                on:click=move |_| {
                                    set_camera_off(&camera_controls, !view.camera_off.get_untracked())
                                }
                            >
                                {move || {
                                    if view.camera_off.get() { "Camera on" } else { "Camera off" }
                                }}
                            </button>
                        }
                    })}
                <button
                    class="call-btn call-btn-end"
                    data-testid="hangup-button"
                    disabled=move || view.busy.get()
                    on:click=move |_| hang_up(&controls)
                >
                    "Hang up"
                </button>
            </div>
        </div>
    }
}

fn set_muted(controls: &Controls, muted: bool) {
    controls.view.muted.set(muted);
    #[cfg(feature = "hydrate")]
    controls.live.with_engine(|engine| engine.set_muted(muted));
}

fn set_camera_off(controls: &Controls, off: bool) {
    controls.view.camera_off.set(off);
    #[cfg(feature = "hydrate")]
    controls
        .live
        .with_engine(|engine| engine.set_camera_off(off));
}

fn hang_up(controls: &Controls) {
    #[cfg(feature = "hydrate")]
    browser::hang_up(controls.clone());
    #[cfg(not(feature = "hydrate"))]
    let _ = controls;
}

fn cancel(controls: &Controls) {
    #[cfg(feature = "hydrate")]
    browser::cancel(controls.clone());
    #[cfg(not(feature = "hydrate"))]
    let _ = controls;
}

fn answer(controls: &Controls, accept: bool) {
    #[cfg(feature = "hydrate")]
    browser::answer(controls.clone(), accept);
    #[cfg(not(feature = "hydrate"))]
    let _ = (controls, accept);
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::{cell::RefCell, rc::Rc, time::Duration};

    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use send_wrapper::SendWrapper;
    use web_sys::{HtmlMediaElement, MediaStream};

    use super::{Controls, Link};
    use crate::api::{self, ApiFailure};
    use crate::protocol::{Call, CallId, CallStatus};
    use crate::rtc::{self, CallConfig, CallEvent, CallHandle, LinkState};

    /// The browser-side state of the page.
    #[derive(Default)]
    pub struct Live {
        call_id: Option<CallId>,
        engine: Option<CallHandle>,
        local: Option<MediaStream>,
        remote: Option<MediaStream>,
        /// The page is leaving (hung up, ended, or gone): nothing starts any more.
        done: bool,
    }

    #[derive(Clone)]
    pub struct Shared(SendWrapper<Rc<RefCell<Live>>>);

    impl Default for Shared {
        fn default() -> Self {
            Self(SendWrapper::new(Rc::default()))
        }
    }

    impl Shared {
        fn get(&self) -> &Rc<RefCell<Live>> {
            &self.0
        }

        /// `f` applied to the running engine, if there is one.
        pub fn with_engine<T>(&self, f: impl FnOnce(&CallHandle) -> T) -> Option<T> {
            let engine = self.get().borrow().engine.clone();
            engine.map(|engine| f(&engine))
        }

        /// Stops the media and the sockets; the page stays.
        fn stop(&self) {
            let engine = {
                let mut live = self.get().borrow_mut();
                live.local = None;
                live.remote = None;
                live.engine.take()
            };
            if let Some(engine) = engine {
                engine.close();
            }
        }
    }

    /// Sets everything up in the browser: loading, the status feed, media elements, the timer.
    pub fn wire(
        controls: &Controls,
        call_id: Memo<Option<CallId>>,
        remote_video: NodeRef<leptos::html::Video>,
        local_video: NodeRef<leptos::html::Video>,
        remote_audio: NodeRef<leptos::html::Audio>,
    ) {
        let view = controls.view;

        // (Re)load whenever the id changes.
        {
            let controls = controls.clone();
            Effect::new(move |_| {
                let id = call_id.get();
                controls.live.stop();
                {
                    let mut live = controls.live.get().borrow_mut();
                    *live = Live {
                        call_id: id,
                        ..Live::default()
                    };
                }
                view.call.set(None);
                view.error.set(None);
                match id {
                    Some(id) => load(controls.clone(), id),
                    None => view.error.set(Some("There is no such call.".into())),
                }
            });
        }

        // Status events from the user socket.
        if let Some(events) = use_context::<crate::events::UserEvents>() {
            let controls = controls.clone();
            Effect::new(move |_| {
                let Some(call) = events.last_call_update.get() else {
                    return;
                };
                let ours = controls.live.get().borrow().call_id == Some(call.id);
                if ours && view.call.with_untracked(Option::is_some) {
                    apply(&controls, call);
                }
            });
        }

        // Streams onto the media elements (the elements come and go with the phase).
        {
            let live = controls.live.clone();
            Effect::new(move |_| {
                view.remote_version.track();
                let stream = live.get().borrow().remote.clone();
                if let Some(video) = remote_video.get() {
                    attach(&video, stream.as_ref());
                }
                if let Some(audio) = remote_audio.get() {
                    attach(&audio, stream.as_ref());
                }
            });
        }
        {
            let live = controls.live.clone();
            Effect::new(move |_| {
                view.local_version.track();
                let stream = live.get().borrow().local.clone();
                if let Some(video) = local_video.get() {
                    attach(&video, stream.as_ref());
                }
            });
        }

        // The timer.
        if let Ok(handle) = set_interval_with_handle(
            move || view.now.set(crate::util::now_millis()),
            Duration::from_millis(500),
        ) {
            on_cleanup(move || handle.clear());
        }

        let live = controls.live.clone();
        on_cleanup(move || {
            live.get().borrow_mut().done = true;
            live.stop();
        });
    }

    fn attach(element: &HtmlMediaElement, stream: Option<&MediaStream>) {
        let current = element.src_object();
        if current.as_ref() == stream {
            return;
        }
        element.set_src_object(stream);
        if stream.is_some() {
            // Autoplay normally starts it; play() covers browsers that wait for it.
            let _ = element.play();
        }
    }

    fn load(controls: Controls, id: CallId) {
        let view = controls.view;
        spawn_local(async move {
            if crate::session::access_token().is_none() && crate::session::refresh_token().is_none()
            {
                view.error
                    .set(Some("Please sign in to join this call.".into()));
                return;
            }
            let me = match api::users::me().await {
                Ok(me) => me,
                Err(failure) => {
                    view.error.set(Some(failure.message()));
                    return;
                }
            };
            let call = match api::calls::get(id).await {
                Ok(call) => call,
                Err(ApiFailure::Status { status: 404, .. }) => {
                    view.error.set(Some("There is no such call.".into()));
                    return;
                }
                Err(failure) => {
                    view.error.set(Some(failure.message()));
                    return;
                }
            };
            if controls.live.get().borrow().call_id != Some(id) {
                return;
            }
            view.me.set(Some(me.id));
            view.call.set(Some(call.clone()));
            if call.status.is_live() {
                start(&controls, &call, me.id == call.caller.id);
                poll(controls.clone(), id);
            }
        });
    }

    fn start(controls: &Controls, call: &Call, is_caller: bool) {
        let view = controls.view;
        let weak = Rc::downgrade(controls.live.get());
        let ended = controls.clone();
        let config = CallConfig {
            call_id: call.id,
            room_id: call.room_id.clone(),
            call_type: call.call_type,
            is_caller,
            accepted: call.status == CallStatus::Accepted,
        };
        let engine = CallHandle::start(config, move |event| {
            let Some(live) = weak.upgrade() else {
                return;
            };
            match event {
                CallEvent::LocalStream(stream) => {
                    live.borrow_mut().local = Some(stream);
                    view.local_version.update(|v| *v += 1);
                }
                CallEvent::RemoteStream(stream) => {
                    live.borrow_mut().remote = Some(stream);
                    view.remote_version.update(|v| *v += 1);
                }
                CallEvent::MediaNotice(text) => view.media_notice.set(Some(text)),
                CallEvent::MediaError(text) => view.media_error.set(Some(text)),
                CallEvent::LinkError(text) => view.link_error.set(Some(text)),
                CallEvent::Link(state) => view.link.set(match state {
                    LinkState::Connecting => Link::Connecting,
                    LinkState::WaitingForPeer => Link::Waiting,
                    LinkState::Connected => Link::Connected,
                    LinkState::Reconnecting => Link::Reconnecting,
                }),
                CallEvent::RemoteMedia { muted, camera_off } => {
                    view.remote_muted.set(muted);
                    view.remote_camera_off.set(camera_off);
                }
                CallEvent::RemoteHangUp => {
                    let controls = ended.clone();
                    // Leave from a fresh task: this runs inside the engine.
                    spawn_local(async move { leave(&controls) });
                }
                CallEvent::CallOver => {
                    let controls = ended.clone();
                    spawn_local(async move { refresh(&controls).await });
                }
            }
        });
        controls.live.get().borrow_mut().engine = Some(engine);
    }

    /// The fallback status feed: every second while it rings, every few seconds in the call.
    fn poll(controls: Controls, id: CallId) {
        spawn_local(async move {
            loop {
                let ringing = controls
                    .view
                    .call
                    .try_with_untracked(|c| c.as_ref().is_some_and(|c| c.status.is_unanswered()));
                let Some(ringing) = ringing else {
                    return;
                };
                rtc::sleep(if ringing { 1000 } else { 4000 }).await;
                {
                    let live = controls.live.get().borrow();
                    if live.done || live.call_id != Some(id) || live.engine.is_none() {
                        return;
                    }
                }
                if let Ok(call) = api::calls::get(id).await {
                    apply(&controls, call);
                }
            }
        });
    }

    async fn refresh(controls: &Controls) {
        let Some(id) = controls.live.get().borrow().call_id else {
            return;
        };
        match api::calls::get(id).await {
            Ok(call) => apply(controls, call),
            Err(_) => leave(controls),
        }
    }

    /// A newer state of the call.
    fn apply(controls: &Controls, call: Call) {
        let view = controls.view;
        if controls.live.get().borrow().call_id != Some(call.id) {
            return;
        }
        let unchanged = view.call.with_untracked(|c| c.as_ref() == Some(&call));
        if unchanged {
            return;
        }
        let status = call.status;
        let answered = call.accepted_at.is_some();
        view.call.set(Some(call));
        match status {
            CallStatus::Accepted => {
                controls.live.with_engine(CallHandle::accepted);
            }
            s if s.is_live() => {}
            _ => {
                controls.live.stop();
                // A call that was going on ends by going back; one that never started stays
                // on its outcome ("Bob declined") until the user goes back.
                if answered {
                    leave(controls);
                }
            }
        }
    }

    /// Stops everything and goes back to the contacts.
    fn leave(controls: &Controls) {
        let first = {
            let mut live = controls.live.get().borrow_mut();
            !std::mem::replace(&mut live.done, true)
        };
        controls.live.stop();
        if first {
            controls.go_contacts();
        }
    }

    pub fn hang_up(controls: Controls) {
        let view = controls.view;
        if view.busy.get_untracked() {
            return;
        }
        view.busy.set(true);
        // The room's call-end ends the call on the server and tells the other party at once;
        // the REST end only when the room socket could not take it (it would answer 409).
        let sent = controls.live.with_engine(CallHandle::hang_up) == Some(true);
        let id = controls.live.get().borrow().call_id.filter(|_| !sent);
        spawn_local(async move {
            if let Some(id) = id {
                let _ = api::calls::end(id).await;
            }
            view.busy.set(false);
            leave(&controls);
        });
    }

    pub fn cancel(controls: Controls) {
        let view = controls.view;
        let Some(id) = controls.live.get().borrow().call_id else {
            return;
        };
        view.busy.set(true);
        spawn_local(async move {
            let result = api::calls::cancel(id).await;
            view.busy.set(false);
            match result {
                Ok(_) => leave(&controls),
                // Answered meanwhile (409): show what it is now.
                Err(_) => refresh(&controls).await,
            }
        });
    }

    pub fn answer(controls: Controls, accept: bool) {
        let view = controls.view;
        let Some(id) = controls.live.get().borrow().call_id else {
            return;
        };
        view.busy.set(true);
        let events = use_context::<crate::events::UserEvents>();
        spawn_local(async move {
            let result = if accept {
                api::calls::accept(id).await
            } else {
                api::calls::reject(id).await
            };
            view.busy.set(false);
            match result {
                Ok(call) => {
                    if let Some(events) = events {
                        events.dismiss(call.id);
                    }
                    apply(&controls, call);
                }
                Err(_) => refresh(&controls).await,
            }
        });
    }
}

const CALL_CSS: &str = r#"
.call-page { min-height: 60vh; }
.call-center { display: flex; flex-direction: column; align-items: center; gap: .75rem;
  padding: 3rem 1rem; text-align: center; }
.call-name { margin: 0; font-size: 1.5rem; }
.call-kind, .call-state { margin: 0; color: #5b6475; }
.call-outcome { font-size: 1.3rem; font-weight: 600; margin: .5rem 0; }
.call-error { color: #b42318; background: #fdecea; padding: .6rem 1rem; border-radius: .5rem; }
.call-notice { color: #1d2330; background: #fff4d6; padding: .4rem .8rem; border-radius: .5rem;
  text-align: center; margin: .5rem auto; max-width: 32rem; }
.call-live { display: flex; flex-direction: column; gap: .75rem; }
.call-stage { position: relative; border-radius: 1rem; overflow: hidden; background: #10141c; }
.call-stage-video { aspect-ratio: 16 / 9; }
.call-stage-audio { display: flex; flex-direction: column; align-items: center; justify-content: center;
  gap: 1rem; padding: 3rem 1rem; color: white; }
.remote-video { width: 100%; height: 100%; object-fit: cover; background: #10141c; display: block; }
.local-video { position: absolute; right: 1rem; bottom: 1rem; width: 24%; max-width: 220px;
  aspect-ratio: 4 / 3; object-fit: cover; border-radius: .6rem; border: 2px solid white;
  background: #2a3040; transform: scaleX(-1); z-index: 2; }
.remote-camera-off { position: absolute; inset: 0; display: flex; flex-direction: column;
  align-items: center; justify-content: center; color: white; background: #10141c; z-index: 1; }
.remote-audio { display: none; }
.call-bar { display: flex; gap: 1rem; align-items: baseline; justify-content: center; flex-wrap: wrap; }
.call-bar .call-name { font-size: 1.1rem; font-weight: 600; }
.call-timer { font-variant-numeric: tabular-nums; }
.call-controls { display: flex; gap: .75rem; justify-content: center; flex-wrap: wrap; }
.call-btn { min-width: 7rem; }
.call-btn-off { background: #5b6475; border-color: #5b6475; }
.call-btn-end { background: #d92d20; border-color: #d92d20; }
.call-link { color: #3a6df0; }
"#;
