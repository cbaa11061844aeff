//! Calls that ring while nobody looks at the page: performs [`crate::attention`]'s decisions (the
//! system notification, the flashing tab title) and hands notification clicks to the overlay.
//! Provided once by [`crate::App`]; on the server its signals never change.

use leptos::prelude::*;

use crate::attention::Permission;
use crate::events::UserEvents;
use crate::i18n::t;
use crate::protocol::{CallId, NotificationButton, UserId};

#[derive(Clone, Copy)]
pub struct PageAttention {
    /// The page is in the background (another tab in front, the window minimised).
    pub hidden: RwSignal<bool>,
    pub permission: RwSignal<Permission>,
    /// A notification of this call was clicked (on a button, or its body): the overlay acts.
    pub clicked: RwSignal<Option<(CallId, Option<NotificationButton>)>>,
    /// The notification that this person is free now was clicked: call them.
    pub free_clicked: RwSignal<Option<UserId>>,
}

/// Turning notifications on: what they do, or why they are off, and the button that asks the
/// browser (only ever from this click, never on page load). On the profile, and beside missed
/// calls, the moment someone learns they need it.
#[component]
pub fn NotificationSetting() -> impl IntoView {
    let attention = use_attention();
    let asking = RwSignal::new(false);
    let ask = move |_| {
        asking.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            attention
                .permission
                .set(crate::worker::request_permission().await);
            asking.set(false);
        });
    };
    let permission = move || attention.permission.get();
    view! {
        <div class="notification-setting" data-testid="notifications" data-permission=move || permission().key()>
            <p class="muted small">{move || permission().explanation()}</p>
            <Show when=move || permission() == Permission::Ask>
                <button
                    class="btn btn-primary"
                    data-testid="notifications-enable"
                    disabled=move || asking.get()
                    on:click=ask
                >
                    {move || t("notifications-enable")}
                </button>
            </Show>
        </div>
    }
}

pub fn use_attention() -> PageAttention {
    expect_context::<PageAttention>()
}

pub fn provide_attention(events: UserEvents) -> PageAttention {
    let attention = PageAttention {
        hidden: RwSignal::new(false),
        permission: RwSignal::new(Permission::Unsupported),
        clicked: RwSignal::new(None),
        free_clicked: RwSignal::new(None),
    };
    provide_context(attention);
    #[cfg(feature = "hydrate")]
    browser::run(attention, events);
    #[cfg(not(feature = "hydrate"))]
    let _ = events;
    attention
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::{closure::Closure, JsCast};

    use super::PageAttention;
    use crate::attention::{
        flash_title, NoticeAction, Notices, Permission, Seen, FLASH_INTERVAL_MS,
    };
    use crate::events::UserEvents;
    use crate::protocol::WorkerMsg;
    use crate::worker;

    pub fn run(attention: PageAttention, events: UserEvents) {
        // Once hydrated: effects never run on the server.
        Effect::new(move |_| {
            let Some(document) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            attention.hidden.set(document.hidden());
            attention.permission.set(worker::permission());
            let watched = document.clone();
            let on_visibility = Closure::<dyn FnMut()>::new(move || {
                attention.hidden.set(watched.hidden());
                // The permission may have changed in the site settings meanwhile.
                attention.permission.set(worker::permission());
            });
            let _ = document.add_event_listener_with_callback(
                "visibilitychange",
                on_visibility.as_ref().unchecked_ref(),
            );
            // Listens for the page's whole life.
            on_visibility.forget();
            worker::register(move |message| match message {
                WorkerMsg::NotificationClick { call_id, action } => {
                    attention.clicked.set(Some((call_id, action)));
                }
                WorkerMsg::AvailableClick { user_id } => {
                    attention.free_clicked.set(Some(user_id));
                }
            });
        });

        let notices = StoredValue::new(Notices::default());
        Effect::new(move |_| {
            let allowed = attention.permission.get() == Permission::Granted;
            let hidden = attention.hidden.get();
            let actions = events.incoming.with(|ringing| {
                events.last_call_update.with(|latest| {
                    notices
                        .try_update_value(|n| {
                            n.step(Seen {
                                ringing: ringing.as_ref(),
                                latest: latest.as_ref(),
                                hidden,
                                allowed,
                            })
                        })
                        .unwrap_or_default()
                })
            });
            for action in actions {
                match action {
                    NoticeAction::Show(notice) => worker::show(notice),
                    NoticeAction::Close(call) => worker::close(call),
                }
            }
        });

        // The title flashes while a call rings in a hidden tab.
        let flash_for = Memo::new(move |_| {
            events
                .incoming
                .with(|c| c.as_ref().map(|c| c.caller.username.clone()))
                .filter(|_| attention.hidden.get())
        });
        let flashing: StoredValue<Option<SendWrapper<Flash>>> = StoredValue::new(None);
        Effect::new(move |_| {
            let caller = flash_for.get();
            flashing.update_value(|flash| {
                // The old one puts the page's title back before a new one reads it.
                *flash = None;
                *flash = caller.and_then(Flash::start).map(SendWrapper::new);
            });
        });
    }

    /// The title flashing for one call; dropping it stops and puts the page's title back.
    struct Flash {
        handle: IntervalHandle,
        base: String,
    }

    impl Flash {
        fn start(caller: String) -> Option<Self> {
            let document = web_sys::window()?.document()?;
            let base = document.title();
            let title = base.clone();
            let tick = Cell::new(0u64);
            let flash = Rc::new(move || {
                document.set_title(&flash_title(&title, &caller, tick.get()));
                tick.set(tick.get() + 1);
            });
            // The first change at once, not a tick later.
            flash();
            let handle =
                set_interval_with_handle(move || flash(), Duration::from_millis(FLASH_INTERVAL_MS))
                    .ok()?;
            Some(Self { handle, base })
        }
    }

    impl Drop for Flash {
        fn drop(&mut self) {
            self.handle.clear();
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                document.set_title(&self.base);
            }
        }
    }
}
