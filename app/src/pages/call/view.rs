//! What the call page shows, phase by phase: outgoing ringing, incoming, in the call (remote
//! video large, local preview small, or the other person for audio calls), and how it ended.
//! Rendering only: the state and the buttons' actions are the [`super::controller`]'s.

use leptos::prelude::*;

use super::controller::{CallView, Controls, MediaElements};
use super::missed::Unanswered;
use crate::chat::Chat;
use crate::components::a11y::use_announcer;
use crate::components::device_check::device_choice;
use crate::components::people::{use_contacts, AddContactButton};
use crate::components::pip::PipButton;
use crate::components::Avatar;
use crate::devices::DeviceKind;
use crate::i18n::{t, t_with};
use crate::negotiation::LinkState;
use crate::protocol::{
    chat_text_fits, Call, CallStatus, CallType, EndReason, Grade, MediaState, MAX_CHAT_CHARS,
};
use crate::quality;
use crate::shortcuts;
use crate::upgrade::{self, CameraButton};
use crate::util::duration_text;

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

fn phase(view: &CallView) -> Phase {
    if let Some(error) = view.error.get() {
        return Phase::Failed(error);
    }
    let (Some(call), Some(me)) = (view.call.get(), view.me.get()) else {
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

/// How a call that is over ended, from this side.
fn outcome(call: &Call, caller: bool) -> String {
    let other = if caller {
        &call.receiver.username
    } else {
        &call.caller.username
    };
    let name = [("name", other.as_str().into())];
    match (call.status, call.end_reason) {
        (CallStatus::Rejected, _) if caller => t_with("outcome-declined", &name),
        (CallStatus::Rejected, _) => t("outcome-you-declined"),
        (CallStatus::Missed, Some(EndReason::Busy)) if caller => t_with("outcome-busy", &name),
        (CallStatus::Missed, Some(EndReason::AnsweredElsewhere)) => t("reason-answered-elsewhere"),
        (CallStatus::Missed, _) if caller => t("reason-timeout"),
        (CallStatus::Missed, _) => t_with("notice-missed-from", &name),
        (CallStatus::Cancelled, _) if caller => t("outcome-cancelled"),
        (CallStatus::Cancelled, _) => t_with("outcome-they-cancelled", &name),
        (_, reason) => {
            let lost = reason == Some(EndReason::ConnectionLost);
            match call.duration {
                Some(seconds) => {
                    let key = if lost {
                        "outcome-ended-after-lost"
                    } else {
                        "outcome-ended-after"
                    };
                    t_with(key, &[("duration", duration_text(seconds).into())])
                }
                None if lost => t("outcome-ended-lost"),
                None => t("outcome-ended"),
            }
        }
    }
}

fn link_text(link: LinkState, other: &str) -> String {
    match link {
        LinkState::Connecting => t("link-connecting"),
        LinkState::WaitingForPeer => t_with("link-waiting", &[("name", other.into())]),
        LinkState::Connected => t("link-connected"),
        LinkState::Reconnecting => t("nav-reconnecting"),
    }
}

/// What the live region says in a phase: every change of the call's state is heard.
fn announcement(phase: &Phase, link: LinkState, other: &str) -> Option<String> {
    match phase {
        Phase::Loading => None,
        Phase::Failed(text) | Phase::Over(text) => Some(text.clone()),
        Phase::Outgoing => Some(t_with("say-calling", &[("name", other.into())])),
        Phase::Incoming => Some(t_with("say-incoming", &[("name", other.into())])),
        Phase::InCall => Some(link_text(link, other)),
    }
}

/// The page's content for the current phase.
pub(super) fn body(controls: Controls, media: MediaElements) -> impl IntoView {
    let view = controls.view;
    let phase = Memo::new(move |_| phase(&view));
    let announcer = use_announcer();
    Effect::new(move |_| {
        if let Some(text) = phase.with(|p| announcement(p, view.link.get(), &view.other_name())) {
            announcer.say(text);
        }
    });
    move || match phase.get() {
        Phase::Loading => view! {
            <div class="call-center">
                <p class="call-state" data-testid="call-state">{move || t("link-connecting")}</p>
            </div>
        }
        .into_any(),
        Phase::Failed(message) => view! {
            <div class="call-center">
                <p class="call-error" role="alert" data-testid="call-error">{message}</p>
                <a class="call-link" href="/contacts">{move || t("call-back-to-contacts")}</a>
            </div>
        }
        .into_any(),
        Phase::Outgoing => outgoing(controls.clone()).into_any(),
        Phase::Incoming => incoming(controls.clone()).into_any(),
        Phase::InCall => in_call(controls.clone(), media).into_any(),
        Phase::Over(text) => {
            let controls = controls.clone();
            view! {
                <div class="call-center">
                    <PartyAvatar view=view />
                    <p class="call-outcome" data-testid="call-outcome">{text}</p>
                    <AddFromCall view=view />
                    <Unanswered view=view />
                    <button data-testid="back-button" on:click=move |_| controls.go_contacts()>
                        {move || t("call-back-to-contacts")}
                    </button>
                </div>
            }
            .into_any()
        }
    }
}

/// "Add" for the other person, during or after a call, if they are not a contact yet.
#[component]
fn AddFromCall(view: CallView) -> impl IntoView {
    let notice = RwSignal::new(None::<String>);
    let contacts = use_contacts(notice);
    let other = Memo::new(move |_| view.other());
    view! {
        <span class="call-add">
            {move || {
                other
                    .get()
                    .map(|user| view! { <AddContactButton user=user contacts=contacts notice=notice /> })
            }}
        </span>
        {move || {
            notice
                .get()
                .map(|m| view! { <p class="call-error" role="alert" data-testid="add-error">{m}</p> })
        }}
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
            Some(CallType::Video) => t("call-kind-video"),
            _ => t("call-kind-audio"),
        })
    };
    view! {
        <div class="call-center">
            <PartyAvatar view=view />
            <h1 class="call-name" data-testid="callee-name">{move || view.other_name()}</h1>
            <p class="call-kind">{kind}</p>
            <p class="call-state" data-testid="call-state">{move || t("call-ringing")}</p>
            <MediaMessages view=view />
            <div class="call-controls">
                <button
                    class="call-btn call-btn-end"
                    data-testid="cancel-button"
                    disabled=move || view.busy.get()
                    on:click=move |_| controls.cancel()
                >
                    {move || t("call-cancel")}
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
            <p class="call-state" data-testid="call-state">{move || t("call-incoming")}</p>
            <div class="call-controls">
                <button
                    class="call-btn"
                    data-testid="accept-button"
                    disabled=move || view.busy.get()
                    on:click=move |_| accept_controls.answer(true)
                >
                    {move || t("incoming-accept")}
                </button>
                <button
                    class="call-btn call-btn-end"
                    data-testid="decline-button"
                    disabled=move || view.busy.get()
                    on:click=move |_| controls.answer(false)
                >
                    {move || t("incoming-decline")}
                </button>
            </div>
        </div>
    }
}

