//! `/contacts`: my contacts (favourites first, then online), each with call buttons, a favourite
//! star and Remove; beside them "Find people", the directory search, where one click adds someone.
//! Presence is pushed for everyone either list shows.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::people::{load_contacts, use_contacts, AddContactButton};
use crate::components::{use_dialer, Avatar, DialerNotice};
use crate::events::use_user_events;
use crate::i18n::{t, t_with};
use crate::people::{apply_presence, upsert_contact, watch_list};
use crate::protocol::{CallType, Contact, User};
use crate::util::{now_millis, presence_text};

use super::RequireUser;
use crate::components::device_check::DeviceCheck;

/// Typing pauses this long before the search runs.
const DEBOUNCE: Duration = Duration::from_millis(250);

#[component]
pub fn Contacts() -> impl IntoView {
    view! {
        <RequireUser>
            <ContactsPage />
        </RequireUser>
    }
}

#[component]
fn ContactsPage() -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let contacts = use_contacts(error);
    let query = RwSignal::new(String::new());
    let results = RwSignal::new(None::<Vec<User>>);
    let now = RwSignal::new(now_millis());
    let latest = StoredValue::new(0u64);
    let (dialer, dial) = use_dialer();
    // Copy, so that every row of both lists can hold it.
    let dial = Callback::new(move |(user, call_type): (User, CallType)| dial(user, call_type));
    let dial = move |user, call_type| dial.run((user, call_type));

    let search = move || {
        // Timers may fire after the page is gone: then there is nothing to load for.
        let (Some(search), Some(last)) = (query.try_get_untracked(), latest.try_get_value()) else {
            return;
        };
        let ticket = last + 1;
        latest.set_value(ticket);
        spawn_local(async move {
            let result = api::users::directory(search.trim()).await;
            if latest.try_get_value() != Some(ticket) {
                return; // a newer search answered or will answer
            }
            match result {
                Ok(page) => {
                    results.set(Some(page.results));
                    error.set(None);
                }
                Err(failure) => error.set(Some(failure.message())),
            }
            now.set(now_millis());
        });
    };
    let reload = move || {
        load_contacts(contacts, error);
        search();
    };

    // Search as the user types (debounced), and right away on the first run.
    Effect::new(move |first: Option<()>| {
        let typed = query.get();
        if first.is_none() {
            search();
        } else {
            set_timeout(
                move || {
                    if query.try_get_untracked().as_ref() == Some(&typed) {
                        search();
                    }
                },
                DEBOUNCE,
            );
        }
    });
    // Presence is pushed for the people listed: watch them, apply each change to its rows, and
    // reload after a reconnect (changes while the socket was down were not pushed).
    let events = use_user_events();
    Effect::new(move |_| {
        let ids = contacts.with(|c| {
            results.with(|r| {
                let mine = c.iter().flatten().map(|c| &c.user);
                watch_list(mine.chain(r.iter().flatten()))
            })
        });
        if events.watched.with_untracked(|w| *w != ids) {
            events.watched.set(ids);
        }
    });
    on_cleanup(move || events.watched.set(Vec::new()));
    Effect::new(move |_| {
        let Some(change) = events.presence.get() else {
            return;
        };
        contacts.update(|c| {
            if let Some(list) = c {
                apply_presence(list, change.user_id, change.is_online, change.last_seen);
            }
        });
        results.update(|r| {
            for user in r.iter_mut().flatten().filter(|u| u.id == change.user_id) {
                user.is_online = change.is_online;
                user.last_seen = change.last_seen;
            }
        });
    });
    Effect::new(move |was_connected: Option<bool>| {
        let connected = events.connected.get();
        if connected && was_connected == Some(false) {
            reload();
        }
        connected
    });

    view! {
        <section class="page">
            <header class="page-header">
                <h1>{move || t("nav-contacts")}</h1>
            </header>
            // Before starting a video call (issue 19).
            <DeviceCheck />
            <DialerNotice dialer=dialer />
            <Show when=move || error.with(Option::is_some)>
                <div class="notice notice-error" role="alert" data-testid="contacts-error">
                    <span>{move || error.get().unwrap_or_default()}</span>
                    <button class="btn-icon" aria-label=move || t("dismiss") on:click=move |_| error.set(None)>
                        "×"
                    </button>
                </div>
            </Show>
            <div class="people-columns">
                <section class="people-panel" aria-labelledby="my-contacts-title" data-testid="my-contacts">
                    <h2 id="my-contacts-title">{move || t("contacts-mine")}</h2>
                    {move || match contacts.with(|c| c.as_ref().map(Vec::is_empty)) {
                        None => view! { <p class="muted loading">{move || t("contacts-loading")}</p> }.into_any(),
                        Some(true) => {
                            view! {
                                <div class="empty empty-contacts" data-testid="my-contacts-empty">
                                    <p>{move || t("contacts-none")}</p>
                                    <p class="muted small">{move || t("contacts-none-help")}</p>
                                </div>
                            }
                                .into_any()
                        }
                        Some(false) => ().into_any(),
                    }}
                    <ul class="contact-list" data-testid="my-contact-list">
                        <For
                            each=move || contacts.get().unwrap_or_default()
                            key=|c| {
                                (
                                    c.user.id,
                                    c.is_favourite,
                                    c.user.is_online,
                                    c.user.last_seen,
                                    c.user.profile_picture.clone(),
                                    c.user.username.clone(),
                                )
                            }
                            let:contact
                        >
                            <PersonRow user=contact.user.clone() now=now>
                                <FavouriteButton contact=contact.clone() contacts=contacts notice=error />
                                <CallButtons user=contact.user.clone() dialer_pending=dialer.pending dial=dial />
                                <RemoveButton user=contact.user.clone() contacts=contacts notice=error />
                            </PersonRow>
                        </For>
                    </ul>
                </section>
                <section class="people-panel" aria-labelledby="find-people-title" data-testid="find-people">
                    <h2 id="find-people-title">{move || t("contacts-find")}</h2>
                    <form class="search" role="search" on:submit=move |ev| {
                        ev.prevent_default();
                        search();
                    }>
                        <label for="contact-search" class="sr-only">{move || t("contacts-search-label")}</label>
                        <input
                            id="contact-search"
                            type="search"
                            placeholder=move || t("contacts-search-placeholder")
                            autocomplete="off"
                            data-testid="contact-search"
                            bind:value=query
                        />
                    </form>
                    {move || match results.with(|r| r.as_ref().map(Vec::is_empty)) {
                        None => view! { <p class="muted loading">{move || t("loading")}</p> }.into_any(),
                        Some(true) => {
                            view! {
                                <p class="empty" data-testid="contacts-empty">
                                    {move || {
                                        if query.with(|q| q.trim().is_empty()) {
                                            t("contacts-nobody")
                                        } else {
                                            let typed = query.get().trim().to_owned();
                                            t_with("contacts-no-match", &[("query", typed.into())])
                                        }
                                    }}
                                </p>
                            }
                                .into_any()
                        }
                        Some(false) => ().into_any(),
                    }}
                    <ul class="contact-list" data-testid="contact-list">
                        <For
                            each=move || results.get().unwrap_or_default()
                            key=|u| {
                                (
                                    u.id,
                                    u.is_online,
                                    u.last_seen,
                                    u.profile_picture.clone(),
                                    u.username.clone(),
                                )
                            }
                            let:user
                        >
                            <PersonRow user=user.clone() now=now>
                                <AddContactButton user=user.clone() contacts=contacts notice=error />
                                <CallButtons user=user.clone() dialer_pending=dialer.pending dial=dial />
                            </PersonRow>
                        </For>
                    </ul>
                </section>
            </div>
        </section>
    }
}

