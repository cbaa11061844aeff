//! The profile's people settings: who may call me and see my presence, do-not-disturb, and the
//! people I blocked. The settings live in [`UserEvents::privacy`], so a change made in another tab
//! (or DND ending by itself) shows here at once.
//!
//! [`UserEvents::privacy`]: crate::events::UserEvents::privacy

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::Avatar;
use crate::events::{use_user_events, UserEvents};
use crate::people::{dnd_status, local_offset, DndChoice};
use crate::protocol::{
    BlockedUser, CallPermission, PresenceVisibility, PrivacySettings, Timestamp, UpdatePrivacy,
};
use crate::util::now_millis;

/// A save's outcome under a section: (ok, text).
type Feedback = RwSignal<Option<(bool, String)>>;

/// Sends `update`; the answer becomes the settings every part of this tab shows.
fn save(
    events: UserEvents,
    update: UpdatePrivacy,
    saved: &'static str,
    pending: RwSignal<bool>,
    feedback: Feedback,
) {
    pending.set(true);
    feedback.set(None);
    spawn_local(async move {
        let result = api::people::update_privacy(&update).await;
        let _ = pending.try_set(false);
        let outcome = match result {
            Ok(settings) => {
                events.privacy.set(Some(settings));
                (true, saved.to_owned())
            }
            Err(failure) => {
                // Re-show the settings as they are (a radio the user clicked stays checked).
                events.privacy.update(|_| ());
                (false, format!("Not saved: {}", failure.message()))
            }
        };
        let _ = feedback.try_set(Some(outcome));
    });
}

#[component]
pub fn PeopleSettings() -> impl IntoView {
    view! {
        <WhoCanReach />
        <DoNotDisturb />
        <Blocked />
    }
}

#[component]
fn SaveStatus(feedback: Feedback, #[prop(into)] testid: String) -> impl IntoView {
    view! {
        <p
            class=move || match feedback.with(|f| f.as_ref().map(|f| f.0)) {
                Some(true) => "notice notice-ok",
                Some(false) => "notice notice-error",
                None => "sr-only",
            }
            role="status"
            data-testid=testid
        >
            {move || feedback.get().map(|f| f.1).unwrap_or_default()}
        </p>
    }
}

