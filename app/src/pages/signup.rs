//! `/signup`: field errors come from the server's DRF-shaped body, next to each field.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api::{self, ApiFailure};
use crate::i18n::t;
use crate::protocol::Register;
use crate::session::use_session;

use super::signin::{enter, sign_in};

const FIELDS: [&str; 4] = ["username", "email", "password", "password_confirm"];

#[component]
pub fn SignUp() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiFailure>);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let form = Register {
            username: username.get_untracked().trim().to_owned(),
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            password_confirm: confirm.get_untracked(),
        };
        pending.set(true);
        failure.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let (name, pass) = (form.username.clone(), form.password.clone());
            let result = match api::users::register(&form).await {
                Ok(_) => sign_in(name, pass).await,
                Err(e) => Err(e),
            };
            pending.set(false);
            match result {
                Ok(user) => enter(session, &navigate, user),
                Err(e) => failure.set(Some(e)),
            }
        });
    };

    let field_error =
        move |name: &'static str| move || failure.with(|f| f.as_ref().and_then(|f| f.field(name)));
    // Errors that belong to no field of the form (non_field_errors, detail, network).
    let general_error = move || {
        failure.with(|f| {
            let f = f.as_ref()?;
            if FIELDS.iter().any(|name| f.field(name).is_some()) {
                return None;
            }
            Some(f.field("non_field_errors").unwrap_or_else(|| f.message()))
        })
    };

    view! {
        <section class="card form-card">
            <h1>{move || t("signup-title")}</h1>
            <form on:submit=on_submit novalidate data-testid="signup-form">
                <Field label_key="field-username" name="username" kind="text" autocomplete="username"
                    value=username error=Signal::derive(field_error("username")) />
                <Field label_key="field-email" name="email" kind="email" autocomplete="email"
                    value=email error=Signal::derive(field_error("email")) />
                <Field label_key="field-password" name="password" kind="password" autocomplete="new-password"
                    value=password error=Signal::derive(field_error("password")) />
                <Field label_key="field-password-confirm" name="password_confirm" kind="password"
                    autocomplete="new-password" value=confirm
                    error=Signal::derive(field_error("password_confirm")) />
                <Show when=move || general_error().is_some()>
                    <p class="form-error" role="alert" data-testid="signup-error">
                        {move || general_error().unwrap_or_default()}
                    </p>
                </Show>
                <button
                    type="submit"
                    class="btn btn-primary btn-block"
                    data-testid="signup-submit"
                    disabled=move || pending.get()
                >
                    {move || if pending.get() { t("signup-pending") } else { t("nav-sign-up") }}
                </button>
            </form>
            <p class="muted">{move || t("signup-have-account")} " " <A href="/signin">{move || t("nav-sign-in")}</A></p>
        </section>
    }
}

/// A labelled input with its error underneath (linked for screen readers); `label_key` is a
/// catalogue key.
#[component]
fn Field(
    label_key: &'static str,
    name: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let input_id = format!("signup-{name}");
    let error_id = format!("signup-{name}-error");
    view! {
        <div class="field">
            <label for=input_id.clone()>{move || t(label_key)}</label>
            <input
                id=input_id
                type=kind
                name=name
                autocomplete=autocomplete
                data-testid=format!("signup-{name}")
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=error_id.clone()
                bind:value=value
            />
            <p class="field-error" id=error_id data-testid=format!("signup-{name}-error")>
                {move || error.get().unwrap_or_default()}
            </p>
        </div>
    }
}
