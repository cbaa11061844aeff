//! The calling app: Leptos components shared by the server (SSR) and the browser (hydrate), and
//! [`protocol`], the wire types every other crate uses.

// The release (non-erased) view types of the contacts page nest deeper than rustc's default 128
// ("queries overflow the depth limit" in the release wasm build).
#![recursion_limit = "256"]

pub mod api;
pub mod attention;
pub mod chat;
pub mod components;
pub mod devices;
pub mod events;
pub mod focus;
pub mod i18n;
pub mod negotiation;
pub mod people;
pub mod protocol;
pub mod quality;
#[cfg(feature = "hydrate")]
pub mod rtc;
pub mod session;
pub mod settings;
pub mod shortcuts;
mod storage;
pub mod tabs;
pub mod theme;
pub mod upgrade;
pub mod util;
pub mod voicemail;
#[cfg(feature = "hydrate")]
mod worker;

mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::session::Session;

/// The HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=i18n::rendered_locale().tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/icons/icon-192.png" type="image/png" />
                // Installable: the manifest names the icons, and the service worker
                // (public/sw.js, registered by `worker`) keeps the shell offline.
                <link rel="manifest" href="/manifest.webmanifest" />
                <meta name="theme-color" content="#3a6df0" />
                // The theme chosen on this browser, on <html> before anything is painted.
                <script nonce=leptos::nonce::use_nonce() inner_html=theme::pre_paint_script()></script>
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = i18n::provide_i18n();
    let session = session::provide_session();
    let events = events::provide_user_events(session);
    components::attention::provide_attention(events);
    components::a11y::provide_announcer();

    // Effects never run during server rendering: this flips only once the browser has hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| {
        hydrated.set(true);
        // The server rendered English: the browser's language applies once hydrated.
        i18n.follow_browser();
        check_session(session);
        #[cfg(feature = "hydrate")]
        follow_other_tabs(session, events);
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/callhub.css" />
        <Title text="Callhub" />
        <Router>
            <components::nav::Nav />
            <main id="content">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::home::Home />
                    <Route path=path!("/signin") view=pages::signin::SignIn />
                    <Route path=path!("/signup") view=pages::signup::SignUp />
                    <Route path=path!("/contacts") view=pages::contacts::Contacts />
                    <Route path=path!("/history") view=pages::history::History />
                    <Route path=path!("/profile") view=pages::profile::Profile />
                    <Route path=path!("/call/:id") view=pages::call::CallPage />
                </Routes>
            </main>
            <components::incoming::IncomingCall />
            <components::voicemail::AvailableNotices />
            <components::a11y::LiveRegion />
            <footer class="footer">
                <span>"Callhub"</span>
                <span class="hydration" data-testid="hydration" aria-hidden="true">
                    {move || if hydrated.get() { "ready" } else { "loading" }}
                </span>
            </footer>
        </Router>
    }
}

/// What another tab of this browser changed shows here at once.
#[cfg(feature = "hydrate")]
fn follow_other_tabs(session: Session, events: events::UserEvents) {
    use crate::protocol::TabMsg;

    tabs::listen(move |message| match message {
        TabMsg::MissedCount { count } => events.missed_count.set(count),
        // The tokens are gone already; every page that needs a user goes to /signin.
        TabMsg::SignedOut => session.user.set(None),
    });
}

/// On startup in the browser: who do the stored tokens belong to? Fills [`Session::user`] (the
/// API client refreshes an expired access token on the way), then sets [`Session::checked`].
fn check_session(session: Session) {
    if session::access_token().is_none() && session::refresh_token().is_none() {
        session.checked.set(true);
        return;
    }
    leptos::task::spawn_local(async move {
        match api::users::me().await {
            Ok(user) => session.user.set(Some(user)),
            Err(failure) if failure.ends_session() => session::clear_tokens(),
            // Not answered (a restart, the database down): the tokens stay for the next load.
            Err(_) => {}
        }
        session.checked.set(true);
    });
}
