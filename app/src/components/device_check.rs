//! The pre-call device check (issue 19): a camera preview, a live microphone level meter, a
//! speaker test tone and the same device choice as the call's menu, remembered on this browser
//! (`app::devices`), so the next call captures from what was chosen here. Started by a button,
//! never on page load (it opens the camera). The level is [`crate::devices::level`]'s; this
//! module only runs getUserMedia, an AnalyserNode and the tone.

use leptos::prelude::*;

use crate::devices::{self, Device, DeviceKind};
use crate::i18n::t;

/// What the check shows.
#[derive(Clone, Copy)]
struct Ui {
    running: RwSignal<bool>,
    devices: RwSignal<Vec<Device>>,
    /// The devices the check captures from, by kind; the speaker chosen ("" the default).
    in_use: RwSignal<Vec<(DeviceKind, String)>>,
    speaker: RwSignal<String>,
    /// The meter, 0 to 100, and the highest it went since the check started.
    level: RwSignal<u8>,
    peak: RwSignal<u8>,
    error: RwSignal<Option<String>>,
    can_choose_speaker: RwSignal<bool>,
    video: NodeRef<leptos::html::Video>,
    tone: NodeRef<leptos::html::Audio>,
}

impl Ui {
    fn device_in_use(&self, kind: DeviceKind) -> String {
        let speaker = self.speaker.get();
        self.devices.with(|list| {
            self.in_use
                .with(|in_use| devices::entry_in_use(list, in_use, &speaker, kind))
        })
    }
}

/// The check, with the camera for `video` (false: microphone and speaker only).
#[component]
pub fn DeviceCheck(#[prop(default = true)] video: bool) -> impl IntoView {
    let ui = Ui {
        running: RwSignal::new(false),
        devices: RwSignal::new(Vec::new()),
        in_use: RwSignal::new(Vec::new()),
        speaker: RwSignal::new(String::new()),
        level: RwSignal::new(0),
        peak: RwSignal::new(0),
        error: RwSignal::new(None),
        can_choose_speaker: RwSignal::new(false),
        video: NodeRef::new(),
        tone: NodeRef::new(),
    };
    on_cleanup(|| {
        #[cfg(feature = "hydrate")]
        browser::stop();
    });
    let toggle = move |_| {
        if ui.running.get_untracked() {
            #[cfg(feature = "hydrate")]
            browser::stop();
            ui.running.set(false);
        } else {
            ui.running.set(true);
            #[cfg(feature = "hydrate")]
            browser::start(ui, video);
        }
    };
    view! {
        <div class="device-check" data-testid="device-check">
            <button
                class="btn btn-secondary"
                data-testid="device-check-toggle"
                aria-expanded=move || ui.running.get().to_string()
                on:click=toggle
            >
                {move || t(if ui.running.get() { "check-stop" } else { "check-start" })}
            </button>
            <Show when=move || ui.running.get()>
                {move || {
                    ui.error
                        .get()
                        .map(|text| {
                            view! {
                                <p class="notice error" role="alert" data-testid="device-check-error">
                                    {text}
                                </p>
                            }
                        })
                }}
                <div class="device-check-body">
                    {video
                        .then(|| {
                            view! {
                                <video
                                    class="device-check-preview"
                                    data-testid="device-check-preview"
                                    node_ref=ui.video
                                    autoplay
                                    playsinline
                                    muted
                                    aria-label=move || t("check-camera")
                                ></video>
                            }
                        })}
                    <div class="device-check-controls">
                        <div class="device-menu" role="group" aria-label=move || t("check-devices")>
                            {DeviceKind::ALL
                                .into_iter()
                                .filter(|kind| *kind != DeviceKind::Camera || video)
                                .map(|kind| device_select(ui, kind))
                                .collect_view()}
                        </div>
                        <label class="device-check-level">
                            <span>{move || t("check-level")}</span>
                            <meter
                                data-testid="device-check-level"
                                min="0"
                                max="100"
                                low="10"
                                high="85"
                                optimum="50"
                                value=move || ui.level.get().to_string()
                                data-peak=move || ui.peak.get().to_string()
                            ></meter>
                        </label>
                        <p class="muted small">{move || t("check-speak")}</p>
                        <button
                            class="btn btn-ghost"
                            data-testid="device-check-tone"
                            on:click=move |_| {
                                #[cfg(feature = "hydrate")]
                                browser::test_tone(ui);
                            }
                        >
                            {move || t("check-tone")}
                        </button>
                        <audio node_ref=ui.tone class="sr-only" aria-hidden="true"></audio>
                    </div>
                </div>
            </Show>
        </div>
    }
}

