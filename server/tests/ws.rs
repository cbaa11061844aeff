//! WebSockets against the running server with a real client, on both database backends: auth,
//! call rooms (relay, joins and leaves, bad input, limits, ringing, call-end, connection lost)
//! and the user socket (incoming calls and status on every device, presence).

mod common;

use std::time::Duration;

use app::protocol::{Call, CallStatus, CallType, EndReason, User};
use common::{
    socket::{close_code, connect, join, recv, recv_type, send, user_socket, Socket, WAIT},
    Backend, TestApp,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::{
    tungstenite::{client::IntoClientRequest, Message},
    MaybeTlsStream,
};

/// Asserts nothing arrives for a while.
async fn assert_silent(socket: &mut Socket) {
    if let Ok(Some(Ok(Message::Text(text)))) =
        tokio::time::timeout(Duration::from_millis(300), socket.next()).await
    {
        panic!("unexpected message {text}");
    }
}

struct Pair {
    alice: User,
    alice_token: String,
    bob: User,
    bob_token: String,
    call: Call,
}

/// alice calls bob.
async fn pair(app: &TestApp) -> Pair {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let call = app.start_call(&alice_token, &bob, CallType::Video).await;
    Pair {
        alice,
        alice_token,
        bob,
        bob_token,
        call,
    }
}

async fn call_now(app: &TestApp, pair: &Pair) -> Call {
    let response = app
        .get_auth(&format!("/api/calls/{}/", pair.call.id), &pair.alice_token)
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("call json")
}

/// Polls until the call satisfies `done`, for up to [`WAIT`].
async fn wait_for_call(app: &TestApp, pair: &Pair, done: impl Fn(&Call) -> bool) -> Call {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let call = call_now(app, pair).await;
        if done(&call) || tokio::time::Instant::now() > deadline {
            return call;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn accept(app: &TestApp, pair: &Pair) {
    let response = app
        .call_action(pair.call.id, "accept", &pair.bob_token)
        .await;
    assert_eq!(response.status(), 200);
}

async fn auth_by_query_token_or_first_message(app: TestApp) {
    let (alice, token) = app.user("alice").await;
    let mut by_query = connect(&app, &format!("/ws/?token={token}")).await;
    assert_eq!(
        recv(&mut by_query).await,
        json!({"type": "auth-ok", "user_id": alice.id})
    );
    let mut by_message = connect(&app, "/ws/").await;
    send(&mut by_message, json!({"type": "auth", "token": token})).await;
    assert_eq!(
        recv(&mut by_message).await,
        json!({"type": "auth-ok", "user_id": alice.id})
    );
    send(&mut by_message, json!({"type": "ping"})).await;
    assert_eq!(recv(&mut by_message).await["type"], "pong");
}

async fn unauthenticated_sockets_are_closed_with_4001(app: TestApp) {
    let pair = pair(&app).await;
    let mut no_auth = connect(&app, "/ws/").await;
    send(&mut no_auth, json!({"type": "ping"})).await;
    assert_eq!(close_code(&mut no_auth).await, Some(4001));

    let mut bad = connect(&app, "/ws/?token=not.a.jwt").await;
    assert_eq!(close_code(&mut bad).await, Some(4001));

    let room = format!("/ws/call/{}/", pair.call.room_id);
    let mut bad_room = connect(&app, &format!("{room}?token=garbage")).await;
    assert_eq!(close_code(&mut bad_room).await, Some(4001));

    let mut bad_message = connect(&app, &room).await;
    send(
        &mut bad_message,
        json!({"type": "auth", "token": "garbage"}),
    )
    .await;
    assert_eq!(close_code(&mut bad_message).await, Some(4001));

    // A refresh token is not an access token.
    let refresh = app.login("alice").await.refresh;
    let mut refresh_socket = connect(&app, &format!("{room}?token={refresh}")).await;
    assert_eq!(close_code(&mut refresh_socket).await, Some(4001));
}

async fn only_the_two_parties_may_join_a_live_call(app: TestApp) {
    let pair = pair(&app).await;
    let (_, carol_token) = app.user("carol").await;
    let room = format!("/ws/call/{}/", pair.call.room_id);
    let mut carol = connect(&app, &format!("{room}?token={carol_token}")).await;
    assert_eq!(close_code(&mut carol).await, Some(4003));
    let mut nowhere = connect(&app, &format!("/ws/call/nope/?token={carol_token}")).await;
    assert_eq!(close_code(&mut nowhere).await, Some(4003));

    let response = app
        .call_action(pair.call.id, "cancel", &pair.alice_token)
        .await;
    assert_eq!(response.status(), 200);
    let mut late = connect(&app, &format!("{room}?token={}", pair.bob_token)).await;
    assert_eq!(close_code(&mut late).await, Some(4004));
}

async fn signals_are_relayed_to_the_other_party_only(app: TestApp) {
    let pair = pair(&app).await;
    let id = pair.call.id;
    let mut alice = join(&app, &pair.call, &pair.alice_token).await;
    let mut bob = join(&app, &pair.call, &pair.bob_token).await;
    assert_eq!(
        recv(&mut alice).await,
        json!({"type": "user-joined", "user_id": pair.bob.id, "username": "bob"})
    );

    let offer = json!({"type": "offer", "sdp": "v=0 alice"});
    send(
        &mut alice,
        json!({"type": "call-offer", "offer": offer, "call_id": id, "call_type": "video"}),
    )
    .await;
    let received = recv(&mut bob).await;
    assert_eq!(received["type"], "call-offer");
    assert_eq!(received["offer"], offer);
    assert_eq!(received["call_id"], id.0);
    assert_eq!(received["sender_id"], pair.alice.id.0);

    let answer = json!({"type": "answer", "sdp": "v=0 bob"});
    send(
        &mut bob,
        json!({"type": "call-answer", "answer": answer, "call_id": id}),
    )
    .await;
    assert_eq!(
        recv(&mut alice).await,
        json!({"type": "call-answer", "answer": answer, "call_id": id, "sender_id": pair.bob.id})
    );

    let candidate = json!({"candidate": "candidate:1 1 udp 1 10.0.0.1 5000 typ host"});
    let ice = json!({"type": "ice-candidate", "candidate": candidate, "call_id": id});
    send(&mut alice, ice.clone()).await;
    assert_eq!(
        recv(&mut bob).await,
        json!({"type": "ice-candidate", "candidate": candidate, "call_id": id, "sender_id": pair.alice.id})
    );
    send(&mut bob, ice).await;
    assert_eq!(
        recv(&mut alice).await,
        json!({"type": "ice-candidate", "candidate": candidate, "call_id": id, "sender_id": pair.bob.id})
    );
    // Never an echo.
    assert_silent(&mut alice).await;
    assert_silent(&mut bob).await;

    // Logged off the relay path: the rows appear shortly after.
    let deadline = tokio::time::Instant::now() + WAIT;
    while app.count("call_signals").await < 4 {
        assert!(tokio::time::Instant::now() < deadline, "signals not logged");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    drop(bob);
    assert_eq!(
        recv(&mut alice).await,
        json!({"type": "user-left", "user_id": pair.bob.id, "username": "bob"})
    );
}

/// A reload: the new page's socket can join before the old one has left. The other party still
/// hears `user-joined` (a new peer needs a new offer), and no `user-left` when the old one goes.
async fn a_reloaded_party_is_announced_again(app: TestApp) {
    let pair = pair(&app).await;
    let mut alice = join(&app, &pair.call, &pair.alice_token).await;
    let old = join(&app, &pair.call, &pair.bob_token).await;
    assert_eq!(recv(&mut alice).await["type"], "user-joined");
    let _new = join(&app, &pair.call, &pair.bob_token).await;
    assert_eq!(recv(&mut alice).await["type"], "user-joined");
    drop(old);
    assert_silent(&mut alice).await;
}

/// Every malformed or misdirected message gets its error code; nothing reaches the other party,
/// the call is unchanged and the socket keeps working.
async fn the_bad_message_table(app: TestApp) {
    let pair = pair(&app).await;
    let (_, carol_token) = app.user("carol").await;
    let (dave, _) = app.user("dave").await;
    let foreign = app.start_call(&carol_token, &dave, CallType::Audio).await;
    let mut alice = join(&app, &pair.call, &pair.alice_token).await;
    let mut bob = join(&app, &pair.call, &pair.bob_token).await;
    recv_type(&mut alice, "user-joined").await;
    let id = pair.call.id.0;
    let other = foreign.id.0;
    let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    let text = |v: Value| Message::Text(v.to_string().into());
    let raw = |s: &str| Message::Text(s.to_owned().into());

    let cases = vec![
        (raw("{not json"), "invalid_json"),
        (raw(""), "invalid_json"),
        (raw("\u{fffd}\u{fffd}"), "invalid_json"),
        (raw(&deep), "invalid_json"),
        (raw("null"), "not_an_object"),
        (raw("[]"), "not_an_object"),
        (raw("42"), "not_an_object"),
        (raw("\"call-offer\""), "not_an_object"),
        (raw("{}"), "missing_type"),
        (text(json!({"type": 5})), "missing_type"),
        (text(json!({"type": null})), "missing_type"),
        (text(json!({"type": "dance"})), "unknown_type"),
        (
            text(json!({"type": "CALL-OFFER", "offer": {}, "call_id": id})),
            "unknown_type",
        ),
        (text(json!({"type": "call-offer"})), "missing_field"),
        (
            text(json!({"type": "call-offer", "offer": {}})),
            "missing_field",
        ),
        (
            text(json!({"type": "call-offer", "offer": {}, "call_id": "abc"})),
            "invalid_field",
        ),
        (
            text(json!({"type": "call-offer", "offer": {}, "call_id": 1e30})),
            "invalid_field",
        ),
        (
            text(json!({"type": "call-offer", "offer": {}, "call_id": id, "call_type": "fax"})),
            "invalid_field",
        ),
        (
            text(json!({"type": "call-offer", "offer": {}, "call_id": -1})),
            "wrong_call",
        ),
        (
            text(json!({"type": "call-offer", "offer": {}, "call_id": other})),
            "wrong_call",
        ),
        (
            text(json!({"type": "call-answer", "call_id": id})),
            "missing_field",
        ),
        (
            text(json!({"type": "call-answer", "answer": {}, "call_id": other})),
            "wrong_call",
        ),
        (
            text(json!({"type": "ice-candidate", "call_id": id})),
            "missing_field",
        ),
        (
            text(json!({"type": "ice-candidate", "candidate": {}, "call_id": other})),
            "wrong_call",
        ),
        (text(json!({"type": "call-end"})), "missing_field"),
        (
            text(json!({"type": "call-end", "call_id": "x"})),
            "invalid_field",
        ),
        (
            text(json!({"type": "call-end", "call_id": other})),
            "wrong_call",
        ),
        (text(json!({"type": "ringing"})), "missing_field"),
        (
            text(json!({"type": "ringing", "call_id": other})),
            "wrong_call",
        ),
        // The caller's device does not ring: the state machine refuses.
        (text(json!({"type": "ringing", "call_id": id})), "refused"),
        (
            text(json!({"type": "subscribe-presence", "user_ids": [1]})),
            "unsupported",
        ),
        (
            text(json!({"type": "auth", "token": pair.alice_token})),
            "unsupported",
        ),
        (
            Message::Binary(vec![0, 159, 146, 150].into()),
            "binary_not_supported",
        ),
    ];
    assert!(cases.len() >= 30);
    for (message, code) in cases {
        let shown = format!("{message:?}").chars().take(80).collect::<String>();
        alice.send(message).await.expect("send");
        let reply = recv(&mut alice).await;
        assert_eq!(reply["type"], "error", "{shown}: {reply}");
        assert_eq!(reply["code"], code, "{shown}: {reply}");
    }
    send(&mut alice, json!({"type": "ping"})).await;
    assert_eq!(recv(&mut alice).await["type"], "pong");

    assert_silent(&mut bob).await;
    assert_eq!(call_now(&app, &pair).await.status, CallStatus::Initiated);
    let foreign_now: Call = app
        .get_auth(&format!("/api/calls/{other}/"), &carol_token)
        .await
        .json()
        .await
        .expect("call");
    assert_eq!(foreign_now.status, CallStatus::Initiated);
    send(
        &mut alice,
        json!({"type": "ice-candidate", "candidate": {"candidate": "c"}, "call_id": id}),
    )
    .await;
    assert_eq!(recv(&mut bob).await["type"], "ice-candidate");
}

async fn an_oversized_message_closes_the_socket(app: TestApp) {
    let pair = pair(&app).await;
    let mut alice = join(&app, &pair.call, &pair.alice_token).await;
    let huge = "x".repeat(100 * 1024);
    let _ = alice
        .send(Message::Text(
            json!({"type": "ice-candidate", "candidate": huge, "call_id": pair.call.id})
                .to_string()
                .into(),
        ))
        .await;
    assert_eq!(close_code(&mut alice).await, Some(1009));
}

async fn a_message_flood_closes_the_socket(app: TestApp) {
    let pair = pair(&app).await;
    // Alone in the room: nothing is relayed or answered, so only the rate limit can close it.
    let mut alice = join(&app, &pair.call, &pair.alice_token).await;
    let ice =
        json!({"type": "ice-candidate", "candidate": {"candidate": "c"}, "call_id": pair.call.id});
    for _ in 0..300 {
        if alice
            .send(Message::Text(ice.to_string().into()))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(close_code(&mut alice).await, Some(1008));
}

async fn ringing_and_call_end_go_through_the_state_machine(app: TestApp) {
    let pair = pair(&app).await;
    let id = pair.call.id;
    let mut alice = join(&app, &pair.call, &pair.alice_token).await;
    let mut bob = join(&app, &pair.call, &pair.bob_token).await;
    recv_type(&mut alice, "user-joined").await;

    // Only the receiver's device rings.
    send(&mut alice, json!({"type": "ringing", "call_id": id})).await;
    let refused = recv(&mut alice).await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "refused");
    send(&mut bob, json!({"type": "ringing", "call_id": id})).await;
    recv_type(&mut alice, "ringing").await;
    let call = wait_for_call(&app, &pair, |c| c.status == CallStatus::Ringing).await;
    assert_eq!(call.status, CallStatus::Ringing);
    assert!(call.ringing_at.is_some());

    accept(&app, &pair).await;
    send(
        &mut alice,
        json!({"type": "call-end", "call_id": id, "reason": "ended"}),
    )
    .await;
    assert_eq!(
        recv(&mut bob).await,
        json!({"type": "call-end", "call_id": id, "sender_id": pair.alice.id, "reason": "ended"})
    );
    let call = wait_for_call(&app, &pair, |c| c.status == CallStatus::Ended).await;
    assert_eq!(call.status, CallStatus::Ended);
    assert_eq!(call.end_reason, Some(EndReason::HangupCaller));
    // The call is over, so is its room (abuse.rs has the details).
    assert_eq!(close_code(&mut alice).await, Some(4004));
    assert_eq!(close_code(&mut bob).await, Some(4004));
}

/// The reference client shows "Ringing..." when the room relays the receiver's `ringing`.
async fn ringing_is_relayed_to_the_caller(app: TestApp) {
    let pair = pair(&app).await;
    let id = pair.call.id;
    let mut alice = join(&app, &pair.call, &pair.alice_token).await;
    let mut bob = join(&app, &pair.call, &pair.bob_token).await;
    recv_type(&mut alice, "user-joined").await;

    send(&mut bob, json!({"type": "ringing", "call_id": id})).await;
    assert_eq!(
        recv(&mut alice).await,
        json!({"type": "ringing", "call_id": id, "sender_id": pair.bob.id})
    );
    assert_eq!(call_now(&app, &pair).await.status, CallStatus::Ringing);
    assert_silent(&mut bob).await;

    // Already ringing (a second device, or the REST `ringing` first): relayed again, no error.
    let response = app.call_action(id, "ringing", &pair.bob_token).await;
    assert_eq!(response.status(), 200);
    send(&mut bob, json!({"type": "ringing", "call_id": id})).await;
    assert_eq!(recv(&mut alice).await["type"], "ringing");
    assert_silent(&mut bob).await;

    // Not once the call is answered: the caller gets no ring for an accepted call.
    accept(&app, &pair).await;
    send(&mut bob, json!({"type": "ringing", "call_id": id})).await;
    assert_eq!(recv(&mut bob).await["code"], "refused");
    assert_silent(&mut alice).await;
}

async fn the_user_socket_rings_every_device(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let mut phone = user_socket(&app, &bob_token).await;
    let mut laptop = user_socket(&app, &bob_token).await;
    let mut caller = user_socket(&app, &alice_token).await;

    let call = app.start_call(&alice_token, &bob, CallType::Audio).await;
    for device in [&mut phone, &mut laptop] {
        let event = recv(device).await;
        assert_eq!(event["type"], "call-incoming");
        assert_eq!(event["call"]["id"], call.id.0);
        assert_eq!(event["call"]["caller"]["id"], alice.id.0);
        assert_eq!(event["call"]["status"], "initiated");
    }
    assert_eq!(recv(&mut caller).await["type"], "call-status");

    let response = app.call_action(call.id, "accept", &bob_token).await;
    assert_eq!(response.status(), 200);
    for device in [&mut phone, &mut laptop, &mut caller] {
        let event = recv(device).await;
        assert_eq!(event["type"], "call-status");
        assert_eq!(event["call"]["status"], "accepted");
    }
}

async fn is_online(app: &TestApp, token: &str) -> bool {
    let me: Value = app
        .get_auth("/api/users/me/", token)
        .await
        .json()
        .await
        .expect("me");
    me["is_online"] == true
}

async fn wait_online(app: &TestApp, token: &str, online: bool) -> bool {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let now = is_online(app, token).await;
        if now == online || tokio::time::Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn online_while_a_user_socket_is_open(app: TestApp) {
    let (_, token) = app.user("alice").await;
    let response = app
        .post_auth("/api/users/set_offline/", &token, &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    let first = user_socket(&app, &token).await;
    assert!(wait_online(&app, &token, true).await);
    let second = user_socket(&app, &token).await;
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(is_online(&app, &token).await, "one socket is still open");
    drop(second);
    assert!(!wait_online(&app, &token, false).await);
}

async fn the_reference_readme_flow_works_unchanged(app: TestApp) {
    let pair = pair(&app).await;
    let call: Value = serde_json::to_value(&pair.call).expect("call json");
    // The caller: const ws = new WebSocket(`ws://localhost:8000/ws/call/${call.room_id}/`) (with
    // the token in the URL), then the offer and ICE candidates at once, before anyone answers.
    let room_id = call["room_id"].as_str().expect("room_id");
    let mut ws = connect(
        &app,
        &format!("/ws/call/{room_id}/?token={}", pair.alice_token),
    )
    .await;
    let offer = json!({"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"});
    ws.send(Message::Text(
        json!({"type": "call-offer", "offer": offer, "call_id": call["id"], "call_type": "video"})
            .to_string()
            .into(),
    ))
    .await
    .expect("send");
    ws.send(Message::Text(
        json!({"type": "ice-candidate", "candidate": {"candidate": "c", "sdpMid": "0"}, "call_id": call["id"]})
            .to_string()
            .into(),
    ))
    .await
    .expect("send");
    // The receiver joins whenever its phone rings, and still gets both, in order.
    let mut callee = connect(
        &app,
        &format!("/ws/call/{room_id}/?token={}", pair.bob_token),
    )
    .await;
    let data = recv_type(&mut callee, "call-offer").await;
    assert_eq!(data["offer"], offer);
    assert_eq!(data["call_id"], call["id"]);
    assert_eq!(data["call_type"], "video");
    assert_eq!(data["sender_id"], pair.alice.id.0);
    let data = recv(&mut callee).await;
    assert_eq!(data["type"], "ice-candidate");
    assert_eq!(data["candidate"]["sdpMid"], "0");
    assert_eq!(data["sender_id"], pair.alice.id.0);
    // And the caller hears the answer.
    let answer = json!({"type": "answer", "sdp": "v=0"});
    callee
        .send(Message::Text(
            json!({"type": "call-answer", "answer": answer, "call_id": call["id"]})
                .to_string()
                .into(),
        ))
        .await
        .expect("send");
    let data = recv_type(&mut ws, "call-answer").await;
    assert_eq!(data["answer"], answer);
    assert_eq!(data["sender_id"], pair.bob.id.0);
}

async fn other_origins_are_refused(app: TestApp) {
    let (_, token) = app.user("alice").await;
    let mut request = format!("ws://{}/ws/?token={token}", app.addr)
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().expect("header"));
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("expected a 403, got {:?}", other.map(|_| ())),
    }
    let mut request = format!("ws://{}/ws/?token={token}", app.addr)
        .into_client_request()
        .expect("request");
    let same_host = format!("http://{}", app.addr);
    request
        .headers_mut()
        .insert("origin", same_host.parse().expect("header"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("same-host origin");
    assert_eq!(recv(&mut socket).await["type"], "auth-ok");
}

backend_tests! {
    auth_query_or_message => auth_by_query_token_or_first_message;
    unauthenticated_4001 => unauthenticated_sockets_are_closed_with_4001;
    room_admission => only_the_two_parties_may_join_a_live_call;
    relay => signals_are_relayed_to_the_other_party_only;
    bad_message_table => the_bad_message_table;
    reload_announced => a_reloaded_party_is_announced_again;
    oversized => an_oversized_message_closes_the_socket;
    flood => a_message_flood_closes_the_socket;
    ringing_and_call_end => ringing_and_call_end_go_through_the_state_machine;
    ringing_relayed => ringing_is_relayed_to_the_caller;
    user_socket_events => the_user_socket_rings_every_device;
    presence => online_while_a_user_socket_is_open;
    reference_readme_flow => the_reference_readme_flow_works_unchanged;
    origins => other_origins_are_refused;
    socket_cap => a_user_may_hold_a_bounded_number_of_sockets;
    deleted_user => a_deleted_users_token_is_refused;
}

async fn presence_is_pushed_to_subscribers_after_the_reload_grace(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let mut watcher = user_socket(&app, &bob_token).await;
    send(
        &mut watcher,
        json!({"type": "subscribe-presence", "user_ids": [alice.id, bob.id, alice.id]}),
    )
    .await;
    let subscribed = recv_type(&mut watcher, "subscribed").await;
    assert_eq!(
        subscribed["user_ids"],
        json!([alice.id]),
        "deduplicated, without oneself"
    );

    let first = user_socket(&app, &alice_token).await;
    let online = recv_type(&mut watcher, "presence").await;
    assert_eq!(online["user_id"], json!(alice.id));
    assert_eq!(online["is_online"], true);

    // A reload: the socket closes and a new one opens within the grace. Nobody is told.
    drop(first);
    let second = user_socket(&app, &alice_token).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_silent(&mut watcher).await;

    drop(second);
    let offline = recv_type(&mut watcher, "presence").await;
    assert_eq!(offline["is_online"], false);
    assert!(offline["last_seen"].is_string());
}

async fn a_user_may_hold_a_bounded_number_of_sockets(app: TestApp) {
    let (_, token) = app.user("alice").await;
    let mut open = Vec::new();
    for _ in 0..16 {
        open.push(user_socket(&app, &token).await);
    }
    let mut extra = connect(&app, &format!("/ws/?token={token}")).await;
    assert_eq!(close_code(&mut extra).await, Some(1008));
    // The open ones are unaffected, and closing one makes room again.
    send(&mut open[0], json!({"type": "ping"})).await;
    assert_eq!(recv(&mut open[0]).await["type"], "pong");
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(300)).await;
    open.push(user_socket(&app, &token).await);
}

async fn presence_grace_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| config.presence_grace_secs = 1).await
}

/// Connection lost, with a one-second grace period.
async fn grace_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| config.ws_grace_secs = 1).await
}

async fn a_dropped_party_ends_the_call_after_the_grace(app: TestApp) {
    let pair = pair(&app).await;
    let mut alice = join(&app, &pair.call, &pair.alice_token).await;
    let bob = join(&app, &pair.call, &pair.bob_token).await;
    recv_type(&mut alice, "user-joined").await;
    accept(&app, &pair).await;
    drop(bob);
    assert_eq!(recv(&mut alice).await["type"], "user-left");
    // Still accepted during the grace period.
    assert_eq!(call_now(&app, &pair).await.status, CallStatus::Accepted);
    let call = wait_for_call(&app, &pair, |c| c.status == CallStatus::Ended).await;
    assert_eq!(call.status, CallStatus::Ended);
    assert_eq!(call.end_reason, Some(EndReason::ConnectionLost));
}

async fn a_rejoin_within_the_grace_keeps_the_call(app: TestApp) {
    let pair = pair(&app).await;
    let mut alice = join(&app, &pair.call, &pair.alice_token).await;
    let bob = join(&app, &pair.call, &pair.bob_token).await;
    recv_type(&mut alice, "user-joined").await;
    accept(&app, &pair).await;
    drop(bob);
    assert_eq!(recv(&mut alice).await["type"], "user-left");
    let _bob = join(&app, &pair.call, &pair.bob_token).await;
    assert_eq!(
        recv(&mut alice).await,
        json!({"type": "user-joined", "user_id": pair.bob.id, "username": "bob"})
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let call = call_now(&app, &pair).await;
    assert_eq!(call.status, CallStatus::Accepted);
    assert_eq!(call.end_reason, None);
}

tests_with!(grace_app => grace_sqlite, grace_mariadb:
    a_dropped_party_ends_the_call_after_the_grace,
    a_rejoin_within_the_grace_keeps_the_call
);

tests_with!(presence_grace_app => presence_sqlite, presence_mariadb:
    presence_is_pushed_to_subscribers_after_the_reload_grace
);

async fn a_deleted_users_token_is_refused(app: TestApp) {
    let (alice, token) = app.user("alice").await;
    let (bob, _) = app.user("bob").await;
    // Only users with no calls can go; their sign-ins go with them.
    for sql in [
        "DELETE FROM refresh_tokens WHERE user_id = ?",
        "DELETE FROM users WHERE id = ?",
    ] {
        sqlx::query(sql)
            .bind(alice.id.0)
            .execute(app.db.pool())
            .await
            .expect("delete alice");
    }
    let mut by_query = connect(&app, &format!("/ws/?token={token}")).await;
    assert_eq!(close_code(&mut by_query).await, Some(4001));
    let mut by_message = connect(&app, "/ws/").await;
    send(&mut by_message, json!({"type": "auth", "token": token})).await;
    assert_eq!(close_code(&mut by_message).await, Some(4001));
    let mut room = connect(&app, &format!("/ws/call/no-such-room/?token={token}")).await;
    assert_eq!(close_code(&mut room).await, Some(4001));
    // Others are unaffected.
    let bob_token = app.login(&bob.username).await.access;
    user_socket(&app, &bob_token).await;
}

/// The close code of a socket that is expected to close within `within`.
async fn close_code_within(socket: &mut Socket, within: Duration) -> Option<u16> {
    tokio::time::timeout(within, async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
    })
    .await
    .expect("closed in time")
}

/// Access tokens valid for two seconds (plus the verifier's five seconds of leeway).
async fn short_token_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| config.access_ttl = 2).await
}

