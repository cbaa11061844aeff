//! What the call page shows, phase by phase: outgoing ringing, incoming, in the call (remote
//! video large, local preview small, or the other person for audio calls), and how it ended.
//! Rendering only: the state and the buttons' actions are the [`super::controller`]'s.

use leptos::prelude::*;

use super::controller::{CallView, Controls, MediaElements};
use crate::components::a11y::use_announcer;
use crate::components::people::{use_contacts, AddContactButton};
use crate::components::Avatar;
use crate::negotiation::LinkState;
use crate::protocol::{Call, CallStatus, CallType, EndReason};
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

fn link_text(link: LinkState, other: &str) -> String {
    match link {
        LinkState::Connecting => "Connecting…".into(),
        LinkState::WaitingForPeer => format!("Waiting for {other}…"),
        LinkState::Connected => "Connected".into(),
        LinkState::Reconnecting => "Reconnecting…".into(),
    }
}

/// What the live region says in a phase: every change of the call's state is heard.
fn announcement(phase: &Phase, link: LinkState, other: &str) -> Option<String> {
    match phase {
        Phase::Loading => None,
        Phase::Failed(text) | Phase::Over(text) => Some(text.clone()),
        Phase::Outgoing => Some(format!("Calling {other}, ringing")),
        Phase::Incoming => Some(format!("Incoming call from {other}")),
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
        Phase::InCall => in_call(controls.clone(), media).into_any(),
        Phase::Over(text) => {
            let controls = controls.clone();
            view! {
                <div class="call-center">
                    <PartyAvatar view=view />
                    <p class="call-outcome" data-testid="call-outcome">{text}</p>
                    <AddFromCall view=view />
                    <button data-testid="back-button" on:click=move |_| controls.go_contacts()>
                        "Back to contacts"
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
                    on:click=move |_| controls.cancel()
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
                    on:click=move |_| accept_controls.answer(true)
                >
                    "Accept"
                </button>
                <button
                    class="call-btn call-btn-end"
                    data-testid="decline-button"
                    disabled=move || view.busy.get()
                    on:click=move |_| controls.answer(false)
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

fn in_call(controls: Controls, media: MediaElements) -> impl IntoView {
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
                    node_ref=media.remote_video
                    autoplay=true
                    playsinline=true
                    muted=true
                    prop:muted=true
                ></video>
                <video
                    class="local-video"
                    data-testid="local-video"
                    node_ref=media.local_video
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
            <audio class="remote-audio" data-testid="remote-audio" node_ref=media.remote_audio autoplay=true></audio>
            <div class="call-bar">
                <span class="call-name">{move || view.other_name()}</span>
                <span class="call-state" data-testid="call-state">
                    {move || link_text(view.link.get(), &view.other_name())}
                </span>
                <span class="call-timer" data-testid="call-timer">{timer}</span>
                <AddFromCall view=view />
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
                    on:click=move |_| mute_controls.set_muted(!view.muted.get_untracked())
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
                                    camera_controls.set_camera_off(!view.camera_off.get_untracked())
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
                    on:click=move |_| controls.hang_up()
                >
                    "Hang up"
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