/// Three bars for one side's connection grade (this side's, or the other party's as it
/// reported it), captioned, with the grade in words for screen readers.
#[component]
fn QualityBars(view: CallView, remote: bool) -> impl IntoView {
    let (grade, testid) = if remote {
        (view.remote_quality, "quality-remote")
    } else {
        (view.quality, "quality-local")
    };
    let caption = move || {
        if remote {
            view.other_name()
        } else {
            t("call-you")
        }
    };
    let whose = move || remote.then(|| view.other_name());
    view! {
        <span class="quality">
            <span class="quality-caption" aria-hidden="true">{caption}</span>
            <span
                class="quality-bars"
                role="img"
                data-testid=testid
                data-grade=move || grade.get().map_or("none", Grade::as_str)
                aria-label=move || quality::label(whose().as_deref(), grade.get())
            >
                {(1..=3u8)
                    .map(|bar| {
                        view! {
                            <span
                                class=format!("quality-bar quality-bar-{bar}")
                                class:lit=move || { quality::bars(grade.get()) >= bar }
                            ></span>
                        }
                    })
                    .collect_view()}
            </span>
        </span>
    }
}

/// A call control that is on or off (`aria-pressed`), labelled for what a click does (`labels`:
/// catalogue keys); `toggle` gets the state asked for.
#[component]
fn Toggle(
    testid: &'static str,
    on: RwSignal<bool>,
    labels: (&'static str, &'static str),
    toggle: impl Fn(bool) + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <button
            class="call-btn"
            class:call-btn-off=move || on.get()
            data-testid=testid
            aria-pressed=move || on.get().to_string()
            on:click=move |_| toggle(!on.get_untracked())
        >
            {move || t(if on.get() { labels.1 } else { labels.0 })}
        </button>
    }
}

