//! Attacks a hostile client can make with cheap requests, each shown to fail while ordinary use
//! keeps working: CPU-heavy sign-ups, ringing someone without end, call room sockets that outlive
//! their call, payloads the relay would log, throttle keys varied by spaces and case.
//! (The picture decode bomb needs the real process's memory: `process.rs`.) Then client addresses
//! behind proxies, TURN for parties of a live call only, and security headers; tests that do not
//! depend on the database run on SQLite only.

mod common;

use std::time::{Duration, Instant};

use app::protocol::{Call, CallStatus, CallType, IceServers, MissedCount, User};
use common::{
    socket::{close_code, connect, join, recv, recv_type, send, Socket, WAIT},
    Backend, TestApp,
};
use futures_util::StreamExt;
use reqwest::{header::HeaderMap, StatusCode};
use serde_json::json;
use server::{
    clock::{Clock, ManualClock},
    config::Config,
    db::calls::NewSignal,
    Application,
};
use tokio_tungstenite::tungstenite::Message;

/// The server with the production defaults of the limits under test (the harness lifts them).
async fn with_default_limits(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| {
        let defaults = Config::from_defaults();
        config.signups_per_ip_per_hour = defaults.signups_per_ip_per_hour;
        config.call_starts_per_minute = defaults.call_starts_per_minute;
        config.call_starts_per_pair_per_hour = defaults.call_starts_per_pair_per_hour;
    })
    .await
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .expect("a Retry-After header in seconds")
}

/// Four parallel sign-ups with a 60,000-character username and a long password: each ran the
/// similarity check on the full strings for minutes and starved the server. Now each is a 400
/// at once, and the health check is answered meanwhile.
async fn over_long_sign_ups_are_refused_at_once(app: TestApp) {
    let body = json!({
        "username": "a".repeat(60_000),
        "email": "a@example.com",
        "password": "b".repeat(1024),
        "password_confirm": "b".repeat(1024),
    });
    let started = Instant::now();
    let sign_ups = (0..4).map(|_| app.post_json("/api/users/", &body));
    let health = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let started = Instant::now();
        let response = app.get("/api/health/").await;
        (response.status(), started.elapsed())
    };
    let (responses, (health_status, health_time)) =
        tokio::join!(futures_util::future::join_all(sign_ups), health);
    let elapsed = started.elapsed();
    eprintln!("4 over-long sign-ups answered in {elapsed:?}; /api/health/ in {health_time:?}");
    for response in responses {
        assert_eq!(response.status(), 400);
        let errors: serde_json::Value = response.json().await.expect("json");
        assert_eq!(
            errors["username"][0],
            "Ensure this field has no more than 150 characters."
        );
    }
    assert_eq!(health_status, 200);
    // Not a benchmark: before the fix these did not return within minutes.
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    // Ordinary sign-ups still work.
    app.register("alice").await;
}

async fn sign_ups_are_limited_per_address(app: TestApp) {
    let limit = Config::from_defaults().signups_per_ip_per_hour;
    // Invalid attempts count too: each costs the server validation work.
    for i in 0..limit {
        let response = app
            .post_json(
                "/api/users/",
                &json!({"username": format!("user{i}"), "email": "x", "password": "p"}),
            )
            .await;
        assert_eq!(response.status(), 400);
    }
    let response = app
        .post_json(
            "/api/users/",
            &json!({"username": "late", "email": "late@example.com",
                "password": "violet-kettle-42", "password_confirm": "violet-kettle-42"}),
        )
        .await;
    assert_eq!(response.status(), 429);
    assert!(retry_after(&response) >= 1);
    let body: serde_json::Value = response.json().await.expect("json");
    assert!(body["detail"]
        .as_str()
        .is_some_and(|d| d.starts_with("Request was throttled.")));
    assert_eq!(app.count("users").await, 0, "nothing was created");
}

