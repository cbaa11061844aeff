//! The call page's state and behaviour: the signals the view reads ([`CallView`]) and what the
//! buttons do ([`Controls`]). In the browser it loads the call, follows its status (user socket
//! events, a REST poll as a fallback) and runs the [`crate::rtc`] engine; on the server nothing
//! moves.

use leptos::prelude::*;

use crate::chat::Chat;
use crate::devices::{Device, DeviceKind};
use crate::negotiation::LinkState;
use crate::protocol::{Call, CallId, CallStatus, CallType, Grade, User, UserId};
use crate::shortcuts::Shortcut;

/// The page's reactive state (all `Copy`).
#[derive(Clone, Copy)]
pub(super) struct CallView {
    pub(super) call: RwSignal<Option<Call>>,
    pub(super) me: RwSignal<Option<UserId>>,
    pub(super) error: RwSignal<Option<String>>,
    pub(super) link: RwSignal<LinkState>,
    pub(super) media_error: RwSignal<Option<String>>,
    pub(super) media_notice: RwSignal<Option<String>>,
    /// Why the media path cannot form (relay-only without a reachable TURN relay).
    pub(super) link_error: RwSignal<Option<String>>,
    pub(super) muted: RwSignal<bool>,
    pub(super) camera_off: RwSignal<bool>,
    pub(super) remote_muted: RwSignal<bool>,
    pub(super) remote_camera_off: RwSignal<bool>,
    /// The keyboard shortcuts' help is shown.
    pub(super) shortcuts_help: RwSignal<bool>,
    /// The chat panel: its lines, unread count and whether it is open.
    pub(super) chat: RwSignal<Chat>,
    /// A screen is shared: by this side, by the other.
    pub(super) sharing: RwSignal<bool>,
    pub(super) remote_sharing: RwSignal<bool>,
    /// An audio call upgraded (issue 19): this side's camera is on, the other side's is.
    pub(super) video: RwSignal<bool>,
    pub(super) remote_video: RwSignal<bool>,
    /// Connection grades: this side's, and the other side's as it reported it (None until
    /// measured).
    pub(super) quality: RwSignal<Option<Grade>>,
    pub(super) remote_quality: RwSignal<Option<Grade>>,
    /// The device menu: what enumerateDevices lists, the device each local track captures
    /// from, the speaker chosen ("" for the default) and whether this browser can choose one.
    pub(super) devices: RwSignal<Vec<Device>>,
    pub(super) in_use: RwSignal<Vec<(DeviceKind, String)>>,
    pub(super) speaker: RwSignal<String>,
    pub(super) can_choose_speaker: RwSignal<bool>,
    pub(super) device_menu: RwSignal<bool>,
    /// Bumped when a stream arrives, so the effects attach it to the media elements.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) remote_version: RwSignal<u32>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) local_version: RwSignal<u32>,
    pub(super) now: RwSignal<i64>,
    pub(super) busy: RwSignal<bool>,
}

impl CallView {
    pub(super) fn new() -> Self {
        Self {
            call: RwSignal::new(None),
            me: RwSignal::new(None),
            error: RwSignal::new(None),
            link: RwSignal::new(LinkState::Connecting),
            media_error: RwSignal::new(None),
            media_notice: RwSignal::new(None),
            link_error: RwSignal::new(None),
            muted: RwSignal::new(false),
            camera_off: RwSignal::new(false),
            remote_muted: RwSignal::new(false),
            remote_camera_off: RwSignal::new(false),
            chat: RwSignal::new(Chat::default()),
            shortcuts_help: RwSignal::new(false),
            sharing: RwSignal::new(false),
            remote_sharing: RwSignal::new(false),
            video: RwSignal::new(false),
            remote_video: RwSignal::new(false),
            quality: RwSignal::new(None),
            remote_quality: RwSignal::new(None),
            devices: RwSignal::new(Vec::new()),
            in_use: RwSignal::new(Vec::new()),
            speaker: RwSignal::new(String::new()),
            can_choose_speaker: RwSignal::new(false),
            device_menu: RwSignal::new(false),
            remote_version: RwSignal::new(0),
            local_version: RwSignal::new(0),
            now: RwSignal::new(crate::util::now_millis()),
            busy: RwSignal::new(false),
        }
    }