/// The profile's card: the check before any call.
#[component]
pub fn DeviceCheckCard() -> impl IntoView {
    view! {
        <section class="card settings" data-testid="device-check-card">
            <h2>{move || t("check-title")}</h2>
            <p class="muted small">
                {move || t("check-intro")}
            </p>
            <DeviceCheck />
        </section>
    }
}

/// One kind's select, as in the call's device menu; the speaker only where it can be chosen.
fn device_select(ui: Ui, kind: DeviceKind) -> impl IntoView {
    let testid = format!("device-check-{}", kind.key());
    let shown = move || kind != DeviceKind::Speaker || ui.can_choose_speaker.get();
    view! {
        <Show when=shown>
            <label class="device-choice">
                <span>{move || kind.name()}</span>
                <select
                    data-testid=testid.clone()
                    prop:value=move || ui.device_in_use(kind)
                    on:change=move |ev| {
                        let id = event_target_value(&ev);
                        #[cfg(feature = "hydrate")]
                        browser::choose(ui, kind, id);
                        #[cfg(not(feature = "hydrate"))]
                        let _ = id;
                    }
                >
                    {move || {
                        ui.devices
                            .with(|d| devices::entries(d, kind))
                            .into_iter()
                            .map(|(id, name)| {
                                let value = id.clone();
                                view! {
                                    <option
                                        value=value
                                        prop:selected=move || ui.device_in_use(kind) == id
                                    >
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;

    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use wasm_bindgen::JsCast;
    use web_sys::{AnalyserNode, AudioContext, MediaStream, MediaStreamAudioSourceNode};

    use super::Ui;
    use crate::devices::{self, level, DeviceKind};
    use crate::rtc::{self, devices as rtc_devices, media};

    /// The running check: its stream and the meter's audio graph. One per page.
    struct Check {
        stream: MediaStream,
        ctx: AudioContext,
        analyser: AnalyserNode,
        source: Option<MediaStreamAudioSourceNode>,
    }

    impl Drop for Check {
        fn drop(&mut self) {
            media::stop(&self.stream);
            let _ = self.ctx.close();
        }
    }

    thread_local! {
        static CHECK: RefCell<Option<Check>> = const { RefCell::new(None) };
    }

    /// Opens the camera (for `video`) and the microphone as a call would (the remembered
    /// devices), shows the preview and runs the meter.
    pub fn start(ui: Ui, video: bool) {
        ui.can_choose_speaker.set(rtc_devices::can_choose_speaker());
        ui.speaker
            .set(devices::remembered(DeviceKind::Speaker).unwrap_or_default());
        ui.error.set(None);
        ui.peak.set(0);
        spawn_local(async move {
            let local = match media::acquire(video).await {
                Ok(local) => local,
                Err(message) => {
                    ui.error.set(Some(message));
                    return;
                }
            };
            if let Some(notice) = local.notice {
                ui.error.set(Some(notice));
            }
            // Stopped (or gone) meanwhile.
            if ui.running.try_get_untracked() != Some(true) {
                media::stop(&local.stream);
                return;
            }
            let Some(check) = meter_graph(local.stream) else {
                return;
            };
            show(ui, &check.stream);
            CHECK.with(|slot| *slot.borrow_mut() = Some(check));
            // Labelled now that the page may capture.
            ui.devices.set(rtc_devices::list().await);
            read_levels(ui);
        });
    }

    /// Stops the camera, the microphone and the meter.
    pub fn stop() {
        let check = CHECK.with(|slot| slot.borrow_mut().take());
        drop(check);
    }

    /// The stream's microphone into an analyser (not to the speakers: no echo).
    fn meter_graph(stream: MediaStream) -> Option<Check> {
        let ctx = AudioContext::new().ok()?;
        let _ = ctx.resume();
        let analyser = ctx.create_analyser().ok()?;
        analyser.set_fft_size(1024);
        let mut check = Check {
            stream,
            ctx,
            analyser,
            source: None,
        };
        connect_microphone(&mut check);
        Some(check)
    }

    /// (Re)connects the stream's current microphone track to the analyser.
    fn connect_microphone(check: &mut Check) {
        if let Some(old) = check.source.take() {
            let _ = old.disconnect();
        }
        let has_audio = media::tracks(&check.stream)
            .iter()
            .any(|track| track.kind() == "audio");
        if !has_audio {
            return;
        }
        match check.ctx.create_media_stream_source(&check.stream) {
            Ok(source) => {
                let _ = source.connect_with_audio_node(&check.analyser);
                check.source = Some(source);
            }
            Err(_) => rtc::log("device check: no microphone source"),
        }
    }

    fn show(ui: Ui, stream: &MediaStream) {
        ui.in_use.set(rtc_devices::in_use(stream));
        if let Some(video) = ui.video.try_get_untracked().flatten() {
            let element: &web_sys::HtmlMediaElement = video.as_ref();
            element.set_src_object(Some(stream));
            let _ = element.play();
        }
    }

    /// Reads the analyser every [`level::READ_INTERVAL_MS`] while the check runs.
    fn read_levels(ui: Ui) {
        spawn_local(async move {
            let mut samples = vec![128u8; 1024];
            loop {
                rtc::sleep(i32::try_from(level::READ_INTERVAL_MS).unwrap_or(100)).await;
                let read = CHECK.with(|slot| {
                    slot.borrow().as_ref().map(|check| {
                        check.analyser.get_byte_time_domain_data(&mut samples);
                        level::meter(level::rms(&samples))
                    })
                });
                let Some(now) = read else {
                    return;
                };
                let Some(before) = ui.level.try_get_untracked() else {
                    return;
                };
                let shown = level::smooth(before, now);
                ui.level.set(shown);
                ui.peak.update(|peak| *peak = (*peak).max(shown));
            }
        });
    }

    /// The user chose `id` for `kind`: remembered for the next call, and checked at once.
    pub fn choose(ui: Ui, kind: DeviceKind, id: String) {
        devices::remember(kind, Some(&id));
        if kind == DeviceKind::Speaker {
            ui.speaker.set(id);
            return;
        }
        spawn_local(async move {
            let track = match rtc_devices::capture(kind, Some(&id)).await {
                Ok(track) => track,
                Err(name) => {
                    ui.error.set(Some(crate::i18n::t_with(
                        "check-failed",
                        &[("error", name.into())],
                    )));
                    return;
                }
            };
            let Some(stream) = CHECK.with(|slot| slot.borrow().as_ref().map(|c| c.stream.clone()))
            else {
                track.stop();
                return;
            };
            rtc_devices::swap(&stream, None, &track).await;
            if kind == DeviceKind::Microphone {
                CHECK.with(|slot| {
                    if let Some(check) = slot.borrow_mut().as_mut() {
                        connect_microphone(check);
                    }
                });
            }
            ui.error.set(None);
            show(ui, &stream);
        });
    }

    /// A short two-note tone on the chosen speaker (an audio element, so that setSinkId
    /// applies).
    pub fn test_tone(ui: Ui) {
        let Some(element) = ui.tone.try_get_untracked().flatten() else {
            return;
        };
        let speaker = ui.speaker.get_untracked();
        spawn_local(async move {
            let element: web_sys::HtmlMediaElement = element.unchecked_into();
            let Some((ctx, stream)) = tone_stream() else {
                return;
            };
            rtc_devices::set_speaker(&element, &speaker).await;
            element.set_src_object(Some(&stream));
            let _ = element.play();
            rtc::sleep(1_000).await;
            element.set_src_object(None);
            let _ = ctx.close();
        });
    }

    /// Two 250 ms notes (440 Hz, 660 Hz) as a media stream.
    fn tone_stream() -> Option<(AudioContext, MediaStream)> {
        let ctx = AudioContext::new().ok()?;
        let _ = ctx.resume();
        let destination = ctx.create_media_stream_destination().ok()?;
        let gain = ctx.create_gain().ok()?;
        gain.gain().set_value(0.2);
        gain.connect_with_audio_node(&destination).ok()?;
        let t0 = ctx.current_time() + 0.05;
        for (i, frequency) in [440.0, 660.0].into_iter().enumerate() {
            let osc = ctx.create_oscillator().ok()?;
            osc.frequency().set_value(frequency);
            osc.connect_with_audio_node(&gain).ok()?;
            let start = t0 + i as f64 * 0.25;
            osc.start_with_when(start).ok()?;
            osc.stop_with_when(start + 0.25).ok()?;
        }
        Some((ctx, destination.stream()))
    }
}