/// 200 start + cancel cycles from one account to one victim: the victim's devices rang 200
/// times and the attempts piled up in their history. Now the caller is stopped after the
/// per-caller limit, and the victim's list holds only the calls that were allowed.
async fn ringing_someone_in_a_loop_is_stopped(app: TestApp) {
    let defaults = Config::from_defaults();
    let (_, caller) = app.user("mallory").await;
    let (victim, victim_token) = app.user("victim").await;
    let mut created = 0;
    let mut refused = 0;
    for _ in 0..200 {
        let response = app
            .post_auth(
                "/api/calls/",
                &caller,
                &json!({"receiver": victim.id, "call_type": "audio"}),
            )
            .await;
        match response.status().as_u16() {
            201 => {
                created += 1;
                let call: app::protocol::Call = response.json().await.expect("call");
                let cancel = app.call_action(call.id, "cancel", &caller).await;
                assert_eq!(cancel.status(), 200);
            }
            429 => {
                assert!(retry_after(&response) >= 1);
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let allowed = defaults
        .call_starts_per_minute
        .min(defaults.call_starts_per_pair_per_hour);
    assert_eq!(created, allowed);
    assert_eq!(refused, 200 - allowed);
    assert_eq!(app.count("calls").await, i64::from(allowed));
    let listed: Vec<serde_json::Value> = app
        .get_auth("/api/calls/?limit=200", &victim_token)
        .await
        .json()
        .await
        .expect("calls");
    assert_eq!(listed.len(), allowed as usize);

    // Others may still call the victim, and the caller may still call others.
    let (_, friend) = app.user("friend").await;
    let response = app
        .post_auth(
            "/api/calls/",
            &friend,
            &json!({"receiver": victim.id, "call_type": "audio"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let missed: MissedCount = app
        .get_auth("/api/calls/missed/count/", &victim_token)
        .await
        .json()
        .await
        .expect("count");
    assert!(missed.count <= i64::from(allowed) + 1, "{}", missed.count);
}

/// The per-pair limit: a caller who spreads calls out in time still cannot ring one person more
/// than the hourly limit; other people remain reachable.
async fn one_person_is_rung_at_most_the_pair_limit(app: TestApp) {
    let per_pair = 3;
    let app = app
        .sibling_with(|config| {
            config.call_starts_per_pair_per_hour = per_pair;
            config.call_starts_per_minute = 1000;
        })
        .await;
    let (_, caller) = app.user("mallory").await;
    let victim = app.register("victim").await;
    let other = app.register("other").await;
    for _ in 0..per_pair {
        let call = app.start_call(&caller, &victim, CallType::Audio).await;
        app.call_action(call.id, "cancel", &caller).await;
    }
    let body = json!({"receiver": victim.id, "call_type": "audio"});
    let response = app.post_auth("/api/calls/", &caller, &body).await;
    assert_eq!(response.status(), 429);
    assert!(retry_after(&response) > 60, "the pair limit is hourly");
    let call = app.start_call(&caller, &other, CallType::Audio).await;
    assert_eq!(call.status, CallStatus::Initiated);
}

/// alice calls bob, bob accepts if `accepted`, and both are in the call's room.
struct InRoom {
    alice: User,
    alice_token: String,
    call: Call,
    alice_room: Socket,
    bob_room: Socket,
}

async fn in_room(app: &TestApp, accepted: bool) -> InRoom {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let call = app.start_call(&alice_token, &bob, CallType::Video).await;
    let mut alice_room = join(app, &call, &alice_token).await;
    let bob_room = join(app, &call, &bob_token).await;
    recv_type(&mut alice_room, "user-joined").await;
    if accepted {
        app.call_action(call.id, "accept", &bob_token).await;
    }
    InRoom {
        alice,
        alice_token,
        call,
        alice_room,
        bob_room,
    }
}

fn room_path(call: &Call, token: &str) -> String {
    format!("/ws/call/{}/?token={token}", call.room_id)
}

/// A room socket was checked only when it joined: after its call ended it stayed open and every
/// signal it sent was still relayed and written to call_signals. Now both parties' room
/// sockets close (4004) when the call ends, however it ends.
async fn room_sockets_close_when_their_call_ends(app: TestApp) {
    let InRoom {
        alice_token: alice,
        call,
        mut alice_room,
        mut bob_room,
        ..
    } = in_room(&app, true).await;

    // Ended over REST: not through either socket.
    let ended = Instant::now();
    let response = app.call_action(call.id, "end", &alice).await;
    assert_eq!(response.status(), 200);
    for socket in [&mut alice_room, &mut bob_room] {
        assert_eq!(close_code(socket).await, Some(4004));
    }
    let elapsed = ended.elapsed();
    eprintln!("both room sockets closed {elapsed:?} after the call ended");
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    // And no one gets back in.
    let mut late = connect(&app, &room_path(&call, &alice)).await;
    assert_eq!(close_code(&mut late).await, Some(4004));
}

/// Hanging up in the room: the other party still hears call-end before its socket closes.
async fn the_other_party_hears_call_end_before_the_close(app: TestApp) {
    let InRoom {
        alice: alice_user,
        call,
        mut alice_room,
        mut bob_room,
        ..
    } = in_room(&app, true).await;
    let signals_before = app.count("call_signals").await;

    send(
        &mut alice_room,
        json!({"type": "call-end", "call_id": call.id}),
    )
    .await;
    assert_eq!(
        recv(&mut bob_room).await,
        json!({"type": "call-end", "call_id": call.id, "sender_id": alice_user.id})
    );
    assert_eq!(close_code(&mut bob_room).await, Some(4004));
    assert_eq!(close_code(&mut alice_room).await, Some(4004));
    // Nothing more can be signalled for the call.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.count("call_signals").await, signals_before);
}

/// Opening socket after socket in one call room (each would get every relayed signal).
async fn room_sockets_per_user_are_bounded(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let (bob, _) = app.user("bob").await;
    let call = app.start_call(&alice, &bob, CallType::Video).await;
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(join(&app, &call, &alice).await);
    }
    let mut fifth = connect(&app, &room_path(&call, &alice)).await;
    assert_eq!(close_code(&mut fifth).await, Some(1008));
    // One closes: room for another (a reload).
    drop(open.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    // Until the server has seen the close, a new socket is still refused (1008): try again.
    loop {
        let mut again = connect(&app, &room_path(&call, &alice)).await;
        let first = tokio::time::timeout(WAIT, again.next())
            .await
            .expect("an answer in time");
        match first {
            Some(Ok(Message::Text(text))) if text.as_str().contains("\"auth-ok\"") => break,
            Some(Ok(Message::Close(frame))) => {
                assert_eq!(frame.map(|f| u16::from(f.code)), Some(1008));
            }
            other => panic!("expected auth-ok or a 1008 close, got {other:?}"),
        }
        assert!(Instant::now() < deadline, "no room after a socket closed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Signals are relayed and logged; one the size of several SDPs is refused with a clear error and
/// the socket stays open.
async fn signal_payloads_are_bounded_by_type(app: TestApp) {
    let InRoom {
        call,
        mut alice_room,
        mut bob_room,
        ..
    } = in_room(&app, false).await;

    let candidate = json!({"candidate": "x".repeat(4000), "sdpMid": "0"});
    send(
        &mut alice_room,
        json!({"type": "ice-candidate", "call_id": call.id, "candidate": candidate}),
    )
    .await;
    let refused = recv(&mut alice_room).await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "too_large");
    // Still open, and an ordinary candidate goes through.
    let candidate =
        json!({"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"});
    send(
        &mut alice_room,
        json!({"type": "ice-candidate", "call_id": call.id, "candidate": candidate}),
    )
    .await;
    assert_eq!(recv(&mut bob_room).await["type"], "ice-candidate");
}

/// MariaDB's PAD SPACE collation made "alice", "alice " and "ALICE  " one account but three
/// throttle keys: three times the guesses. Now they are one key.
async fn sign_in_throttling_is_per_account_whatever_the_spelling(app: TestApp) {
    app.register("alice").await;
    let limit = Config::from_defaults().login_attempts_per_user;
    let spellings = ["alice", "alice ", "ALICE  ", " Alice"];
    let mut refused_at = None;
    for attempt in 0..limit + 4 {
        let username = spellings[attempt as usize % spellings.len()];
        let response = app
            .post_json(
                "/api/token/",
                &json!({"username": username, "password": "wrong-password-1"}),
            )
            .await;
        if response.status() == 429 {
            refused_at = Some(attempt);
            break;
        }
        assert_eq!(response.status(), 401);
    }
    assert_eq!(refused_at, Some(limit));
}

/// The lookup keys compare byte for byte on both backends: a trailing space is another key, not
/// the same account (MariaDB's PAD SPACE collations made them equal).
async fn account_keys_are_not_padded(app: TestApp) {
    app.register("alice").await;
    let found = |key: &'static str| {
        let db = app.db.clone();
        async move { db.user_by_username(key).await.expect("query").is_some() }
    };
    assert!(found("alice").await);
    assert!(!found("alice ").await);
    assert!(!found("alice  ").await);
}

/// The signaling log is kept for SIGNAL_RETENTION_DAYS, then deleted.
async fn old_signals_are_deleted_after_the_retention(backend: Backend) {
    let clock = ManualClock::new();
    let app = TestApp::spawn_with_clock(backend, clock.clone()).await;
    let (alice_user, alice) = app.user("alice").await;
    let bob = app.register("bob").await;
    let call = app.start_call(&alice, &bob, CallType::Audio).await;
    let signal = |created_at| NewSignal {
        call_id: call.id,
        signal_type: "offer".into(),
        signal_data: "{}".into(),
        sender_id: alice_user.id,
        created_at,
    };
    let now = clock.now_millis();
    app.db
        .insert_call_signals(&[signal(now), signal(now + 1)])
        .await
        .expect("insert");
    let retention = Config::from_defaults().signal_retention_days;
    let retention_secs = i64::try_from(retention * 86_400).expect("days fit");
    clock.advance_secs(retention_secs - 60);
    assert_eq!(app.calls.purge_signals(retention).await.expect("purge"), 0);
    clock.advance_secs(120);
    assert_eq!(app.calls.purge_signals(retention).await.expect("purge"), 2);
    assert_eq!(app.count("call_signals").await, 0);
    assert_eq!(app.count("calls").await, 1, "the calls themselves stay");
}

tests_with!(with_default_limits => sqlite, mariadb:
    over_long_sign_ups_are_refused_at_once,
    sign_ups_are_limited_per_address,
    ringing_someone_in_a_loop_is_stopped,
    one_person_is_rung_at_most_the_pair_limit,
    room_sockets_close_when_their_call_ends,
    the_other_party_hears_call_end_before_the_close,
    room_sockets_per_user_are_bounded,
    signal_payloads_are_bounded_by_type,
    sign_in_throttling_is_per_account_whatever_the_spelling,
    account_keys_are_not_padded
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_old_signals_are_deleted() {
    old_signals_are_deleted_after_the_retention(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_old_signals_are_deleted() {
    old_signals_are_deleted_after_the_retention(Backend::MariaDb).await;
}

// --- Client addresses: forwarded headers count only from a trusted proxy -------------------

/// Small enough to reach in a test; the per-username limit stays out of the way.
const ATTEMPTS_PER_ADDRESS: u32 = 3;

async fn sign_in_limited_app(trusted_proxies: &str) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, |config| {
        config.login_attempts_per_ip = ATTEMPTS_PER_ADDRESS;
        config.login_attempts_per_user = 1000;
        config.trusted_proxies = trusted_proxies.into();
    })
    .await
}

/// One failed sign-in, as a different unknown user each time, sent with `headers`.
async fn sign_in_with(app: &TestApp, headers: &[(&str, &str)]) -> StatusCode {
    let username = format!("nobody-{}", uuid::Uuid::new_v4().simple());
    let mut request = app
        .client
        .post(app.url("/api/token/"))
        .json(&json!({"username": username, "password": "not-the-password"}));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request").status()
}

/// One failed sign-in through a proxy that sends `chain` as X-Forwarded-For.
async fn forwarded_for(app: &TestApp, chain: &str) -> StatusCode {
    sign_in_with(app, &[("x-forwarded-for", chain)]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_forwarded_address_does_not_escape_the_address_limit() {
    let app = sign_in_limited_app("").await;
    for i in 0..ATTEMPTS_PER_ADDRESS {
        let forged = format!("203.0.113.{i}");
        let status = sign_in_with(
            &app,
            &[("x-forwarded-for", &forged), ("x-real-ip", &forged)],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = sign_in_with(
        &app,
        &[
            ("x-forwarded-for", "203.0.113.200"),
            ("x-real-ip", "203.0.113.201"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let app = sign_in_limited_app("127.0.0.1/32").await;
    let locked_out = "198.51.100.1";
    for _ in 0..ATTEMPTS_PER_ADDRESS {
        assert_eq!(
            forwarded_for(&app, locked_out).await,
            StatusCode::UNAUTHORIZED
        );
    }
    let status = forwarded_for(&app, locked_out).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // What the client wrote left of the proxy's entry changes nothing.
    let status = forwarded_for(&app, "192.0.2.77, 198.51.100.1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy still signs in (here: is told the password is wrong).
    let other = forwarded_for(&app, "198.51.100.2").await;
    assert_eq!(other, StatusCode::UNAUTHORIZED);
    let real_ip_only = sign_in_with(&app, &[("x-real-ip", "198.51.100.3")]).await;
    assert_eq!(real_ip_only, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ipv6_client_cannot_rotate_out_of_its_64() {
    let app = sign_in_limited_app("127.0.0.1/32").await;
    for i in 1..=ATTEMPTS_PER_ADDRESS {
        let address = format!("2001:db8:1:2::{i}");
        assert_eq!(
            forwarded_for(&app, &address).await,
            StatusCode::UNAUTHORIZED
        );
    }
    let rotated = forwarded_for(&app, "2001:db8:1:2:ab:cd:ef:1").await;
    assert_eq!(rotated, StatusCode::TOO_MANY_REQUESTS);
    let neighbour = forwarded_for(&app, "2001:db8:1:3::1").await;
    assert_eq!(neighbour, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ipv6_client_cannot_rotate_out_of_its_64_to_sign_up_more() {
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.signups_per_ip_per_hour = ATTEMPTS_PER_ADDRESS;
        config.trusted_proxies = "127.0.0.1/32".into();
    })
    .await;
    let sign_up = |address: String| {
        let request = app
            .client
            .post(app.url("/api/users/"))
            .header("x-forwarded-for", address)
            .json(&json!({"username": "x", "email": "x", "password": "p"}));
        async move { request.send().await.expect("request").status() }
    };
    for i in 1..=ATTEMPTS_PER_ADDRESS {
        let status = sign_up(format!("2001:db8:1:2::{i}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let rotated = sign_up("2001:db8:1:2:ab:cd:ef:1".into()).await;
    assert_eq!(rotated, StatusCode::TOO_MANY_REQUESTS);
    let neighbour = sign_up("2001:db8:1:3::1".into()).await;
    assert_eq!(neighbour, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_trusted_proxy_range_stops_the_server() {
    let database = common::TestDb::new(Backend::Sqlite).await;
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = Config::from_defaults();
    config.data_dir = data_dir.path().to_path_buf();
    config.bind_addr = Some("127.0.0.1:0".parse().unwrap());
    config.trusted_proxies = "127.0.0.1/32, 10.0.0.0/33".into();
    match Application::with_db(config, database.connect().await).await {
        Ok(_) => panic!("started with an invalid TRUSTED_PROXIES"),
        Err(error) => {
            let message = format!("{error:#}");
            assert!(
                message.contains("TRUSTED_PROXIES") && message.contains("10.0.0.0/33"),
                "{message}"
            );
        }
    }
}

// --- TURN: only for a party of a live call, one username per window ------------------------

/// Long enough that two requests in one test almost never straddle a window boundary.
const TURN_TTL: u64 = 3600;

async fn turn_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| {
        config.turn_server = Some("turn:127.0.0.1:3478".into());
        config.turn_secret = Some("coturn-shared-secret".into());
        config.turn_ttl = TURN_TTL;
    })
    .await
}

async fn ice_servers(app: &TestApp, token: &str) -> IceServers {
    let response = app.get_auth("/api/ice-servers/", token).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("ice servers json")
}

async fn turn_only_for_a_party_of_a_live_call(app: TestApp) {
    let (_, alice) = app.user("alice").await;
    let (bob_user, bob) = app.user("bob").await;
    let (_, carol) = app.user("carol").await;
    let idle = ice_servers(&app, &alice).await;
    assert!(!idle.has_relay(), "no call, no relay");
    assert!(idle.turn, "but the server says it has one");
    assert_eq!(idle.ttl, None);

    let call = app.start_call(&alice, &bob_user, CallType::Video).await;
    assert!(ice_servers(&app, &alice).await.has_relay(), "initiated");
    assert_eq!(
        app.call_action(call.id, "ringing", &bob).await.status(),
        200
    );
    assert!(ice_servers(&app, &bob).await.has_relay(), "ringing");
    assert!(!ice_servers(&app, &carol).await.has_relay(), "a bystander");
    assert_eq!(app.call_action(call.id, "accept", &bob).await.status(), 200);
    assert!(ice_servers(&app, &alice).await.has_relay(), "accepted");

    assert_eq!(app.call_action(call.id, "end", &alice).await.status(), 200);
    for token in [&alice, &bob] {
        let ended = ice_servers(&app, token).await;
        assert!(!ended.has_relay() && ended.turn, "the call is over");
    }
}

async fn one_turn_username_per_user_per_window(app: TestApp) {
    let (alice_user, alice) = app.user("alice").await;
    let (bob_user, _) = app.user("bob").await;
    app.start_call(&alice, &bob_user, CallType::Audio).await;
    let first = ice_servers(&app, &alice).await;
    let again = ice_servers(&app, &alice).await;
    let turn = first.ice_servers.last().expect("a TURN server");
    assert_eq!(
        Some(turn),
        again.ice_servers.last(),
        "same username and password"
    );
    let username = turn.username.as_deref().expect("username");
    let (expiry, user) = username.split_once(':').expect("<expiry>:<user id>");
    assert_eq!(user, alice_user.id.to_string());
    let expiry: u64 = expiry.parse().unwrap();
    assert_eq!(expiry % TURN_TTL, 0, "expiry on a window boundary");
    let ttl = first.ttl.expect("ttl");
    assert!((TURN_TTL..2 * TURN_TTL).contains(&ttl), "valid {ttl} s");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        expiry.abs_diff(now + ttl) <= 2,
        "ttl says how long it lasts"
    );
}

tests_with!(turn_app => turn_sqlite, turn_mariadb:
    turn_only_for_a_party_of_a_live_call,
    one_turn_username_per_user_per_window
);

// --- Security headers ----------------------------------------------------------------------

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .unwrap()
}

fn assert_common_headers(headers: &HeaderMap) {
    assert_eq!(header(headers, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(headers, "referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    assert_eq!(
        header(headers, "permissions-policy"),
        "camera=(self), microphone=(self), display-capture=(self), geolocation=()"
    );
    assert_eq!(header(headers, "x-frame-options"), "DENY");
    assert!(headers.get("strict-transport-security").is_none());
}

/// Fetches a page, checks its policy, and returns the nonce every script tag carries.
async fn page_nonce(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    let headers = response.headers().clone();
    assert_common_headers(&headers);
    let csp = header(&headers, "content-security-policy");
    for directive in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
    ] {
        assert!(csp.contains(directive), "{path}: {directive} in {csp}");
    }
    assert!(
        csp.contains(&format!("connect-src 'self' ws://{0} wss://{0}", app.addr)),
        "{csp}"
    );
    let nonce = csp
        .split("script-src 'self' 'nonce-")
        .nth(1)
        .and_then(|rest| rest.split_once("' 'wasm-unsafe-eval'"))
        .map(|(nonce, _)| nonce.to_owned())
        .unwrap_or_else(|| panic!("{path}: no script nonce in {csp}"));
    let body = response.text().await.unwrap();
    let script_tags: Vec<&str> = body
        .split("<script")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default())
        .collect();
    assert!(!script_tags.is_empty(), "{path}: the hydration script");
    for tag in script_tags {
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: <script{tag}> without the nonce {nonce}"
        );
    }
    nonce
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_policy_whose_nonce_is_on_their_scripts_and_new_each_time() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let home = page_nonce(&app, "/").await;
    let contacts = page_nonce(&app, "/contacts").await;
    let not_found = page_nonce(&app, "/no-such-page").await;
    let home_again = page_nonce(&app, "/").await;
    assert_ne!(home, home_again);
    assert_ne!(home, contacts);
    assert_ne!(contacts, not_found);
    // The API gets the headers every response carries.
    let api = app.get("/api/health/").await;
    assert_eq!(api.status(), 200);
    assert_common_headers(api.headers());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_only_when_configured() {
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.hsts_max_age = 31_536_000;
    })
    .await;
    for path in ["/", "/api/health/"] {
        let response = app.get(path).await;
        assert_eq!(
            header(response.headers(), "strict-transport-security"),
            "max-age=31536000"
        );
    }
}
