//! The top bar: brand, the signed-in user's pages (with the missed-calls badge), the
//! do-not-disturb indicator, sign out.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api;
use crate::events::use_user_events;
use crate::i18n::{t, t_with};
use crate::people::{dnd_recheck_ms, dnd_status, local_offset};
use crate::protocol::Timestamp;
use crate::session::{self, use_session};
use crate::util::now_millis;

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
            #[cfg(feature = "hydrate")]
            crate::tabs::announce(&crate::protocol::TabMsg::SignedOut);
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

    // Do-not-disturb as of `now`, which moves when the settings change and when DND ends by
    // itself (a timer up to its end, so the indicator goes without a reload).
    let now = RwSignal::new(now_millis());
    Effect::new(move |_| {
        events.privacy.track();
        now.set(now_millis());
    });
    Effect::new(move |_| {
        let wait = events.privacy.with(|p| {
            p.as_ref()
                .and_then(|p| dnd_recheck_ms(p, Timestamp(now.get())))
        });
        if let Some(ms) = wait {
            set_timeout(
                move || {
                    let _ = now.try_set(now_millis());
                },
                Duration::from_millis(ms),
            );
        }
    });
    let dnd = Memo::new(move |_| {
        events.privacy.with(|p| {
            p.as_ref()
                .and_then(|p| dnd_status(p, Timestamp(now.get()), local_offset))
        })
    });

    view! {
        <header class="topbar">
            <nav
                class="nav"
                aria-label=move || t("nav-main")
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
                                    {move || t("nav-sign-in")}
                                </A>
                                <A href="/signup" attr:class="btn-link" attr:data-testid="nav-signup">
                                    {move || t("nav-sign-up")}
                                </A>
                            </div>
                        }
                    }
                >
                    <div class="nav-links">
                        <A href="/contacts" attr:data-testid="nav-contacts">
                            {move || t("nav-contacts")}
                        </A>
                        <A href="/history" attr:data-testid="nav-history">
                            {move || t("nav-history")}
                            <Show when=move || { missed() > 0 }>
                                // A plain span takes no aria-label: the number is read with its words.
                                <span class="badge" data-testid="missed-badge" aria-hidden="true">
                                    {missed}
                                </span>
                                <span class="sr-only">{move || t_with("nav-missed", &[("count", missed().into())])}</span>
                            </Show>
                        </A>
                        {move || {
                            dnd.get()
                                .map(|status| {
                                    view! {
                                        <A
                                            href="/profile#dnd"
                                            attr:class="dnd-indicator"
                                            attr:data-testid="dnd-indicator"
                                            attr:aria-label=status.clone()
                                            attr:title=status
                                        >
                                            <span aria-hidden="true">"☾"</span>
                                            <span class="dnd-label" aria-hidden="true">
                                                {t("nav-dnd")}
                                            </span>
                                        </A>
                                    }
                                })
                        }}
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
                                    t("nav-connected")
                                } else {
                                    t("nav-reconnecting")
                                }
                            }
                            title=move || {
                                if events.connected.get() {
                                    t("nav-connected")
                                } else {
                                    t("nav-reconnecting")
                                }
                            }
                        ></span>
                        <button
                            class="btn btn-ghost"
                            data-testid="signout"
                            on:click=sign_out.clone()
                            disabled=move || signing_out.get()
                        >
                            {move || t("nav-sign-out")}
                        </button>
                    </div>
                </Show>
            </nav>
        </header>
    }
}
