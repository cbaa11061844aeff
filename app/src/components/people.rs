//! Pieces for the people a user knows, shared by the contacts, history and call pages: loading my
//! contacts, and the one-click "Add" that turns into "Added".

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::i18n::{t, t_with};
use crate::people::{is_contact, upsert_contact};
use crate::protocol::{Contact, User};

/// My contacts for a page: `None` until loaded, which starts once the page runs in the browser.
pub fn use_contacts(notice: RwSignal<Option<String>>) -> RwSignal<Option<Vec<Contact>>> {
    let contacts = RwSignal::new(None);
    Effect::new(move |_| load_contacts(contacts, notice));
    contacts
}

/// Loads my contacts into `into` (left as it is on failure; `notice` says why).
pub fn load_contacts(into: RwSignal<Option<Vec<Contact>>>, notice: RwSignal<Option<String>>) {
    spawn_local(async move {
        match api::people::contacts().await {
            Ok(list) => {
                let _ = into.try_set(Some(list));
            }
            Err(failure) => {
                let _ = notice.try_set(Some(failure.message()));
            }
        }
    });
}

/// "Add" for someone who is not a contact yet, "Added" once they are (nothing while `contacts`
/// is not loaded). The new contact goes straight into `contacts`; a refusal goes to `notice`.
#[component]
pub fn AddContactButton(
    user: User,
    contacts: RwSignal<Option<Vec<Contact>>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let id = user.id;
    let name = user.username;
    let state = move || contacts.with(|c| c.as_deref().map(|c| is_contact(c, id)));
    let add = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::people::add_contact(id).await;
            let _ = pending.try_set(false);
            match result {
                Ok(contact) => contacts.update(|c| {
                    if let Some(list) = c {
                        upsert_contact(list, contact);
                    }
                }),
                Err(failure) => notice.set(Some(failure.message())),
            }
        });
    };
    move || match state() {
        None => ().into_any(),
        Some(true) => view! {
            <span class="added" data-testid="contact-added">
                {move || t("contacts-added")}
            </span>
        }
        .into_any(),
        Some(false) => view! {
            <button
                class="btn btn-secondary"
                data-testid="add-contact"
                aria-label={
                    let name = name.clone();
                    move || t_with("contacts-add-label", &[("name", name.as_str().into())])
                }
                disabled=move || pending.get()
                on:click=add
            >
                {move || t("contacts-add")}
            </button>
        }
        .into_any(),
    }
}
