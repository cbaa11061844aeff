//! People you know (issue 18): contacts, blocks, who may ring or see whom, do-not-disturb. Each
//! test on SQLite and MariaDB.

mod common;

use app::protocol::{BlockedUser, Call, CallType, Contact, PrivacySettings, Timestamp, User};
use common::{
    socket::{close_code, connect, recv, recv_type, send, user_socket, Socket},
    Backend, TestApp,
};
use serde_json::{json, Value};
use server::{
    clock::{Clock, ManualClock, SystemClock},
    people::{MAX_BLOCKS, MAX_CONTACTS},
};

async fn add_contact(app: &TestApp, token: &str, user: &User, favourite: bool) -> u16 {
    app.post_auth(
        "/api/contacts/",
        token,
        &json!({"user_id": user.id, "is_favourite": favourite}),
    )
    .await
    .status()
    .as_u16()
}

async fn contacts(app: &TestApp, token: &str) -> Vec<Contact> {
    let response = app.get_auth("/api/contacts/", token).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("contacts")
}

async fn block(app: &TestApp, token: &str, user: &User) -> u16 {
    app.post_auth("/api/blocks/", token, &json!({"user_id": user.id}))
        .await
        .status()
        .as_u16()
}

async fn set_privacy(app: &TestApp, token: &str, body: Value) -> PrivacySettings {
    let response = app.patch_auth("/api/users/me/privacy/", token, &body).await;
    assert_eq!(response.status(), 200, "{body}");
    response.json().await.expect("settings")
}

async fn privacy(app: &TestApp, token: &str) -> PrivacySettings {
    app.get_auth("/api/users/me/privacy/", token)
        .await
        .json()
        .await
        .expect("settings")
}

async fn body(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.expect("json")
}

/// A user with an open user socket (so online), their token and the socket.
async fn online(app: &TestApp, name: &str) -> (User, String, Socket) {
    let (user, token) = app.user(name).await;
    let socket = user_socket(app, &token).await;
    (user, token, socket)
}

