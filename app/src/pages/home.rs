//! `/`: the landing page for visitors; signed-in users go straight to their contacts.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

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
            <p class="lead">"Audio and video calls with your contacts, right in the browser."</p>
            <ul class="features">
                <li>"See who is online"</li>
                <li>"Ring every open tab"</li>
                <li>"Never miss a call"</li>
            </ul>
            <div class="hero-actions">
                <A href="/signup" attr:class="btn btn-primary" attr:data-testid="home-signup">
                    "Create an account"
                </A>
                <A href="/signin" attr:class="btn btn-ghost" attr:data-testid="home-signin">
                    "Sign in"
                </A>
            </div>
        </section>
    }
}
