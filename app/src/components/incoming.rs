//! The incoming-call overlay, on every page while [`UserEvents::incoming`] rings: who calls, audio
//! or video, Accept and Decline, and the ringtone. It goes away (and the ringtone stops) the
//! moment the call is answered here or on another device, declined, cancelled or times out.
//!
//! [`UserEvents::incoming`]: crate::events::UserEvents::incoming

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api::{self, ApiFailure};
use crate::events::use_user_events;
use crate::protocol::{Call, CallConflict, CallType};

use super::{ringtone, Avatar};

#[component]
pub fn IncomingCall() -> impl IntoView {
    let events = use_user_events();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let ringing = RwSignal::new(false);

    // The ringtone follows `incoming`, whatever cleared it.
    Effect::new(move |_| {
        if events.incoming.with(Option::is_some) {
            ringing.set(ringtone::start());
        } else {
            ringtone::stop();
            ringing.set(false);
            error.set(None);
            busy.set(false);
        }
    });
    on_cleanup(ringtone::stop);

    let accept = move || {
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

    // What the overlay shows; ringing -> ringing updates of the same call do not rebuild it.
    let shown = Memo::new(move |_| {
        events
            .incoming
            .with(|c| c.as_ref().map(|c| (c.id, c.caller.clone(), c.call_type)))
    });

    let accept_button = NodeRef::<leptos::html::Button>::new();
    // Keyboard users land on Accept as soon as the overlay appears.
    Effect::new(move |_| {
        if let Some(button) = accept_button.get() {
            let _ = button.focus();
        }
    });

    view! {
        <Show when=move || events.incoming.with(Option::is_some)>
            {
                let accept = accept.clone();
                let decline = decline;
                move || {
                    shown
                        .get()
                        .map(|(id, caller, call_type)| {
                            let kind = match call_type {
                                CallType::Audio => "Audio call",
                                CallType::Video => "Video call",
                            };
                            let accept = accept.clone();
                            view! {
                                <div class="overlay" data-testid="incoming-call-backdrop">
                                    <div
                                        class="overlay-card incoming"
                                        role="alertdialog"
                                        aria-modal="true"
                                        aria-labelledby="incoming-title"
                                        aria-describedby="incoming-kind"
                                        data-testid="incoming-call"
                                        data-call-id=id.to_string()
                                        data-ringtone=move || {
                                            if ringing.get() { "playing" } else { "off" }
                                        }
                                        on:keydown=move |ev| {
                                            if ev.key() == "Escape" {
                                                decline();
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
                                            {format!("Incoming {}", kind.to_lowercase())}
                                        </p>
                                        <Show when=move || error.with(Option::is_some)>
                                            <p class="form-error" role="alert">
                                                {move || error.get().unwrap_or_default()}
                                            </p>
                                        </Show>
                                        <div class="overlay-actions">
                                            <button
                                                class="btn btn-danger btn-round"
                                                data-testid="decline-call"
                                                aria-label=format!("Decline call from {}", caller.username)
                                                on:click=move |_| decline()
                                            >
                                                "Decline"
                                            </button>
                                            <button
                                                class="btn btn-success btn-round"
                                                data-testid="accept-call"
                                                node_ref=accept_button
                                                aria-label=format!("Accept {} from {}", kind.to_lowercase(), caller.username)
                                                disabled=move || busy.get()
                                                on:click=move |_| accept()
                                            >
                                                "Accept"
                                            </button>
                                        </div>
                                    </div>
                                </div>
                            }
                        })
                }
            }
        </Show>
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
