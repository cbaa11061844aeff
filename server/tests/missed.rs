//! When nobody answers (issue 23): messages left on missed calls (bounds, who may leave, fetch
//! and mark them, the event, the purge) and "tell me when they are free" (firing, the limit,
//! expiry, presence privacy). Each test on SQLite and MariaDB.

mod common;

use std::time::Duration;

use app::protocol::{
    AvailabilityRequest, Call, CallMessage, CallType, User, MAX_MESSAGE_BYTES, MAX_MESSAGE_MS,
};
use common::{
    socket::{recv_type, user_socket, Socket},
    TestApp,
};
use futures_util::StreamExt;
use serde_json::{json, Value};
use server::{clock::ManualClock, people::availability::MAX_OPEN_AVAILABILITY};

/// A WebM file as far as the server looks: the EBML magic, then `len - 4` bytes.
fn webm(len: usize) -> Vec<u8> {
    let mut content = vec![0x1A, 0x45, 0xDF, 0xA3];
    content.resize(len, 0x42);
    content
}

async fn put_message(
    app: &TestApp,
    call: &Call,
    token: &str,
    content_type: &str,
    duration_ms: i64,
    content: Vec<u8>,
) -> reqwest::Response {
    app.client
        .put(app.url(&format!(
            "/api/calls/{}/message/?duration_ms={duration_ms}",
            call.id
        )))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(content)
        .send()
        .await
        .expect("request")
}

/// `caller` calls `receiver`, who declines: a call that went unanswered.
async fn declined_call(app: &TestApp, caller: &str, receiver: (&User, &str)) -> Call {
    let call = app.start_call(caller, receiver.0, CallType::Audio).await;
    let response = app.call_action(call.id, "reject", receiver.1).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("call")
}

async fn messages(app: &TestApp, token: &str) -> Vec<CallMessage> {
    let response = app.get_auth("/api/calls/messages/", token).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("messages")
}

/// Nothing arrives on `socket` within a second (pings aside).
async fn quiet(socket: &mut Socket) {
    let next = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            match socket.next().await {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) => return text,
                Some(Ok(_)) => {}
                other => panic!("socket ended: {other:?}"),
            }
        }
    })
    .await;
    assert!(next.is_err(), "unexpected message: {next:?}");
}

async fn a_message_is_left_once_and_only_the_parties_may_fetch_it(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let (_, carol) = app.user("carol").await;
    let mut bob_socket = user_socket(&app, &bob).await;
    let call = declined_call(&app, &alice, (&bob_user, &bob)).await;

    let content = webm(20_000);
    let response = put_message(
        &app,
        &call,
        &alice,
        "audio/webm;codecs=opus",
        3_000,
        content.clone(),
    )
    .await;
    assert_eq!(response.status(), 201);
    let left: CallMessage = response.json().await.expect("message");
    assert_eq!(left.content_type, "audio/webm");
    assert_eq!(left.duration_ms, 3_000);
    assert_eq!(left.heard_at, None);

    // The receiver's tab hears of it at once.
    let event = recv_type(&mut bob_socket, "call-message").await;
    assert_eq!(event["message"]["call_id"], call.id.0);
    assert_eq!(event["message"]["duration_ms"], 3_000);

    // Once per call.
    let again = put_message(&app, &call, &alice, "audio/webm", 1_000, webm(100)).await;
    assert_eq!(again.status(), 409);

    // Both parties fetch it, as its strict type and never sniffed; no one else does.
    for token in [&alice, &bob] {
        let response = app
            .get_auth(&format!("/api/calls/{}/message/", call.id), token)
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "audio/webm");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.bytes().await.expect("body").as_ref(), &content[..]);
    }
    let response = app
        .get_auth(&format!("/api/calls/{}/message/", call.id), &carol)
        .await;
    assert_eq!(response.status(), 404);
    let response = app.get(&format!("/api/calls/{}/message/", call.id)).await;
    assert_eq!(response.status(), 401);

    // The receiver's list shows it until heard, and only the receiver marks it.
    let listed = messages(&app, &bob).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].call_id, call.id);
    assert!(messages(&app, &alice).await.is_empty());
    assert!(messages(&app, &carol).await.is_empty());
    let heard = format!("/api/calls/{}/message/heard/", call.id);
    assert_eq!(
        app.post_auth(&heard, &alice, &json!({})).await.status(),
        403
    );
    assert_eq!(
        app.post_auth(&heard, &carol, &json!({})).await.status(),
        404
    );
    let response = app.post_auth(&heard, &bob, &json!({})).await;
    assert_eq!(response.status(), 200);
    let marked: CallMessage = response.json().await.expect("message");
    assert!(marked.heard_at.is_some());
    assert!(messages(&app, &bob).await[0].heard_at.is_some());
}

