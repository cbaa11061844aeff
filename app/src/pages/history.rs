//! `/history`: ended calls (All) and missed calls (Missed); opening Missed clears the badge. Each
//! row calls back, and adds the other person to my contacts in one click if they are not yet.
//! Beside missed calls it offers call notifications, if they were never asked for.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::attention::Permission;
use crate::components::attention::{use_attention, NotificationSetting};
use crate::components::call_report::CallReports;
use crate::components::people::{use_contacts, AddContactButton};
use crate::components::voicemail::{provide_messages, MessagePlayer};
use crate::components::{use_dialer, Avatar, DialerNotice};
use crate::events::use_user_events;
use crate::i18n::{t, t_with};
use crate::protocol::{Call, CallStatus, CallType, Contact, UserId};
use crate::session::use_session;
use crate::util::{
    duration_text, duration_words, end_reason_text, other_party, status_text, when_text,
};

use super::RequireUser;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    All,
    Missed,
}

#[component]
pub fn History() -> impl IntoView {
    view! {
        <RequireUser>
            <CallHistory />
        </RequireUser>
    }
}

#[component]
fn CallHistory() -> impl IntoView {
    let session = use_session();
    let events = use_user_events();
    let attention = use_attention();
    let tab = RwSignal::new(Tab::All);
    let calls = RwSignal::new(None::<Vec<Call>>);
    let error = RwSignal::new(None::<String>);
    let latest = StoredValue::new(0u64);
    let (dialer, dial) = use_dialer();
    let contacts = use_contacts(dialer.notice);
    provide_messages();

    let load = move |which: Tab| {
        let Some(last) = latest.try_get_value() else {
            return;
        };
        let ticket = last + 1;
        latest.set_value(ticket);
        spawn_local(async move {
            let result = match which {
                Tab::All => api::calls::history().await,
                Tab::Missed => api::calls::missed().await,
            };
            if latest.try_get_value() != Some(ticket) {
                return;
            }
            match result {
                Ok(list) => {
                    calls.set(Some(list));
                    error.set(None);
                }
                Err(failure) => error.set(Some(failure.message())),
            }
            if which == Tab::Missed {
                if let Ok(left) = api::calls::missed_seen().await {
                    events.missed_count.set(left.count);
                    // The server tells no socket: the other tabs hear it from this one.
                    #[cfg(feature = "hydrate")]
                    crate::tabs::announce(&crate::protocol::TabMsg::MissedCount {
                        count: left.count,
                    });
                }
            }
        });
    };

    Effect::new(move |_| load(tab.get()));
    // A call of mine changed (ended, missed): the list is out of date.
    Effect::new(move |first: Option<()>| {
        let ended = events
            .last_call_update
            .with(|c| c.as_ref().map(|c| !c.status.is_live()));
        if first.is_some() && ended == Some(true) {
            if let Some(which) = tab.try_get_untracked() {
                load(which);
            }
        }
    });

    let me = move || session.user.with(|u| u.as_ref().map(|u| u.id));

    let tab_button = move |which: Tab, label: &'static str, testid: &'static str| {
        view! {
            <button
                role="tab"
                class="tab"
                data-testid=testid
                aria-selected=move || (tab.get() == which).to_string()
                on:click=move |_| {
                    if tab.get_untracked() != which {
                        calls.set(None);
                        tab.set(which);
                    }
                }
            >
                {move || t(label)}
                {move || {
                    let n = events.missed_count.get();
                    (which == Tab::Missed && n > 0)
                        .then(|| view! { <span class="badge">{n}</span> })
                }}
            </button>
        }
    };

    view! {
        <section class="page">
            <header class="page-header">
                <h1>{move || t("history-title")}</h1>
                <div class="tabs" role="tablist" aria-label=move || t("history-tabs")>
                    {tab_button(Tab::All, "history-tab-all", "tab-all")}
                    {tab_button(Tab::Missed, "history-tab-missed", "tab-missed")}
                </div>
            </header>
            <DialerNotice dialer=dialer />
            // After missed calls: the moment to offer notifications, if never asked.
            <Show when=move || {
                tab.get() == Tab::Missed
                    && calls.with(|c| c.as_ref().is_some_and(|list| !list.is_empty()))
                    && attention.permission.get() == Permission::Ask
            }>
                <div class="card notification-offer" data-testid="notification-offer">
                    <h2>{move || t("home-feature-missed")}</h2>
                    <NotificationSetting />
                </div>
            </Show>
            <Show when=move || error.with(Option::is_some)>
                <p class="notice notice-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            {move || {
                let Some(me) = me() else { return ().into_any() };
                match calls.get() {
                    None => view! { <p class="muted loading">{move || t("history-loading")}</p> }.into_any(),
                    Some(list) if list.is_empty() => {
                        view! {
                            <p class="empty" data-testid="history-empty">
                                {move || if tab.get_untracked() == Tab::Missed {
                                    t("history-none-missed")
                                } else {
                                    t("history-none")
                                }}
                            </p>
                        }
                            .into_any()
                    }
                    Some(list) => {
                        let dial = dial.clone();
                        view! {
                            <ul class="history-list" data-testid="history-list">
                                {list
                                    .into_iter()
                                    .map(|call| {
                                        view! {
                                            <HistoryRow
                                                call=call
                                                me=me
                                                contacts=contacts
                                                notice=dialer.notice
                                                pending=dialer.pending
                                                dial=dial.clone()
                                            />
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }
            }}
        </section>
    }
}

#[component]
fn HistoryRow<F>(
    call: Call,
    me: UserId,
    contacts: RwSignal<Option<Vec<Contact>>>,
    notice: RwSignal<Option<String>>,
    pending: RwSignal<bool>,
    dial: F,
) -> impl IntoView
where
    F: Fn(crate::protocol::User, CallType) + Clone + Send + Sync + 'static,
{
    let outgoing = call.caller.id == me;
    let other = other_party(&call, me).clone();
    let name = other.username.clone();
    let missed = call.status == CallStatus::Missed && !outgoing;
    let kind = move || match call.call_type {
        CallType::Audio => t("call-audio-button"),
        CallType::Video => t("call-video-button"),
    };
    let direction = move || {
        if outgoing {
            t("history-outgoing")
        } else {
            t("history-incoming")
        }
    };
    let seconds = call.duration;
    let duration = seconds.map(duration_text);
    let reason = call.end_reason;
    let status = call.status;
    let initiated_at = call.initiated_at;
    let call_type = call.call_type;
    let back = other.clone();
    let back_name = name.clone();
    view! {
        <li
            class=if missed { "history-row card missed" } else { "history-row card" }
            data-testid="history-row"
            data-call-id=call.id.to_string()
            data-status=call.status.as_str()
        >
            <Avatar name=name.clone() picture=other.profile_picture.clone() />
            <div class="history-main">
                <span class="contact-name" data-testid="history-party">{name.clone()}</span>
                <span class="muted small">
                    <span class="direction" data-testid="history-direction">
                        {if outgoing { "↗ " } else { "↙ " }}
                        {direction}
                    </span>
                    " · "
                    <span data-testid="history-type">{kind}</span>
                    " · "
                    <time datetime=call.initiated_at.to_string()>{move || when_text(initiated_at)}</time>
                </span>
                <CallReports call=call.clone() me=me />
            </div>
            <div class="history-status">
                <span class=format!("status status-{}", call.status.as_str()) data-testid="history-status">
                    {move || status_text(status)}
                </span>
                {duration
                    .map(|d| {
                        // A plain span takes no aria-label: the word is for screen readers only.
                        view! {
                            <span class="sr-only">
                                {move || t_with("history-duration", &[("duration", duration_words(seconds.unwrap_or_default()).into())])}
                            </span>
                            <span class="duration" data-testid="history-duration" aria-hidden="true">
                                {d}
                            </span>
                        }
                    })}
                {reason
                    .map(|r| view! { <span class="muted small" data-testid="history-reason">{move || end_reason_text(r)}</span> })}
            </div>
            <MessagePlayer call=call.id />
            <AddContactButton user=other.clone() contacts=contacts notice=notice />
            <button
                class="btn btn-secondary"
                data-testid="call-back"
                aria-label=move || {
                    let key = match call_type {
                        CallType::Audio => "history-call-back-audio",
                        CallType::Video => "history-call-back-video",
                    };
                    t_with(key, &[("name", back_name.as_str().into())])
                }
                disabled=move || pending.get()
                on:click=move |_| dial(back.clone(), call_type)
            >
                {move || t("history-call-back")}
            </button>
        </li>
    }
}
