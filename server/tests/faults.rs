//! Faults of the machine around the server. These stop the shared MariaDB, so they are ignored in
//! the normal (parallel) run; scripts/test runs them alone afterwards:
//! `cargo test -p server --test faults -- --ignored --test-threads=1`.

mod common;

use std::{
    process::Command,
    time::{Duration, Instant},
};

use common::{
    socket::{self, Socket},
    Backend, TestApp,
};
use serde_json::{json, Value};

fn mariadb_answers() -> bool {
    Command::new("mysqladmin")
        .args(["-uroot", "-h127.0.0.1", "ping"])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Polls `condition` every 200 ms for at most `bound`.
fn wait_until(bound: Duration, condition: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + bound;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

/// Stops MariaDB; starts it again when dropped, however the test ends, and waits until it answers
/// (other tests and the test database's own cleanup need it).
struct MariaDbStopped;

impl MariaDbStopped {
    fn stop() -> Self {
        let guard = Self;
        let status = Command::new("mysqladmin")
            .args(["-uroot", "-h127.0.0.1", "shutdown"])
            .status()
            .expect("run mysqladmin");
        assert!(status.success(), "mysqladmin shutdown failed");
        assert!(
            wait_until(Duration::from_secs(30), || !mariadb_answers()),
            "MariaDB still answers"
        );
        guard
    }

    fn start() {
        common::start_mariadb();
        assert!(
            wait_until(Duration::from_secs(60), mariadb_answers),
            "MariaDB did not come back"
        );
    }
}

impl Drop for MariaDbStopped {
    fn drop(&mut self) {
        Self::start();
    }
}

/// Status and JSON body of `GET path`, and how long the answer took.
async fn timed_get(app: &TestApp, path: &str, token: &str) -> (u16, Value, Duration) {
    let started = Instant::now();
    let response = app.get_auth(path, token).await;
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, started.elapsed())
}

async fn ping_pong(socket: &mut Socket) {
    socket::send(socket, json!({"type": "ping"})).await;
    socket::recv_type(socket, "pong").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "stops the shared MariaDB: run alone (scripts/test does)"]
async fn mariadb_stopped_mid_run_gives_fast_503s_and_recovers() {
    let app = TestApp::spawn(Backend::MariaDb).await;
    let (_, token) = app.user("alice").await;
    let (bob, _) = app.user("bob").await;
    let mut socket = socket::connect(&app, &format!("/ws/?token={token}")).await;
    ping_pong(&mut socket).await;
    // Not /api/users/me/: it may be answered from the cache of user records without the
    // database, which is the point of the cache, not what this test probes.
    let (status, _, _) = timed_get(&app, "/api/users/online_users/", &token).await;
    assert_eq!(status, 200);

    let stopped = MariaDbStopped::stop();
    for path in [
        "/api/users/online_users/",
        "/api/calls/",
        "/api/calls/missed/count/",
    ] {
        let (status, body, took) = timed_get(&app, path, &token).await;
        assert_eq!(status, 503, "{path}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("unavailable")),
            "{path}: {body}"
        );
        eprintln!("{path}: {status} in {took:?}");
        assert!(took < Duration::from_secs(5), "{path} took {took:?}");
    }
    let response = app
        .post_auth(
            "/api/calls/",
            &token,
            &json!({"receiver": bob.id, "call_type": "audio"}),
        )
        .await;
    assert_eq!(response.status(), 503);
    let (status, health, _) = timed_get(&app, "/api/health/", &token).await;
    assert_eq!(status, 503);
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["database"], false);
    // Sockets do not need the database to stay up.
    ping_pong(&mut socket).await;

    drop(stopped);
    // The same server reconnects by itself.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _, _) = timed_get(&app, "/api/users/online_users/", &token).await;
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still {status} after MariaDB came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, health, _) = timed_get(&app, "/api/health/", &token).await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "ok");
    ping_pong(&mut socket).await;
}
