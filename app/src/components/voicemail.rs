//! When nobody answers (issue 23): the message recorder on the call page, the player beside
//! missed calls, "Tell me when they are free" and the notice when they are. The decisions are
//! [`crate::voicemail`]'s; this module performs them (MediaRecorder, object URLs, REST).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::attention::Permission;
use crate::components::attention::use_attention;
use crate::components::use_dialer;
use crate::events::use_user_events;
use crate::i18n::{t, t_with};
use crate::protocol::{Call, CallId, CallMessage, CallType, User, UserId};
use crate::voicemail::{
    free_notice, message_length, records_video, Recorder, RecorderAction, RecorderInput,
};

/// Record a message of up to 30 s (the camera too for a video call), listen to it, record again
/// or send it. For the caller of a call that went unanswered.
#[component]
pub fn LeaveMessage(call: Call) -> impl IntoView {
    let state = RwSignal::new(Recorder::Idle);
    let now = RwSignal::new(0i64);
    let preview = RwSignal::new(None::<String>);
    let capture = capture::Capture::new(call.id, records_video(&call));
    let name = call.receiver.username.clone();

    let act = move |input: RecorderInput| {
        let mut recorder = state.get_untracked();
        let actions = recorder.step(input);
        state.set(recorder);
        for action in actions {
            match action {
                RecorderAction::Open => capture.open(now, preview),
                RecorderAction::StopRecorder => capture.stop(),
                RecorderAction::Upload { duration_ms } => capture.upload(duration_ms),
            }
        }
    };
    capture.on_input(act);

    let recording = move || matches!(state.get(), Recorder::Recording { .. });
    let recorded = move || {
        matches!(
            state.get(),
            Recorder::Recorded { .. } | Recorder::Sending { .. }
        )
    };
    let countdown = move || {
        state.with(|s| s.seconds_left(now.get())).map(|left| {
            t_with(
                "voicemail-left",
                &[("clock", format!("0:{left:02}").into())],
            )
        })
    };
    let video = call.call_type == CallType::Video;
    view! {
        <div class="vm-recorder card" data-testid="leave-message" data-state=move || state_key(&state.get())>
            <h2 class="vm-title">{move || t_with("voicemail-title", &[("name", name.as_str().into())])}</h2>
            <p class="muted small">{move || t("voicemail-limit")}</p>
            <Show when=recording>
                <p class="vm-countdown" data-testid="message-countdown" aria-live="polite">
                    <span class="vm-dot" aria-hidden="true"></span>
                    {countdown}
                </p>
            </Show>
            {move || {
                preview
                    .get()
                    .filter(|_| recorded())
                    .map(|src| {
                        if video {
                            view! { <video class="vm-preview" data-testid="message-preview" controls=true src=src></video> }
                                .into_any()
                        } else {
                            view! { <audio class="vm-preview" data-testid="message-preview" controls=true src=src></audio> }
                                .into_any()
                        }
                    })
            }}
            {move || match state.get() {
                Recorder::Sent => {
                    view! { <p class="vm-sent" data-testid="message-sent">{move || t("voicemail-sent")}</p> }.into_any()
                }
                Recorder::Failed(message) => {
                    view! { <p class="call-error" role="alert" data-testid="message-error">{message}</p> }
                        .into_any()
                }
                _ => ().into_any(),
            }}
            <div class="vm-buttons">
                <Show when=move || matches!(state.get(), Recorder::Idle | Recorder::Failed(_) | Recorder::Recorded { .. })>
                    <button class="btn btn-secondary" data-testid="message-record" on:click=move |_| act(RecorderInput::Record)>
                        {move || if recorded() { t("voicemail-record-again") } else { t("voicemail-record") }}
                    </button>
                </Show>
                <Show when=recording>
                    <button
                        class="btn btn-secondary"
                        data-testid="message-stop"
                        on:click=move |_| act(RecorderInput::Stop { now: crate::util::now_millis() })
                    >
                        {move || t("voicemail-stop")}
                    </button>
                </Show>
                <Show when=recorded>
                    <button
                        class="btn btn-primary"
                        data-testid="message-send"
                        disabled=move || matches!(state.get(), Recorder::Sending { .. })
                        on:click=move |_| act(RecorderInput::Send)
                    >
                        {move || t("voicemail-send")}
                    </button>
                </Show>
            </div>
        </div>
    }
}

