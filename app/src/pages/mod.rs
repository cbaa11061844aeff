//! Pages, one component per file. `call` (the in-call page, `/call/:id`) belongs to the media
//! session work; every other page is here.

pub mod call;
pub mod contacts;
pub mod history;
pub mod home;
mod privacy;
pub mod profile;
pub mod signin;
pub mod signup;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::i18n::t;
use crate::session::use_session;

/// Renders `children` only for a signed-in user. Once the browser has checked the stored tokens
/// and found none valid, goes to `/signin` instead.
#[component]
pub fn RequireUser(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if session.checked.get() && !session.signed_in() {
            navigate(
                "/signin",
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    view! {
        <Show
            when=move || session.signed_in()
            fallback=|| view! { <p class="muted loading" data-testid="loading">{move || t("loading")}</p> }
        >
            {children()}
        </Show>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>{move || t("not-found-title")}</h1>
            <a href="/">{move || t("not-found-back")}</a>
        </section>
    }
}