async fn a_message_is_bounded_in_size_duration_and_type(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let call = declined_call(&app, &alice, (&bob_user, &bob)).await;
    let status = |response: reqwest::Response| response.status().as_u16();

    for duration in [0, -5, MAX_MESSAGE_MS + 1] {
        let response = put_message(&app, &call, &alice, "audio/webm", duration, webm(100)).await;
        assert_eq!(status(response), 400, "duration {duration}");
    }
    // 300 KB cannot be one second of a recording made at our bit rate.
    let response = put_message(&app, &call, &alice, "audio/webm", 1_000, webm(300_000)).await;
    assert_eq!(status(response), 413);
    let response = put_message(
        &app,
        &call,
        &alice,
        "video/webm",
        MAX_MESSAGE_MS,
        webm(MAX_MESSAGE_BYTES + 1),
    )
    .await;
    assert_eq!(status(response), 413);
    for content_type in ["audio/ogg", "text/html", "video/mp4", ""] {
        let response = put_message(&app, &call, &alice, content_type, 1_000, webm(100)).await;
        assert_eq!(status(response), 415, "{content_type:?}");
    }
    // The bytes must agree with the type.
    let response = put_message(
        &app,
        &call,
        &alice,
        "audio/webm",
        1_000,
        b"<html><script>alert(1)</script></html>".to_vec(),
    )
    .await;
    assert_eq!(status(response), 400);
    assert_eq!(app.count("call_messages").await, 0);

    // At the bounds, it is taken.
    let response = put_message(
        &app,
        &call,
        &alice,
        "video/webm;codecs=vp8,opus",
        MAX_MESSAGE_MS,
        webm(MAX_MESSAGE_BYTES),
    )
    .await;
    assert_eq!(status(response), 201);
}

async fn only_the_caller_of_an_unanswered_call_may_leave_one(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let (_, carol) = app.user("carol").await;
    let leave = |call: Call, token: String| {
        let app = &app;
        async move {
            put_message(app, &call, &token, "audio/webm", 1_000, webm(100))
                .await
                .status()
                .as_u16()
        }
    };

    // Still ringing: nothing went unanswered yet.
    let ringing = app.start_call(&alice, &bob_user, CallType::Audio).await;
    assert_eq!(leave(ringing.clone(), alice.clone()).await, 409);
    // Cancelled by the caller: they hung up themselves.
    app.call_action(ringing.id, "cancel", &alice).await;
    assert_eq!(leave(ringing.clone(), alice.clone()).await, 409);
    // Answered and ended.
    let answered = app.start_call(&alice, &bob_user, CallType::Audio).await;
    app.call_action(answered.id, "accept", &bob).await;
    app.call_action(answered.id, "end", &bob).await;
    assert_eq!(leave(answered, alice.clone()).await, 409);

    let declined = declined_call(&app, &alice, (&bob_user, &bob)).await;
    // The receiver cannot leave one on their own missed call, nor can a stranger.
    assert_eq!(leave(declined.clone(), bob.clone()).await, 403);
    assert_eq!(leave(declined.clone(), carol.clone()).await, 404);

    // Busy: bob is in a call with dave, and alice's attempt is a missed call to leave one on.
    let (_, dave) = app.user("dave").await;
    let live = app.start_call(&dave, &bob_user, CallType::Audio).await;
    app.call_action(live.id, "accept", &bob).await;
    let response = app
        .post_auth(
            "/api/calls/",
            &alice,
            &json!({"receiver": bob_user.id, "call_type": "audio"}),
        )
        .await;
    assert_eq!(response.status(), 409);
    let busy: Value = response.json().await.expect("busy");
    let busy: Call = serde_json::from_value(busy["call"].clone()).expect("call");
    assert_eq!(leave(busy, alice.clone()).await, 201);
    assert_eq!(leave(declined, alice.clone()).await, 201);
    assert_eq!(app.count("call_messages").await, 2);
}

