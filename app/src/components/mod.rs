//! Pieces shared by the pages: the nav bar, avatars, the incoming-call overlay, placing a call.

pub mod a11y;
pub mod attention;
pub mod call_report;
pub mod device_check;
pub mod incoming;
pub mod nav;
pub mod people;
pub mod pip;
pub mod ringtone;
#[cfg(feature = "hydrate")]
pub mod tones;
pub mod voicemail;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api::{self, ApiFailure};
use crate::events::use_user_events;
use crate::i18n::{t, t_with};
use crate::protocol::{Call, CallConflict, CallType, EndReason, ErrorCode, User};
use crate::util::initials;
use voicemail::TellMeWhenFree;

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
            let alt = move || t_with("avatar-alt", &[("name", name.as_str().into())]);
            view! { <img class=class src=src alt=alt /> }.into_any()
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
    /// The missed call a busy answer recorded: the notice offers a message and "tell me".
    pub busy: RwSignal<Option<Call>>,
}

pub fn busy_text(name: &str) -> String {
    t_with("dial-busy", &[("name", name.into())])
}

/// Must be called while building a component under the router.
pub fn use_dialer() -> (
    Dialer,
    impl Fn(User, CallType) + Clone + Send + Sync + 'static,
) {
    let dialer = Dialer {
        notice: RwSignal::new(None),
        pending: RwSignal::new(false),
        busy: RwSignal::new(None),
    };
    let events = use_user_events();
    let navigate = use_navigate();
    let dial = move |receiver: User, call_type: CallType| {
        if dialer.pending.get_untracked() {
            return;
        }
        dialer.pending.set(true);
        dialer.notice.set(None);
        dialer.busy.set(None);
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
                Err(failure) => {
                    dialer.notice.set(Some(call_failure(&receiver, &failure)));
                    dialer.busy.set(busy_call(&failure));
                }
            }
        });
    };
    (dialer, dial)
}

/// The busy answer (409 `busy`, with the call it recorded as missed), if that is what failed.
fn busy_conflict(failure: &ApiFailure) -> Option<CallConflict> {
    match failure {
        // The code, or the reference's bare `"detail": "busy"`.
        ApiFailure::Status { status: 409, body }
            if failure.code() == Some(ErrorCode::Busy)
                || body.get("detail").and_then(|d| d.as_str()) == Some("busy") =>
        {
            serde_json::from_value(body.clone()).ok()
        }
        _ => None,
    }
}

/// What the caller reads when a call could not start. Do-not-disturb answers as busy with a
/// reason; it reads as busy too, without claiming another call.
fn call_failure(receiver: &User, failure: &ApiFailure) -> String {
    match busy_conflict(failure).map(|c| c.reason) {
        Some(Some(EndReason::DoNotDisturb)) => t_with(
            "dial-busy-now",
            &[("name", receiver.username.as_str().into())],
        ),
        Some(_) => busy_text(&receiver.username),
        None => t_with(
            "dial-failed",
            &[
                ("name", receiver.username.as_str().into()),
                ("error", failure.message().into()),
            ],
        ),
    }
}

/// The call a busy (or do-not-disturb) answer recorded as missed.
fn busy_call(failure: &ApiFailure) -> Option<Call> {
    busy_conflict(failure).map(|c| c.call)
}

/// The notice line of a [`Dialer`] (busy, errors), announced to screen readers.
#[component]
pub fn DialerNotice(dialer: Dialer) -> impl IntoView {
    view! {
        <Show when=move || dialer.notice.with(Option::is_some)>
            <div class="notice notice-warn" role="alert" data-testid="call-error">
                <span>{move || dialer.notice.get().unwrap_or_default()}</span>
                {move || {
                    dialer
                        .busy
                        .get()
                        .map(|call| {
                            view! {
                                <TellMeWhenFree user=call.receiver.clone() />
                                <a class="btn btn-secondary" data-testid="leave-message-link" href=format!("/call/{}", call.id)>
                                    {move || t("voicemail-leave")}
                                </a>
                            }
                        })
                }}
                <button
                    class="btn-icon"
                    aria-label=move || t("dismiss")
                    on:click=move |_| {
                        dialer.notice.set(None);
                        dialer.busy.set(None);
                    }
                >
                    "×"
                </button>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protocol::UserId;

    fn bob() -> User {
        User {
            id: UserId(2),
            username: "bob".into(),
            email: None,
            is_online: true,
            last_seen: None,
            profile_picture: None,
        }
    }

    fn conflict(reason: Option<&str>) -> ApiFailure {
        let mut body = json!({
            "detail": "busy",
            "call": {
                "id": 9, "call_type": "audio", "status": "missed", "room_id": "r",
                "caller": {"id": 1, "username": "amy", "is_online": true, "last_seen": null, "profile_picture": null},
                "receiver": {"id": 2, "username": "bob", "is_online": true, "last_seen": null, "profile_picture": null},
                "initiated_at": "2026-11-30T10:00:00.000Z", "ringing_at": null, "accepted_at": null,
                "ended_at": "2026-11-30T10:00:00.000Z", "duration": null, "end_reason": "busy"
            }
        });
        if let Some(reason) = reason {
            body["reason"] = json!(reason);
        }
        ApiFailure::Status { status: 409, body }
    }

    #[test]
    fn busy_and_do_not_disturb_both_read_as_busy() {
        assert_eq!(
            call_failure(&bob(), &conflict(None)),
            "bob is busy in another call"
        );
        assert_eq!(
            call_failure(&bob(), &conflict(Some("do_not_disturb"))),
            "bob is busy right now"
        );
        let throttled = ApiFailure::Status {
            status: 429,
            body: json!({"detail": "Too many calls; try again in 30 seconds.", "code": "rate_limited"}),
        };
        // The catalogue's text for the code, not the server's English.
        assert_eq!(
            call_failure(&bob(), &throttled),
            "Could not call bob: Too many attempts. Please wait a moment and try again."
        );
    }

    #[test]
    fn a_busy_answer_carries_the_missed_call_to_offer_a_message_on() {
        let call = busy_call(&conflict(None)).expect("the call");
        assert_eq!(call.id, crate::protocol::CallId(9));
        assert_eq!(call.receiver.username, "bob");
        let throttled = ApiFailure::Status {
            status: 429,
            body: json!({"detail": "Too many calls."}),
        };
        assert_eq!(busy_call(&throttled), None);
    }
}
