//! The incoming-call overlay, on every page while [`UserEvents::incoming`] rings: who calls, audio
//! or video, Accept, Decline and "Decline and block" (confirmed in a second step), and the
//! ringtone (or, when the browser holds its sound, a button that lets it play). It goes away (and
//! the ringtone stops) the moment the call is answered here or on another device, declined,
//! cancelled or times out. A click on the call's system notification lands here too.
//!
//! [`UserEvents::incoming`]: crate::events::UserEvents::incoming

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api::{self, ApiFailure};
use crate::attention::Sound;
use crate::events::use_user_events;
use crate::i18n::{t, t_with};
use crate::protocol::{Call, CallConflict, CallType, NotificationButton};

use super::a11y::use_announcer;
use super::attention::use_attention;
use super::device_check::DeviceCheck;
use super::{ringtone, Avatar};

#[component]
pub fn IncomingCall() -> impl IntoView {
    let events = use_user_events();
    let attention = use_attention();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let sound = RwSignal::new(Sound::Off);
    // "Decline and block" asks once more before it blocks: a stray click only opens the question.
    let confirm_block = RwSignal::new(false);

    let announcer = use_announcer();
    // Where the keyboard was before the overlay took the focus: it goes back there on close.
    #[cfg(feature = "hydrate")]
    let focus_before = StoredValue::new_local(None::<web_sys::HtmlElement>);

    // The ringtone (and the live region's sentence) follows `incoming`, whatever cleared it.
    Effect::new(move |_| {
        let ringing = events
            .incoming
            .with(|c| c.as_ref().map(|c| (c.caller.username.clone(), c.call_type)));
        if let Some((name, call_type)) = ringing {
            let key = match call_type {
                CallType::Audio => "incoming-audio-from",
                CallType::Video => "incoming-video-from",
            };
            announcer.say(t_with(key, &[("name", name.into())]));
            ringtone::start(move |now| {
                let _ = sound.try_set(now);
            });
        } else {
            ringtone::stop();
            sound.set(Sound::Off);
            error.set(None);
            busy.set(false);
            confirm_block.set(false);
            #[cfg(feature = "hydrate")]
            if let Some(element) = focus_before.try_update_value(Option::take).flatten() {
                // Not if the page changed under it (answered: the call page).
                if element.is_connected() {
                    let _ = element.focus();
                }
            }
        }
    });
    on_cleanup(ringtone::stop);

    let accept = {
        let navigate = navigate.clone();
        move || {
            let Some(call) = events.incoming.get_untracked() else {
                return;
            };
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            ringtone::stop();
            let navigate = navigate.clone();
            spawn_local(async move {
                let result = api::calls::accept(call.id).await;
                busy.set(false);
                match result {
                    Ok(accepted) => {
                        let path = format!("/call/{}", accepted.id);
                        events.dismiss(accepted.id);
                        events.last_call_update.set(Some(accepted));
                        navigate(&path, NavigateOptions::default());
                    }
                    Err(failure) => {
                        if let Some(now) = conflict_call(&failure) {
                            // Answered elsewhere, cancelled or timed out meanwhile.
                            events.apply_update(now);
                            events.dismiss(call.id);
                        } else {
                            error.set(Some(failure.message()));
                        }
                    }
                }
            });
        }
    };

    let decline = move || {
        let Some(call) = events.incoming.get_untracked() else {
            return;
        };
        ringtone::stop();
        events.dismiss(call.id);
        spawn_local(async move {
            match api::calls::reject(call.id).await {
                Ok(now) => events.apply_update(now),
                Err(failure) => {
                    if let Some(now) = conflict_call(&failure) {
                        events.apply_update(now);
                    }
                }
            }
        });
    };

    // Blocks first, so that a refusal (429) shows here while the call still rings; then
    // declines, which ends the ringing on every tab.
    let block = move || {
        let Some(call) = events.incoming.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        ringtone::stop();
        spawn_local(async move {
            if let Err(failure) = api::people::block(call.caller.id).await {
                busy.set(false);
                let args = [
                    ("name", call.caller.username.as_str().into()),
                    ("error", failure.message().into()),
                ];
                error.set(Some(t_with("incoming-block-failed", &args)));
                return;
            }
            decline();
        });
    };

    // What the overlay shows; ringing -> ringing updates of the same call do not rebuild it.
    let shown = Memo::new(move |_| {
        events
            .incoming
            .with(|c| c.as_ref().map(|c| (c.id, c.caller.clone(), c.call_type)))
    });

    let accept_button = NodeRef::<leptos::html::Button>::new();
    let card = NodeRef::<leptos::html::Div>::new();

    // A click on a call's notification (its worker focused this tab): its button acts here; a
    // click on a call no longer ringing (the missed one) shows the missed calls.
    Effect::new({
        let accept = accept.clone();
        move |_| {
            let Some((id, button)) = attention.clicked.get() else {
                return;
            };
            attention.clicked.set(None);
            let ringing = events
                .incoming
                .with_untracked(|c| c.as_ref().map(|c| c.id) == Some(id));
            match (ringing, button) {
                (true, Some(NotificationButton::Accept)) => accept(),
                (true, Some(NotificationButton::Decline)) => decline(),
                (true, None) => {
                    if let Some(button) = accept_button.get_untracked() {
                        let _ = button.focus();
                    }
                }
                (false, _) => navigate("/history", NavigateOptions::default()),
            }
        }
    });
    // Keyboard users land on Accept as soon as the overlay appears (remembering where they were).
    Effect::new(move |_| {
        if let Some(button) = accept_button.get() {
            #[cfg(feature = "hydrate")]
            focus_before.update_value(|before| {
                if before.is_none() {
                    *before = super::a11y::focused_element();
                }
            });
            let _ = button.focus();
        }
    });
    // A modal: Tab cycles inside the card, wherever the focus was (a click on the backdrop).
    #[cfg(feature = "hydrate")]
    {
        let listener = window_event_listener(leptos::ev::keydown, move |event| {
            if let Some(card) = card.get_untracked() {
                super::a11y::keep_tab_inside(&card, &event);
            }
        });
        on_cleanup(move || listener.remove());
    }

    view! {
        <Show when=move || events.incoming.with(Option::is_some)>
            {
                let accept = accept.clone();
                let decline = decline;
                move || {
                    shown
                        .get()
                        .map(|(id, caller, call_type)| {
                            let accept = accept.clone();
                            view! {
                                <div class="overlay" data-testid="incoming-call-backdrop">
                                    <div
                                        class="overlay-card incoming"
                                        node_ref=card
                                        role="alertdialog"
                                        aria-modal="true"
                                        aria-labelledby="incoming-title"
                                        aria-describedby="incoming-kind"
                                        data-testid="incoming-call"
                                        data-call-id=id.to_string()
                                        data-ringtone=move || sound.get().key()
                                        on:keydown=move |ev| {
                                            if ev.key() == "Escape" {
                                                if confirm_block.get_untracked() {
                                                    confirm_block.set(false);
                                                } else {
                                                    decline();
                                                }
                                            }
                                        }
                                    >
                                        <div class="ring-pulse">
                                            <Avatar
                                                name=caller.username.clone()
                                                picture=caller.profile_picture.clone()
                                                large=true
                                            />
                                        </div>
                                        <h2 id="incoming-title" data-testid="incoming-caller">
                                            {caller.username.clone()}
                                        </h2>
                                        <p id="incoming-kind" class="muted" data-testid="incoming-type">
                                            {move || t(kind_key(call_type))}
                                        </p>
                                        <Show when=move || sound.get() == Sound::Blocked>
                                            <div class="sound-blocked" role="status" data-testid="sound-blocked">
                                                <span>{move || t("incoming-sound-blocked")}</span>
                                                <button
                                                    class="btn btn-ghost"
                                                    data-testid="enable-sound"
                                                    on:click=move |_| ringtone::enable()
                                                >
                                                    {move || t("incoming-enable-sound")}
                                                </button>
                                            </div>
                                        </Show>
                                        <Show when=move || error.with(Option::is_some)>
                                            <p class="form-error" role="alert">
                                                {move || error.get().unwrap_or_default()}
                                            </p>
                                        </Show>
                                        <Show
                                            when=move || confirm_block.get()
                                            fallback={
                                                let accept = accept.clone();
                                                let name = caller.username.clone();
                                                move || {
                                                    let accept = accept.clone();
                                                    view! {
                                                        <div class="overlay-actions">
                                                            <button
                                                                class="btn btn-danger btn-round"
                                                                data-testid="decline-call"
                                                                aria-label={
                                                                    let name = name.clone();
                                                                    move || t_with("incoming-decline-label", &[("name", name.as_str().into())])
                                                                }
                                                                on:click=move |_| decline()
                                                            >
                                                                {move || t("incoming-decline")}
                                                            </button>
                                                            <button
                                                                class="btn btn-success btn-round"
                                                                data-testid="accept-call"
                                                                node_ref=accept_button
                                                                aria-label={
                                                                    let name = name.clone();
                                                                    move || {
                                                                        let key = match call_type {
                                                                            CallType::Audio => "incoming-accept-audio",
                                                                            CallType::Video => "incoming-accept-video",
                                                                        };
                                                                        t_with(key, &[("name", name.as_str().into())])
                                                                    }
                                                                }
                                                                disabled=move || busy.get()
                                                                on:click=move |_| accept()
                                                            >
                                                                {move || t("incoming-accept")}
                                                            </button>
                                                        </div>
                                                        <button
                                                            class="btn-link-quiet"
                                                            data-testid="decline-block"
                                                            on:click=move |_| confirm_block.set(true)
                                                        >
                                                            {move || t("incoming-decline-block-ask")}
                                                        </button>
                                                    }
                                                }
                                            }
                                        >
                                            <ConfirmBlock
                                                name=caller.username.clone()
                                                busy=busy
                                                on_confirm=Callback::new(move |()| block())
                                                on_cancel=Callback::new(move |()| confirm_block.set(false))
                                            />
                                        </Show>
                                        // Before accepting a video call (issue 19).
                                        {(call_type == CallType::Video).then(|| view! { <DeviceCheck /> })}
                                    </div>
                                </div>
                            }
                        })
                }
            }
        </Show>
    }
}

