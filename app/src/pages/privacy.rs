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
use crate::i18n::{t, t_with};
use crate::people::{dnd_status, local_offset, DndChoice};
use crate::protocol::{
    BlockedUser, CallPermission, PresenceVisibility, PrivacySettings, Timestamp, UpdatePrivacy,
};
use crate::util::now_millis;

/// A save's outcome under a section: (ok, text).
type Feedback = RwSignal<Option<(bool, String)>>;

/// Sends `update`; the answer becomes the settings every part of this tab shows. `saved` is the
/// catalogue key of what a success says.
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
                (true, t(saved))
            }
            Err(failure) => {
                // Re-show the settings as they are (a radio the user clicked stays checked).
                events.privacy.update(|_| ());
                let error = failure.message();
                (
                    false,
                    t_with("settings-not-saved", &[("error", error.into())]),
                )
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

/// One setting as a group of radio buttons; picking one saves it. `legend_key` and each option's
/// label are catalogue keys.
#[component]
pub(super) fn RadioSetting<T>(
    legend_key: &'static str,
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
            <legend>{move || t(legend_key)}</legend>
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
                            {move || t(label)}
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
            CallPermission::Everyone => "privacy-saved-calls-everyone",
            CallPermission::Contacts => "privacy-saved-calls-contacts",
        };
        let update = UpdatePrivacy {
            who_can_call: Some(value),
            ..UpdatePrivacy::default()
        };
        save(events, update, saved, pending, feedback);
    });
    let pick_presence = Callback::new(move |value: PresenceVisibility| {
        let saved = match value {
            PresenceVisibility::Everyone => "privacy-saved-presence-everyone",
            PresenceVisibility::Contacts => "privacy-saved-presence-contacts",
            PresenceVisibility::Nobody => "privacy-saved-presence-nobody",
        };
        let update = UpdatePrivacy {
            presence_visible_to: Some(value),
            ..UpdatePrivacy::default()
        };
        save(events, update, saved, pending, feedback);
    });
    view! {
        <section class="card settings" data-testid="people-privacy" aria-labelledby="people-privacy-title">
            <h2 id="people-privacy-title">{move || t("privacy-reach-title")}</h2>
            <RadioSetting
                legend_key="privacy-who-calls"
                name="who-can-call"
                options=vec![
                    (CallPermission::Everyone, "everyone", "privacy-everyone"),
                    (CallPermission::Contacts, "contacts", "privacy-contacts"),
                ]
                current=calls
                pending=pending
                on_pick=pick_calls
            />
            <RadioSetting
                legend_key="privacy-who-sees"
                name="presence-visible-to"
                options=vec![
                    (PresenceVisibility::Everyone, "everyone", "privacy-everyone"),
                    (PresenceVisibility::Contacts, "contacts", "privacy-contacts"),
                    (PresenceVisibility::Nobody, "nobody", "privacy-nobody"),
                ]
                current=presence
                pending=pending
                on_pick=pick_presence
            />
            <p class="muted small">{move || t("privacy-screened-help")}</p>
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
                    .unwrap_or_else(|| t("dnd-off-status"))
            })
        })
    };
    let pick = move |choice: DndChoice| {
        let saved = match choice {
            DndChoice::Off => "dnd-saved-off",
            _ => "dnd-saved-on",
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
            <h2 id="dnd-title">{move || t("nav-dnd")}</h2>
            <p class="dnd-status" data-testid="dnd-status">
                {move || status().unwrap_or_else(|| t("loading"))}
            </p>
            <p class="muted small">{move || t("dnd-help")}</p>
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
                                {move || choice.label()}
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
                    (
                        true,
                        t_with("blocked-unblocked", &[("name", name.as_str().into())]),
                    )
                }
                Err(failure) => {
                    let error = failure.message();
                    let args = [("name", name.as_str().into()), ("error", error.into())];
                    (false, t_with("blocked-unblock-failed", &args))
                }
            };
            let _ = feedback.try_set(Some(outcome));
        });
    };
    view! {
        <section class="card settings" data-testid="blocked" aria-labelledby="blocked-title">
            <h2 id="blocked-title">{move || t("blocked-title")}</h2>
            {move || match blocked.get() {
                None => view! { <p class="muted loading">{move || t("loading")}</p> }.into_any(),
                Some(list) if list.is_empty() => {
                    view! {
                        <p class="muted" data-testid="blocked-empty">{move || t("blocked-none")}</p>
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
                                                aria-label=t_with("blocked-unblock-label", &[("name", name.as_str().into())])
                                                on:click=move |_| unblock(entry.clone())
                                            >
                                                {move || t("blocked-unblock")}
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
