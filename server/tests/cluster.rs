//! Several instances behind one MariaDB database with Redis between them (REDIS_URL): a call
//! between users connected to different instances, presence across them, the start lock across
//! them, and recovery from a Redis restart.

mod common;

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use app::protocol::{CallId, CallType, Health, User};
use common::{
    socket::{join, recv, recv_type, send, user_socket, Socket, WAIT},
    TestApp,
};
use serde_json::{json, Value};

/// The shared Redis of the test machine (override with `TEST_REDIS_URL`).
fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Two instances of one group on the shared Redis.
async fn two_instances() -> (TestApp, TestApp) {
    let a = TestApp::spawn_clustered(&redis_url()).await;
    let b = a.sibling().await;
    (a, b)
}

/// The next presence event about `user_id`.
async fn presence_of(socket: &mut Socket, user_id: i64) -> bool {
    loop {
        let event = recv_type(socket, "presence").await;
        if event["user_id"] == user_id {
            return event["is_online"] == true;
        }
    }
}

/// The ids `GET /api/users/online_users/` lists on `app`.
async fn online_users(app: &TestApp, token: &str) -> Vec<i64> {
    let users: Vec<User> = app
        .get_auth("/api/users/online_users/", token)
        .await
        .json()
        .await
        .expect("users");
    users.into_iter().map(|user| user.id.0).collect()
}

/// `GET /api/calls/{id}/` on `app`.
async fn call_json(app: &TestApp, id: CallId, token: &str) -> Value {
    let response = app.get_auth(&format!("/api/calls/{id}/"), token).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("call")
}

/// Waits for a call-status event with `status`, skipping earlier ones.
async fn call_status(socket: &mut Socket, status: &str) {
    while recv_type(socket, "call-status").await["call"]["status"] != status {}
}