async fn an_expired_token_closes_the_user_socket_but_not_the_call_room(app: TestApp) {
    let pair = pair(&app).await;
    let bob_token = app.login("bob").await.access;
    let issued = tokio::time::Instant::now();
    let alice_token = app.login("alice").await.access;
    let mut events = user_socket(&app, &alice_token).await;
    let mut alice = join(&app, &pair.call, &alice_token).await;
    let mut bob = join(&app, &pair.call, &bob_token).await;
    recv_type(&mut alice, "user-joined").await;
    assert_eq!(
        close_code_within(&mut events, Duration::from_secs(15)).await,
        Some(4001)
    );
    assert!(
        issued.elapsed() >= Duration::from_secs(2),
        "closed at expiry, not before"
    );
    // The room outlives the token: the call goes on.
    send(
        &mut alice,
        json!({"type": "call-offer", "call_id": pair.call.id, "offer": {"type": "offer", "sdp": "v=0"}}),
    )
    .await;
    assert_eq!(
        recv_type(&mut bob, "call-offer").await["sender_id"],
        pair.alice.id.0
    );
    // A fresh token opens a new user socket.
    let fresh = app.login("alice").await.access;
    user_socket(&app, &fresh).await;
}

tests_with!(short_token_app => short_token_sqlite, short_token_mariadb:
    an_expired_token_closes_the_user_socket_but_not_the_call_room
);