/// The camera button: pauses the camera of a video call, or turns one on in an audio call
/// (which then shows the video stage on both sides; see [`upgrade::camera_button`]).
#[component]
fn CameraControl(controls: Controls, call_type: CallType) -> impl IntoView {
    let view = controls.view;
    let button = move || upgrade::camera_button(call_type, view.sharing.get());
    move || match button() {
        CameraButton::Pause => {
            let controls = controls.clone();
            view! {
                <Toggle
                    testid="camera-button"
                    on=view.camera_off
                    labels=("call-camera-turn-off", "call-camera-turn-on")
                    toggle=move |off| controls.set_camera_off(off)
                />
            }
            .into_any()
        }
        CameraButton::Upgrade { enabled } => {
            let controls = controls.clone();
            view! {
                <button
                    class="call-btn"
                    data-testid="video-button"
                    aria-pressed=move || view.video.get().to_string()
                    disabled=!enabled
                    title=move || (!enabled).then(|| t("call-camera-screen-instead"))
                    on:click=move |_| controls.set_video(!view.video.get_untracked())
                >
                    {move || {
                        if view.video.get() { t("call-video-off") } else { t("call-video-on") }
                    }}
                </button>
            }
            .into_any()
        }
    }
}

/// The keyboard shortcuts, shown with "?".
#[component]
fn ShortcutsHelp(view: CallView) -> impl IntoView {
    view! {
        <section class="shortcuts-help" role="dialog" aria-label=move || t("shortcuts-title") data-testid="shortcuts-help">
            <h2>{move || t("shortcuts-title")}</h2>
            <dl>
                {shortcuts::HELP
                    .iter()
                    .map(|&(key, what)| view! {
                        <dt><kbd>{key}</kbd></dt>
                        <dd>{move || t(what)}</dd>
                    })
                    .collect_view()}
            </dl>
            <button class="btn-ghost" on:click=move |_| view.shortcuts_help.set(false)>{move || t("close")}</button>
        </section>
    }
}