/// `POST /api/calls/` as `token`: the status and the JSON.
async fn call(app: &TestApp, token: &str, receiver: &User) -> (u16, Value) {
    let response = app
        .post_auth(
            "/api/calls/",
            token,
            &json!({"receiver": receiver.id, "call_type": "audio"}),
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// The ids of a call listing.
async fn listing(app: &TestApp, path: &str, token: &str) -> Vec<i64> {
    let calls: Vec<Call> = app.get_auth(path, token).await.json().await.expect("calls");
    calls.into_iter().map(|call| call.id.0).collect()
}

async fn missed_count(app: &TestApp, token: &str) -> i64 {
    app.get_auth("/api/calls/missed/count/", token)
        .await
        .json::<Value>()
        .await
        .expect("count")["count"]
        .as_i64()
        .expect("a count")
}

/// The presence `viewer` sees of `user` in the directory (searched by name).
async fn in_directory(app: &TestApp, token: &str, user: &User) -> Option<User> {
    let page: Value = app
        .get_auth(&format!("/api/users/?search={}", user.username), token)
        .await
        .json()
        .await
        .expect("page");
    serde_json::from_value::<Vec<User>>(page["results"].clone())
        .expect("users")
        .into_iter()
        .find(|found| found.id == user.id)
}

/// The stored presence of `user`, as no viewer sees it.
async fn online_in_db(app: &TestApp, user: &User) -> bool {
    let online: i64 = sqlx::query_scalar("SELECT is_online FROM users WHERE id = ?")
        .bind(user.id.0)
        .fetch_one(app.db.pool())
        .await
        .expect("presence");
    online != 0
}

async fn online_ids(app: &TestApp, token: &str) -> Vec<i64> {
    let users: Vec<User> = app
        .get_auth("/api/users/online_users/", token)
        .await
        .json()
        .await
        .expect("users");
    users.into_iter().map(|user| user.id.0).collect()
}

/// Subscribes `socket` to `users`' presence.
async fn watch(socket: &mut Socket, users: &[&User]) {
    let ids: Vec<i64> = users.iter().map(|user| user.id.0).collect();
    send(
        socket,
        json!({"type": "subscribe-presence", "user_ids": ids}),
    )
    .await;
    recv_type(socket, "subscribed").await;
}

/// The next presence event on `socket`: (user id, is_online, last_seen is set).
async fn next_presence(socket: &mut Socket) -> (i64, bool, bool) {
    let event = recv_type(socket, "presence").await;
    (
        event["user_id"].as_i64().expect("id"),
        event["is_online"] == true,
        !event["last_seen"].is_null(),
    )
}

async fn contacts_are_listed_favourites_first_then_online_then_by_name(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let (bob, _) = app.user("Bob").await;
    let (carol, _) = app.user("carol").await;
    let (dave, _, _dave_socket) = online(&app, "dave").await;
    let (erin, _) = app.user("erin").await;
    assert_eq!(add_contact(&app, &alice, &erin, false).await, 201);
    assert_eq!(add_contact(&app, &alice, &bob, false).await, 201);
    assert_eq!(add_contact(&app, &alice, &carol, true).await, 201);
    assert_eq!(add_contact(&app, &alice, &dave, false).await, 201);
    // Adding again answers the existing contact, unchanged.
    assert_eq!(add_contact(&app, &alice, &carol, false).await, 200);
    let list = contacts(&app, &alice).await;
    let names: Vec<&str> = list.iter().map(|c| c.user.username.as_str()).collect();
    assert_eq!(names, ["carol", "dave", "Bob", "erin"]);
    assert!(list[0].is_favourite);
    assert!(list[1].user.is_online);
    assert!(list[1].user.email.is_none());

    let response = app
        .patch_auth(
            &format!("/api/contacts/{}/", erin.id),
            &alice,
            &json!({"is_favourite": true}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let updated: Contact = response.json().await.expect("contact");
    assert!(updated.is_favourite);
    let names: Vec<String> = contacts(&app, &alice)
        .await
        .into_iter()
        .map(|c| c.user.username)
        .collect();
    assert_eq!(names, ["carol", "erin", "dave", "Bob"]);
    let response = app
        .delete_auth(&format!("/api/contacts/{}/", bob.id), &alice)
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(contacts(&app, &alice).await.len(), 3);
}

async fn bad_contact_requests_change_nothing(app: TestApp) {
    let (alice_user, alice) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let (carol, _) = app.user("carol").await;
    assert_eq!(block(&app, &alice, &carol).await, 201);
    let refused = [
        (
            json!({"user_id": alice_user.id}),
            "You cannot add yourself.",
        ),
        (
            json!({"user_id": 999_999}),
            "Invalid pk \"999999\" - object does not exist.",
        ),
        (json!({"user_id": carol.id}), "Unblock this person first."),
    ];
    for (request, message) in refused {
        let response = app.post_auth("/api/contacts/", &alice, &request).await;
        let errors = body(response, 400).await;
        assert_eq!(errors["user_id"], json!([message]), "{errors}");
        // Beside the messages, only their codes (tests/error_codes.rs).
        assert_eq!(errors.as_object().map(|o| o.len()), Some(2), "{errors}");
    }
    let response = app
        .post_auth("/api/contacts/", &alice, &json!({"user_id": "bob"}))
        .await;
    assert_eq!(response.status(), 400);
    let response = app.post_auth("/api/contacts/", &alice, &json!({})).await;
    assert_eq!(response.status(), 400);
    assert!(contacts(&app, &alice).await.is_empty());

    // Someone else's contacts, and paths naming no one, are not found.
    assert_eq!(add_contact(&app, &alice, &bob, false).await, 201);
    for path in [
        format!("/api/contacts/{}/", bob.id),
        "/api/contacts/abc/".to_owned(),
        "/api/contacts/0/".to_owned(),
    ] {
        let response = app
            .patch_auth(&path, &bob_token, &json!({"is_favourite": true}))
            .await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(app.delete_auth(&path, &bob_token).await.status(), 404);
    }
    let response = app
        .patch_auth(
            &format!("/api/contacts/{}/", bob.id),
            &alice,
            &json!({"is_favourite": "yes"}),
        )
        .await;
    assert_eq!(response.status(), 400);
    let list = contacts(&app, &alice).await;
    assert_eq!(list.len(), 1);
    assert!(!list[0].is_favourite);
    assert!(contacts(&app, &bob_token).await.is_empty());
    // Without a token.
    let response = app.get("/api/contacts/").await;
    assert_eq!(response.status(), 401);
}

async fn blocking_lists_newest_first_and_removes_the_contact(app: TestApp) {
    let (alice_user, alice) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let (carol, _) = app.user("carol").await;
    assert_eq!(add_contact(&app, &alice, &bob, true).await, 201);
    assert_eq!(block(&app, &alice, &bob).await, 201);
    assert!(contacts(&app, &alice).await.is_empty());
    assert_eq!(block(&app, &alice, &bob).await, 200);
    assert_eq!(block(&app, &alice, &carol).await, 201);
    let response = app
        .post_auth("/api/blocks/", &alice, &json!({"user_id": alice_user.id}))
        .await;
    assert_eq!(
        body(response, 400).await,
        json!({"user_id": ["You cannot block yourself."], "codes": {"user_id": ["not_yourself"]}})
    );
    let blocked: Vec<BlockedUser> = app
        .get_auth("/api/blocks/", &alice)
        .await
        .json()
        .await
        .expect("blocks");
    let ids: Vec<_> = blocked.iter().map(|b| b.user.id).collect();
    assert_eq!(ids, [carol.id, bob.id]);
    // Only one's own blocks.
    let path = format!("/api/blocks/{}/", bob.id);
    assert_eq!(app.delete_auth(&path, &bob_token).await.status(), 404);
    assert_eq!(app.delete_auth(&path, &alice).await.status(), 204);
    assert_eq!(app.delete_auth(&path, &alice).await.status(), 404);
    assert_eq!(add_contact(&app, &alice, &bob, false).await, 201);
}

async fn a_blocked_callers_call_is_invisible_to_the_receiver(app: TestApp) {
    let (alice, alice_token, mut alice_socket) = online(&app, "alice").await;
    let (bob, bob_token, mut bob_socket) = online(&app, "bob").await;
    let (_, carol_token) = app.user("carol").await;
    assert_eq!(block(&app, &alice_token, &bob).await, 201);

    let (status, screened) = call(&app, &bob_token, &alice).await;
    assert_eq!(status, 201, "{screened}");
    assert_eq!(screened["status"], "initiated");
    let id = screened["id"].as_i64().expect("id");
    assert_eq!(
        recv_type(&mut bob_socket, "call-status").await["call"]["id"],
        id
    );

    // Alice is not busy for others, and the first call that rings her is carol's.
    let (status, carols) = call(&app, &carol_token, &alice).await;
    assert_eq!(status, 201, "{carols}");
    // Events are delivered in order: had bob's call rung her, it would come first.
    let incoming = recv_type(&mut alice_socket, "call-incoming").await;
    assert_eq!(incoming["call"]["id"], carols["id"]);
    assert_eq!(
        app.call_action(carols["id"].as_i64().unwrap(), "cancel", &carol_token)
            .await
            .status(),
        200
    );

    for path in [
        "/api/calls/",
        "/api/calls/history/",
        "/api/calls/active/",
        "/api/calls/missed/",
    ] {
        assert!(
            !listing(&app, path, &alice_token).await.contains(&id),
            "{path}"
        );
    }
    assert!(listing(&app, "/api/calls/active/", &bob_token)
        .await
        .contains(&id));
    let response = app
        .get_auth(&format!("/api/calls/{id}/"), &alice_token)
        .await;
    assert_eq!(response.status(), 404);
    for action in ["accept", "reject", "ringing", "end"] {
        let response = app.call_action(id, action, &alice_token).await;
        assert_eq!(response.status(), 404, "{action}");
    }
    let room = screened["room_id"].as_str().expect("room");
    let mut socket = connect(&app, &format!("/ws/call/{room}/?token={alice_token}")).await;
    assert_eq!(close_code(&mut socket).await, Some(4003));

    // No glare with a call alice does not know of: her call to bob is a call of its own (bob
    // is calling, so busy).
    let (status, answer) = call(&app, &alice_token, &bob).await;
    assert_eq!(status, 409, "{answer}");
    assert_ne!(answer["call"]["id"], id);
    assert!(answer.get("reason").is_none());

    // The caller cancels as usual; alice hears nothing of it.
    let response = app.call_action(id, "cancel", &bob_token).await;
    assert_eq!(response.status(), 200);
    assert_eq!(missed_count(&app, &alice_token).await, 0);
    assert_eq!(
        listing(&app, "/api/calls/", &alice_token).await.len(),
        2,
        "carol's call and alice's busy attempt only"
    );
}

async fn a_screened_call_times_out_for_the_caller_like_an_unanswered_one(
    app: TestApp,
    clock: ManualClock,
) {
    let (alice, alice_token, mut alice_socket) = online(&app, "alice").await;
    let (_, bob_token, mut bob_socket) = online(&app, "bob").await;
    let (carol, carol_token) = app.user("carol").await;
    set_privacy(&app, &alice_token, json!({"who_can_call": "contacts"})).await;
    recv_type(&mut alice_socket, "privacy-changed").await;

    let (status, screened) = call(&app, &bob_token, &alice).await;
    assert_eq!(status, 201);
    recv_type(&mut bob_socket, "call-status").await;
    clock.advance_secs(30);
    assert_eq!(app.calls.sweep_once().await.expect("sweep"), 0);
    clock.advance_secs(16);
    assert_eq!(app.calls.sweep_once().await.expect("sweep"), 1);
    let ended = recv_type(&mut bob_socket, "call-status").await;
    assert_eq!(ended["call"]["id"], screened["id"]);
    assert_eq!(ended["call"]["status"], "missed");
    assert_eq!(ended["call"]["end_reason"], "timeout");
    assert_eq!(missed_count(&app, &alice_token).await, 0);
    assert!(listing(&app, "/api/calls/missed/", &alice_token)
        .await
        .is_empty());

    // A contact rings her: the first call-incoming alice gets (bob's never did).
    assert_eq!(add_contact(&app, &alice_token, &carol, false).await, 201);
    let (status, rings) = call(&app, &carol_token, &alice).await;
    assert_eq!(status, 201);
    let incoming = recv_type(&mut alice_socket, "call-incoming").await;
    assert_eq!(incoming["call"]["id"], rings["id"]);
}

async fn blocking_ends_a_call_still_ringing_the_blocker(app: TestApp) {
    let (alice, alice_token, mut alice_socket) = online(&app, "alice").await;
    let (bob, bob_token, mut bob_socket) = online(&app, "bob").await;
    let ringing = app.start_call(&bob_token, &alice, CallType::Video).await;
    recv_type(&mut alice_socket, "call-incoming").await;
    recv_type(&mut bob_socket, "call-status").await;
    assert_eq!(block(&app, &alice_token, &bob).await, 201);
    for socket in [&mut alice_socket, &mut bob_socket] {
        let ended = recv_type(socket, "call-status").await;
        assert_eq!(ended["call"]["id"], ringing.id.0);
        assert_eq!(ended["call"]["status"], "missed");
        assert_eq!(ended["call"]["end_reason"], "timeout");
    }
    assert_eq!(missed_count(&app, &alice_token).await, 0);
    assert!(listing(&app, "/api/calls/", &alice_token).await.is_empty());
    assert_eq!(
        listing(&app, "/api/calls/missed/", &bob_token).await.len(),
        0
    );
    assert_eq!(
        listing(&app, "/api/calls/history/", &bob_token).await,
        [ringing.id.0]
    );
}

async fn do_not_disturb_answers_busy_and_records_a_missed_call(app: TestApp) {
    let (alice, alice_token, mut alice_socket) = online(&app, "alice").await;
    let (_, bob_token) = app.user("bob").await;
    let (carol, carol_token) = app.user("carol").await;
    let settings = set_privacy(&app, &alice_token, json!({"do_not_disturb": true})).await;
    assert!(settings.do_not_disturb);
    assert_eq!(settings.do_not_disturb_until, None);
    assert_eq!(
        recv_type(&mut alice_socket, "privacy-changed").await["settings"]["do_not_disturb"],
        true
    );

    let (status, answer) = call(&app, &bob_token, &alice).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["detail"], "busy");
    assert_eq!(answer["reason"], "do_not_disturb");
    assert_eq!(answer["call"]["status"], "missed");
    assert_eq!(answer["call"]["end_reason"], "do_not_disturb");
    // Nothing rang: the first event alice gets is the call's status, not an incoming call.
    let event = recv(&mut alice_socket).await;
    assert_eq!(event["type"], "call-status", "{event}");
    assert_eq!(missed_count(&app, &alice_token).await, 1);
    assert_eq!(
        listing(&app, "/api/calls/missed/", &alice_token).await,
        [answer["call"]["id"].as_i64().unwrap()]
    );

    // A blocked caller never learns of do-not-disturb.
    assert_eq!(block(&app, &alice_token, &carol).await, 201);
    let (status, answer) = call(&app, &carol_token, &alice).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(missed_count(&app, &alice_token).await, 1);

    let settings = set_privacy(&app, &alice_token, json!({"do_not_disturb": false})).await;
    assert!(!settings.do_not_disturb);
}

async fn do_not_disturb_ends_by_itself_at_its_time(app: TestApp, clock: ManualClock) {
    let (alice, alice_token, mut alice_socket) = online(&app, "alice").await;
    let mut second_tab = user_socket(&app, &alice_token).await;
    let (_, bob_token) = app.user("bob").await;
    let until = clock.now_millis() + 60_000;
    let settings = set_privacy(
        &app,
        &alice_token,
        json!({"do_not_disturb": true, "do_not_disturb_until": Timestamp(until)}),
    )
    .await;
    assert_eq!(settings.do_not_disturb_until, Some(Timestamp(until)));
    for tab in [&mut alice_socket, &mut second_tab] {
        let changed = recv_type(tab, "privacy-changed").await;
        assert_eq!(changed["settings"]["do_not_disturb"], true);
    }
    assert_eq!(call(&app, &bob_token, &alice).await.0, 409);

    clock.advance_secs(59);
    assert_eq!(app.people.expire_do_not_disturb().await.expect("sweep"), 0);
    clock.advance_secs(1);
    assert!(!privacy(&app, &alice_token).await.do_not_disturb);
    assert_eq!(app.people.expire_do_not_disturb().await.expect("sweep"), 1);
    assert_eq!(app.people.expire_do_not_disturb().await.expect("sweep"), 0);
    for tab in [&mut alice_socket, &mut second_tab] {
        let changed = recv_type(tab, "privacy-changed").await;
        assert_eq!(changed["settings"]["do_not_disturb"], false);
        assert!(changed["settings"]["do_not_disturb_until"].is_null());
    }
    assert_eq!(call(&app, &bob_token, &alice).await.0, 201);
}

async fn bad_privacy_updates_change_nothing(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let past = SystemClock.now_millis() - 1_000;
    let future = SystemClock.now_millis() + 3_600_000;
    let refused = [
        json!({"do_not_disturb": true, "do_not_disturb_until": Timestamp(past)}),
        json!({"do_not_disturb_until": Timestamp(future)}),
        json!({"do_not_disturb": false, "do_not_disturb_until": Timestamp(future)}),
        json!({"do_not_disturb": true, "do_not_disturb_until": "tomorrow"}),
        json!({"who_can_call": "friends"}),
        json!({"presence_visible_to": "contacts", "who_can_call": "nobody"}),
    ];
    for request in refused {
        let response = app
            .patch_auth("/api/users/me/privacy/", &alice, &request)
            .await;
        assert_eq!(response.status(), 400, "{request}");
    }
    assert_eq!(privacy(&app, &alice).await, PrivacySettings::default());
    let response = app.get("/api/users/me/privacy/").await;
    assert_eq!(response.status(), 401);
}

async fn hidden_presence_looks_offline_through_every_path(app: TestApp) {
    let (alice, alice_token, mut alice_socket) = online(&app, "alice").await;
    let (bob, bob_token, mut bob_socket) = online(&app, "bob").await;
    watch(&mut alice_socket, &[&bob]).await;
    assert!(
        in_directory(&app, &alice_token, &bob)
            .await
            .expect("found")
            .is_online
    );
    assert!(online_ids(&app, &alice_token).await.contains(&bob.id.0));

    set_privacy(&app, &bob_token, json!({"presence_visible_to": "nobody"})).await;
    // The subscription hears bob go "offline", never seen.
    assert_eq!(
        next_presence(&mut alice_socket).await,
        (bob.id.0, false, false)
    );
    let seen = in_directory(&app, &alice_token, &bob).await.expect("found");
    assert!(!seen.is_online);
    assert!(seen.last_seen.is_none());
    assert!(!online_ids(&app, &alice_token).await.contains(&bob.id.0));
    assert_eq!(add_contact(&app, &alice_token, &bob, false).await, 201);
    let contact = &contacts(&app, &alice_token).await[0];
    assert!(!contact.user.is_online && contact.user.last_seen.is_none());
    // The call JSON: alice sees bob offline everywhere; bob still sees alice.
    let started = app.start_call(&alice_token, &bob, CallType::Audio).await;
    assert!(!started.receiver.is_online && started.receiver.last_seen.is_none());
    let incoming = recv_type(&mut bob_socket, "call-incoming").await;
    assert_eq!(incoming["call"]["caller"]["is_online"], true);
    let as_alice: Call = app
        .get_auth(&format!("/api/calls/{}/", started.id), &alice_token)
        .await
        .json()
        .await
        .expect("call");
    assert!(!as_alice.receiver.is_online);
    let status = recv_type(&mut alice_socket, "call-status").await;
    assert_eq!(status["call"]["receiver"]["is_online"], false);
    assert!(status["call"]["receiver"]["last_seen"].is_null());
    app.call_action(started.id, "cancel", &alice_token).await;
    // Bob's own record still says online.
    let me: User = app
        .get_auth("/api/users/me/", &bob_token)
        .await
        .json()
        .await
        .expect("me");
    assert!(me.is_online);

    // Contacts only: alice is not one of bob's, then is.
    set_privacy(&app, &bob_token, json!({"presence_visible_to": "contacts"})).await;
    assert_eq!(
        next_presence(&mut alice_socket).await,
        (bob.id.0, false, false)
    );
    assert!(!online_ids(&app, &alice_token).await.contains(&bob.id.0));
    assert_eq!(add_contact(&app, &bob_token, &alice, false).await, 201);
    assert_eq!(
        next_presence(&mut alice_socket).await,
        (bob.id.0, true, true)
    );
    assert!(online_ids(&app, &alice_token).await.contains(&bob.id.0));
    assert!(
        in_directory(&app, &alice_token, &bob)
            .await
            .expect("found")
            .is_online
    );
    // Removed from bob's contacts: hidden again.
    let response = app
        .delete_auth(&format!("/api/contacts/{}/", alice.id), &bob_token)
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        next_presence(&mut alice_socket).await,
        (bob.id.0, false, false)
    );

    // A change of a hidden user reaches no one who may not see it: bob going offline and
    // online again is not told to alice (the next presence event she gets is carol's).
    let (carol, _, carol_socket) = online(&app, "carol").await;
    watch(&mut alice_socket, &[&bob, &carol]).await;
    drop(bob_socket);
    // Bob's change first (a watcher told of it would hear it before carol's).
    while online_in_db(&app, &bob).await {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(carol_socket);
    assert_eq!(next_presence(&mut alice_socket).await.0, carol.id.0);
}

async fn the_directory_orders_hidden_users_as_offline(app: TestApp) {
    let (_, alice_token, _alice_socket) = online(&app, "alice").await;
    let (_, bob_token, _bob_socket) = online(&app, "bob").await;
    let (_, _, _carol_socket) = online(&app, "carol").await;
    app.register("aaron").await;
    set_privacy(&app, &bob_token, json!({"presence_visible_to": "nobody"})).await;
    let page: Value = app
        .get_auth("/api/users/", &alice_token)
        .await
        .json()
        .await
        .expect("page");
    let names: Vec<&str> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|user| user["username"].as_str())
        .collect();
    // Bob is online, but not to alice: he sorts among the offline, by name.
    assert_eq!(names, ["carol", "aaron", "bob"]);
}

async fn a_blocker_is_hidden_and_not_found(app: TestApp) {
    let (alice, alice_token, mut alice_socket) = online(&app, "alice").await;
    let (bob, bob_token, _bob_socket) = online(&app, "bob").await;
    watch(&mut alice_socket, &[&bob]).await;
    assert_eq!(block(&app, &bob_token, &alice).await, 201);
    assert_eq!(
        next_presence(&mut alice_socket).await,
        (bob.id.0, false, false)
    );
    assert!(in_directory(&app, &alice_token, &bob).await.is_none());
    let page: Value = app
        .get_auth("/api/users/", &alice_token)
        .await
        .json()
        .await
        .expect("page");
    assert_eq!(page["count"], 0);
    assert!(!online_ids(&app, &alice_token).await.contains(&bob.id.0));
    // Adding the blocker succeeds like any other (no oracle) and shows nothing of them.
    assert_eq!(add_contact(&app, &alice_token, &bob, false).await, 201);
    let contact = &contacts(&app, &alice_token).await[0];
    assert!(!contact.user.is_online && contact.user.last_seen.is_none());
    // The blocker still sees the blocked person, in the directory and the blocks list.
    assert!(
        in_directory(&app, &bob_token, &alice)
            .await
            .expect("found")
            .is_online
    );
    let blocked: Vec<BlockedUser> = app
        .get_auth("/api/blocks/", &bob_token)
        .await
        .json()
        .await
        .expect("blocks");
    assert!(blocked[0].user.is_online);
    // Unblocked: visible again, live.
    let response = app
        .delete_auth(&format!("/api/blocks/{}/", alice.id), &bob_token)
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        next_presence(&mut alice_socket).await,
        (bob.id.0, true, true)
    );
    assert!(in_directory(&app, &alice_token, &bob).await.is_some());
}

/// Inserts `n` accounts straight into the database (no argon2): their ids.
async fn bulk_users(app: &TestApp, prefix: &str, n: usize) -> Vec<i64> {
    let rows = vec!["(?, ?, ?, ?, 'x', 0, 0)"; n].join(", ");
    let sql = format!(
        "INSERT INTO users (username, username_key, email, email_key, password_hash, \
         is_online, created_at) VALUES {rows}"
    );
    let mut insert = sqlx::query(&sql);
    for i in 0..n {
        let name = format!("{prefix}{i}");
        let email = format!("{name}@example.com");
        insert = insert
            .bind(name.clone())
            .bind(name)
            .bind(email.clone())
            .bind(email);
    }
    insert.execute(app.db.pool()).await.expect("users");
    sqlx::query_scalar(&format!(
        "SELECT id FROM users WHERE username_key LIKE '{prefix}%' ORDER BY id"
    ))
    .fetch_all(app.db.pool())
    .await
    .expect("ids")
}

async fn contacts_and_blocks_are_bounded(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, _) = app.user("bob").await;
    let ids = bulk_users(&app, "filler", MAX_CONTACTS.max(MAX_BLOCKS) as usize).await;
    for (table, columns, max) in [
        (
            "contacts",
            "owner_id, contact_id, is_favourite, added_at",
            MAX_CONTACTS,
        ),
        ("blocks", "blocker_id, blocked_id, blocked_at", MAX_BLOCKS),
    ] {
        let extra = if table == "contacts" { ", 0, 0" } else { ", 0" };
        let rows = vec![format!("(?, ?{extra})"); max as usize].join(", ");
        let sql = format!("INSERT INTO {table} ({columns}) VALUES {rows}");
        let mut query = sqlx::query(&sql);
        for id in ids.iter().take(max as usize) {
            query = query.bind(alice.id.0).bind(*id);
        }
        query.execute(app.db.pool()).await.expect(table);
    }
    let response = app
        .post_auth("/api/contacts/", &alice_token, &json!({"user_id": bob.id}))
        .await;
    assert_eq!(
        body(response, 400).await,
        json!({"detail": format!("You can have at most {MAX_CONTACTS} contacts."), "code": "limit_reached"})
    );
    let response = app
        .post_auth("/api/blocks/", &alice_token, &json!({"user_id": bob.id}))
        .await;
    assert_eq!(
        body(response, 400).await,
        json!({"detail": format!("You can block at most {MAX_BLOCKS} people."), "code": "limit_reached"})
    );
    assert_eq!(app.count("contacts").await, MAX_CONTACTS);
    assert_eq!(app.count("blocks").await, MAX_BLOCKS);
    // Making room lets the next one in.
    let first = ids[0];
    let response = app
        .delete_auth(&format!("/api/blocks/{first}/"), &alice_token)
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(block(&app, &alice_token, &bob).await, 201);
}

