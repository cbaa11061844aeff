//! `/metrics`: not on the public address by default, behind its token when one is set, on its
//! own listener with `METRICS_ADDR`; and a call made through the API moves its counters.

mod common;

use app::protocol::CallType;
use common::{
    socket::{join, recv_type, send, user_socket},
    Backend, TestApp, TestDb,
};
use serde_json::json;
use server::{config::Config, Application};

/// The sum of the samples of `name` whose labels include every pair of `labels`.
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, number) = line.rsplit_once(' ')?;
            let (metric, label_text) = match series.split_once('{') {
                Some((metric, rest)) => (metric, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let matches = metric == name
                && labels
                    .iter()
                    .all(|(key, val)| label_text.contains(&format!("{key}=\"{val}\"")));
            matches.then(|| number.parse::<f64>().ok()).flatten()
        })
        .sum()
}

async fn scrape(app: &TestApp) -> String {
    let addr = app.metrics_addr.expect("METRICS_ADDR set");
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    response.text().await.unwrap()
}

async fn with_metrics_listener(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| {
        config.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    })
    .await
}

#[tokio::test]
async fn metrics_are_not_on_the_public_address_by_default() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    assert_eq!(
        app.metrics_addr, None,
        "no listener of their own by default"
    );
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 404);
    assert!(!response.text().await.unwrap().contains("callhub_"));
}

#[tokio::test]
async fn a_metrics_address_that_cannot_be_bound_stops_the_server() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let database = TestDb::new(Backend::Sqlite).await;
    let mut config = Config::from_defaults();
    config.database_url = Some(database.url.clone());
    config.bind_addr = Some("127.0.0.1:0".parse().unwrap());
    let data_dir = tempfile::tempdir().unwrap();
    config.data_dir = data_dir.path().to_path_buf();
    config.metrics_addr = Some(taken.local_addr().unwrap());
    let error = match Application::with_db(config, database.connect().await).await {
        Ok(_) => panic!("started with METRICS_ADDR taken"),
        Err(error) => format!("{error:#}"),
    };
    assert!(error.contains("METRICS_ADDR: cannot listen on"), "{error}");
}

#[tokio::test]
async fn a_token_opens_the_public_address_to_its_bearer_only() {
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.metrics_token = Some("scrape-token-0123".into());
    })
    .await;
    let scrape = |token: Option<&'static str>| {
        let mut request = app.client.get(app.url("/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(scrape(None).await.unwrap().status(), 401);
    assert_eq!(
        scrape(Some("scrape-token-0124")).await.unwrap().status(),
        401
    );
    let response = scrape(Some("scrape-token-0123")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("callhub_"));
}

/// One call made as a client makes it: started, rung through a user socket, answered,
/// negotiated through the room, hung up; then a busy attempt.
async fn a_call_through_the_api_moves_the_counters(app: TestApp) {
    let before = scrape(&app).await;
    let (_, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let (_, carol_token) = app.user("carol").await;
    let mut bob_socket = user_socket(&app, &bob_token).await;
    let during_socket = scrape(&app).await;
    assert!(value(&during_socket, "callhub_sockets_open", &[("kind", "user")]) >= 1.0);

    let call = app.start_call(&alice_token, &bob, CallType::Video).await;
    recv_type(&mut bob_socket, "call-incoming").await;
    let accepted = app.call_action(call.id, "accept", &bob_token).await;
    assert_eq!(accepted.status(), 200);
    let mut alice_room = join(&app, &call, &alice_token).await;
    let mut bob_room = join(&app, &call, &bob_token).await;
    send(
        &mut alice_room,
        json!({"type": "call-offer", "offer": {"type": "offer", "sdp": "v=0"}, "call_id": call.id, "call_type": "video"}),
    )
    .await;
    recv_type(&mut bob_room, "call-offer").await;
    let in_call = scrape(&app).await;
    assert!(value(&in_call, "callhub_sockets_open", &[("kind", "room")]) >= 2.0);
    // Carol calls Bob, who is in a call: busy.
    let busy = app
        .post_auth(
            "/api/calls/",
            &carol_token,
            &json!({"receiver": bob.id, "call_type": "audio"}),
        )
        .await;
    assert_eq!(busy.status(), 409);
    assert_eq!(
        app.call_action(call.id, "end", &alice_token).await.status(),
        200
    );

    let after = scrape(&app).await;
    let grew = |name: &str, labels: &[(&str, &str)], by: f64| {
        let (old, new) = (value(&before, name, labels), value(&after, name, labels));
        assert!(
            new >= old + by,
            "{name} {labels:?}: {old} -> {new}\n{after}"
        );
    };
    grew("callhub_calls_started_total", &[], 2.0);
    grew("callhub_calls_accepted_total", &[], 1.0);
    grew(
        "callhub_calls_finished_total",
        &[("status", "ended"), ("reason", "hangup_caller")],
        1.0,
    );
    grew(
        "callhub_calls_finished_total",
        &[("status", "missed"), ("reason", "busy")],
        1.0,
    );
    grew("callhub_call_setup_seconds_count", &[], 1.0);
    grew("callhub_messages_relayed_total", &[], 1.0);
    grew("callhub_relay_seconds_count", &[], 1.0);
    grew(
        "callhub_http_requests_total",
        &[
            ("method", "POST"),
            ("route", "/api/calls/"),
            ("status", "201"),
        ],
        1.0,
    );
    grew(
        "callhub_http_requests_total",
        &[("route", "/api/calls/"), ("status", "409")],
        1.0,
    );
    grew(
        "callhub_http_request_seconds_count",
        &[("route", "/api/calls/{id}/accept/")],
        1.0,
    );
    // Gauges sampled or held: present, whatever their value now.
    for (name, label) in [
        ("callhub_cpu_jobs{", "pool=\"argon2\""),
        ("callhub_db_pool_connections{", "state=\"in_use\""),
    ] {
        assert!(
            after
                .lines()
                .any(|line| line.starts_with(name) && line.contains(label)),
            "{name}{label} missing:\n{after}"
        );
    }
}

tests_with!(with_metrics_listener => sqlite, mariadb: a_call_through_the_api_moves_the_counters);
