//! Error bodies carry stable machine codes beside DRF's messages (`"code"` beside `"detail"`,
//! `"codes"` beside field errors), which the app translates; the messages reference clients read
//! stay as they were. Both database backends.

mod common;

use app::protocol::CallType;
use common::{Backend, TestApp, PASSWORD};
use serde_json::{json, Value};

async fn body(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.expect("json error body")
}

async fn field_errors_keep_their_messages_and_gain_codes(app: TestApp) {
    app.register("alice").await;
    let cases = [
        (
            json!({"username": "ALICE", "email": "a2@example.com", "password": PASSWORD,
                "password_confirm": PASSWORD}),
            "username",
            "A user with that username already exists.",
            "username_taken",
        ),
        (
            json!({"username": "bob", "email": "bob@example.com", "password": PASSWORD,
                "password_confirm": "something-else-1"}),
            "password_confirm",
            "Password fields didn't match.",
            "password_mismatch",
        ),
        (
            json!({"username": "bob", "email": "not-an-email", "password": PASSWORD,
                "password_confirm": PASSWORD}),
            "email",
            "Enter a valid email address.",
            "invalid_email",
        ),
        (
            json!({"email": "bob@example.com", "password": PASSWORD, "password_confirm": PASSWORD}),
            "username",
            "This field is required.",
            "required",
        ),
    ];
    for (request, field, message, code) in cases {
        let errors = body(app.post_json("/api/users/", &request).await, 400).await;
        assert_eq!(errors[field], json!([message]), "{errors}");
        assert_eq!(errors["codes"][field], json!([code]), "{errors}");
        // One code per message, for every field with messages.
        for (name, messages) in errors.as_object().unwrap() {
            if name != "codes" {
                let codes = errors["codes"][name].as_array().map(Vec::len);
                assert_eq!(codes, messages.as_array().map(Vec::len), "{name}: {errors}");
            }
        }
    }
    // Several messages of one field, each with its code, in order ("1234" is short and numeric;
    // the common-password list is of longer ones).
    let request = json!({"username": "bob", "email": "bob@example.com", "password": "1234",
                         "password_confirm": "1234"});
    let errors = body(app.post_json("/api/users/", &request).await, 400).await;
    assert_eq!(
        errors["codes"]["password"],
        json!(["password_too_short", "password_numeric"]),
        "{errors}"
    );
}

async fn details_gain_a_code(app: TestApp) {
    app.register("alice").await;
    let wrong = json!({"username": "alice", "password": "wrong-password-1"});
    let error = body(app.post_json("/api/token/", &wrong).await, 401).await;
    assert_eq!(
        error,
        json!({"detail": "No active account found with the given credentials",
               "code": "invalid_credentials"})
    );
    let error = body(app.get("/api/users/me/").await, 401).await;
    assert_eq!(error["code"], "not_authenticated");
    let error = body(app.get_auth("/api/users/me/", "not-a-token").await, 401).await;
    assert_eq!(error["code"], "token_not_valid");
    let (_, access) = app.user("bob").await;
    let error = body(app.get_auth("/api/calls/99999/", &access).await, 404).await;
    assert_eq!(error, json!({"detail": "Not found.", "code": "not_found"}));
    let error = body(
        app.post_auth("/api/calls/", &access, &json!({"receiver": "x"}))
            .await,
        400,
    )
    .await;
    assert_eq!(
        error["codes"]["receiver"],
        json!(["invalid_integer"]),
        "{error}"
    );
}

async fn call_refusals_carry_their_codes(app: TestApp) {
    let (alice, alice_access) = app.user("alice").await;
    let (bob, bob_access) = app.user("bob").await;
    let (_, carol_access) = app.user("carol").await;
    let call = app.start_call(&alice_access, &bob, CallType::Audio).await;
    // Carol calls Alice, who is in a live call: busy, as the reference says it, with a code.
    let busy = body(
        app.post_auth(
            "/api/calls/",
            &carol_access,
            &json!({"receiver": alice.id, "call_type": "audio"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(busy["detail"], "busy");
    assert_eq!(busy["code"], "busy");
    // The caller may not accept; the receiver may not accept a cancelled call.
    let error = body(app.call_action(call.id, "accept", &alice_access).await, 403).await;
    assert_eq!(error["code"], "not_your_role");
    body(app.call_action(call.id, "cancel", &alice_access).await, 200).await;
    let error = body(app.call_action(call.id, "accept", &bob_access).await, 409).await;
    assert_eq!(error["code"], "call_changed");
    assert!(error["detail"]
        .as_str()
        .is_some_and(|d| d.starts_with("Cannot accept")));
}

backend_tests! {
    field_errors => field_errors_keep_their_messages_and_gain_codes;
    details => details_gain_a_code;
    call_refusals => call_refusals_carry_their_codes;
}

#[tokio::test]
async fn throttling_says_rate_limited() {
    let app =
        TestApp::spawn_with(Backend::Sqlite, |config| config.login_attempts_per_user = 1).await;
    app.register("alice").await;
    let wrong = json!({"username": "alice", "password": "wrong-password"});
    body(app.post_json("/api/token/", &wrong).await, 401).await;
    let error = body(app.post_json("/api/token/", &wrong).await, 429).await;
    assert_eq!(error["code"], "rate_limited");
    assert!(error["detail"]
        .as_str()
        .is_some_and(|d| d.starts_with("Request was throttled.")));
}
