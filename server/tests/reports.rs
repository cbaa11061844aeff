//! Per-call reports (issue 19): who may post one, once, when, within which bounds; both
//! parties' reports in the listings and the call; gone with the purge, the retention and the
//! user. Each test on SQLite and MariaDB.

mod common;

use std::time::Duration;

use app::protocol::{
    Call, CallReport, CallType, MediaPath, User, MAX_REPORT_BYTES, MAX_REPORT_MS, REPORT_WINDOW_MS,
};
use common::TestApp;
use serde_json::{json, Value};
use server::clock::ManualClock;

/// A report as a browser posts it.
fn report(rtt_ms: i64) -> Value {
    json!({
        "path": "direct",
        "ip_hidden": false,
        "avg_rtt_ms": rtt_ms,
        "avg_jitter_ms": 4,
        "loss_basis_points": 12,
        "worst_grade": "fair",
        "reconnects": 1,
        "connected_secs": 61,
        "samples": 30,
    })
}

async fn post_report(app: &TestApp, call: &Call, token: &str, body: &Value) -> reqwest::Response {
    app.post_auth(&format!("/api/calls/{}/report/", call.id), token, body)
        .await
}

/// `caller` calls `receiver`, who answers.
async fn answered_call(app: &TestApp, caller: &str, receiver: (&User, &str)) -> Call {
    let call = app.start_call(caller, receiver.0, CallType::Video).await;
    let response = app.call_action(call.id, "accept", receiver.1).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("call")
}

async fn end(app: &TestApp, call: &Call, token: &str) {
    let response = app.call_action(call.id, "end", token).await;
    assert_eq!(response.status(), 200);
}

async fn history(app: &TestApp, token: &str) -> Vec<Call> {
    let response = app.get_auth("/api/calls/history/", token).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("calls")
}

async fn detail(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("json");
    body["detail"].as_str().unwrap_or_default().to_owned()
}

async fn each_party_reports_once_and_both_reports_come_back(app: TestApp) {
    let (alice_user, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let (_, carol) = app.user("carol").await;
    let call = answered_call(&app, &alice, (&bob_user, &bob)).await;

    // At hang-up, before the end reached the server: taken.
    let response = post_report(&app, &call, &alice, &report(42)).await;
    assert_eq!(response.status(), 201);
    let posted: CallReport = response.json().await.expect("report");
    assert_eq!(posted.user_id, alice_user.id);
    assert_eq!(posted.body.avg_rtt_ms, Some(42));
    assert_eq!(posted.body.path, MediaPath::Direct);
    end(&app, &call, &bob).await;

    // After the end: taken too, once per party.
    let relayed = json!({"path": "relayed", "ip_hidden": true, "avg_rtt_ms": 90,
        "avg_jitter_ms": null, "loss_basis_points": null, "worst_grade": null,
        "reconnects": 0, "connected_secs": 60, "samples": 29});
    assert_eq!(post_report(&app, &call, &bob, &relayed).await.status(), 201);
    let again = post_report(&app, &call, &alice, &report(7)).await;
    assert_eq!(again.status(), 409);
    assert_eq!(detail(again).await, "This call has your report already.");

    // Nobody else, and not without a token.
    assert_eq!(
        post_report(&app, &call, &carol, &report(1)).await.status(),
        404
    );
    let anonymous = app
        .post_json(&format!("/api/calls/{}/report/", call.id), &report(1))
        .await;
    assert_eq!(anonymous.status(), 401);

    // Both reports, in the history of each party and in the call itself; the first kept.
    for token in [&alice, &bob] {
        let calls = history(&app, token).await;
        assert_eq!(calls.len(), 1);
        let reports = &calls[0].reports;
        assert_eq!(reports.len(), 2, "{reports:?}");
        let of = |user: &User| reports.iter().find(|r| r.user_id == user.id).cloned();
        assert_eq!(of(&alice_user).map(|r| r.body.avg_rtt_ms), Some(Some(42)));
        let bobs = of(&bob_user).expect("bob's report");
        assert_eq!(bobs.body.path, MediaPath::Relayed);
        assert!(bobs.body.ip_hidden);
        assert_eq!(bobs.body.worst_grade, None);
        let response = app
            .get_auth(&format!("/api/calls/{}/", call.id), token)
            .await;
        let one: Call = response.json().await.expect("call");
        assert_eq!(one.reports, calls[0].reports);
    }
    let all: Vec<Call> = app
        .get_auth("/api/calls/", &alice)
        .await
        .json()
        .await
        .expect("calls");
    assert_eq!(all[0].reports.len(), 2);

    // A call without reports keeps the reference's shape: no `reports` key.
    let other = answered_call(&app, &alice, (&bob_user, &bob)).await;
    end(&app, &other, &alice).await;
    let raw: Value = app
        .get_auth(&format!("/api/calls/{}/", other.id), &alice)
        .await
        .json()
        .await
        .expect("json");
    assert!(raw.get("reports").is_none(), "{raw}");
}

async fn a_report_is_bounded(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let call = answered_call(&app, &alice, (&bob_user, &bob)).await;

    let response = post_report(&app, &call, &alice, &report(MAX_REPORT_MS + 1)).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["avg_rtt_ms"][0],
        format!("Must be between 0 and {MAX_REPORT_MS}.")
    );
    for (field, value) in [
        ("loss_basis_points", json!(10_001)),
        ("reconnects", json!(-1)),
        ("connected_secs", json!(7 * 86_400 + 1)),
        ("ip_hidden", json!(true)),
    ] {
        let mut body = report(10);
        body[field] = value;
        let response = post_report(&app, &call, &alice, &body).await;
        assert_eq!(response.status(), 400, "{field}");
        let errors: Value = response.json().await.expect("json");
        assert!(errors.get(field).is_some(), "{field}: {errors}");
    }
    let mut unknown = report(10);
    unknown["path"] = json!("teleported");
    assert_eq!(
        post_report(&app, &call, &alice, &unknown).await.status(),
        400
    );
    let missing = json!({"path": "direct"});
    assert_eq!(
        post_report(&app, &call, &alice, &missing).await.status(),
        400
    );
    let mut padded = report(10);
    padded["padding"] = json!("x".repeat(MAX_REPORT_BYTES));
    let response = post_report(&app, &call, &alice, &padded).await;
    assert_eq!(response.status(), 413);

    // None of them was kept: the first valid one is.
    assert_eq!(app.count("call_reports").await, 0);
    assert_eq!(
        post_report(&app, &call, &alice, &report(10)).await.status(),
        201
    );
}