/// A person with their picture, presence and name; `children` are the row's buttons.
#[component]
fn PersonRow(user: User, now: RwSignal<i64>, children: Children) -> impl IntoView {
    let online = user.is_online;
    let name = user.username.clone();
    let presence_user = user.clone();
    view! {
        <li class="contact card" data-testid="contact" data-username=name.clone()>
            <div class="avatar-wrap">
                <Avatar name=name.clone() picture=user.profile_picture.clone() />
                <span
                    class=if online { "presence-dot online" } else { "presence-dot" }
                    data-testid="presence"
                    data-online=online.to_string()
                    role="img"
                    aria-label=move || if online { t("presence-online") } else { t("presence-offline") }
                ></span>
            </div>
            <div class="contact-main">
                <span class="contact-name" data-testid="contact-name">{name.clone()}</span>
                <span class="muted small" data-testid="last-seen">
                    {move || presence_text(&presence_user, now.get())}
                </span>
            </div>
            <div class="contact-actions">{children()}</div>
        </li>
    }
}

/// The star: favourites stay at the top of the list.
#[component]
fn FavouriteButton(
    contact: Contact,
    contacts: RwSignal<Option<Vec<Contact>>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let favourite = contact.is_favourite;
    let id = contact.user.id;
    let name = contact.user.username.clone();
    let label = move || {
        let key = if favourite {
            "contacts-unfavourite"
        } else {
            "contacts-favourite"
        };
        t_with(key, &[("name", name.as_str().into())])
    };
    let toggle = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::people::set_favourite(id, !favourite).await;
            let _ = pending.try_set(false);
            match result {
                Ok(updated) => contacts.update(|c| {
                    if let Some(list) = c {
                        upsert_contact(list, updated);
                    }
                }),
                Err(failure) => notice.set(Some(failure.message())),
            }
        });
    };
    view! {
        <button
            class=if favourite { "btn-icon star on" } else { "btn-icon star" }
            data-testid="favourite"
            aria-pressed=favourite.to_string()
            aria-label=label.clone()
            title=label
            disabled=move || pending.get()
            on:click=toggle
        >
            {if favourite { "★" } else { "☆" }}
        </button>
    }
}