/// One backend is enough: nothing here touches the database after the socket opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_never_authenticates_is_closed_after_five_seconds() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut socket = connect(&app, "/ws/").await;
    let started = tokio::time::Instant::now();
    let frame = close_code_within(&mut socket, Duration::from_secs(8)).await;
    assert_eq!(frame, Some(4001));
    assert!(started.elapsed() >= Duration::from_secs(4));
}

/// Reads `socket` in a task (so it answers the server's pings as a live client does) and hands
/// over its JSON messages; the task ends with the socket.
fn listen(mut socket: Socket) -> tokio::sync::mpsc::UnboundedReceiver<Value> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(Ok(frame)) = socket.next().await {
            if let Message::Text(text) = frame {
                let Ok(message) = serde_json::from_str(text.as_str()) else {
                    continue;
                };
                if tx.send(message).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

/// The next message of type `kind` from a [`listen`]ed socket, within `within`.
async fn heard(
    messages: &mut tokio::sync::mpsc::UnboundedReceiver<Value>,
    kind: &str,
    within: Duration,
) -> Value {
    tokio::time::timeout(within, async {
        loop {
            let message = messages.recv().await.expect("the socket stays open");
            if message["type"] == kind {
                return message;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {kind} within {within:?}"))
}

/// The close code the server sent to a client that has read nothing, read off the TCP stream:
/// a WebSocket client reading it would answer the pings queued before the close, and the
/// server's reset in return would discard the close frame unread.
async fn silent_close_code(socket: &mut Socket) -> Option<u16> {
    use tokio::io::AsyncReadExt;
    let MaybeTlsStream::Plain(tcp) = socket.get_mut() else {
        panic!("a plain TCP test socket");
    };
    let mut bytes = Vec::new();
    tokio::time::timeout(WAIT, tcp.read_to_end(&mut bytes))
        .await
        .expect("the server closes the connection")
        .expect("read");
    // Server frames are unmasked: opcode byte, length (7 bits, or 126 + 16 bits), payload.
    let mut rest = &bytes[..];
    while let [first, len, tail @ ..] = rest {
        let (len, tail) = match *len {
            126 => (
                usize::from(u16::from_be_bytes([tail[0], tail[1]])),
                &tail[2..],
            ),
            len => (usize::from(len), tail),
        };
        if first & 0x0f == 0x8 {
            return Some(u16::from_be_bytes([tail[0], tail[1]]));
        }
        rest = &tail[len..];
    }
    None
}

/// Pings every second; a one-second grace for the call.
async fn heartbeat_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| {
        config.ws_heartbeat_secs = 1;
        config.ws_grace_secs = 1;
    })
    .await
}

async fn a_client_that_stops_answering_pings_is_closed(app: TestApp) {
    let pair = pair(&app).await;
    let mut bob_events = user_socket(&app, &pair.bob_token).await;
    send(
        &mut bob_events,
        json!({"type": "subscribe-presence", "user_ids": [pair.alice.id]}),
    )
    .await;
    recv_type(&mut bob_events, "subscribed").await;
    // alice's client goes silent once her sockets are open: it reads nothing, so it never
    // answers a ping (tungstenite answers them while reading).
    let mut alice_events = user_socket(&app, &pair.alice_token).await;
    recv_type(&mut bob_events, "presence").await;
    let mut alice_room = join(&app, &pair.call, &pair.alice_token).await;
    let silent_since = tokio::time::Instant::now();
    let mut bob_events = listen(bob_events);
    let mut bob_room = listen(join(&app, &pair.call, &pair.bob_token).await);
    accept(&app, &pair).await;

    // Two pings unanswered, then the close: two to three intervals after the last frame.
    let window = Duration::from_secs(6);
    let left = heard(&mut bob_room, "user-left", window).await;
    assert_eq!(left["user_id"], pair.alice.id.0);
    let offline = heard(&mut bob_events, "presence", window).await;
    assert_eq!(offline["user_id"], pair.alice.id.0);
    assert_eq!(offline["is_online"], false);
    let closed_after = silent_since.elapsed();
    println!("silent client closed after {closed_after:?} (heartbeat 1 s)");
    assert!(closed_after >= Duration::from_secs(2), "{closed_after:?}");
    assert_eq!(silent_close_code(&mut alice_room).await, Some(1001));
    assert_eq!(silent_close_code(&mut alice_events).await, Some(1001));
    // The call follows as for any lost socket: ended after the grace.
    let call = wait_for_call(&app, &pair, |c| c.status == CallStatus::Ended).await;
    assert_eq!(call.end_reason, Some(EndReason::ConnectionLost));
    // bob, whose client answered every ping, is still connected.
    assert!(!bob_events.is_closed(), "bob's user socket is still open");
}

tests_with!(heartbeat_app => heartbeat_sqlite, heartbeat_mariadb:
    a_client_that_stops_answering_pings_is_closed
);

/// A room socket whose client reads as little as the kernel lets it: a tiny receive buffer, and
/// nothing read until the test says so.
async fn join_slow_reader(app: &TestApp, call: &Call, token: &str) -> Socket {
    let tcp = tokio::net::TcpSocket::new_v4().expect("socket");
    tcp.set_recv_buffer_size(4096).expect("receive buffer");
    let stream = tcp.connect(app.addr).await.expect("connect");
    let url = format!("ws://{}/ws/call/{}/?token={token}", app.addr, call.room_id);
    let (mut socket, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream))
        .await
        .expect("upgrade");
    assert_eq!(recv(&mut socket).await["type"], "auth-ok");
    socket
}

/// Eight messages queued per socket.
async fn short_queue_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| config.ws_outgoing_queue = 8).await
}

/// One backend: the database sees only the call setup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_closed_and_others_keep_relaying() {
    let app = short_queue_app(Backend::Sqlite).await;
    let pair = pair(&app).await;
    let mut alice = join_slow_reader(&app, &pair.call, &pair.alice_token).await;
    let mut bob = join(&app, &pair.call, &pair.bob_token).await;

    // Another call, relaying candidates back and forth all along.
    let (_, carol_token) = app.user("carol").await;
    let (dave, dave_token) = app.user("dave").await;
    let other = app.start_call(&carol_token, &dave, CallType::Audio).await;
    let mut carol = join(&app, &other, &carol_token).await;
    let mut dave = join(&app, &other, &dave_token).await;
    recv_type(&mut carol, "user-joined").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let relaying = tokio::spawn({
        let stop = stop.clone();
        async move {
            let ice = json!({"type": "ice-candidate", "candidate": {"candidate": "c"}, "call_id": other.id});
            let mut latencies = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let sent = tokio::time::Instant::now();
                send(&mut carol, ice.clone()).await;
                recv_type(&mut dave, "ice-candidate").await;
                latencies.push(sent.elapsed());
                // 20 a second, well under the rate limit.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            latencies
        }
    });

    // bob sends offers of 30 KB as fast as the rate limit allows, until alice is gone.
    let offer = json!({
        "type": "call-offer",
        "call_id": pair.call.id,
        "offer": {"type": "offer", "sdp": "x".repeat(30 * 1024)},
    })
    .to_string();
    let started = tokio::time::Instant::now();
    let mut sent = 0;
    let left = loop {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "alice was never closed"
        );
        bob.send(Message::Text(offer.clone().into()))
            .await
            .expect("bob's socket stays open");
        sent += 1;
        // The burst first, then 40 a second (the limit is 50).
        let pause = if sent < 90 { 1 } else { 25 };
        if let Ok(Some(Ok(Message::Text(text)))) =
            tokio::time::timeout(Duration::from_millis(pause), bob.next()).await
        {
            let message: Value = serde_json::from_str(text.as_str()).expect("json");
            if message["type"] == "user-left" {
                break message;
            }
        }
    };
    assert_eq!(left["user_id"], pair.alice.id.0);
    let flooded_for = started.elapsed();
    // alice reads again: what the kernel held, then the close.
    assert_eq!(close_code(&mut alice).await, Some(1013));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut latencies = relaying.await.expect("the other pair's relay");
    latencies.sort();
    let max = latencies.last().copied().unwrap_or_default();
    println!(
        "slow reader closed after {sent} offers of 30 KB in {flooded_for:?}; meanwhile the other \
         pair relayed {} candidates, median {:?}, max {max:?}",
        latencies.len(),
        latencies[latencies.len() / 2],
    );
    assert!(latencies.len() >= 2, "the other pair kept relaying");
    // bob is unaffected.
    send(&mut bob, json!({"type": "ping"})).await;
    assert_eq!(recv_type(&mut bob, "pong").await["type"], "pong");
}
