//! Abuse resistance (issue 17): each test plays one attack and shows it fails while ordinary use
//! goes on. Tests that do not depend on the database run on SQLite only.

mod common;

use app::protocol::{CallType, IceServers};
use common::{Backend, TestApp};
use reqwest::{header::HeaderMap, StatusCode};
use serde_json::json;
use server::{config::Config, Application};

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
