//! `/profile`: who I am, and my picture (uploaded as the file itself, with its own type).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::Avatar;
use crate::protocol::User;
use crate::session::use_session;
use crate::util::when_text;

use super::RequireUser;

#[component]
pub fn Profile() -> impl IntoView {
    view! {
        <RequireUser>
            <ProfileCard />
        </RequireUser>
    }
}

#[component]
fn ProfileCard() -> impl IntoView {
    let session = use_session();
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
                let result = api::put_bytes::<User>("/api/users/me/picture/", &file).await;
                pending.set(false);
                match result {
                    Ok(user) => {
                        session.user.set(Some(user));
                        status.set(Some((true, "Picture updated.".into())));
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
            let result = api::delete::<User>("/api/users/me/picture/").await;
            pending.set(false);
            match result {
                Ok(user) => {
                    session.user.set(Some(user));
                    status.set(Some((true, "Picture removed.".into())));
                }
                Err(failure) => status.set(Some((false, failure.message()))),
            }
        });
    };

    view! {
        <section class="page">
            <h1>"Profile"</h1>
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
                                    <dt>"Username"</dt>
                                    <dd data-testid="profile-username">{user.username.clone()}</dd>
                                    <dt>"Email"</dt>
                                    <dd data-testid="profile-email">{user.email.clone().unwrap_or_default()}</dd>
                                    <dt>"Status"</dt>
                                    <dd>
                                        {if user.is_online {
                                            "Online".to_owned()
                                        } else {
                                            user.last_seen
                                                .map(|t| format!("Last seen {}", when_text(t)))
                                                .unwrap_or_else(|| "Offline".into())
                                        }}
                                    </dd>
                                </dl>
                                <div class="profile-actions">
                                    <label class="btn btn-primary file-button">
                                        {if has_picture { "Change picture" } else { "Upload a picture" }}
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
                                                    "Remove picture"
                                                </button>
                                            }
                                        })}
                                </div>
                                <p class="muted small">"PNG, JPEG or WebP, up to 5 MiB."</p>
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