/// For the page and the spec: which state the recorder is in.
fn state_key(state: &Recorder) -> &'static str {
    match state {
        Recorder::Idle => "idle",
        Recorder::Starting => "starting",
        Recorder::Recording { .. } => "recording",
        Recorder::Stopping { .. } => "stopping",
        Recorder::Recorded { .. } => "recorded",
        Recorder::Sending { .. } => "sending",
        Recorder::Sent => "sent",
        Recorder::Failed(_) => "failed",
    }
}

/// One click: the server tells this user when `user` is free (online, in no call, without
/// do-not-disturb), for a day.
#[component]
pub fn TellMeWhenFree(user: User) -> impl IntoView {
    let state = RwSignal::new(None::<Result<(), String>>);
    let pending = RwSignal::new(false);
    let id = user.id;
    let name = user.username.clone();
    let ask = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::missed::watch(id).await;
            pending.set(false);
            state.set(Some(
                result.map(|_| ()).map_err(|failure| failure.message()),
            ));
        });
    };
    view! {
        <span class="vm-watch">
            {move || match state.get() {
                Some(Ok(())) => {
                    view! {
                        <span class="vm-watching" data-testid="watching" role="status">
                            {
                                let name = name.clone();
                                move || t_with("voicemail-watching", &[("name", name.as_str().into())])
                            }
                        </span>
                    }
                        .into_any()
                }
                other => {
                    view! {
                        <button class="btn btn-secondary" data-testid="tell-me" disabled=move || pending.get() on:click=ask>
                            {move || t("voicemail-tell-me")}
                        </button>
                        {other
                            .and_then(Result::err)
                            .map(|m| view! { <span class="call-error" role="alert">{m}</span> })}
                    }
                        .into_any()
                }
            }}
        </span>
    }
}