/// The chat panel: the lines of this call (a log screen readers follow) and a line to send,
/// bounded to the protocol's length. Usable while connected (the data channel is open then).
#[component]
fn ChatPanel(controls: Controls) -> impl IntoView {
    let view = controls.view;
    let draft = RwSignal::new(String::new());
    let send = move || {
        let text = draft.get_untracked();
        if chat_text_fits(&text) {
            controls.send_chat(text);
            draft.set(String::new());
        }
    };
    let other = move || view.other_name();
    view! {
        <section class="chat-panel" id="chat-panel" data-testid="chat-panel" aria-label=move || t("chat")>
            <ol class="chat-lines" role="log" aria-live="polite" data-testid="chat-lines">
                {move || {
                    view.chat
                        .with(|chat| chat.lines.iter().cloned().collect::<Vec<_>>())
                        .into_iter()
                        .map(|line| {
                            let who = if line.mine { t("call-you") } else { other() };
                            view! {
                                <li class="chat-line" class:mine=line.mine data-testid="chat-line">
                                    <span class="chat-who">{who}</span>
                                    <span class="chat-text">{line.text}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
            <form
                class="chat-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    send();
                }
            >
                <input
                    type="text"
                    data-testid="chat-input"
                    aria-label=move || t("chat-message")
                    placeholder=move || t("chat-message")
                    maxlength=MAX_CHAT_CHARS.to_string()
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                <button
                    type="submit"
                    data-testid="chat-send"
                    disabled=move || view.link.get() != LinkState::Connected
                >
                    {move || t("voicemail-send")}
                </button>
            </form>
        </section>
    }
}

/// The device menu: a select per kind (microphone, camera, speaker where the browser can
/// choose one), filled from enumerateDevices, showing the device in use.
#[component]
fn DeviceMenu(controls: Controls) -> impl IntoView {
    let view = controls.view;
    let kinds = DeviceKind::ALL
        .into_iter()
        // Cameras in audio calls too: the one chosen is the one *Turn camera on* starts.
        .filter(|kind| *kind != DeviceKind::Speaker || view.can_choose_speaker.get_untracked());
    view! {
        <div class="device-menu" id="device-menu" data-testid="device-menu" role="group" aria-label=move || t("call-devices")>
            {kinds
                .map(|kind| {
                    let controls = controls.clone();
                    device_choice(
                        kind,
                        format!("device-{}", kind.key()),
                        view.devices,
                        move || view.device_in_use(kind),
                        move |id| controls.use_device(kind, id),
                    )
                })
                .collect_view()}
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

fn in_call(controls: Controls, media: MediaElements) -> impl IntoView {
    let view = controls.view;
    let call_type = view
        .call
        .with_untracked(|c| c.as_ref().map_or(CallType::Audio, |c| c.call_type));
    // An audio call's stage turns into the video stage while either side sends video.
    let remote_state = move || MediaState {
        muted: false,
        camera_off: view.remote_camera_off.get(),
        sharing: view.remote_sharing.get(),
        video: view.remote_video.get(),
    };
    let local_state = move || MediaState {
        sharing: view.sharing.get(),
        video: view.video.get(),
        ..MediaState::default()
    };
    let video_stage =
        Memo::new(move |_| upgrade::video_stage(call_type, local_state(), remote_state()));
    let timer = move || {
        let accepted = view
            .call
            .with(|c| c.as_ref().and_then(|c| c.accepted_at.map(|t| t.millis())));
        accepted
            .map(|at| duration_text((view.now.get() - at) / 1000))
            .unwrap_or_else(|| duration_text(0))
    };
    let video_view = move || {
        view! {
            <div class="call-stage call-stage-video">
                <video
                    class="remote-video"
                    class:remote-screen=move || view.remote_sharing.get()
                    data-sharing=move || view.remote_sharing.get().to_string()
                    data-testid="remote-video"
                    node_ref=media.remote_video
                    autoplay=true
                    playsinline=true
                    muted=true
                    prop:muted=true
                ></video>
                <video
                    class="local-video"
                    class:local-screen=move || view.sharing.get()
                    data-testid="local-video"
                    hidden=move || !upgrade::local_preview(call_type, local_state())
                    node_ref=media.local_video
                    autoplay=true
                    playsinline=true
                    muted=true
                    prop:muted=true
                ></video>
                <Show when=move || upgrade::remote_picture_off(call_type, remote_state())>
                    <div class="remote-camera-off" data-testid="remote-camera-off">
                        <PartyAvatar view=view />
                        <p>
                            {move || match call_type {
                                CallType::Video => {
                                    t_with("call-camera-off", &[("name", view.other_name().into())])
                                }
                                CallType::Audio => view.other_name(),
                            }}
                        </p>
                    </div>
                </Show>
            </div>
        }
    };
    let stage = move || {
        if video_stage.get() {
            video_view().into_any()
        } else {
            view! {
                <div class="call-stage call-stage-audio" data-testid="audio-stage">
                    <PartyAvatar view=view />
                    <p class="call-name">{move || view.other_name()}</p>
                </div>
            }
            .into_any()
        }
    };
    let mute_controls = controls.clone();
    let camera_controls = controls.clone();
    let menu_controls = controls.clone();
    let share_controls = controls.clone();
    let chat_controls = controls.clone();
    view! {
        <div class="call-live">
            {stage}
            <audio class="remote-audio" data-testid="remote-audio" node_ref=media.remote_audio autoplay=true></audio>
            <div class="call-bar">
                <span class="call-name">{move || view.other_name()}</span>
                <span class="call-state" data-testid="call-state">
                    {move || link_text(view.link.get(), &view.other_name())}
                </span>
                <span class="call-timer" data-testid="call-timer">{timer}</span>
                <QualityBars view=view remote=false />
                <QualityBars view=view remote=true />
                <AddFromCall view=view />
            </div>
            <p class="call-notice quality-notice" role="status" data-testid="quality-notice">
                {move || {
                    quality::notice(
                        view.quality.get(),
                        view.remote_quality.get(),
                        &view.other_name(),
                    )
                }}
            </p>
            <Show when=move || view.remote_muted.get()>
                <p class="call-notice" data-testid="remote-muted">
                    {move || t_with("call-muted", &[("name", view.other_name().into())])}
                </p>
            </Show>
            <MediaMessages view=view />
            <Show when=move || view.chat.with(|chat| chat.open)>
                <ChatPanel controls=chat_controls.clone() />
            </Show>
            <Show when=move || view.shortcuts_help.get()>
                <ShortcutsHelp view=view />
            </Show>
            <Show when=move || view.device_menu.get()>
                <DeviceMenu controls=menu_controls.clone() />
            </Show>
            <div class="call-controls">
                <Toggle
                    testid="mute-button"
                    on=view.muted
                    labels=("call-mute", "call-unmute")
                    toggle=move |muted| mute_controls.set_muted(muted)
                />
                <CameraControl controls=camera_controls call_type=call_type />
                <Toggle
                    testid="share-button"
                    on=view.sharing
                    labels=("call-share", "call-stop-sharing")
                    toggle=move |share| share_controls.share_screen(share)
                />
                <Show when=move || video_stage.get()>
                    <PipButton video=media.remote_video />
                </Show>
                <button
                    class="call-btn"
                    data-testid="chat-button"
                    aria-expanded=move || view.chat.with(|chat| chat.open).to_string()
                    aria-controls="chat-panel"
                    aria-label=move || view.chat.with(Chat::button_label)
                    on:click=move |_| view.chat.update(|chat| chat.set_open(!chat.open))
                >
                    {move || t("chat")}
                    <Show when=move || view.chat.with(|chat| chat.unread > 0)>
                        <span class="chat-unread" data-testid="chat-unread" aria-hidden="true">
                            {move || view.chat.with(|chat| chat.unread)}
                        </span>
                    </Show>
                </button>
                <button
                    class="call-btn"
                    data-testid="devices-button"
                    aria-expanded=move || view.device_menu.get().to_string()
                    aria-controls="device-menu"
                    on:click=move |_| view.device_menu.update(|open| *open = !*open)
                >
                    {move || t("call-devices")}
                </button>
                <button
                    class="call-btn call-btn-end"
                    data-testid="hangup-button"
                    disabled=move || view.busy.get()
                    on:click=move |_| controls.hang_up()
                >
                    {move || t("call-hang-up")}
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_phase_is_announced_with_the_link_state_during_the_call() {
        let say = |phase: Phase, link| announcement(&phase, link, "bob");
        assert_eq!(say(Phase::Loading, LinkState::Connecting), None);
        assert_eq!(
            say(Phase::Outgoing, LinkState::Connecting).as_deref(),
            Some("Calling bob, ringing")
        );
        assert_eq!(
            say(Phase::InCall, LinkState::Reconnecting).as_deref(),
            Some("Reconnecting…")
        );
        assert_eq!(
            say(Phase::InCall, LinkState::Connected).as_deref(),
            Some("Connected")
        );
        assert_eq!(
            say(Phase::Over("bob declined".into()), LinkState::Connected).as_deref(),
            Some("bob declined")
        );
        assert_eq!(
            say(Phase::Failed("No such call".into()), LinkState::Connecting).as_deref(),
            Some("No such call")
        );
    }
}