/// One setting as a group of radio buttons; picking one saves it.
#[component]
pub(super) fn RadioSetting<T>(
    legend: &'static str,
    name: &'static str,
    options: Vec<(T, &'static str, &'static str)>,
    current: Signal<Option<T>>,
    pending: RwSignal<bool>,
    on_pick: Callback<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <fieldset class="choice" data-testid=name>
            <legend>{legend}</legend>
            {options
                .into_iter()
                .map(|(value, key, label)| {
                    // The label wraps its input: no id needed to tie them.
                    view! {
                        <label class="radio">
                            <input
                                type="radio"
                                name=name
                                value=key
                                data-testid=format!("{name}-{key}")
                                prop:checked=move || current.get() == Some(value)
                                disabled=move || pending.get() || current.get().is_none()
                                on:change=move |_| on_pick.run(value)
                            />
                            " "
                            {label}
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

#[component]
fn WhoCanReach() -> impl IntoView {
    let events = use_user_events();
    let pending = RwSignal::new(false);
    let feedback: Feedback = RwSignal::new(None);
    let calls = Signal::derive(move || events.privacy.with(|p| p.as_ref().map(|p| p.who_can_call)));
    let presence = Signal::derive(move || {
        events
            .privacy
            .with(|p| p.as_ref().map(|p| p.presence_visible_to))
    });
    let pick_calls = Callback::new(move |value: CallPermission| {
        let saved = match value {
            CallPermission::Everyone => "Saved: anyone can call you.",
            CallPermission::Contacts => "Saved: only your contacts can call you.",
        };
        let update = UpdatePrivacy {
            who_can_call: Some(value),
            ..UpdatePrivacy::default()
        };
        save(events, update, saved, pending, feedback);
    });
    let pick_presence = Callback::new(move |value: PresenceVisibility| {
        let saved = match value {
            PresenceVisibility::Everyone => "Saved: everyone sees when you are online.",
            PresenceVisibility::Contacts => "Saved: only your contacts see when you are online.",
            PresenceVisibility::Nobody => "Saved: nobody sees when you are online.",
        };
        let update = UpdatePrivacy {
            presence_visible_to: Some(value),
            ..UpdatePrivacy::default()
        };
        save(events, update, saved, pending, feedback);
    });
    view! {
        <section class="card settings" data-testid="people-privacy" aria-labelledby="people-privacy-title">
            <h2 id="people-privacy-title">"Who can reach you"</h2>
            <RadioSetting
                legend="Who can call me"
                name="who-can-call"
                options=vec![
                    (CallPermission::Everyone, "everyone", "Everyone"),
                    (CallPermission::Contacts, "contacts", "My contacts"),
                ]
                current=calls
                pending=pending
                on_pick=pick_calls
            />
            <RadioSetting
                legend="Who sees when I am online"
                name="presence-visible-to"
                options=vec![
                    (PresenceVisibility::Everyone, "everyone", "Everyone"),
                    (PresenceVisibility::Contacts, "contacts", "My contacts"),
                    (PresenceVisibility::Nobody, "nobody", "Nobody"),
                ]
                current=presence
                pending=pending
                on_pick=pick_presence
            />
            <p class="muted small">
                "Calls from people who may not call you do not ring; to them it looks as if you "
                "did not answer."
            </p>
            <SaveStatus feedback=feedback testid="privacy-status" />
        </section>
    }
}

#[component]
fn DoNotDisturb() -> impl IntoView {
    let events = use_user_events();
    let pending = RwSignal::new(false);
    let feedback: Feedback = RwSignal::new(None);
    let status = move || {
        events.privacy.with(|p| {
            p.as_ref().map(|p: &PrivacySettings| {
                dnd_status(p, Timestamp(now_millis()), local_offset)
                    .unwrap_or_else(|| "Off: calls ring as usual.".into())
            })
        })
    };
    let pick = move |choice: DndChoice| {
        let saved = match choice {
            DndChoice::Off => "Do not disturb is off.",
            _ => "Do not disturb is on.",
        };
        save(
            events,
            choice.update(Timestamp(now_millis()), local_offset),
            saved,
            pending,
            feedback,
        );
    };
    view! {
        <section class="card settings" id="dnd" data-testid="dnd" aria-labelledby="dnd-title">
            <h2 id="dnd-title">"Do not disturb"</h2>
            <p class="dnd-status" data-testid="dnd-status">
                {move || status().unwrap_or_else(|| "Loading…".into())}
            </p>
            <p class="muted small">
                "While it is on, calls do not ring: they go to your missed calls and the caller "
                "hears that you are busy."
            </p>
            <div class="button-row">
                {DndChoice::ALL
                    .into_iter()
                    .map(|choice| {
                        view! {
                            <button
                                class="btn btn-secondary"
                                data-testid=format!("dnd-{}", choice.key())
                                disabled=move || pending.get() || events.privacy.with(Option::is_none)
                                on:click=move |_| pick(choice)
                            >
                                {choice.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <SaveStatus feedback=feedback testid="dnd-feedback" />
        </section>
    }
}

#[component]
fn Blocked() -> impl IntoView {
    let blocked = RwSignal::new(None::<Vec<BlockedUser>>);
    let feedback: Feedback = RwSignal::new(None);
    Effect::new(move |_| {
        spawn_local(async move {
            match api::people::blocks().await {
                Ok(list) => {
                    let _ = blocked.try_set(Some(list));
                }
                Err(failure) => {
                    let _ = feedback.try_set(Some((false, failure.message())));
                }
            }
        });
    });
    let unblock = move |entry: BlockedUser| {
        spawn_local(async move {
            let name = entry.user.username;
            let outcome = match api::people::unblock(entry.user.id).await {
                Ok(()) => {
                    blocked.update(|b| {
                        if let Some(list) = b {
                            list.retain(|e| e.user.id != entry.user.id);
                        }
                    });
                    (true, format!("Unblocked {name}."))
                }
                Err(failure) => (
                    false,
                    format!("Could not unblock {name}: {}", failure.message()),
                ),
            };
            let _ = feedback.try_set(Some(outcome));
        });
    };
    view! {
        <section class="card settings" data-testid="blocked" aria-labelledby="blocked-title">
            <h2 id="blocked-title">"Blocked people"</h2>
            {move || match blocked.get() {
                None => view! { <p class="muted loading">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => {
                    view! {
                        <p class="muted" data-testid="blocked-empty">
                            "Nobody. Block someone from their incoming call (Decline and block)."
                        </p>
                    }
                        .into_any()
                }
                Some(list) => {
                    view! {
                        <ul class="blocked-list" data-testid="blocked-list">
                            {list
                                .into_iter()
                                .map(|entry| {
                                    let name = entry.user.username.clone();
                                    view! {
                                        <li class="blocked-row" data-testid="blocked-user" data-username=name.clone()>
                                            <Avatar name=name.clone() picture=entry.user.profile_picture.clone() />
                                            <span class="contact-name">{name.clone()}</span>
                                            <button
                                                class="btn btn-ghost"
                                                data-testid="unblock"
                                                aria-label=format!("Unblock {name}")
                                                on:click=move |_| unblock(entry.clone())
                                            >
                                                "Unblock"
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <SaveStatus feedback=feedback testid="blocked-feedback" />
        </section>
    }
}
