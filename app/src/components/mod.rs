//! Pieces shared by the pages: the nav bar, avatars, the incoming-call overlay, placing a call.

pub mod incoming;
pub mod nav;
pub mod ringtone;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api::{self, ApiFailure};
use crate::events::use_user_events;
use crate::protocol::{CallType, User};
use crate::util::initials;

/// A round picture, or the initial of the name when there is none.
#[component]
pub fn Avatar(
    #[prop(into)] name: String,
    #[prop(into)] picture: Option<String>,
    #[prop(optional)] large: bool,
) -> impl IntoView {
    let class = if large {
        "avatar avatar-large"
    } else {
        "avatar"
    };
    match picture {
        Some(src) => {
            view! { <img class=class src=src alt=format!("Picture of {name}") /> }.into_any()
        }
        None => view! {
            <span class=class aria-hidden="true">{initials(&name)}</span>
        }
        .into_any(),
    }
}

/// Placing calls from a page: the callback starts a call and navigates to `/call/{id}` (201, or
/// 200 when the other side was calling us at the same moment); on 409 busy it leaves the page
/// where it is and sets `notice`.
#[derive(Clone, Copy)]
pub struct Dialer {
    pub notice: RwSignal<Option<String>>,
    pub pending: RwSignal<bool>,
}

pub fn busy_text(name: &str) -> String {
    format!("{name} is busy in another call")
}

/// Must be called while building a component under the router.
pub fn use_dialer() -> (
    Dialer,
    impl Fn(User, CallType) + Clone + Send + Sync + 'static,
) {
    let dialer = Dialer {
        notice: RwSignal::new(None),
        pending: RwSignal::new(false),
    };
    let events = use_user_events();
    let navigate = use_navigate();
    let dial = move |receiver: User, call_type: CallType| {
        if dialer.pending.get_untracked() {
            return;
        }
        dialer.pending.set(true);
        dialer.notice.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::calls::start(receiver.id, call_type).await;
            dialer.pending.set(false);
            match result {
                Ok(call) => {
                    let path = format!("/call/{}", call.id);
                    events.last_call_update.set(Some(call));
                    navigate(&path, NavigateOptions::default());
                }
                Err(failure) => dialer.notice.set(Some(call_failure(&receiver, &failure))),
            }
        });
    };
    (dialer, dial)
}

fn call_failure(receiver: &User, failure: &ApiFailure) -> String {
    let busy = matches!(failure, ApiFailure::Status { status: 409, body }
        if body.get("detail").and_then(|d| d.as_str()) == Some("busy"));
    if busy {
        busy_text(&receiver.username)
    } else {
        format!(
            "Could not call {}: {}",
            receiver.username,
            failure.message()
        )
    }
}

/// The notice line of a [`Dialer`] (busy, errors), announced to screen readers.
#[component]
pub fn DialerNotice(dialer: Dialer) -> impl IntoView {
    view! {
        <Show when=move || dialer.notice.with(Option::is_some)>
            <div class="notice notice-warn" role="alert" data-testid="call-error">
                <span>{move || dialer.notice.get().unwrap_or_default()}</span>
                <button
                    class="btn-icon"
                    aria-label="Dismiss"
                    on:click=move |_| dialer.notice.set(None)
                >
                    "×"
                </button>
            </div>
        </Show>
    }
}