/// The second step of "Decline and block": what blocking does, and Block / Back (Back has the
/// focus, so Enter does not block).
#[component]
fn ConfirmBlock(
    name: String,
    busy: RwSignal<bool>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let back = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = back.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="confirm-block" role="group" aria-labelledby="confirm-block-title" data-testid="confirm-block">
            <p id="confirm-block-title" class="confirm-title">
                {move || t_with("incoming-block-title", &[("name", name.as_str().into())])}
            </p>
            <p class="muted small">{move || t("incoming-block-help")}</p>
            <div class="overlay-actions">
                <button
                    class="btn btn-ghost"
                    data-testid="cancel-block"
                    node_ref=back
                    on:click=move |_| on_cancel.run(())
                >
                    {move || t("incoming-back")}
                </button>
                <button
                    class="btn btn-danger"
                    data-testid="confirm-block-button"
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {move || t("incoming-decline-block")}
                </button>
            </div>
        </div>
    }
}

/// The catalogue key of "Incoming audio call" / "Incoming video call".
fn kind_key(call_type: CallType) -> &'static str {
    match call_type {
        CallType::Audio => "incoming-audio",
        CallType::Video => "incoming-video",
    }
}

/// The call as it is now, from a 409 answer.
fn conflict_call(failure: &ApiFailure) -> Option<Call> {
    match failure {
        ApiFailure::Status { status: 409, body } => {
            serde_json::from_value::<CallConflict>(body.clone())
                .ok()
                .map(|c| c.call)
        }
        _ => None,
    }
}
