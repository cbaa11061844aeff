//! `GET /api/ice-servers/`: STUN, static TURN and coturn `use-auth-secret` credentials. TURN is
//! handed only to a party of a live call (abuse.rs has the tests of who gets it).

mod common;

use app::protocol::{CallType, IceServers, User};
use base64::Engine;
use common::{Backend, TestApp};
use hmac::{Hmac, Mac};

/// Alice, in a call to Bob (so entitled to TURN), and her access token.
async fn caller(app: &TestApp) -> (User, String) {
    let (alice, token) = app.user("alice").await;
    let (bob, _) = app.user("bob").await;
    app.start_call(&token, &bob, CallType::Audio).await;
    (alice, token)
}

#[tokio::test]
async fn stun_by_default_and_authentication_required() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    assert_eq!(app.get("/api/ice-servers/").await.status(), 401);
    let (_, token) = app.user("alice").await;
    let servers: IceServers = app
        .get_auth("/api/ice-servers/", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(servers.ice_servers.len(), 1);
    assert!(servers.ice_servers[0].urls[0].starts_with("stun:"));
    assert_eq!(servers.ttl, None);
    assert!(!servers.turn);
}

#[tokio::test]
async fn turn_secret_mints_short_lived_per_user_credentials() {
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.stun_urls = String::new();
        config.turn_server = Some("turn:127.0.0.1:3478?transport=udp".into());
        config.turn_secret = Some("coturn-shared-secret".into());
        config.turn_ttl = 600;
    })
    .await;
    let (alice, token) = caller(&app).await;
    let body: serde_json::Value = app
        .get_auth("/api/ice-servers/", &token)
        .await
        .json()
        .await
        .unwrap();
    // The JSON is RTCConfiguration-shaped: `iceServers`, `urls`, `username`, `credential`.
    let turn = &body["iceServers"][0];
    assert_eq!(turn["urls"][0], "turn:127.0.0.1:3478?transport=udp");
    let username = turn["username"].as_str().unwrap();
    let (expiry, user) = username.split_once(':').unwrap();
    assert_eq!(user, alice.id.to_string());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let expiry: i64 = expiry.parse().unwrap();
    assert!(
        (now + 598..=now + 1200).contains(&expiry) && expiry % 600 == 0,
        "expires at the end of the window after the next ttl seconds"
    );
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(b"coturn-shared-secret").unwrap();
    mac.update(username.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(turn["credential"], expected);
    let ttl = body["ttl"].as_i64().unwrap();
    assert!(
        (expiry - now - ttl).abs() <= 2,
        "ttl says how long it lasts"
    );
    assert_eq!(body["turn"], true);
}

#[tokio::test]
async fn static_turn_credentials_as_the_reference() {
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.turn_server = Some("turn:turn.example.com:3478".into());
        config.turn_username = Some("your-username".into());
        config.turn_password = Some("your-password".into());
    })
    .await;
    let (_, token) = caller(&app).await;
    let servers: IceServers = app
        .get_auth("/api/ice-servers/", &token)
        .await
        .json()
        .await
        .unwrap();
    let turn = &servers.ice_servers[1];
    assert_eq!(turn.username.as_deref(), Some("your-username"));
    assert_eq!(turn.credential.as_deref(), Some("your-password"));
}