async fn a_blocked_caller_is_answered_alike_and_nothing_is_kept(app: TestApp) {
    let (alice_user, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let call = declined_call(&app, &alice, (&bob_user, &bob)).await;
    let response = app
        .post_auth("/api/blocks/", &bob, &json!({"user_id": alice_user.id}))
        .await;
    assert_eq!(response.status(), 201);
    let mut bob_socket = user_socket(&app, &bob).await;

    let response = put_message(&app, &call, &alice, "audio/webm", 1_000, webm(100)).await;
    assert_eq!(response.status(), 201, "the same answer as for anyone");
    assert_eq!(app.count("call_messages").await, 0);
    assert!(messages(&app, &bob).await.is_empty());
    quiet(&mut bob_socket).await;
}

async fn messages_go_with_the_purge_and_the_retention(app: TestApp, clock: ManualClock) {
    let (_, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let first = declined_call(&app, &alice, (&bob_user, &bob)).await;
    let response = put_message(&app, &first, &alice, "audio/webm", 1_000, webm(100)).await;
    assert_eq!(response.status(), 201);

    // The hourly retention sweep, past SIGNAL_RETENTION_DAYS.
    clock.advance_secs(31 * 86_400);
    app.calls.purge_signals(30).await.expect("purge");
    assert_eq!(app.count("call_messages").await, 0);

    // `calls purge`: the finished call goes with its message.
    let second = declined_call(&app, &alice, (&bob_user, &bob)).await;
    let response = put_message(&app, &second, &alice, "audio/webm", 1_000, webm(100)).await;
    assert_eq!(response.status(), 201);
    clock.advance_secs(2 * 86_400);
    let purged = app
        .calls
        .purge_finished(Duration::from_secs(86_400))
        .await
        .expect("purge");
    assert_eq!(purged, 2);
    assert_eq!(app.count("call_messages").await, 0);
}

/// `POST /api/availability/` about `user`.
async fn watch(app: &TestApp, token: &str, user: &User) -> reqwest::Response {
    app.post_auth("/api/availability/", token, &json!({"user_id": user.id}))
        .await
}

async fn watching(app: &TestApp, token: &str) -> Vec<AvailabilityRequest> {
    let response = app.get_auth("/api/availability/", token).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("requests")
}

async fn set_privacy(app: &TestApp, token: &str, body: Value) {
    let response = app.patch_auth("/api/users/me/privacy/", token, &body).await;
    assert_eq!(response.status(), 200);
}

async fn told_when_their_call_ends_and_do_not_disturb_ends(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let (carol_user, carol) = app.user("carol").await;
    let mut alice_socket = user_socket(&app, &alice).await;
    let _bob_socket = user_socket(&app, &bob).await;
    let _carol_socket = user_socket(&app, &carol).await;

    // Bob is in a call with carol: alice asks to be told.
    let live = app.start_call(&carol, &bob_user, CallType::Audio).await;
    app.call_action(live.id, "accept", &bob).await;
    let response = watch(&app, &alice, &bob_user).await;
    assert_eq!(response.status(), 201);
    let request: AvailabilityRequest = response.json().await.expect("request");
    assert_eq!(request.user_id, bob_user.id);
    assert_eq!(
        request.expires_at.millis() - request.created_at.millis(),
        24 * 3600 * 1000
    );
    assert_eq!(app.people.sweep_availability().await.expect("sweep"), 0);
    quiet(&mut alice_socket).await;

    app.call_action(live.id, "end", &carol).await;
    let event = recv_type(&mut alice_socket, "user-available").await;
    assert_eq!(event["user"]["id"], bob_user.id.0);
    assert_eq!(event["user"]["username"], "bob");
    // Used up: it fires once.
    assert!(watching(&app, &alice).await.is_empty());

    // Do-not-disturb: told when it ends.
    set_privacy(&app, &carol, json!({"do_not_disturb": true})).await;
    assert_eq!(watch(&app, &alice, &carol_user).await.status(), 201);
    assert_eq!(app.people.sweep_availability().await.expect("sweep"), 0);
    set_privacy(&app, &carol, json!({"do_not_disturb": false})).await;
    let event = recv_type(&mut alice_socket, "user-available").await;
    assert_eq!(event["user"]["id"], carol_user.id.0);
}

async fn told_when_they_come_online(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let mut alice_socket = user_socket(&app, &alice).await;
    assert_eq!(watch(&app, &alice, &bob_user).await.status(), 201);
    assert_eq!(app.people.sweep_availability().await.expect("sweep"), 0);
    let _bob_socket = user_socket(&app, &bob).await;
    let event = recv_type(&mut alice_socket, "user-available").await;
    assert_eq!(event["user"]["id"], bob_user.id.0);
}

async fn requests_are_bounded_and_can_be_withdrawn(app: TestApp) {
    let (alice_user, alice) = app.user("alice").await;
    let mut others = Vec::new();
    for i in 0..=MAX_OPEN_AVAILABILITY {
        others.push(app.register(&format!("user{i}")).await);
    }
    let limit = usize::try_from(MAX_OPEN_AVAILABILITY).expect("small");
    for user in &others[..limit] {
        assert_eq!(watch(&app, &alice, user).await.status(), 201);
    }
    // Renewing one is not one more.
    assert_eq!(watch(&app, &alice, &others[0]).await.status(), 201);
    let refused = watch(&app, &alice, &others[limit]).await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((86_000..=86_400).contains(&retry), "{retry}");
    assert_eq!(watching(&app, &alice).await.len(), limit);

    // Oneself and unknown people are refused as fields.
    assert_eq!(watch(&app, &alice, &alice_user).await.status(), 400);
    let response = app
        .post_auth("/api/availability/", &alice, &json!({"user_id": 999_999}))
        .await;
    assert_eq!(response.status(), 400);

    let path = format!("/api/availability/{}/", others[0].id);
    assert_eq!(app.delete_auth(&path, &alice).await.status(), 204);
    assert_eq!(app.delete_auth(&path, &alice).await.status(), 404);
    assert_eq!(watch(&app, &alice, &others[limit]).await.status(), 201);
}

/// Someone who hides their presence from the watcher is never revealed: the request is
/// accepted as any other, never fires, and expires after a day.
async fn a_hidden_person_never_fires_and_the_request_expires(app: TestApp, clock: ManualClock) {
    let (alice_user, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let (carol_user, carol) = app.user("carol").await;
    set_privacy(&app, &bob, json!({"presence_visible_to": "nobody"})).await;
    let mut alice_socket = user_socket(&app, &alice).await;
    let _bob_socket = user_socket(&app, &bob).await;

    let response = watch(&app, &alice, &bob_user).await;
    assert_eq!(response.status(), 201, "accepted as for anyone");
    assert_eq!(app.people.sweep_availability().await.expect("sweep"), 0);
    quiet(&mut alice_socket).await;
    assert_eq!(watching(&app, &alice).await.len(), 1);

    // Carol blocked alice: the same.
    let response = app
        .post_auth("/api/blocks/", &carol, &json!({"user_id": alice_user.id}))
        .await;
    assert_eq!(response.status(), 201);
    let _carol_socket = user_socket(&app, &carol).await;
    assert_eq!(watch(&app, &alice, &carol_user).await.status(), 201);
    assert_eq!(app.people.sweep_availability().await.expect("sweep"), 0);

    clock.advance_secs(86_400);
    app.people.sweep_availability().await.expect("sweep");
    assert!(watching(&app, &alice).await.is_empty());
    assert_eq!(app.count("availability_requests").await, 0);
    quiet(&mut alice_socket).await;
}

backend_tests! {
    message_left_once => a_message_is_left_once_and_only_the_parties_may_fetch_it;
    message_bounds => a_message_is_bounded_in_size_duration_and_type;
    message_who => only_the_caller_of_an_unanswered_call_may_leave_one;
    message_blocked => a_blocked_caller_is_answered_alike_and_nothing_is_kept;
    available_after_call_and_dnd => told_when_their_call_ends_and_do_not_disturb_ends;
    available_online => told_when_they_come_online;
    availability_bounds => requests_are_bounded_and_can_be_withdrawn;
}

clock_tests! {
    message_retention => messages_go_with_the_purge_and_the_retention;
    availability_privacy => a_hidden_person_never_fires_and_the_request_expires;
}