    pub(super) fn other(&self) -> Option<User> {
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

    /// The id of the device of `kind` in use ("" when unknown or the default speaker).
    pub(super) fn device_in_use(&self, kind: DeviceKind) -> String {
        let speaker = self.speaker.get();
        self.devices.with(|list| {
            self.in_use
                .with(|in_use| crate::devices::entry_in_use(list, in_use, &speaker, kind))
        })
    }

    pub(super) fn other_name(&self) -> String {
        self.other().map(|u| u.username).unwrap_or_default()
    }
}

/// The buttons' actions; in the browser they drive the [`crate::rtc`] engine.
#[derive(Clone)]
pub(super) struct Controls {
    pub(super) view: CallView,
    navigate: Callback<String>,
    #[cfg(feature = "hydrate")]
    live: browser::Shared,
}

impl Controls {
    pub(super) fn new(view: CallView, navigate: Callback<String>) -> Self {
        Self {
            view,
            navigate,
            #[cfg(feature = "hydrate")]
            live: browser::Shared::default(),
        }
    }

    pub(super) fn go_contacts(&self) {
        self.navigate.run("/contacts".to_owned());
    }

    /// Loads the call whenever `call_id` changes and keeps the page in step with it (browser
    /// only: the server renders the "Connecting…" shell).
    pub(super) fn wire(&self, call_id: Memo<Option<CallId>>, media: MediaElements) {
        #[cfg(feature = "hydrate")]
        browser::wire(self, call_id, media);
        #[cfg(not(feature = "hydrate"))]
        let _ = (call_id, media);
    }

    pub(super) fn set_muted(&self, muted: bool) {
        self.view.muted.set(muted);
        #[cfg(feature = "hydrate")]
        self.live.with_engine(|engine| engine.set_muted(muted));
    }

    pub(super) fn set_camera_off(&self, off: bool) {
        self.view.camera_off.set(off);
        #[cfg(feature = "hydrate")]
        self.live.with_engine(|engine| engine.set_camera_off(off));
    }

    /// Audio call: turns the camera on or off (the view follows once it is, or is not, sent).
    pub(super) fn set_video(&self, on: bool) {
        #[cfg(feature = "hydrate")]
        self.live.with_engine(|engine| engine.set_video(on));
        #[cfg(not(feature = "hydrate"))]
        let _ = on;
    }

    /// Performs a keyboard shortcut, during the call only.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) fn shortcut(&self, shortcut: Shortcut) {
        let view = self.view;
        let (in_call, video) = view.call.with_untracked(|call| {
            call.as_ref().map_or((false, false), |c| {
                (
                    c.status == CallStatus::Accepted,
                    c.call_type == CallType::Video,
                )
            })
        });
        match shortcut {
            _ if !in_call => {}
            Shortcut::ToggleMute => self.set_muted(!view.muted.get_untracked()),
            Shortcut::ToggleCamera if video => {
                self.set_camera_off(!view.camera_off.get_untracked())
            }
            Shortcut::ToggleCamera => self.set_video(!view.video.get_untracked()),
            Shortcut::ToggleShare => self.share_screen(!view.sharing.get_untracked()),
            Shortcut::Help => view.shortcuts_help.update(|shown| *shown = !*shown),
        }
    }

    /// Sends a chat message to the other side (peer to peer).
    pub(super) fn send_chat(&self, text: String) {
        #[cfg(feature = "hydrate")]
        self.live.with_engine(|engine| engine.send_chat(text));
        #[cfg(not(feature = "hydrate"))]
        let _ = text;
    }

    /// Starts or stops sharing the screen (the view follows once it is shared, or not).
    pub(super) fn share_screen(&self, share: bool) {
        #[cfg(feature = "hydrate")]
        self.live.with_engine(|engine| engine.share_screen(share));
        #[cfg(not(feature = "hydrate"))]
        let _ = share;
    }

    /// The user chose a device in the menu: remembered on this browser, and used at once.
    pub(super) fn use_device(&self, kind: DeviceKind, id: String) {
        crate::devices::remember(kind, Some(&id));
        #[cfg(feature = "hydrate")]
        browser::use_device(self, kind, id);
    }

