//! `/signin`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api::{self, ApiFailure};
use crate::i18n::t;
use crate::protocol::{Credentials, ErrorCode, User};
use crate::session::{self, use_session, Session};

/// Obtains and stores a token pair, then loads the user.
pub async fn sign_in(username: String, password: String) -> Result<User, ApiFailure> {
    // A new sign-in replaces whatever was stored (and must not try to refresh it on a 401).
    session::clear_tokens();
    let tokens = api::users::sign_in(&Credentials { username, password }).await?;
    session::store_tokens(&tokens);
    api::users::me().await
}

/// After a sign-in (or a sign-up): the session knows the user, and the contacts page replaces
/// the form in the history.
pub fn enter(session: Session, navigate: &impl Fn(&str, NavigateOptions), user: User) {
    session.user.set(Some(user));
    session.checked.set(true);
    navigate(
        "/contacts",
        NavigateOptions {
            replace: true,
            ..Default::default()
        },
    );
}

/// The sign-in form's own words for the two refusals it expects, by their codes.
fn sign_in_failure(failure: &ApiFailure) -> String {
    match failure.code() {
        Some(ErrorCode::InvalidCredentials) => t("signin-wrong"),
        Some(ErrorCode::RateLimited) => t("signin-throttled"),
        _ => failure.message(),
    }
}

#[component]
pub fn SignIn() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (name, pass) = (username.get_untracked(), password.get_untracked());
        if name.trim().is_empty() || pass.is_empty() {
            error.set(Some(t("signin-missing")));
            return;
        }
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = sign_in(name.trim().to_owned(), pass).await;
            pending.set(false);
            match result {
                Ok(user) => enter(session, &navigate, user),
                Err(failure) => {
                    session::clear_tokens();
                    error.set(Some(sign_in_failure(&failure)));
                }
            }
        });
    };

    view! {
        <section class="card form-card">
            <h1>{move || t("nav-sign-in")}</h1>
            <form on:submit=on_submit novalidate data-testid="signin-form">
                <label class="field">
                    <span>{move || t("field-username")}</span>
                    <input
                        type="text"
                        name="username"
                        autocomplete="username"
                        data-testid="signin-username"
                        bind:value=username
                    />
                </label>
                <label class="field">
                    <span>{move || t("field-password")}</span>
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        data-testid="signin-password"
                        bind:value=password
                    />
                </label>
                <Show when=move || error.with(Option::is_some)>
                    <p class="form-error" role="alert" data-testid="signin-error">
                        {move || error.get().unwrap_or_default()}
                    </p>
                </Show>
                <button
                    type="submit"
                    class="btn btn-primary btn-block"
                    data-testid="signin-submit"
                    disabled=move || pending.get()
                >
                    {move || if pending.get() { t("signin-pending") } else { t("nav-sign-in") }}
                </button>
            </form>
            <p class="muted">{move || t("signin-new-here")} " " <A href="/signup">{move || t("home-create-account")}</A></p>
        </section>
    }
}
