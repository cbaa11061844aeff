//! Calls over HTTP on both database backends: the state machine, permissions, listings, busy,
//! glare, ring timeouts, startup recovery, events and racing requests.

mod common;

use std::{sync::Arc, time::Duration};

use app::protocol::{
    Call, CallConflict, CallId, CallStatus, CallType, EndReason, MissedCount, User, UserEvent,
};
use common::{Backend, TestApp};
use serde_json::{json, Value};
use server::{
    clock::ManualClock, config::Config, db::calls::NewSignal, hub::Subscription, Application,
};

const ACTIONS: [&str; 5] = ["accept", "reject", "end", "cancel", "ringing"];

async fn call_json(response: reqwest::Response) -> Call {
    response.json().await.expect("call json")
}

/// Asserts a 409 carrying the call as it is now, and returns that call.
async fn assert_conflict(response: reqwest::Response, status: CallStatus) -> Call {
    assert_eq!(response.status(), 409);
    let body: CallConflict = response.json().await.expect("conflict json");
    assert!(!body.detail.is_empty());
    assert_eq!(body.call.status, status, "{}", body.detail);
    body.call
}

async fn assert_detail(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("json error body");
    body["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("no detail in {body}"))
        .to_owned()
}

async fn list(app: &TestApp, path: &str, access: &str) -> Vec<Call> {
    let response = app.get_auth(path, access).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("call list")
}

fn ids(calls: &[Call]) -> Vec<CallId> {
    calls.iter().map(|c| c.id).collect()
}

async fn live_calls(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM calls WHERE status IN ('initiated', 'ringing', 'accepted')",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("count live calls")
}

/// The next event of a subscription, or a panic after a second.
async fn next_event(subscription: &mut Subscription) -> UserEvent {
    let event = tokio::time::timeout(Duration::from_secs(1), subscription.recv())
        .await
        .expect("an event within a second")
        .expect("event");
    std::sync::Arc::unwrap_or_clone(event)
}

async fn reference_curl_flow_starts_a_video_call(app: TestApp) {
    for (username, email) in [("testuser", "test@example.com"), ("other", "o@example.com")] {
        let response = app
            .post_json(
                "/api/users/",
                &json!({"username": username, "email": email,
                        "password": "testpass123", "password_confirm": "testpass123"}),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let tokens: Value = app
        .post_json(
            "/api/token/",
            &json!({"username": "testuser", "password": "testpass123"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let access = tokens["access"].as_str().unwrap();
    let response = app
        .post_auth(
            "/api/calls/",
            access,
            &json!({"receiver": 2, "call_type": "video"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let call: Value = response.json().await.unwrap();
    let room_id = call["room_id"].as_str().unwrap();
    assert_eq!(room_id.len(), 32);
    assert!(room_id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(call["status"], "initiated");
    assert_eq!(call["call_type"], "video");
    assert_eq!(call["caller"]["username"], "testuser");
    assert_eq!(call["receiver"]["id"], 2);
    assert_eq!(call["receiver"]["username"], "other");
    assert!(call["caller"].get("email").is_none(), "{call}");
    assert!(call["initiated_at"].as_str().unwrap().ends_with('Z'));
    for field in [
        "ringing_at",
        "accepted_at",
        "ended_at",
        "duration",
        "end_reason",
    ] {
        assert!(call[field].is_null(), "{field} in {call}");
    }
    // The same call is readable by id, by both parties.
    let id = call["id"].as_i64().unwrap();
    let fetched: Value = app
        .get_auth(&format!("/api/calls/{id}/"), access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, call);
}

async fn start_validation_errors_are_drf_shaped(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    app.user("bob").await;
    let cases = [
        (
            json!({"receiver": alice.id, "call_type": "audio"}),
            "receiver",
            "You cannot call yourself.".to_owned(),
        ),
        (
            json!({"receiver": 9999, "call_type": "audio"}),
            "receiver",
            "Invalid pk \"9999\" - object does not exist.".to_owned(),
        ),
        (
            json!({"receiver": 2, "call_type": "fax"}),
            "call_type",
            "\"fax\" is not a valid choice.".to_owned(),
        ),
        (
            json!({"call_type": "audio"}),
            "receiver",
            "This field is required.".to_owned(),
        ),
        (
            json!({"receiver": 2}),
            "call_type",
            "This field is required.".to_owned(),
        ),
        (
            json!({"receiver": "bob", "call_type": "audio"}),
            "receiver",
            "A valid integer is required.".to_owned(),
        ),
    ];
    for (body, field, message) in cases {
        let response = app.post_auth("/api/calls/", &alice_token, &body).await;
        assert_eq!(response.status(), 400, "{body}");
        let errors: Value = response.json().await.unwrap();
        assert_eq!(errors[field], json!([message]), "{body} -> {errors}");
    }
    let response = app
        .post_json("/api/calls/", &json!({"receiver": 2, "call_type": "audio"}))
        .await;
    assert_eq!(response.status(), 401);
    assert_eq!(app.count("calls").await, 0, "no failed start wrote a row");
}

async fn third_users_get_404_and_wrong_parties_403(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let (_, carol_token) = app.user("carol").await;
    let call = app.start_call(&alice_token, &bob, CallType::Audio).await;

    // Carol is no party: every endpoint acts as if the call did not exist.
    assert_detail(
        app.get_auth(&format!("/api/calls/{}/", call.id), &carol_token)
            .await,
        404,
    )
    .await;
    for action in ACTIONS {
        let response = app.call_action(call.id, action, &carol_token).await;
        assert_eq!(assert_detail(response, 404).await, "Not found.", "{action}");
    }
    for path in [
        "/api/calls/",
        "/api/calls/history/",
        "/api/calls/active/",
        "/api/calls/missed/",
    ] {
        assert!(list(&app, path, &carol_token).await.is_empty(), "{path}");
    }

    // The parties, in the wrong role: 403 with a detail, and nothing changes.
    for (action, token) in [
        ("accept", &alice_token),
        ("reject", &alice_token),
        ("ringing", &alice_token),
        ("cancel", &bob_token),
    ] {
        let detail = assert_detail(app.call_action(call.id, action, token).await, 403).await;
        assert!(detail.starts_with("Only the"), "{action}: {detail}");
    }
    let unchanged = call_json(
        app.get_auth(&format!("/api/calls/{}/", call.id), &bob_token)
            .await,
    )
    .await;
    assert_eq!(unchanged.status, CallStatus::Initiated);
    assert_eq!(unchanged.caller.id, alice.id);

    // Ids that name no call: JSON 404s, never a plain-text 400.
    for id in ["9999", "abc", "-1", "0", "99999999999999999999999", "1.5"] {
        let response = app
            .get_auth(&format!("/api/calls/{id}/"), &alice_token)
            .await;
        assert_detail(response, 404).await;
        let response = app.call_action(id, "accept", &bob_token).await;
        assert_detail(response, 404).await;
    }
    // Wrong method on a real route.
    let response = app
        .get_auth(&format!("/api/calls/{}/accept/", call.id), &bob_token)
        .await;
    assert_detail(response, 405).await;
    // Without a token: 401 before anything else.
    let response = app.get(&format!("/api/calls/{}/", call.id)).await;
    assert_detail(response, 401).await;
}

async fn ring_accept_end_and_invalid_transitions(app: TestApp, clock: ManualClock) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let call = app.start_call(&alice_token, &bob, CallType::Video).await;

    let ringing = call_json(app.call_action(call.id, "ringing", &bob_token).await).await;
    assert_eq!(ringing.status, CallStatus::Ringing);
    assert!(ringing.ringing_at.is_some());
    // Every device of the receiver confirms: the second confirmation changes nothing.
    let response = app.call_action(call.id, "ringing", &bob_token).await;
    assert_eq!(response.status(), 200);
    let again = call_json(response).await;
    assert_eq!(again.status, CallStatus::Ringing);
    assert_eq!(again.ringing_at, ringing.ringing_at);

    clock.advance_secs(3);
    let response = app.call_action(call.id, "accept", &bob_token).await;
    assert_eq!(response.status(), 200);
    let accepted = call_json(response).await;
    assert_eq!(accepted.status, CallStatus::Accepted);
    let accepted_at = accepted.accepted_at.expect("accepted_at");
    assert_eq!(accepted_at.millis() - accepted.initiated_at.millis(), 3000);
    for (action, token) in [
        ("accept", &bob_token),
        ("reject", &bob_token),
        ("cancel", &alice_token),
        ("ringing", &bob_token),
    ] {
        let current = assert_conflict(
            app.call_action(call.id, action, token).await,
            CallStatus::Accepted,
        )
        .await;
        assert_eq!(current.id, call.id, "{action}");
    }
    let active = list(&app, "/api/calls/active/", &alice_token).await;
    assert_eq!(ids(&active), [call.id]);

    clock.advance_secs(75);
    let ended = call_json(app.call_action(call.id, "end", &alice_token).await).await;
    assert_eq!(ended.status, CallStatus::Ended);
    assert_eq!(ended.duration, Some(75));
    assert_eq!(ended.end_reason, Some(EndReason::HangupCaller));
    assert_eq!(
        ended.ended_at.expect("ended_at").millis() - accepted_at.millis(),
        75_000
    );
    for (action, token) in [("end", &bob_token), ("end", &alice_token)] {
        assert_conflict(
            app.call_action(call.id, action, token).await,
            CallStatus::Ended,
        )
        .await;
    }

    // The receiver hanging up is recorded as such.
    let call = app.start_call(&bob_token, &alice, CallType::Audio).await;
    call_json(app.call_action(call.id, "accept", &alice_token).await).await;
    clock.advance_secs(1);
    let ended = call_json(app.call_action(call.id, "end", &alice_token).await).await;
    assert_eq!(ended.end_reason, Some(EndReason::HangupReceiver));
    assert_eq!(ended.duration, Some(1));
    assert!(list(&app, "/api/calls/active/", &bob_token)
        .await
        .is_empty());
}

async fn reject_cancel_and_end_before_answer(app: TestApp) {
    let (_, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;

    let call = app.start_call(&alice_token, &bob, CallType::Audio).await;
    let rejected = call_json(app.call_action(call.id, "reject", &bob_token).await).await;
    assert_eq!(rejected.status, CallStatus::Rejected);
    assert_eq!(rejected.end_reason, Some(EndReason::Rejected));
    assert!(rejected.ended_at.is_some() && rejected.duration.is_none());
    assert_conflict(
        app.call_action(call.id, "accept", &bob_token).await,
        CallStatus::Rejected,
    )
    .await;
    assert_conflict(
        app.call_action(call.id, "cancel", &alice_token).await,
        CallStatus::Rejected,
    )
    .await;

    let call = app.start_call(&alice_token, &bob, CallType::Audio).await;
    call_json(app.call_action(call.id, "ringing", &bob_token).await).await;
    let cancelled = call_json(app.call_action(call.id, "cancel", &alice_token).await).await;
    assert_eq!(cancelled.status, CallStatus::Cancelled);
    assert_eq!(cancelled.end_reason, Some(EndReason::Cancelled));
    assert_conflict(
        app.call_action(call.id, "accept", &bob_token).await,
        CallStatus::Cancelled,
    )
    .await;

    // `end` before an answer: the caller cancels, the receiver rejects.
    let call = app.start_call(&alice_token, &bob, CallType::Video).await;
    let ended = call_json(app.call_action(call.id, "end", &alice_token).await).await;
    assert_eq!(ended.status, CallStatus::Cancelled);
    assert_eq!(ended.end_reason, Some(EndReason::Cancelled));
    assert_eq!(ended.duration, None);
    let call = app.start_call(&alice_token, &bob, CallType::Video).await;
    let ended = call_json(app.call_action(call.id, "end", &bob_token).await).await;
    assert_eq!(ended.status, CallStatus::Rejected);
    assert_eq!(ended.end_reason, Some(EndReason::Rejected));
    assert_eq!(ended.duration, None);
}

async fn listings_filter_order_and_page(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let (carol, carol_token) = app.user("carol").await;

    // alice -> bob rejected, bob -> alice cancelled, carol -> bob ended, alice -> carol live.
    let rejected = app.start_call(&alice_token, &bob, CallType::Audio).await;
    app.call_action(rejected.id, "reject", &bob_token).await;
    let cancelled = app.start_call(&bob_token, &alice, CallType::Audio).await;
    app.call_action(cancelled.id, "cancel", &bob_token).await;
    let ended = app.start_call(&carol_token, &bob, CallType::Video).await;
    app.call_action(ended.id, "accept", &bob_token).await;
    app.call_action(ended.id, "end", &carol_token).await;
    let live = app.start_call(&alice_token, &carol, CallType::Video).await;

    let all = list(&app, "/api/calls/", &alice_token).await;
    assert_eq!(
        ids(&all),
        [live.id, cancelled.id, rejected.id],
        "newest first"
    );
    let history = list(&app, "/api/calls/history/", &alice_token).await;
    assert_eq!(ids(&history), [cancelled.id, rejected.id]);
    let active = list(&app, "/api/calls/active/", &alice_token).await;
    assert_eq!(ids(&active), [live.id]);
    let bobs = list(&app, "/api/calls/history/", &bob_token).await;
    assert_eq!(ids(&bobs), [ended.id, cancelled.id, rejected.id]);
    assert!(list(&app, "/api/calls/active/", &bob_token)
        .await
        .is_empty());

    // Keyset paging: limit, then before the last id seen.
    let page = list(&app, "/api/calls/?limit=2", &alice_token).await;
    assert_eq!(ids(&page), [live.id, cancelled.id]);
    let page = list(
        &app,
        &format!("/api/calls/?limit=2&before={}", cancelled.id),
        &alice_token,
    )
    .await;
    assert_eq!(ids(&page), [rejected.id]);
    let page = list(
        &app,
        &format!("/api/calls/history/?before={}", rejected.id),
        &alice_token,
    )
    .await;
    assert!(page.is_empty());
    // Out-of-range limits are clamped; malformed ones are a 400.
    assert_eq!(
        list(&app, "/api/calls/?limit=0", &alice_token).await.len(),
        1
    );
    assert_eq!(
        list(&app, "/api/calls/?limit=100000", &alice_token)
            .await
            .len(),
        3
    );
    let response = app.get_auth("/api/calls/?limit=lots", &alice_token).await;
    assert_detail(response, 400).await;
}

async fn default_page_is_fifty(app: TestApp) {
    let (_, alice_token) = app.user("alice").await;
    let (bob, _) = app.user("bob").await;
    for _ in 0..52 {
        let call = app.start_call(&alice_token, &bob, CallType::Audio).await;
        app.call_action(call.id, "cancel", &alice_token).await;
    }
    assert_eq!(list(&app, "/api/calls/", &alice_token).await.len(), 50);
    assert_eq!(
        list(&app, "/api/calls/history/?limit=51", &alice_token)
            .await
            .len(),
        51
    );
}

async fn ring_timeout_misses_calls_and_counts_them(app: TestApp, clock: ManualClock) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let mut alice_events = app.hub.subscribe(alice.id);

    let first = app.start_call(&alice_token, &bob, CallType::Audio).await;
    app.call_action(first.id, "ringing", &bob_token).await;
    next_event(&mut alice_events).await; // started
    next_event(&mut alice_events).await; // ringing

    clock.advance_secs(45);
    app.calls.sweep_once().await.expect("sweep");
    let still = call_json(
        app.get_auth(&format!("/api/calls/{}/", first.id), &bob_token)
            .await,
    )
    .await;
    assert_eq!(
        still.status,
        CallStatus::Ringing,
        "45 s is not yet too long"
    );

    clock.advance_secs(1);
    app.calls.sweep_once().await.expect("sweep");
    let missed = call_json(
        app.get_auth(&format!("/api/calls/{}/", first.id), &bob_token)
            .await,
    )
    .await;
    assert_eq!(missed.status, CallStatus::Missed);
    assert_eq!(missed.end_reason, Some(EndReason::Timeout));
    assert!(missed.ended_at.is_some() && missed.duration.is_none());
    match next_event(&mut alice_events).await {
        UserEvent::CallStatus { call } => assert_eq!(call.status, CallStatus::Missed),
        other => panic!("unexpected {other:?}"),
    }
    assert_conflict(
        app.call_action(first.id, "accept", &bob_token).await,
        CallStatus::Missed,
    )
    .await;
    // A second sweep changes nothing.
    assert_eq!(app.calls.sweep_once().await.expect("sweep"), 0);

    // The badge: missed calls the receiver has not seen, never the caller's.
    let count = |token: String| {
        let app = &app;
        async move {
            let response = app.get_auth("/api/calls/missed/count/", &token).await;
            assert_eq!(response.status(), 200);
            response.json::<MissedCount>().await.unwrap().count
        }
    };
    assert_eq!(count(bob_token.clone()).await, 1);
    assert_eq!(count(alice_token.clone()).await, 0);
    assert_eq!(
        ids(&list(&app, "/api/calls/missed/", &bob_token).await),
        [first.id]
    );
    assert!(list(&app, "/api/calls/missed/", &alice_token)
        .await
        .is_empty());

    let response = app
        .post_auth("/api/calls/missed/seen/", &bob_token, &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<MissedCount>().await.unwrap().count, 0);
    assert_eq!(count(bob_token.clone()).await, 0);
    // Seen calls stay in the missed list; a new one counts again.
    let second = app.start_call(&alice_token, &bob, CallType::Video).await;
    clock.advance_secs(60);
    app.calls.sweep_once().await.expect("sweep");
    assert_eq!(count(bob_token.clone()).await, 1);
    assert_eq!(
        ids(&list(&app, "/api/calls/missed/", &bob_token).await),
        [second.id, first.id]
    );
    // An answered call never times out.
    let third = app.start_call(&alice_token, &bob, CallType::Video).await;
    app.call_action(third.id, "accept", &bob_token).await;
    clock.advance_secs(600);
    assert_eq!(app.calls.sweep_once().await.expect("sweep"), 0);
    let third = call_json(app.call_action(third.id, "end", &bob_token).await).await;
    assert_eq!(third.duration, Some(600));
}

async fn busy_is_409_and_kept_as_missed(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let (carol, carol_token) = app.user("carol").await;
    let ongoing = app.start_call(&alice_token, &bob, CallType::Audio).await;
    app.call_action(ongoing.id, "accept", &bob_token).await;

    // Carol calls Bob, who is in a call.
    let response = app
        .post_auth(
            "/api/calls/",
            &carol_token,
            &json!({"receiver": bob.id, "call_type": "video"}),
        )
        .await;
    let busy = assert_conflict(response, CallStatus::Missed).await;
    assert_eq!(busy.end_reason, Some(EndReason::Busy));
    assert_eq!(busy.caller.id, carol.id);
    assert_eq!(busy.receiver.id, bob.id);
    let body: Value = app
        .post_auth(
            "/api/calls/",
            &carol_token,
            &json!({"receiver": bob.id, "call_type": "audio"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["detail"], "busy");
    assert_eq!(
        ids(&list(&app, "/api/calls/missed/", &bob_token).await)[0],
        body["call"]["id"].as_i64().map(CallId).unwrap()
    );
    assert!(ids(&list(&app, "/api/calls/history/", &carol_token).await).contains(&busy.id));

    // Alice, in a call, cannot start another one either; and calling her is busy too.
    let response = app
        .post_auth(
            "/api/calls/",
            &alice_token,
            &json!({"receiver": carol.id, "call_type": "audio"}),
        )
        .await;
    assert_conflict(response, CallStatus::Missed).await;
    let response = app
        .post_auth(
            "/api/calls/",
            &carol_token,
            &json!({"receiver": alice.id, "call_type": "audio"}),
        )
        .await;
    assert_conflict(response, CallStatus::Missed).await;
    assert_eq!(live_calls(&app).await, 1, "only the ongoing call is live");
    let ongoing = call_json(
        app.get_auth(&format!("/api/calls/{}/", ongoing.id), &alice_token)
            .await,
    )
    .await;
    assert_eq!(ongoing.status, CallStatus::Accepted);

    // Once it ends, Bob is reachable again.
    app.call_action(ongoing.id, "end", &alice_token).await;
    app.start_call(&carol_token, &bob, CallType::Audio).await;
}

async fn glare_returns_the_call_already_ringing(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let mut alice_events = app.hub.subscribe(alice.id);
    let mut bob_events = app.hub.subscribe(bob.id);
    let call = app.start_call(&alice_token, &bob, CallType::Video).await;
    next_event(&mut alice_events).await;
    next_event(&mut bob_events).await;

    let response = app
        .post_auth(
            "/api/calls/",
            &bob_token,
            &json!({"receiver": alice.id, "call_type": "video"}),
        )
        .await;
    assert_eq!(response.status(), 200, "existing call, nothing created");
    let same = call_json(response).await;
    assert_eq!(same.id, call.id);
    assert_eq!(same.caller.id, alice.id);
    assert_eq!(app.count("calls").await, 1);
    for events in [&mut alice_events, &mut bob_events] {
        assert_eq!(next_event(events).await.call().map(|c| c.id), Some(call.id));
    }
    // Bob answers the call that was already ringing for him.
    let accepted = call_json(app.call_action(call.id, "accept", &bob_token).await).await;
    assert_eq!(accepted.status, CallStatus::Accepted);
}

async fn events_reach_both_parties(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let mut alice_events = app.hub.subscribe(alice.id);
    let mut bob_phone = app.hub.subscribe(bob.id);
    let mut bob_laptop = app.hub.subscribe(bob.id);

    let call = app.start_call(&alice_token, &bob, CallType::Audio).await;
    for device in [&mut bob_phone, &mut bob_laptop] {
        match next_event(device).await {
            UserEvent::CallIncoming { call: incoming } => assert_eq!(incoming, call),
            other => panic!("expected call-incoming, got {other:?}"),
        }
    }
    match next_event(&mut alice_events).await {
        UserEvent::CallStatus { call: status } => assert_eq!(status.id, call.id),
        other => panic!("expected call-status, got {other:?}"),
    }

    app.call_action(call.id, "accept", &bob_token).await;
    for events in [&mut alice_events, &mut bob_phone, &mut bob_laptop] {
        let event = next_event(events).await;
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "call-status");
        assert_eq!(json["call"]["status"], "accepted");
    }
    app.call_action(call.id, "end", &bob_token).await;
    let ended = next_event(&mut alice_events).await;
    assert_eq!(
        ended.call().and_then(|c| c.end_reason),
        Some(EndReason::HangupReceiver)
    );
}

async fn startup_closes_calls_left_ringing_and_gives_calls_in_progress_the_grace(app: TestApp) {
    let (_, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let (_, carol_token) = app.user("carol").await;
    let (dave, dave_token) = app.user("dave").await;
    let finished = app.start_call(&alice_token, &bob, CallType::Audio).await;
    app.call_action(finished.id, "cancel", &alice_token).await;
    let accepted = app.start_call(&alice_token, &bob, CallType::Audio).await;
    app.call_action(accepted.id, "accept", &bob_token).await;
    let ringing = app.start_call(&carol_token, &dave, CallType::Video).await;
    app.call_action(ringing.id, "ringing", &dave_token).await;
    assert_eq!(live_calls(&app).await, 2);
    let response = app
        .post_auth("/api/users/set_online/", &alice_token, &json!({}))
        .await;
    assert_eq!(response.status(), 200);

    // A new process on the same database, as after a crash, whose parties have a second to
    // rejoin.
    let mut config: Config = app.config.clone();
    config.bind_addr = Some("127.0.0.1:0".parse().unwrap());
    config.ws_grace_secs = 1;
    let restarted = Application::with_db(config, app.db.clone())
        .await
        .expect("build second app");
    drop(restarted);
    assert_eq!(
        live_calls(&app).await,
        1,
        "the call in progress waits for its parties"
    );

    let get = |id: CallId, token: String| {
        let app = &app;
        async move { call_json(app.get_auth(&format!("/api/calls/{id}/"), &token).await).await }
    };
    assert_eq!(
        get(accepted.id, alice_token.clone()).await.status,
        CallStatus::Accepted
    );
    // No one rejoined within the grace.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while live_calls(&app).await > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let accepted = get(accepted.id, alice_token.clone()).await;
    assert_eq!(accepted.status, CallStatus::Ended);
    assert_eq!(accepted.end_reason, Some(EndReason::ConnectionLost));
    assert!(accepted.duration.is_some());
    let ringing = get(ringing.id, carol_token.clone()).await;
    assert_eq!(ringing.status, CallStatus::Missed);
    assert_eq!(ringing.end_reason, Some(EndReason::ServerRestart));
    let finished = get(finished.id, alice_token.clone()).await;
    assert_eq!(finished.status, CallStatus::Cancelled);
    assert_eq!(finished.end_reason, Some(EndReason::Cancelled));
    // The sockets that kept anyone online died with the last process.
    let me: Value = app
        .get_auth("/api/users/me/", &alice_token)
        .await
        .json()
        .await
        .expect("me");
    assert_eq!(me["is_online"], false);
}

async fn signals_are_logged_off_the_request_path(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, _) = app.user("bob").await;
    let call = app.start_call(&alice_token, &bob, CallType::Video).await;
    for (kind, data) in [
        ("offer", r#"{"sdp":"v=0"}"#),
        ("answer", r#"{"sdp":"v=0"}"#),
        ("ice-candidate", r#"{"candidate":"c"}"#),
    ] {
        assert!(app.calls.signals().record(NewSignal {
            call_id: call.id,
            signal_type: kind.into(),
            signal_data: data.into(),
            sender_id: alice.id,
            created_at: 1,
        }));
    }
    // One bad row (no such call) must not lose the others.
    app.calls.signals().record(NewSignal {
        call_id: CallId(9999),
        signal_type: "offer".into(),
        signal_data: "{}".into(),
        sender_id: alice.id,
        created_at: 1,
    });
    for _ in 0..100 {
        if app.count("call_signals").await == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.count("call_signals").await, 3);
    assert_eq!(app.calls.signals().dropped(), 0);
}

/// Runs `attempts` at once; returns their statuses in order.
async fn race(app: &Arc<TestApp>, attempts: Vec<(String, String, Value)>) -> Vec<(u16, Value)> {
    let tasks: Vec<_> = attempts
        .into_iter()
        .map(|(path, token, body)| {
            let app = app.clone();
            tokio::spawn(async move {
                let response = app.post_auth(&path, &token, &body).await;
                let status = response.status().as_u16();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("request task"));
    }
    for (status, body) in &results {
        assert!(*status < 500, "server error {status}: {body}");
    }
    results
}

fn action(id: CallId, name: &str, token: &str) -> (String, String, Value) {
    (
        format!("/api/calls/{id}/{name}/"),
        token.to_owned(),
        json!({}),
    )
}

fn one_winner(results: &[(u16, Value)], winner: u16) {
    let statuses: Vec<u16> = results.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == winner).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == winner || *s == 409),
        "{statuses:?}"
    );
}

const RACE_ROUNDS: usize = 20;

async fn racing_actions_have_exactly_one_winner(app: TestApp) {
    let (_, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    // Two sessions of Bob: two devices answering at once.
    let bob_laptop = app.login("bob").await.access;
    let app = Arc::new(app);
    for _ in 0..RACE_ROUNDS {
        // accept vs cancel
        let call = app.start_call(&alice_token, &bob, CallType::Audio).await;
        let results = race(
            &app,
            vec![
                action(call.id, "accept", &bob_token),
                action(call.id, "cancel", &alice_token),
            ],
        )
        .await;
        one_winner(&results, 200);
        let winner = &results.iter().find(|(s, _)| *s == 200).unwrap().1;
        let loser = &results.iter().find(|(s, _)| *s == 409).unwrap().1;
        assert_eq!(loser["call"]["status"], winner["status"]);
        if winner["status"] == "accepted" {
            app.call_action(call.id, "end", &alice_token).await;
        }

        // accept on two devices
        let call = app.start_call(&alice_token, &bob, CallType::Audio).await;
        let results = race(
            &app,
            vec![
                action(call.id, "accept", &bob_token),
                action(call.id, "accept", &bob_laptop),
            ],
        )
        .await;
        one_winner(&results, 200);

        // end vs end: one hangup is recorded
        let results = race(
            &app,
            vec![
                action(call.id, "end", &bob_token),
                action(call.id, "end", &alice_token),
            ],
        )
        .await;
        one_winner(&results, 200);
        let ended = &results.iter().find(|(s, _)| *s == 200).unwrap().1;
        assert_eq!(ended["status"], "ended");
        assert!(ended["duration"].is_i64());
        assert_eq!(live_calls(&app).await, 0);
    }
}

async fn concurrent_starts_create_one_live_call(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let (_, carol_token) = app.user("carol").await;
    let app = Arc::new(app);
    let start = |token: &str, receiver: &User| {
        (
            "/api/calls/".to_owned(),
            token.to_owned(),
            json!({"receiver": receiver.id, "call_type": "audio"}),
        )
    };
    for _ in 0..RACE_ROUNDS {
        let results = race(
            &app,
            vec![
                start(&alice_token, &bob),
                start(&alice_token, &bob),
                start(&bob_token, &alice),
                start(&carol_token, &bob),
            ],
        )
        .await;
        let created: Vec<&Value> = results
            .iter()
            .filter(|(s, _)| *s == 201)
            .map(|(_, b)| b)
            .collect();
        assert_eq!(created.len(), 1, "{results:?}");
        let live_id = created[0]["id"].clone();
        for (status, body) in &results {
            match status {
                201 => {}
                // Glare: the call created by the winner.
                200 => assert_eq!(body["id"], live_id, "{body}"),
                409 => {
                    assert_eq!(body["detail"], "busy", "{body}");
                    assert_eq!(body["call"]["status"], "missed");
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(live_calls(&app).await, 1);
        let caller_token = if created[0]["caller"]["id"] == json!(alice.id) {
            &alice_token
        } else if created[0]["caller"]["id"] == json!(bob.id) {
            &bob_token
        } else {
            &carol_token
        };
        let id = created[0]["id"].as_i64().map(CallId).unwrap();
        let response = app.call_action(id, "cancel", caller_token).await;
        assert_eq!(response.status(), 200);
    }
}

/// More simultaneous starts than the MariaDB pool has connections, each between other users:
/// every one is created. (Start locks holding every pooled connection left the starts waiting
/// for one for their queries until the acquire timeout: 500s.)
async fn many_simultaneous_starts_of_different_pairs_all_succeed(app: TestApp) {
    const PAIRS: usize = 40;
    let mut attempts = Vec::with_capacity(PAIRS);
    for pair in 0..PAIRS {
        let (_, caller_token) = app.user(&format!("caller{pair}")).await;
        // Registered only: signing 80 users in would trip the per-address login throttle.
        let receiver = app.register(&format!("receiver{pair}")).await;
        attempts.push((
            "/api/calls/".to_owned(),
            caller_token,
            json!({"receiver": receiver.id, "call_type": "audio"}),
        ));
    }
    let results = race(&Arc::new(app), attempts).await;
    let statuses: Vec<u16> = results.iter().map(|(status, _)| *status).collect();
    assert_eq!(statuses, vec![201; PAIRS]);
}

backend_tests! {
    reference_curl_flow => reference_curl_flow_starts_a_video_call;
    many_starts => many_simultaneous_starts_of_different_pairs_all_succeed;
    start_validation => start_validation_errors_are_drf_shaped;
    permissions => third_users_get_404_and_wrong_parties_403;
    reject_cancel_end_before_answer => reject_cancel_and_end_before_answer;
    listings => listings_filter_order_and_page;
    default_page => default_page_is_fifty;
    busy => busy_is_409_and_kept_as_missed;
    glare => glare_returns_the_call_already_ringing;
    events => events_reach_both_parties;
    startup_recovery => startup_closes_calls_left_ringing_and_gives_calls_in_progress_the_grace;
    signal_log => signals_are_logged_off_the_request_path;
    racing_actions => racing_actions_have_exactly_one_winner;
    concurrent_starts => concurrent_starts_create_one_live_call;
}

/// Like `backend_tests!` for bodies that move time: `|app: TestApp, clock: ManualClock|`.
macro_rules! clock_tests {
    ($($name:ident => $body:expr;)+) => {
        mod sqlite_clock {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let clock = ManualClock::new();
                let app = TestApp::spawn_with_clock(Backend::Sqlite, clock.clone()).await;
                ($body)(app, clock).await;
            })+
        }
        mod mariadb_clock {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let clock = ManualClock::new();
                let app = TestApp::spawn_with_clock(Backend::MariaDb, clock.clone()).await;
                ($body)(app, clock).await;
            })+
        }
    };
}

clock_tests! {
    lifecycle => ring_accept_end_and_invalid_transitions;
    ring_timeout => ring_timeout_misses_calls_and_counts_them;
}
