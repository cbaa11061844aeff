//! `/profile`: who I am, my picture (uploaded as the file itself, with its own type), this
//! browser's privacy setting for calls, its theme (light, dark or the system's), its language, call
//! notifications, and who may reach me ([`super::privacy`]).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::attention::NotificationSetting;
use crate::components::device_check::DeviceCheckCard;
use crate::components::Avatar;
use crate::events::use_user_events;
use crate::i18n::{self, t, t_with, LanguageChoice};
use crate::session::use_session;
use crate::settings;
use crate::theme::{self, Appearance, ThemeChoice};

use super::RequireUser;

#[component]
pub fn Profile() -> impl IntoView {
    view! {
        <RequireUser>
            <ProfileCard />
            <PrivacyCard />
            <AppearanceCard />
            <LanguageCard />
            <NotificationsCard />
            <DeviceCheckCard />
            <super::privacy::PeopleSettings />
        </RequireUser>
    }
}

#[component]
fn ProfileCard() -> impl IntoView {
    let session = use_session();
    let events = use_user_events();
    let status = RwSignal::new(None::<(bool, String)>);
    let pending = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();

    let on_file = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = file_input
                .get()
                .and_then(|input| input.files())
                .and_then(|files| files.get(0))
            else {
                return;
            };
            pending.set(true);
            status.set(None);
            spawn_local(async move {
                let result = api::users::set_picture(&file).await;
                pending.set(false);
                match result {
                    Ok(user) => {
                        session.user.set(Some(user));
                        status.set(Some((true, t("profile-picture-updated"))));
                    }
                    Err(failure) => status.set(Some((false, failure.message()))),
                }
                if let Some(input) = file_input.try_get_untracked().flatten() {
                    input.set_value("");
                }
            });
        }
    };

    let remove = move |_| {
        pending.set(true);
        status.set(None);
        spawn_local(async move {
            let result = api::users::remove_picture().await;
            pending.set(false);
            match result {
                Ok(user) => {
                    session.user.set(Some(user));
                    status.set(Some((true, t("profile-picture-removed"))));
                }
                Err(failure) => status.set(Some((false, failure.message()))),
            }
        });
    };

    view! {
        <section class="page">
            <h1>{move || t("profile-title")}</h1>
            {move || {
                session
                    .user
                    .get()
                    .map(|user| {
                        let has_picture = user.profile_picture.is_some();
                        view! {
                            <div class="card profile" data-testid="profile">
                                <Avatar
                                    name=user.username.clone()
                                    picture=user.profile_picture.clone()
                                    large=true
                                />
                                <dl class="profile-facts">
                                    <dt>{move || t("field-username")}</dt>
                                    <dd data-testid="profile-username">{user.username.clone()}</dd>
                                    <dt>{move || t("field-email")}</dt>
                                    <dd data-testid="profile-email">{user.email.clone().unwrap_or_default()}</dd>
                                    <dt>{move || t("profile-status")}</dt>
                                    // The record is as of sign-in; this device's socket is
                                    // what makes the user online now.
                                    <dd data-testid="profile-status">
                                        {move || {
                                            if events.connected.get() {
                                                t("presence-online")
                                            } else {
                                                t("profile-connecting")
                                            }
                                        }}
                                    </dd>
                                </dl>
                                <div class="profile-actions">
                                    <label class="btn btn-primary file-button">
                                        {move || if has_picture { t("profile-picture-change") } else { t("profile-picture-upload") }}
                                        <input
                                            type="file"
                                            accept="image/png,image/jpeg,image/webp"
                                            class="sr-only"
                                            data-testid="picture-input"
                                            node_ref=file_input
                                            disabled=move || pending.get()
                                            on:change=on_file
                                        />
                                    </label>
                                    {has_picture
                                        .then(|| {
                                            view! {
                                                <button
                                                    class="btn btn-ghost"
                                                    data-testid="picture-remove"
                                                    disabled=move || pending.get()
                                                    on:click=remove
                                                >
                                                    {move || t("profile-picture-remove")}
                                                </button>
                                            }
                                        })}
                                </div>
                                <p class="muted small">{move || t("profile-picture-help")}</p>
                            </div>
                        }
                    })
            }}
            <Show when=move || status.with(Option::is_some)>
                <p
                    class=move || {
                        if status.with(|s| s.as_ref().is_some_and(|s| s.0)) {
                            "notice notice-ok"
                        } else {
                            "notice notice-error"
                        }
                    }
                    role="status"
                    data-testid="profile-status"
                >
                    {move || status.get().map(|s| s.1).unwrap_or_default()}
                </p>
            </Show>
        </section>
    }
}