async fn subscribe_presence(socket: &mut Socket, user_id: i64) {
    send(
        socket,
        json!({"type": "subscribe-presence", "user_ids": [user_id]}),
    )
    .await;
    recv_type(socket, "subscribed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_between_users_on_different_instances_goes_through() {
    let (a, b) = two_instances().await;
    let (_, alice_token) = a.user("alice").await;
    let (bob, bob_token) = b.user("bob").await;

    // Presence: alice on A watches bob, who comes online on B.
    let mut alice_events = user_socket(&a, &alice_token).await;
    subscribe_presence(&mut alice_events, bob.id.0).await;
    let mut bob_events = user_socket(&b, &bob_token).await;
    assert!(presence_of(&mut alice_events, bob.id.0).await);
    assert!(online_users(&a, &alice_token).await.contains(&bob.id.0));

    // alice calls through A; bob's socket on B rings.
    let call = a.start_call(&alice_token, &bob, CallType::Video).await;
    let incoming = recv_type(&mut bob_events, "call-incoming").await;
    assert_eq!(incoming["call"]["id"], call.id.0);

    // alice joins on A and sends her offer before bob is anywhere in the room.
    let mut alice_room = join(&a, &call, &alice_token).await;
    let offer = json!({"type": "call-offer", "call_id": call.id, "offer": {"sdp": "o"}});
    send(&mut alice_room, offer).await;
    send(
        &mut alice_room,
        json!({"type": "ice-candidate", "call_id": call.id, "candidate": {"c": 1}}),
    )
    .await;

    // bob accepts through B; alice hears it on A.
    let response = b.call_action(call.id, "accept", &bob_token).await;
    assert_eq!(response.status(), 200);
    call_status(&mut alice_events, "accepted").await;

    // bob joins on B: the early offer and candidate arrive once, in order.
    let mut bob_room = join(&b, &call, &bob_token).await;
    let early = recv(&mut bob_room).await;
    assert_eq!(
        (early["type"].as_str(), &early["offer"]),
        (Some("call-offer"), &json!({"sdp": "o"}))
    );
    assert_eq!(recv(&mut bob_room).await["candidate"], json!({"c": 1}));
    let joined = recv(&mut alice_room).await;
    assert_eq!(
        (joined["type"].as_str(), &joined["user_id"]),
        (Some("user-joined"), &json!(bob.id.0))
    );

    // Both ways from now on.
    send(
        &mut bob_room,
        json!({"type": "call-answer", "call_id": call.id, "answer": {"sdp": "a"}}),
    )
    .await;
    assert_eq!(recv(&mut alice_room).await["answer"], json!({"sdp": "a"}));
    send(
        &mut bob_room,
        json!({"type": "ice-candidate", "call_id": call.id, "candidate": {"c": 2}}),
    )
    .await;
    assert_eq!(recv(&mut alice_room).await["candidate"], json!({"c": 2}));
    send(
        &mut alice_room,
        json!({"type": "ice-candidate", "call_id": call.id, "candidate": {"c": 3}}),
    )
    .await;
    assert_eq!(recv(&mut bob_room).await["candidate"], json!({"c": 3}));

    // alice hangs up on A: bob's room socket and both users' sockets hear it.
    send(
        &mut alice_room,
        json!({"type": "call-end", "call_id": call.id}),
    )
    .await;
    assert_eq!(recv(&mut bob_room).await["type"], "call-end");
    call_status(&mut alice_events, "ended").await;
    call_status(&mut bob_events, "ended").await;

    // bob's last socket closes on B: alice on A sees him go offline.
    drop(bob_room);
    drop(bob_events);
    assert!(!presence_of(&mut alice_events, bob.id.0).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_online_on_one_instance_stays_online_when_another_closes() {
    let (a, b) = two_instances().await;
    let (_, alice_token) = a.user("alice").await;
    let (bob, bob_token) = a.user("bob").await;
    let mut alice_events = user_socket(&a, &alice_token).await;
    subscribe_presence(&mut alice_events, bob.id.0).await;
    let on_a = user_socket(&a, &bob_token).await;
    assert!(presence_of(&mut alice_events, bob.id.0).await);
    let on_b = user_socket(&b, &bob_token).await;
    drop(on_a);
    // B counts bob's socket: A must not store him offline.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(online_users(&a, &alice_token).await.contains(&bob.id.0));
    drop(on_b);
    assert!(!presence_of(&mut alice_events, bob.id.0).await);
}

/// Each instance caches user records for `GET /api/users/me/`: a change through one instance
/// must reach the other's cache through the bus, well before the cache's own expiry (5 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_instance_shows_on_the_other_at_once() {
    let (a, b) = two_instances().await;
    let (_, token) = a.user("alice").await;
    let is_online_on_b = || async {
        let me: User = b
            .get_auth("/api/users/me/", &token)
            .await
            .json()
            .await
            .expect("me");
        me.is_online
    };
    assert!(!is_online_on_b().await);
    a.post_auth("/api/users/set_online/", &token, &json!({}))
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    while !is_online_on_b().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "B still serves the record from before the change"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_starts_on_two_instances_make_one_live_call() {
    let (a, b) = two_instances().await;
    let (receiver, _) = a.user("receiver").await;
    let (_, first) = a.user("first").await;
    let (_, second) = a.user("second").await;
    let body = json!({"receiver": receiver.id, "call_type": "audio"});
    for round in 0..8 {
        let (one, two) = tokio::join!(
            a.post_auth("/api/calls/", &first, &body),
            b.post_auth("/api/calls/", &second, &body),
        );
        let mut statuses = [one.status().as_u16(), two.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {round}");
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM calls WHERE status IN ('initiated', 'ringing', 'accepted')",
        )
        .fetch_one(a.db.pool())
        .await
        .expect("count");
        assert_eq!(live, 1, "round {round}");
        let (winner, token) = if one.status() == 201 {
            (one, &first)
        } else {
            (two, &second)
        };
        let call: Value = winner.json().await.expect("call");
        let response = a.call_action(&call["id"], "cancel", token).await;
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_starting_instance_ends_only_the_calls_no_instance_serves() {
    let a = TestApp::spawn_clustered(&redis_url()).await;
    let (_, alice_token) = a.user("alice").await;
    let (bob, bob_token) = a.user("bob").await;
    let (_, carol_token) = a.user("carol").await;
    let (dave, dave_token) = a.user("dave").await;
    // Served: both parties are in the room on A.
    let served = a.start_call(&alice_token, &bob, CallType::Video).await;
    assert_eq!(
        a.call_action(served.id, "accept", &bob_token)
            .await
            .status(),
        200
    );
    let _alice_room = join(&a, &served, &alice_token).await;
    let _bob_room = join(&a, &served, &bob_token).await;
    // Orphaned: accepted, but no one is in its room anywhere (as after a crash).
    let orphan = a.start_call(&carol_token, &dave, CallType::Audio).await;
    assert_eq!(
        a.call_action(orphan.id, "accept", &dave_token)
            .await
            .status(),
        200
    );

    // Another instance starts: it must not close calls at once, nor the one A serves.
    let c = a.sibling_with(|config| config.ws_grace_secs = 2).await;
    assert_eq!(
        call_json(&c, orphan.id, &carol_token).await["status"],
        "accepted"
    );
    let deadline = tokio::time::Instant::now() + WAIT + Duration::from_secs(2);
    loop {
        let call = call_json(&c, orphan.id, &carol_token).await;
        if call["status"] == "ended" {
            assert_eq!(call["end_reason"], "connection_lost");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{call}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Both grace periods started together: the served call's would have expired by now.
    assert_eq!(
        call_json(&c, served.id, &alice_token).await["status"],
        "accepted"
    );
}

/// A Redis of one test's own, which it may stop and start again on the same port.
struct PrivateRedis {
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut redis = Self { port, child: None };
        redis.restart();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (Debian package redis-server)");
        self.child = Some(child);
        // Ready once it accepts connections.
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Anyone who can publish on the group's Redis channel, without SECRET_KEY, rings no one: an
/// unsigned `call-incoming` for carol, published straight on the channel, never reaches her
/// socket, while the same event sent by an instance does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsigned_bus_message_reaches_no_one() {
    let (a, b) = two_instances().await;
    let (_, alice_token) = a.user("alice").await;
    let (carol, carol_token) = b.user("carol").await;
    let mut carol_events = user_socket(&b, &carol_token).await;
    let call = a.start_call(&alice_token, &carol, CallType::Video).await;
    recv_type(&mut carol_events, "call-incoming").await;

    let forged = json!({
        "from": 1,
        "message": server::bus::BusMessage::Event {
            recipients: vec![carol.id],
            event: app::protocol::UserEvent::CallIncoming { call: call.clone() },
        },
    });
    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let channel = format!("{}:bus", a.config.redis_prefix);
    for payload in [forged.to_string(), format!("{}.{forged}", "0".repeat(64))] {
        redis::cmd("PUBLISH")
            .arg(&channel)
            .arg(payload)
            .exec_async(&mut conn)
            .await
            .expect("publish");
    }
    let arrived = tokio::time::timeout(Duration::from_millis(500), recv(&mut carol_events)).await;
    assert!(arrived.is_err(), "a forged message arrived: {arrived:?}");
}

async fn redis_status(app: &TestApp) -> Option<bool> {
    let health: Health = app.get("/api/health/").await.json().await.expect("health");
    health.redis
}

/// Polls both instances' health until Redis is `up` on both.
async fn wait_redis(apps: [&TestApp; 2], up: bool, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let a = redis_status(apps[0]).await;
        let b = redis_status(apps[1]).await;
        if a == Some(up) && b == Some(up) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "Redis up={up} not seen in time: {a:?} {b:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// alice calls `to` through `app`, `to_events` rings, alice cancels.
async fn ring_and_cancel(app: &TestApp, alice: &str, to: &User, to_events: &mut Socket) {
    let call = app.start_call(alice, to, CallType::Audio).await;
    let incoming = recv_type(to_events, "call-incoming").await;
    assert_eq!(incoming["call"]["id"], call.id.0);
    let response = app.call_action(call.id, "cancel", alice).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_survive_a_redis_restart_and_recover() {
    let mut redis = PrivateRedis::start();
    let a = TestApp::spawn_clustered(&redis.url()).await;
    let b = a.sibling().await;
    let (_, alice_token) = a.user("alice").await;
    let (bob, bob_token) = b.user("bob").await;
    let (carol, carol_token) = a.user("carol").await;
    let mut bob_events = user_socket(&b, &bob_token).await;
    let mut carol_events = user_socket(&a, &carol_token).await;
    wait_redis([&a, &b], true, WAIT).await;
    ring_and_cancel(&a, &alice_token, &bob, &mut bob_events).await;

    redis.kill();
    wait_redis([&a, &b], false, WAIT).await;
    // An outage outlasting several reconnection attempts, not a blip.
    tokio::time::sleep(Duration::from_secs(2)).await;
    // Both keep serving REST, and local delivery goes on.
    ring_and_cancel(&a, &alice_token, &carol, &mut carol_events).await;
    let response = b.get_auth("/api/calls/", &bob_token).await;
    assert_eq!(response.status(), 200);
    assert_eq!(a.get("/api/health/").await.status(), 200);

    redis.restart();
    // Backoff is capped at 5 s.
    wait_redis([&a, &b], true, Duration::from_secs(15)).await;
    ring_and_cancel(&a, &alice_token, &bob, &mut bob_events).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_starts_and_serves_its_users_while_redis_is_unreachable() {
    // Nothing listens on port 1.
    let a = TestApp::spawn_clustered("redis://127.0.0.1:1").await;
    let response = a.get("/api/health/").await;
    assert_eq!(response.status(), 200);
    let health: Health = response.json().await.expect("health");
    assert_eq!(
        (health.status.as_str(), health.redis),
        ("degraded", Some(false))
    );
    let (_, alice_token) = a.user("alice").await;
    let (bob, bob_token) = a.user("bob").await;
    let mut bob_events = user_socket(&a, &bob_token).await;
    ring_and_cancel(&a, &alice_token, &bob, &mut bob_events).await;
}

/// Presence privacy across instances: bob (on A) hides from alice, who watches him on B. B
/// must re-tell alice what she may see (its cached audience of bob forgotten through the bus),
/// and bob's settings reach his tab on B.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_presence_and_privacy_changes_cross_instances() {
    let (a, b) = two_instances().await;
    let (_, alice_token) = a.user("alice").await;
    let (bob, bob_token) = a.user("bob").await;
    let mut alice_on_b = user_socket(&b, &alice_token).await;
    subscribe_presence(&mut alice_on_b, bob.id.0).await;
    let bob_on_a = user_socket(&a, &bob_token).await;
    let mut bob_on_b = user_socket(&b, &bob_token).await;
    assert!(presence_of(&mut alice_on_b, bob.id.0).await);

    let response = a
        .client
        .patch(a.url("/api/users/me/privacy/"))
        .bearer_auth(&bob_token)
        .json(&json!({"presence_visible_to": "nobody"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 200);
    assert!(!presence_of(&mut alice_on_b, bob.id.0).await);
    let changed = recv_type(&mut bob_on_b, "privacy-changed").await;
    assert_eq!(changed["settings"]["presence_visible_to"], "nobody");
    assert!(!online_users(&b, &alice_token).await.contains(&bob.id.0));

    // Bob going offline is not told to alice on B: her next presence event is carol's.
    let (carol, carol_token) = a.user("carol").await;
    send(
        &mut alice_on_b,
        json!({"type": "subscribe-presence", "user_ids": [bob.id, carol.id]}),
    )
    .await;
    recv_type(&mut alice_on_b, "subscribed").await;
    drop(bob_on_a);
    drop(bob_on_b);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _carol_on_a = user_socket(&a, &carol_token).await;
    let event = recv_type(&mut alice_on_b, "presence").await;
    assert_eq!(event["user_id"], carol.id.0, "{event}");
}

/// Issue 23: a message left through one instance reaches the receiver's tab on the other, and a
/// "tell me when they are free" request fires to a tab on the other instance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_and_a_free_notice_reach_tabs_on_another_instance() {
    let (a, b) = two_instances().await;
    let (_, alice_token) = a.user("alice").await;
    let (bob, bob_token) = b.user("bob").await;
    let mut bob_events = user_socket(&b, &bob_token).await;
    let mut alice_events = user_socket(&b, &alice_token).await;

    let call = a.start_call(&alice_token, &bob, CallType::Audio).await;
    assert_eq!(
        b.call_action(call.id, "reject", &bob_token).await.status(),
        200
    );
    let left = a
        .client
        .put(a.url(&format!("/api/calls/{}/message/?duration_ms=1000", call.id)))
        .bearer_auth(&alice_token)
        .header("content-type", "audio/webm")
        .body(vec![0x1A, 0x45, 0xDF, 0xA3, 0, 0, 0, 0])
        .send()
        .await
        .expect("request");
    assert_eq!(left.status(), 201);
    let event = recv_type(&mut bob_events, "call-message").await;
    assert_eq!(event["message"]["call_id"], call.id.0);
    // Either instance serves it: it is in the database.
    let fetched = b
        .get_auth(&format!("/api/calls/{}/message/", call.id), &bob_token)
        .await;
    assert_eq!(fetched.status(), 200);

    // Bob goes offline; alice (her tab on B) asks through A; bob comes back on A.
    drop(bob_events);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let asked = a
        .post_auth(
            "/api/availability/",
            &alice_token,
            &json!({"user_id": bob.id}),
        )
        .await;
    assert_eq!(asked.status(), 201);
    let _bob_again = user_socket(&a, &bob_token).await;
    let free = tokio::time::timeout(WAIT, recv_type(&mut alice_events, "user-available"))
        .await
        .expect("in time");
    assert_eq!(free["user"]["id"], bob.id.0);
}