    pub(super) fn hang_up(&self) {
        #[cfg(feature = "hydrate")]
        browser::hang_up(self.clone());
    }

    pub(super) fn cancel(&self) {
        #[cfg(feature = "hydrate")]
        browser::cancel(self.clone());
    }

    pub(super) fn answer(&self, accept: bool) {
        #[cfg(feature = "hydrate")]
        browser::answer(self.clone(), accept);
        #[cfg(not(feature = "hydrate"))]
        let _ = accept;
    }
}

/// The page's media elements (they come and go with the phase).
#[derive(Clone, Copy)]
pub(super) struct MediaElements {
    pub(super) remote_video: NodeRef<leptos::html::Video>,
    pub(super) local_video: NodeRef<leptos::html::Video>,
    pub(super) remote_audio: NodeRef<leptos::html::Audio>,
}

impl MediaElements {
    pub(super) fn new() -> Self {
        Self {
            remote_video: NodeRef::new(),
            local_video: NodeRef::new(),
            remote_audio: NodeRef::new(),
        }
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::{cell::RefCell, rc::Rc, time::Duration};

    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use send_wrapper::SendWrapper;
    use web_sys::{HtmlMediaElement, MediaStream};

    use super::{Controls, MediaElements};
    use crate::api::{self, ApiFailure};
    use crate::devices::{self, DeviceKind};
    use crate::protocol::{Call, CallId, CallStatus};
    use crate::rtc::{self, CallConfig, CallEvent, CallHandle};
    use crate::shortcuts;

    /// The browser-side state of the page.
    #[derive(Default)]
    pub struct Live {
        call_id: Option<CallId>,
        engine: Option<CallHandle>,
        local: Option<MediaStream>,
        remote: Option<MediaStream>,
        /// The page is leaving (hung up, ended, or gone): nothing starts any more.
        done: bool,
        /// Follows devices coming and going while the call runs.
        device_watch: Option<rtc::devices::Watch>,
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

        /// Stops the media and the sockets; the page stays. An answered call's report goes
        /// to the server first (issue 19).
        fn stop(&self) {
            let (engine, call_id) = {
                let mut live = self.get().borrow_mut();
                live.local = None;
                live.remote = None;
                live.device_watch = None;
                (live.engine.take(), live.call_id)
            };
            if let Some(engine) = engine {
                crate::components::call_report::post(call_id, engine.report());
                engine.close();
            }
        }
    }

    /// Sets everything up in the browser: loading, the status feed, media elements, the timer.
    pub(super) fn wire(controls: &Controls, call_id: Memo<Option<CallId>>, media: MediaElements) {
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
                    None => view.error.set(Some(crate::i18n::t("call-no-such-call"))),
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
                if let Some(video) = media.remote_video.get() {
                    attach(&video, stream.as_ref());
                }
                if let Some(audio) = media.remote_audio.get() {
                    attach(&audio, stream.as_ref());
                }
            });
        }
        {
            let live = controls.live.clone();
            Effect::new(move |_| {
                view.local_version.track();
                let stream = live.get().borrow().local.clone();
                if let Some(video) = media.local_video.get() {
                    attach(&video, stream.as_ref());
                }
            });
        }

        // The chosen speaker plays the other side's audio, where the browser can choose.
        view.can_choose_speaker
            .set(rtc::devices::can_choose_speaker());
        Effect::new(move |_| {
            view.remote_version.track();
            let speaker = view.speaker.get();
            if let Some(audio) = media.remote_audio.get() {
                if view.can_choose_speaker.get_untracked() {
                    spawn_local(async move {
                        rtc::devices::set_speaker(&audio, &speaker).await;
                    });
                }
            }
        });

        // Keyboard shortcuts (not while typing in a field).
        {
            let controls = controls.clone();
            let handle = window_event_listener(leptos::ev::keydown, move |ev| {
                let typing = document().active_element().is_some_and(|element| {
                    shortcuts::takes_typing(
                        &element.tag_name(),
                        element.get_attribute("contenteditable").is_some(),
                    )
                });
                let press = shortcuts::KeyPress {
                    key: ev.key(),
                    ctrl: ev.ctrl_key(),
                    alt: ev.alt_key(),
                    meta: ev.meta_key(),
                    typing,
                };
                if let Some(shortcut) = shortcuts::shortcut(&press) {
                    controls.shortcut(shortcut);
                }
            });
            on_cleanup(move || handle.remove());
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
            // Autoplay normally starts it; play() covers browsers that wait for it. Its promise
            // rejects when the element leaves the page first (the stage turned back to audio):
            // awaited so that is not an unhandled rejection.
            if let Ok(playing) = element.play() {
                spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(playing).await;
                });
            }
        }
    }

    fn load(controls: Controls, id: CallId) {
        let view = controls.view;
        spawn_local(async move {
            if crate::session::access_token().is_none() && crate::session::refresh_token().is_none()
            {
                view.error.set(Some(crate::i18n::t("call-sign-in")));
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
                    view.error.set(Some(crate::i18n::t("call-no-such-call")));
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
                CallEvent::DevicesInUse(in_use) => {
                    view.in_use.set(in_use);
                    // Permission is granted now: the list has its labels.
                    refresh_devices(ended.clone());
                }
                CallEvent::MediaError(text) => view.media_error.set(Some(text)),
                CallEvent::LinkError(text) => view.link_error.set(Some(text)),
                CallEvent::Link(state) => {
                    // A path formed: whatever kept it from forming is over.
                    if state == rtc::LinkState::Connected {
                        view.link_error.set(None);
                    }
                    if let Some(tone) = crate::quality::tone_for(view.link.get_untracked(), state) {
                        crate::components::tones::play(tone);
                    }
                    view.link.set(state);
                }
                CallEvent::Quality {
                    remote: false,
                    grade,
                } => view.quality.set(Some(grade)),
                CallEvent::Quality {
                    remote: true,
                    grade,
                } => view.remote_quality.set(Some(grade)),
                CallEvent::RemoteMedia(state) => {
                    view.remote_muted.set(state.muted);
                    view.remote_camera_off.set(state.camera_off);
                    view.remote_sharing.set(state.sharing);
                    view.remote_video.set(state.video);
                }
                CallEvent::Sharing(sharing) => view.sharing.set(sharing),
                CallEvent::Video(on) => view.video.set(on),
                CallEvent::Chat { mine, text } => view
                    .chat
                    .update(|chat| chat.add(crate::chat::Line { mine, text })),
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
        let watched = controls.clone();
        let watch = rtc::devices::Watch::start(move || refresh_devices(watched.clone()));
        let mut live = controls.live.get().borrow_mut();
        live.engine = Some(engine);
        live.device_watch = watch;
    }

    /// Lists the devices again. The first list picks the remembered speaker if it is there;
    /// later, a device in use that has gone (unplugged) falls back to the default, with a notice.
    fn refresh_devices(controls: Controls) {
        let view = controls.view;
        spawn_local(async move {
            let list = rtc::devices::list().await;
            if list.is_empty() {
                return;
            }
            if view.devices.with_untracked(Vec::is_empty) {
                let remembered = devices::remembered(DeviceKind::Speaker);
                let speaker = devices::preferred(&list, DeviceKind::Speaker, remembered.as_deref());
                view.speaker.set(speaker.unwrap_or_default());
            }
            let mut in_use = view.in_use.get_untracked();
            let speaker = view.speaker.get_untracked();
            if !speaker.is_empty() {
                in_use.push((DeviceKind::Speaker, speaker));
            }
            for kind in devices::lost(&list, &in_use) {
                view.media_notice.set(Some(devices::fallback_notice(kind)));
                if kind == DeviceKind::Speaker {
                    view.speaker.set(String::new());
                } else {
                    controls
                        .live
                        .with_engine(|engine| engine.switch_device(kind, None));
                }
            }
            view.devices.set(list);
        });
    }

    pub fn use_device(controls: &Controls, kind: DeviceKind, id: String) {
        if kind == DeviceKind::Speaker {
            controls.view.speaker.set(id);
        } else {
            controls
                .live
                .with_engine(|engine| engine.switch_device(kind, Some(id)));
        }
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