/// People writes a test server allows per minute: few, so that none is replenished (one every
/// 15 s) while the test runs on a loaded machine (60 a minute gave one back every second, and
/// 60 writes took longer than that there).
const FEW_PEOPLE_WRITES: u32 = 4;

/// The server with a people-writes limit (the harness lifts it).
async fn with_few_people_writes(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| {
        config.people_writes_per_minute = FEW_PEOPLE_WRITES;
    })
    .await
}

async fn people_writes_are_rate_limited_per_user(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let (carol, _) = app.user("carol").await;
    for i in 0..FEW_PEOPLE_WRITES {
        let favourite = i % 2 == 0;
        let status = app
            .post_auth(
                "/api/contacts/",
                &alice,
                &json!({"user_id": bob.id, "is_favourite": favourite}),
            )
            .await
            .status();
        assert!(status.is_success(), "write {i}: {status}");
    }
    for response in [
        app.post_auth("/api/blocks/", &alice, &json!({"user_id": carol.id}))
            .await,
        app.patch_auth(
            "/api/users/me/privacy/",
            &alice,
            &json!({"do_not_disturb": true}),
        )
        .await,
    ] {
        assert_eq!(response.status(), 429);
        let retry: u64 = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!(retry >= 1);
    }
    // Nothing was written; reads and other users go on.
    assert!(!privacy(&app, &alice).await.do_not_disturb);
    assert_eq!(contacts(&app, &alice).await.len(), 1);
    assert_eq!(block(&app, &bob_token, &carol).await, 201);
}

backend_tests! {
    contacts_ordering => contacts_are_listed_favourites_first_then_online_then_by_name;
    bad_contact_requests => bad_contact_requests_change_nothing;
    blocks_list => blocking_lists_newest_first_and_removes_the_contact;
    blocked_call_invisible => a_blocked_callers_call_is_invisible_to_the_receiver;
    block_ends_ringing => blocking_ends_a_call_still_ringing_the_blocker;
    do_not_disturb => do_not_disturb_answers_busy_and_records_a_missed_call;
    bad_privacy => bad_privacy_updates_change_nothing;
    hidden_presence => hidden_presence_looks_offline_through_every_path;
    blocker_hidden => a_blocker_is_hidden_and_not_found;
    directory_order => the_directory_orders_hidden_users_as_offline;
    bounded => contacts_and_blocks_are_bounded;
}

tests_with!(with_few_people_writes => sqlite_limited, mariadb_limited:
    people_writes_are_rate_limited_per_user);

clock_tests! {
    screened_timeout => a_screened_call_times_out_for_the_caller_like_an_unanswered_one;
    do_not_disturb_until => do_not_disturb_ends_by_itself_at_its_time;
}