#[component]
fn RemoveButton(
    user: User,
    contacts: RwSignal<Option<Vec<Contact>>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let id = user.id;
    let remove = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::people::remove_contact(id).await;
            let _ = pending.try_set(false);
            match result {
                Ok(()) => contacts.update(|c| {
                    if let Some(list) = c {
                        list.retain(|c| c.user.id != id);
                    }
                }),
                Err(failure) => notice.set(Some(failure.message())),
            }
        });
    };
    view! {
        <button
            class="btn btn-ghost"
            data-testid="remove-contact"
            aria-label=move || {
                t_with("contacts-remove-label", &[("name", user.username.as_str().into())])
            }
            disabled=move || pending.get()
            on:click=remove
        >
            {move || t("contacts-remove")}
        </button>
    }
}

/// The audio and the video call buttons of a row.
#[component]
fn CallButtons<F>(user: User, dialer_pending: RwSignal<bool>, dial: F) -> impl IntoView
where
    F: Fn(User, CallType) + Clone + Send + Sync + 'static,
{
    view! {
        <CallButton
            user=user.clone()
            call_type=CallType::Audio
            dialer_pending=dialer_pending
            dial=dial.clone()
        />
        <CallButton user=user call_type=CallType::Video dialer_pending=dialer_pending dial=dial />
    }
}

/// One way to call a contact: the audio or the video button of a row.
#[component]
fn CallButton<F>(
    user: User,
    call_type: CallType,
    dialer_pending: RwSignal<bool>,
    dial: F,
) -> impl IntoView
where
    F: Fn(User, CallType) + Clone + Send + Sync + 'static,
{
    let (label, test_id, class, icon) = match call_type {
        CallType::Audio => (
            "call-audio-button",
            "call-audio",
            "btn btn-secondary",
            "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z",
        ),
        CallType::Video => (
            "call-video-button",
            "call-video",
            "btn btn-primary",
            "M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11z",
        ),
    };
    let name = user.username.clone();
    let aria_label = move || {
        let key = match call_type {
            CallType::Audio => "call-audio-with",
            CallType::Video => "call-video-with",
        };
        t_with(key, &[("name", name.as_str().into())])
    };
    view! {
        <button
            class=class
            data-testid=test_id
            aria-label=aria_label
            disabled=move || dialer_pending.get()
            on:click=move |_| dial(user.clone(), call_type)
        >
            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d=icon />
            </svg>
            {move || t(label)}
        </button>
    }
}