async fn only_an_answered_call_takes_reports_and_only_for_a_while(
    app: TestApp,
    clock: ManualClock,
) {
    let (_, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;

    // Ringing, then declined: nothing was connected.
    let call = app.start_call(&alice, &bob_user, CallType::Audio).await;
    let response = post_report(&app, &call, &alice, &report(10)).await;
    assert_eq!(response.status(), 409);
    assert_eq!(
        detail(response).await,
        "Only a call that was answered has a report."
    );
    assert_eq!(app.call_action(call.id, "reject", &bob).await.status(), 200);
    assert_eq!(
        post_report(&app, &call, &alice, &report(10)).await.status(),
        409
    );

    // Ended: taken up to REPORT_WINDOW_MS later, then refused.
    let call = answered_call(&app, &alice, (&bob_user, &bob)).await;
    end(&app, &call, &alice).await;
    clock.advance_secs(REPORT_WINDOW_MS / 1000);
    assert_eq!(
        post_report(&app, &call, &alice, &report(10)).await.status(),
        201
    );
    clock.advance_secs(1);
    let late = post_report(&app, &call, &bob, &report(10)).await;
    assert_eq!(late.status(), 409);
    assert_eq!(
        detail(late).await,
        "Reports are taken up to 10 minutes after the call ended."
    );
}

async fn reports_go_with_the_purge_the_retention_and_the_user(app: TestApp, clock: ManualClock) {
    let (_, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let (carol_user, carol) = app.user("carol").await;
    let reported = |call: Call| {
        let app = &app;
        let (alice, bob) = (alice.clone(), bob.clone());
        async move {
            for token in [&alice, &bob] {
                let response = post_report(app, &call, token, &report(10)).await;
                assert_eq!(response.status(), 201);
            }
        }
    };

    // The hourly retention sweep, past SIGNAL_RETENTION_DAYS.
    let first = answered_call(&app, &alice, (&bob_user, &bob)).await;
    end(&app, &first, &alice).await;
    reported(first).await;
    assert_eq!(app.count("call_reports").await, 2);
    clock.advance_secs(31 * 86_400);
    app.calls.purge_signals(30).await.expect("purge");
    assert_eq!(app.count("call_reports").await, 0);

    // `calls purge`: the finished call goes with its reports.
    let second = answered_call(&app, &alice, (&bob_user, &bob)).await;
    end(&app, &second, &alice).await;
    reported(second).await;
    clock.advance_secs(2 * 86_400);
    let purged = app
        .calls
        .purge_finished(Duration::from_secs(86_400))
        .await
        .expect("purge");
    assert_eq!(purged, 2);
    assert_eq!(app.count("call_reports").await, 0);

    // `user delete`: the user's calls go with their reports, others' stay.
    let third = answered_call(&app, &alice, (&bob_user, &bob)).await;
    end(&app, &third, &alice).await;
    reported(third).await;
    let kept = answered_call(&app, &alice, (&carol_user, &carol)).await;
    assert_eq!(
        post_report(&app, &kept, &carol, &report(5)).await.status(),
        201
    );
    app.db.delete_user(bob_user.id).await.expect("delete");
    assert_eq!(app.count("call_reports").await, 1);
}

backend_tests! {
    report_once => each_party_reports_once_and_both_reports_come_back;
    report_bounds => a_report_is_bounded;
}

clock_tests! {
    report_window => only_an_answered_call_takes_reports_and_only_for_a_while;
    report_purge => reports_go_with_the_purge_the_retention_and_the_user;
}
