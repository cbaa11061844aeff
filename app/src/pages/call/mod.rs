//! `/call/{id}`: the call screen. The caller lands here right after starting a call (outgoing
//! ringing view with Cancel), the receiver after accepting. Once accepted: remote video large,
//! local preview small (or an avatar for audio calls), mute / camera / hang-up controls, a timer
//! and the connection state. Media and signaling live in [`crate::rtc`] (browser only); the server
//! renders a "Connecting…" shell.
//!
//! [`view`] renders; [`controller`] holds the state and acts (the call's status comes from the
//! user socket with a REST poll as a fallback; the room socket's `call-end` ends the call at
//! once). The styles are in `style/main.css`.

mod controller;
mod missed;
mod view;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use crate::protocol::CallId;
use controller::{CallView, Controls, MediaElements};

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
    let navigate = use_navigate();
    let controls = Controls::new(
        CallView::new(),
        Callback::new(move |path: String| navigate(&path, NavigateOptions::default())),
    );
    let media = MediaElements::new();
    controls.wire(call_id, media);

    view! {
        <section class="call-page" data-testid="call-page">{view::body(controls, media)}</section>
    }
}
