//! The top bar: brand, the signed-in user's pages (with the missed-calls badge), sign out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api;
use crate::events::use_user_events;
use crate::session::{self, use_session};

use super::Avatar;

#[component]
pub fn Nav() -> impl IntoView {
    let session = use_session();
    let events = use_user_events();
    let navigate = use_navigate();
    let signing_out = RwSignal::new(false);

    let sign_out = move |_| {
        if signing_out.get_untracked() {
            return;
        }
        signing_out.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            if let Some(refresh) = session::refresh_token() {
                // Revokes this sign-in's refresh tokens; signed out locally whatever it answers.
                let _ = api::users::sign_out(refresh).await;
            }
            session::clear_tokens();
            session.user.set(None);
            signing_out.set(false);
            navigate(
                "/signin",
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        });
    };

    let missed = move || events.missed_count.get();

    view! {
        <header class="topbar">
            <nav
                class="nav"
                aria-label="Main"
                data-testid="nav"
                data-ready=move || session.checked.get().to_string()
            >
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"◉"</span>
                    " Callhub"
                </A>
                <Show
                    when=move || session.signed_in()
                    fallback=|| {
                        view! {
                            <div class="nav-links">
                                <A href="/signin" attr:data-testid="nav-signin">
                                    "Sign in"
                                </A>
                                <A href="/signup" attr:class="btn-link" attr:data-testid="nav-signup">
                                    "Sign up"
                                </A>
                            </div>
                        }
                    }
                >
                    <div class="nav-links">
                        <A href="/contacts" attr:data-testid="nav-contacts">
                            "Contacts"
                        </A>
                        <A href="/history" attr:data-testid="nav-history">
                            "History"
                            <Show when=move || { missed() > 0 }>
                                <span
                                    class="badge"
                                    data-testid="missed-badge"
                                    aria-label=move || format!("{} missed calls", missed())
                                >
                                    {missed}
                                </span>
                            </Show>
                        </A>
                        <A href="/profile" attr:class="nav-user" attr:data-testid="nav-profile">
                            {move || {
                                session
                                    .user
                                    .get()
                                    .map(|u| {
                                        view! {
                                            <Avatar
                                                name=u.username.clone()
                                                picture=u.profile_picture.clone()
                                            />
                                            <span class="nav-username" data-testid="nav-username">
                                                {u.username}
                                            </span>
                                        }
                                    })
                            }}
                        </A>
                        <span
                            class=move || {
                                if events.connected.get() { "live-dot live" } else { "live-dot" }
                            }
                            data-testid="socket-status"
                            data-connected=move || events.connected.get().to_string()
                            role="status"
                            aria-label=move || {
                                if events.connected.get() {
                                    "Connected: incoming calls ring here"
                                } else {
                                    "Reconnecting"
                                }
                            }
                            title=move || {
                                if events.connected.get() {
                                    "Connected: incoming calls ring here"
                                } else {
                                    "Reconnecting…"
                                }
                            }
                        ></span>
                        <button
                            class="btn btn-ghost"
                            data-testid="signout"
                            on:click=sign_out.clone()
                            disabled=move || signing_out.get()
                        >
                            "Sign out"
                        </button>
                    </div>
                </Show>
            </nav>
        </header>
    }
}
