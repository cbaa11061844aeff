//! `/`: the landing page for visitors; signed-in users go straight to their contacts.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::i18n::t;
use crate::session::use_session;

#[component]
pub fn Home() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if session.checked.get() && session.signed_in() {
            navigate(
                "/contacts",
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });

    view! {
        <section class="hero">
            <h1>"Callhub"</h1>
            <p class="lead">{move || t("home-lead")}</p>
            <ul class="features">
                <li>{move || t("home-feature-online")}</li>
                <li>{move || t("home-feature-tabs")}</li>
                <li>{move || t("home-feature-missed")}</li>
            </ul>
            <div class="hero-actions">
                <A href="/signup" attr:class="btn btn-primary" attr:data-testid="home-signup">
                    {move || t("home-create-account")}
                </A>
                <A href="/signin" attr:class="btn btn-ghost" attr:data-testid="home-signin">
                    {move || t("nav-sign-in")}
                </A>
            </div>
        </section>
    }
}