/// "Bob is free now" with Call and Dismiss, on every page, for each person asked about who is
/// free (`user-available`). In a hidden page a notification says the same; clicking it calls.
#[component]
pub fn AvailableNotices() -> impl IntoView {
    let events = use_user_events();
    let attention = use_attention();
    let (dialer, dial) = use_dialer();
    // Each person once: the page's own notice stays while it is hidden.
    let notified = StoredValue::new(Vec::<UserId>::new());
    Effect::new(move |_| {
        let hidden = attention.hidden.get();
        let allowed = attention.permission.get() == Permission::Granted;
        let free = events.available.get();
        // Someone called or dismissed may be told of again by a later request.
        notified.update_value(|n| n.retain(|id| free.iter().any(|u| u.id == *id)));
        for user in free {
            if notified.with_value(|n| n.contains(&user.id)) {
                continue;
            }
            if let Some(_notice) = free_notice(&user, hidden, allowed) {
                notified.update_value(|n| n.push(user.id));
                #[cfg(feature = "hydrate")]
                crate::worker::show_free(_notice);
            }
        }
    });
    let call_from_notification = dial.clone();
    Effect::new(move |_| {
        let Some(id) = attention.free_clicked.get() else {
            return;
        };
        let user = events
            .available
            .with_untracked(|free| free.iter().find(|u| u.id == id).cloned());
        if let Some(user) = user {
            events.available.update(|free| free.retain(|u| u.id != id));
            call_from_notification(user, CallType::Audio);
        }
    });
    view! {
        <div class="vm-available-list" aria-live="polite">
            <For each=move || events.available.get() key=|user| user.id let:user>
                {
                    let dial = dial.clone();
                    let name = user.username.clone();
                    let id = user.id;
                    let forget = move || events.available.update(|free| free.retain(|u| u.id != id));
                    view! {
                        <div class="vm-available card" data-testid="available-notice" role="status">
                            <span>{
                                let name = name.clone();
                                move || t_with("voicemail-free-now", &[("name", name.as_str().into())])
                            }</span>
                            <button
                                class="btn btn-primary"
                                data-testid="available-call"
                                disabled=move || dialer.pending.get()
                                on:click=move |_| {
                                    forget();
                                    dial(user.clone(), CallType::Audio);
                                }
                            >
                                {
                                    let name = name.clone();
                                    move || t_with("voicemail-call", &[("name", name.as_str().into())])
                                }
                            </button>
                            <button class="btn-icon" aria-label=move || t("dismiss") on:click=move |_| forget()>
                                "×"
                            </button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}

/// The messages left for me, for the history rows: loaded once, then followed through
/// `call-message` events.
#[derive(Clone, Copy)]
pub struct Messages(RwSignal<Vec<CallMessage>>);

pub fn provide_messages() {
    let list = RwSignal::new(Vec::new());
    let events = use_user_events();
    Effect::new(move |_| {
        spawn_local(async move {
            if let Ok(loaded) = api::missed::messages().await {
                list.set(loaded);
            }
        });
    });
    Effect::new(move |_| {
        if let Some(message) = events.message_left.get() {
            list.update(|l| {
                l.retain(|m| m.call_id != message.call_id);
                l.insert(0, message);
            });
        }
    });
    provide_context(Messages(list));
}

/// The message of a call, with a player; marked heard when it plays.
#[component]
pub fn MessagePlayer(call: CallId) -> impl IntoView {
    let Some(Messages(list)) = use_context::<Messages>() else {
        return ().into_any();
    };
    let message = Memo::new(move |_| list.with(|l| l.iter().find(|m| m.call_id == call).cloned()));
    let source = RwSignal::new(None::<String>);
    let failed = RwSignal::new(None::<String>);
    let load = move |_| {
        spawn_local(async move {
            match playback::object_url(call).await {
                Ok(url) => source.set(Some(url)),
                Err(message) => failed.set(Some(message)),
            }
        });
    };
    let heard = move |_| {
        if message.with_untracked(|m| m.as_ref().is_none_or(|m| m.heard_at.is_some())) {
            return;
        }
        spawn_local(async move {
            if let Ok(marked) = api::missed::mark_heard(call).await {
                list.update(|l| {
                    if let Some(m) = l.iter_mut().find(|m| m.call_id == marked.call_id) {
                        *m = marked;
                    }
                });
            }
        });
    };
    // The player is built once per message (marking it heard must not restart it); only the
    // heard state follows the list.
    let shown = Memo::new(move |_| {
        message.with(|m| {
            m.as_ref()
                .map(|m| (m.duration_ms, m.content_type.starts_with("video/")))
        })
    });
    let heard_now = move || message.with(|m| m.as_ref().is_some_and(|m| m.heard_at.is_some()));
    (move || {
        shown.get().map(|(duration_ms, video)| {
            view! {
                <div
                    class="vm-message"
                    class:vm-unheard=move || !heard_now()
                    data-testid="call-message"
                    data-heard=move || heard_now().to_string()
                >
                    <span class="vm-label">
                        {move || if heard_now() { t("voicemail-message") } else { t("voicemail-new-message") }}
                        " · "
                        <span data-testid="message-length">{message_length(duration_ms)}</span>
                    </span>
                    {move || match source.get() {
                        None => {
                            view! {
                                <button class="btn btn-secondary" data-testid="message-play" on:click=load>
                                    {move || t("voicemail-play")}
                                </button>
                            }
                                .into_any()
                        }
                        Some(src) if video => {
                            view! {
                                <video class="vm-player" data-testid="message-player" controls=true autoplay=true src=src on:play=heard></video>
                            }
                                .into_any()
                        }
                        Some(src) => {
                            view! {
                                <audio class="vm-player" data-testid="message-player" controls=true autoplay=true src=src on:play=heard></audio>
                            }
                                .into_any()
                        }
                    }}
                    {move || failed.get().map(|m| view! { <span class="call-error" role="alert">{m}</span> })}
                </div>
            }
        })
    })
    .into_any()
}

/// Fetching a message with the access token and playing it from an object URL (a media
/// element's own request could not carry the token).
mod playback {
    use crate::protocol::CallId;

    #[cfg(feature = "hydrate")]
    pub async fn object_url(call: CallId) -> Result<String, String> {
        let blob = crate::api::missed::recording(call)
            .await
            .map_err(|failure| failure.message())?;
        web_sys::Url::create_object_url_with_blob(&blob)
            .map_err(|_| crate::i18n::t("voicemail-cannot-play"))
    }

    #[cfg(not(feature = "hydrate"))]
    pub async fn object_url(_call: CallId) -> Result<String, String> {
        Err(crate::i18n::t("voicemail-open-in-browser"))
    }
}

/// The recorder's browser side: the devices, the MediaRecorder and its data, the countdown
/// timer and the upload. On the server every action does nothing.
mod capture {
    use leptos::prelude::*;

    use crate::protocol::CallId;
    use crate::voicemail::RecorderInput;

    #[derive(Clone, Copy)]
    pub struct Capture {
        call: CallId,
        video: bool,
        input: StoredValue<Option<Callback<RecorderInput>>>,
        #[cfg(feature = "hydrate")]
        live: StoredValue<Option<browser::Live>, LocalStorage>,
        #[cfg(feature = "hydrate")]
        recorded: StoredValue<Option<web_sys::Blob>, LocalStorage>,
    }

    impl Capture {
        pub fn new(call: CallId, video: bool) -> Self {
            Self {
                call,
                video,
                input: StoredValue::new(None),
                #[cfg(feature = "hydrate")]
                live: StoredValue::new_local(None),
                #[cfg(feature = "hydrate")]
                recorded: StoredValue::new_local(None),
            }
        }

        /// Where the browser's events (started, ticks, finished, sent) go.
        pub fn on_input(&self, act: impl Fn(RecorderInput) + Send + Sync + 'static) {
            self.input.set_value(Some(Callback::new(act)));
            #[cfg(feature = "hydrate")]
            {
                let live = self.live;
                on_cleanup(move || {
                    live.try_update_value(|live| *live = None);
                });
            }
        }

        fn send(input: StoredValue<Option<Callback<RecorderInput>>>, message: RecorderInput) {
            if let Some(Some(callback)) = input.try_get_value() {
                callback.run(message);
            }
        }
    }

    #[cfg(not(feature = "hydrate"))]
    impl Capture {
        pub fn open(&self, _now: RwSignal<i64>, _preview: RwSignal<Option<String>>) {
            let _ = (self.call, self.video);
            Self::send(
                self.input,
                RecorderInput::Failed(crate::i18n::t("voicemail-open-in-browser")),
            );
        }

        pub fn stop(&self) {}

        pub fn upload(&self, _duration_ms: i64) {}
    }

    #[cfg(feature = "hydrate")]
    impl Capture {
        pub fn open(&self, now: RwSignal<i64>, preview: RwSignal<Option<String>>) {
            let this = *self;
            self.live.set_value(None);
            self.recorded.set_value(None);
            if let Some(url) = preview.get_untracked() {
                let _ = web_sys::Url::revoke_object_url(&url);
                preview.set(None);
            }
            leptos::task::spawn_local(async move {
                let input = this.input;
                let on_tick = move || {
                    let time = crate::util::now_millis();
                    now.set(time);
                    Self::send(input, RecorderInput::Tick { now: time });
                };
                let recorded = this.recorded;
                let on_done = move |blob: web_sys::Blob| {
                    preview.set(web_sys::Url::create_object_url_with_blob(&blob).ok());
                    recorded.set_value(Some(blob));
                    Self::send(input, RecorderInput::Finished);
                };
                match browser::Live::start(this.video, on_tick, on_done).await {
                    Ok(live) => {
                        this.live.set_value(Some(live));
                        let time = crate::util::now_millis();
                        now.set(time);
                        Self::send(input, RecorderInput::Started { now: time });
                    }
                    Err(message) => Self::send(input, RecorderInput::Failed(message)),
                }
            });
        }

        pub fn stop(&self) {
            self.live.with_value(|live| {
                if let Some(live) = live {
                    live.stop();
                }
            });
        }

        pub fn upload(&self, duration_ms: i64) {
            let Some(blob) = self.recorded.get_value() else {
                return;
            };
            let (input, call) = (self.input, self.call);
            leptos::task::spawn_local(async move {
                let sent = crate::api::missed::leave_message(call, &blob, duration_ms).await;
                Self::send(
                    input,
                    match sent {
                        Ok(_) => RecorderInput::Delivered,
                        Err(failure) => RecorderInput::Failed(failure.message()),
                    },
                );
            });
        }
    }

    #[cfg(feature = "hydrate")]
    mod browser {
        use std::cell::RefCell;
        use std::rc::Rc;
        use std::time::Duration;

        use leptos::prelude::{set_interval_with_handle, IntervalHandle};
        use wasm_bindgen::{closure::Closure, JsCast};
        use web_sys::{Blob, BlobEvent, BlobPropertyBag, MediaRecorder, MediaRecorderOptions};

        use crate::protocol::MESSAGE_BITS_PER_SECOND;
        use crate::rtc::media;

        /// How often the countdown moves.
        const TICK: Duration = Duration::from_millis(200);
        /// The audio share of [`MESSAGE_BITS_PER_SECOND`] (Opus speech is clear at 48 kbit/s).
        const AUDIO_BITS: u32 = 48_000;

        /// Open devices and a running recorder; dropping it stops both.
        pub struct Live {
            recorder: MediaRecorder,
            stream: web_sys::MediaStream,
            timer: IntervalHandle,
            _on_data: Closure<dyn FnMut(BlobEvent)>,
            _on_stop: Closure<dyn FnMut()>,
        }

        impl Live {
            pub async fn start(
                video: bool,
                on_tick: impl Fn() + 'static,
                on_done: impl Fn(Blob) + 'static,
            ) -> Result<Self, String> {
                let local = media::acquire(video).await?;
                let with_video = local.stream.get_video_tracks().length() > 0;
                let mime = if with_video {
                    "video/webm;codecs=vp8,opus"
                } else {
                    "audio/webm;codecs=opus"
                };
                let options = MediaRecorderOptions::new();
                if MediaRecorder::is_type_supported(mime) {
                    options.set_mime_type(mime);
                }
                options.set_audio_bits_per_second(AUDIO_BITS);
                if with_video {
                    let video_bits = u32::try_from(MESSAGE_BITS_PER_SECOND)
                        .unwrap_or(u32::MAX)
                        .saturating_sub(AUDIO_BITS);
                    options.set_video_bits_per_second(video_bits);
                }
                let recorder = MediaRecorder::new_with_media_stream_and_media_recorder_options(
                    &local.stream,
                    &options,
                )
                .map_err(|_| {
                    media::stop(&local.stream);
                    crate::i18n::t("voicemail-cannot-record")
                })?;
                let chunks = Rc::new(RefCell::new(Vec::<Blob>::new()));
                let gathered = chunks.clone();
                let on_data = Closure::<dyn FnMut(BlobEvent)>::new(move |event: BlobEvent| {
                    if let Some(data) = event.data() {
                        gathered.borrow_mut().push(data);
                    }
                });
                recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
                let kind = recorder.mime_type();
                let on_stop = Closure::<dyn FnMut()>::new(move || {
                    let parts = js_sys::Array::new();
                    for chunk in chunks.borrow_mut().drain(..) {
                        parts.push(&chunk);
                    }
                    let bag = BlobPropertyBag::new();
                    bag.set_type(&kind);
                    if let Ok(blob) = Blob::new_with_blob_sequence_and_options(&parts, &bag) {
                        on_done(blob);
                    }
                });
                recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
                recorder.start().map_err(|_| {
                    media::stop(&local.stream);
                    crate::i18n::t("voicemail-cannot-start")
                })?;
                let timer = set_interval_with_handle(on_tick, TICK)
                    .map_err(|_| crate::i18n::t("voicemail-cannot-start"))?;
                Ok(Self {
                    recorder,
                    stream: local.stream,
                    timer,
                    _on_data: on_data,
                    _on_stop: on_stop,
                })
            }

            /// Stops recording (the blob follows through `on_done`) and the devices.
            pub fn stop(&self) {
                self.timer.clear();
                let _ = self.recorder.stop();
                media::stop(&self.stream);
            }
        }

        impl Drop for Live {
            fn drop(&mut self) {
                self.timer.clear();
                // The recording is over: its last data is no one's any more.
                self.recorder.set_ondataavailable(None);
                self.recorder.set_onstop(None);
                if self.recorder.state() == web_sys::RecordingState::Recording {
                    let _ = self.recorder.stop();
                }
                media::stop(&self.stream);
            }
        }
    }
}