/// Light, dark or the system's choice, remembered on this browser ([`crate::theme`]).
#[component]
fn AppearanceCard() -> impl IntoView {
    // localStorage and the system preference are the browser's: read once hydrated.
    let choice = RwSignal::new(None::<ThemeChoice>);
    let system_dark = RwSignal::new(false);
    Effect::new(move |_| {
        choice.set(Some(theme::stored_choice()));
        system_dark.set(theme::system_prefers_dark());
    });
    let showing = move || {
        choice
            .get()
            .map(|c| match theme::appearance(c, system_dark.get()) {
                Appearance::Light => t("theme-showing-light"),
                Appearance::Dark => t("theme-showing-dark"),
            })
    };
    view! {
        <ChoiceCard
            testid="appearance"
            title_key="theme-title"
            legend_key="theme-legend"
            name="theme"
            options=ThemeChoice::ALL.iter().map(|&c| (c, c.key(), c.label_key())).collect()
            current=choice.into()
            on_pick=Callback::new(move |picked| {
                theme::choose(picked);
                choice.set(Some(picked));
            })
            showing=Signal::derive(showing)
        />
    }
}

/// A profile card with one per-browser choice (radio buttons) and a line saying what it gives.
#[component]
fn ChoiceCard<T>(
    testid: &'static str,
    title_key: &'static str,
    legend_key: &'static str,
    /// The radio group's name; `{name}-showing` is the line's test id.
    name: &'static str,
    options: Vec<(T, &'static str, &'static str)>,
    current: Signal<Option<T>>,
    on_pick: Callback<T>,
    showing: Signal<Option<String>>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <section class="card settings" data-testid=testid>
            <h2>{move || t(title_key)}</h2>
            <super::privacy::RadioSetting
                legend_key=legend_key
                name=name
                options=options
                current=current
                pending=RwSignal::new(false)
                on_pick=on_pick
            />
            <p class="muted small" data-testid=format!("{name}-showing")>{showing}</p>
        </section>
    }
}

/// The language: the browser's, or one chosen here, remembered on this browser
/// ([`crate::i18n`]); the page switches at once.
#[component]
fn LanguageCard() -> impl IntoView {
    let i18n = i18n::use_i18n();
    let label_key = |choice: LanguageChoice| match choice {
        LanguageChoice::Browser => "language-browser",
        LanguageChoice::Fixed(locale) => locale.name_key(),
    };
    let showing = move || {
        i18n.choice.get().map(|_| {
            let name = t(i18n.locale.get().name_key());
            t_with("language-showing", &[("language", name.into())])
        })
    };
    view! {
        <ChoiceCard
            testid="language-card"
            title_key="language-title"
            legend_key="language-legend"
            name="language"
            options=LanguageChoice::all().into_iter().map(|c| (c, c.key(), label_key(c))).collect()
            current=i18n.choice.into()
            on_pick=Callback::new(move |picked| i18n.choose(picked))
            showing=Signal::derive(showing)
        />
    }
}

/// System notifications for calls that ring while the page is in the background.
#[component]
fn NotificationsCard() -> impl IntoView {
    view! {
        <section class="card privacy" data-testid="notifications-card">
            <h2>{move || t("profile-notifications")}</h2>
            <NotificationSetting />
        </section>
    }
}

/// Relay-only calls: a per-browser setting (localStorage), applied to the next call.
#[component]
fn PrivacyCard() -> impl IntoView {
    // Server rendering knows nothing of localStorage: both are read once hydrated.
    let relay_only = RwSignal::new(false);
    let turn_offered = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        relay_only.set(settings::relay_only());
        spawn_local(async move {
            if let Ok(servers) = api::ice_servers().await {
                turn_offered.set(Some(servers.turn));
            }
        });
    });
    let on_toggle = move |event| {
        let on = event_target_checked(&event);
        settings::set_relay_only(on);
        relay_only.set(on);
    };

    view! {
        <section class="card privacy" data-testid="privacy">
            <h2>{move || t("profile-privacy")}</h2>
            <label class="toggle">
                <input
                    type="checkbox"
                    data-testid="relay-only"
                    prop:checked=move || relay_only.get()
                    on:change=on_toggle
                />
                " "
                {move || t("profile-relay")}
            </label>
            <p class="muted small">{move || t("profile-relay-help")}</p>
            <Show when=move || relay_only.get() && turn_offered.get() == Some(false)>
                <p class="notice notice-error" role="alert" data-testid="relay-unavailable">
                    {move || t("profile-relay-unavailable")}
                </p>
            </Show>
        </section>
    }
}
