//! The real server binary as a process (SQLite): killed with SIGKILL mid-call, stopped with
//! SIGTERM while a request and WebSockets are open, and what it logs with every log level on.

mod common;

use std::time::Duration;

use common::{
    process::ServerProcess,
    socket::{recv, Socket},
    PASSWORD,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(10);

/// A client for one server process.
struct Api<'a> {
    server: &'a ServerProcess,
    http: reqwest::Client,
}

impl<'a> Api<'a> {
    fn new(server: &'a ServerProcess) -> Self {
        Self {
            server,
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut request = self.http.post(self.server.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.send(self.http.get(self.server.url(path)).bearer_auth(token))
            .await
    }

    /// Registers `username` and signs in: (user id, access, refresh).
    async fn user(&self, username: &str) -> (i64, String, String) {
        let (status, user) = self
            .post(
                "/api/users/",
                None,
                &json!({"username": username, "email": format!("{username}@example.com"),
                        "password": PASSWORD, "password_confirm": PASSWORD}),
            )
            .await;
        assert_eq!(status, 201, "register {username}: {user}");
        let (status, tokens) = self
            .post(
                "/api/token/",
                None,
                &json!({"username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "sign in {username}: {tokens}");
        (
            user["id"].as_i64().expect("user id"),
            tokens["access"].as_str().expect("access").to_owned(),
            tokens["refresh"].as_str().expect("refresh").to_owned(),
        )
    }

    /// `caller` calls `receiver`: the call JSON.
    async fn call(&self, caller: &str, receiver: i64) -> Value {
        let (status, call) = self
            .post(
                "/api/calls/",
                Some(caller),
                &json!({"receiver": receiver, "call_type": "audio"}),
            )
            .await;
        assert_eq!(status, 201, "{call}");
        call
    }

    async fn action(&self, call: &Value, action: &str, token: &str) {
        let path = format!("/api/calls/{}/{action}/", call["id"]);
        let (status, body) = self.post(&path, Some(token), &json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
}

async fn connect(server: &ServerProcess, path: &str) -> Socket {
    tokio_tungstenite::connect_async(server.ws_url(path))
        .await
        .unwrap_or_else(|error| panic!("connect {path}: {error}"))
        .0
}

/// Authenticates by the first message (the app's way) and waits for auth-ok.
async fn authenticated(server: &ServerProcess, path: &str, token: &str) -> Socket {
    let mut socket = connect(server, path).await;
    socket
        .send(Message::Text(
            json!({"type": "auth", "token": token}).to_string().into(),
        ))
        .await
        .expect("send auth");
    assert_eq!(recv(&mut socket).await["type"], "auth-ok");
    socket
}

/// The close frame's code and reason (None if the connection just ended).
async fn close_frame(socket: &mut Socket) -> Option<(u16, String)> {
    loop {
        let frame = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("the socket closes in time");
        match frame {
            Some(Ok(Message::Close(frame))) => {
                return frame.map(|f| (u16::from(f.code), f.reason.to_string()));
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}

fn sqlite_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("callhub.db").display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_sigkill_no_call_stays_live_and_no_one_stays_online() {
    let dir = tempfile::tempdir().expect("data dir");
    let url = sqlite_url(dir.path());
    let server = ServerProcess::start(dir.path(), &url, "first.log", &[]).await;
    let api = Api::new(&server);
    let (_, alice, _) = api.user("alice").await;
    let (bob_id, bob, _) = api.user("bob").await;
    let (_, carol, _) = api.user("carol").await;
    let (dave_id, dave, _) = api.user("dave").await;
    let accepted = api.call(&alice, bob_id).await;
    api.action(&accepted, "accept", &bob).await;
    let ringing = api.call(&carol, dave_id).await;
    api.action(&ringing, "ringing", &dave).await;
    let _alice_socket = authenticated(&server, "/ws/", &alice).await;
    let _dave_socket = authenticated(&server, "/ws/", &dave).await;
    let (_, me) = api.get("/api/users/me/", &alice).await;
    assert_eq!(me["is_online"], true);

    let mut server = server;
    server.signal("KILL");
    assert!(server.exited_within(WAIT).await.is_some());
    drop(server);

    // Same database and data directory: the tokens signed by the first run still verify. The
    // call in progress waits a second for its parties to rejoin; no one does.
    let server =
        ServerProcess::start(dir.path(), &url, "second.log", &[("WS_GRACE_SECS", "1")]).await;
    let api = Api::new(&server);
    let path = format!("/api/calls/{}/", accepted["id"]);
    let (_, call) = api.get(&path, &alice).await;
    assert_eq!(call["status"], "accepted", "{call}");
    let deadline = tokio::time::Instant::now() + WAIT;
    let call = loop {
        let (_, call) = api.get(&path, &alice).await;
        if call["status"] != "accepted" || tokio::time::Instant::now() > deadline {
            break call;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(call["status"], "ended", "{call}");
    assert_eq!(call["end_reason"], "connection_lost");
    assert!(call["duration"].as_i64().is_some(), "{call}");
    let (_, call) = api
        .get(&format!("/api/calls/{}/", ringing["id"]), &carol)
        .await;
    assert_eq!(call["status"], "missed", "{call}");
    assert_eq!(call["end_reason"], "server_restart");
    for token in [&alice, &bob, &carol, &dave] {
        let (status, active) = api.get("/api/calls/active/", token).await;
        assert_eq!(status, 200);
        assert_eq!(active, json!([]), "no live call after the restart");
    }
    for token in [&alice, &dave] {
        let (_, me) = api.get("/api/users/me/", token).await;
        assert_eq!(me["is_online"], false, "{me}");
    }
    let (_, online) = api.get("/api/users/online_users/", &bob).await;
    assert_eq!(online, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_in_progress_outlives_a_restart_when_both_parties_rejoin() {
    let dir = tempfile::tempdir().expect("data dir");
    let url = sqlite_url(dir.path());
    let grace = [("WS_GRACE_SECS", "1")];
    let mut server = ServerProcess::start(dir.path(), &url, "first.log", &grace).await;
    let api = Api::new(&server);
    let (_, alice, _) = api.user("alice").await;
    let (bob_id, bob, _) = api.user("bob").await;
    let call = api.call(&alice, bob_id).await;
    api.action(&call, "accept", &bob).await;
    let room = format!("/ws/call/{}/", call["room_id"].as_str().expect("room_id"));
    let mut alice_room = authenticated(&server, &room, &alice).await;
    let _bob_room = authenticated(&server, &room, &bob).await;
    assert_eq!(recv(&mut alice_room).await["type"], "user-joined");

    server.signal("TERM");
    assert!(server.exited_within(WAIT).await.is_some());
    drop(server);
    let server = ServerProcess::start(dir.path(), &url, "second.log", &grace).await;
    let api = Api::new(&server);
    // Both back within the grace, as the app's room sockets reconnect.
    let mut alice_room = authenticated(&server, &room, &alice).await;
    let mut bob_room = authenticated(&server, &room, &bob).await;
    assert_eq!(recv(&mut alice_room).await["type"], "user-joined");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, now) = api
        .get(&format!("/api/calls/{}/", call["id"]), &alice)
        .await;
    assert_eq!(now["status"], "accepted", "{now}");
    // And the relay works on the new process.
    alice_room
        .send(Message::Text(
            json!({"type": "ice-candidate", "call_id": call["id"], "candidate": {"candidate": "c"}})
                .to_string()
                .into(),
        ))
        .await
        .expect("send");
    assert_eq!(recv(&mut bob_room).await["type"], "ice-candidate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_tells_sockets_and_exits() {
    let dir = tempfile::tempdir().expect("data dir");
    let url = sqlite_url(dir.path());
    // tower_http's debug line shows when a request has reached the app.
    let mut server = ServerProcess::start(
        dir.path(),
        &url,
        "server.log",
        &[("RUST_LOG", "info,tower_http=debug")],
    )
    .await;
    let api = Api::new(&server);
    let (_, alice, alice_refresh) = api.user("alice").await;
    let (bob_id, bob, _) = api.user("bob").await;
    let call = api.call(&alice, bob_id).await;
    let room = format!("/ws/call/{}/", call["room_id"].as_str().expect("room_id"));
    let mut user_socket = authenticated(&server, "/ws/", &alice).await;
    let mut room_socket = authenticated(&server, &room, &bob).await;

    // A request whose body is only half sent: in flight when the signal comes.
    let body = json!({"refresh": alice_refresh}).to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    let request = format!(
        "POST /api/token/refresh/ HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{head}",
        server.addr,
        body.len()
    );
    slow.write_all(request.as_bytes()).await.expect("write");
    assert!(
        server
            .wait_for_log(&["/api/token/refresh/", "started processing request"])
            .await,
        "the request reached the app"
    );

    server.signal("TERM");
    for socket in [&mut user_socket, &mut room_socket] {
        let (code, reason) = close_frame(socket).await.expect("a close frame");
        assert_eq!(code, 1012, "service restart");
        assert!(!reason.is_empty());
    }
    // The sockets are gone, the request is still served.
    slow.write_all(tail.as_bytes())
        .await
        .expect("write the rest");
    let mut response = String::new();
    tokio::time::timeout(WAIT, slow.read_to_string(&mut response))
        .await
        .expect("the response in time")
        .expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(r#""access":"#), "{response}");

    let status = server
        .exited_within(WAIT)
        .await
        .expect("the server exits within 10 s");
    assert!(status.success(), "exit status {status}");
    let log = server.log_text();
    assert!(log.contains("SIGTERM received"), "{log}");
    assert!(!log.contains("still open after the drain timeout"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_log() {
    const SECRET_KEY: &str = "log-test-signing-key-log-test-signing-key";
    const TURN_SECRET: &str = "turn-static-auth-secret-3141592653";
    const WRONG_PASSWORD: &str = "not-the-password-2718281828";
    let dir = tempfile::tempdir().expect("data dir");
    let url = sqlite_url(dir.path());
    let mut server = ServerProcess::start(
        dir.path(),
        &url,
        "server.log",
        &[
            ("RUST_LOG", "debug,server=trace"),
            ("SECRET_KEY", SECRET_KEY),
            ("TURN_SERVER", "turn:127.0.0.1:3478"),
            ("TURN_SECRET", TURN_SECRET),
        ],
    )
    .await;
    let api = Api::new(&server);
    let (_, bob, bob_refresh) = api.user("bob").await;
    let (alice_id, alice, alice_refresh) = api.user("alice").await;
    let (status, refreshed) = api
        .post(
            "/api/token/refresh/",
            None,
            &json!({"refresh": alice_refresh}),
        )
        .await;
    assert_eq!(status, 200);
    let fresh_access = refreshed["access"].as_str().expect("access").to_owned();
    let fresh_refresh = refreshed["refresh"].as_str().expect("refresh").to_owned();
    // Reusing the rotated refresh token is refused (and logged as a reuse).
    let (status, _) = api
        .post(
            "/api/token/refresh/",
            None,
            &json!({"refresh": alice_refresh}),
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = api
        .post(
            "/api/token/",
            None,
            &json!({"username": "alice", "password": WRONG_PASSWORD}),
        )
        .await;
    assert_eq!(status, 401);

    let mut by_query = connect(&server, &format!("/ws/?token={fresh_access}")).await;
    assert_eq!(recv(&mut by_query).await["type"], "auth-ok");
    let _by_message = authenticated(&server, "/ws/", &bob).await;
    let call = api.call(&bob, alice_id).await;
    // TURN credentials go to a party of a live call only.
    let (status, ice) = api.get("/api/ice-servers/", &bob).await;
    assert_eq!(status, 200);
    let turn_password = ice["iceServers"]
        .as_array()
        .and_then(|servers| servers.iter().find_map(|s| s["credential"].as_str()))
        .expect("a TURN credential")
        .to_owned();
    let room = format!("/ws/call/{}/", call["room_id"].as_str().expect("room_id"));
    let _room_by_message = authenticated(&server, &room, &fresh_access).await;
    let mut room_by_query = connect(&server, &format!("{room}?token={bob}")).await;
    assert_eq!(recv(&mut room_by_query).await["type"], "auth-ok");
    let mut bad = connect(&server, &format!("/ws/?token={bob}x")).await;
    assert_eq!(close_frame(&mut bad).await.map(|f| f.0), Some(4001));

    server.signal("TERM");
    server.exited_within(WAIT).await.expect("exits");
    let log = server.log_text();
    assert!(
        log.contains("started processing request"),
        "debug logging was on"
    );
    let secrets = [
        ("password", PASSWORD.to_owned()),
        ("wrong password", WRONG_PASSWORD.to_owned()),
        ("signing key", SECRET_KEY.to_owned()),
        ("TURN secret", TURN_SECRET.to_owned()),
        ("TURN password", turn_password),
        ("access token", alice.clone()),
        ("access token", bob.clone()),
        ("access token", fresh_access.clone()),
        ("refresh token", alice_refresh.clone()),
        ("refresh token", bob_refresh.clone()),
        ("refresh token", fresh_refresh.clone()),
    ];
    for (what, secret) in &secrets {
        assert!(!log.contains(secret.as_str()), "the log holds a {what}");
    }
    // Not even a token's signature alone.
    for token in [&alice, &bob, &fresh_access, &alice_refresh, &fresh_refresh] {
        let signature = token.rsplit('.').next().expect("signature");
        assert!(!log.contains(signature), "the log holds a token signature");
    }
}

/// The server's resident memory (KiB), from /proc.
fn resident_kib(server: &ServerProcess) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).expect("status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_hashing_does_not_pile_up_memory() {
    let dir = tempfile::tempdir().expect("data dir");
    let url = sqlite_url(dir.path());
    let server = ServerProcess::start(dir.path(), &url, "server.log", &[]).await;
    let api = Api::new(&server);
    let before = resident_kib(&server);
    // 40 sign-ups and sign-ins, 8 at a time: 80 argon2 hashes of 19 MiB each.
    for batch in 0..5 {
        let users = (0..8).map(|i| format!("user{batch}x{i}"));
        futures_util::future::join_all(users.map(|name| {
            let api = &api;
            async move { api.user(&name).await }
        }))
        .await;
    }
    let after = resident_kib(&server);
    eprintln!("resident: {before} KiB before, {after} KiB after 80 hashes");
    // Two hashes at a time are 38 MiB; freed blocks must go back to the system.
    assert!(after < before + 100 * 1024, "{before} KiB -> {after} KiB");
}

/// A PNG of `side` x `side` pixels of one colour: a few hundred KB that decode to side^2 bytes.
fn one_colour_png(side: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(image::GrayImage::new(side, side))
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

/// Twelve parallel uploads of an 8192 x 8192 one-colour PNG took the server from 35 MB to
/// 2.7 GB resident. The pixel budget refuses them from the header, before decoding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picture_decode_bombs_are_refused_within_a_memory_budget() {
    let dir = tempfile::tempdir().expect("data dir");
    let url = sqlite_url(dir.path());
    let server = ServerProcess::start(dir.path(), &url, "server.log", &[]).await;
    let api = Api::new(&server);
    let (_, token, _) = api.user("alice").await;
    let bomb = one_colour_png(8192);
    eprintln!("the bomb: {} bytes", bomb.len());
    let upload = |body: Vec<u8>| {
        api.http
            .put(server.url("/api/users/me/picture/"))
            .bearer_auth(&token)
            .header("content-type", "image/png")
            .body(body)
            .send()
    };
    let before = resident_kib(&server);
    let uploads = (0..12).map(|_| upload(bomb.clone()));
    let sample = async {
        let mut highest = 0;
        for _ in 0..20 {
            highest = highest.max(resident_kib(&server));
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        highest
    };
    let (responses, highest) = tokio::join!(futures_util::future::join_all(uploads), sample);
    let after = resident_kib(&server).max(highest);
    eprintln!("resident: {before} KiB before, at most {after} KiB during 12 parallel bombs");
    for response in responses {
        let response = response.expect("response");
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("json");
        assert!(
            body["profile_picture"][0]
                .as_str()
                .is_some_and(|m| m.contains("too large")),
            "{body}"
        );
    }
    assert!(after < before + 300 * 1024, "{before} KiB -> {after} KiB");
    // An ordinary picture is still taken.
    let response = upload(one_colour_png(600)).await.expect("response");
    assert_eq!(response.status(), 200);
}

/// A Redis that only speaks TLS and wants a password, with a certificate of its own: the
/// instances trust it through SSL_CERT_FILE, as an operator would point them at their CA.
struct TlsRedis {
    child: std::process::Child,
    port: u16,
    /// The CA that signed its certificate.
    ca: std::path::PathBuf,
}

impl TlsRedis {
    fn start(dir: &std::path::Path, password: &str) -> Self {
        // A CA, and a server certificate it signs (rustls refuses a CA as the server's own).
        let openssl = |command: &str| {
            let made = std::process::Command::new("openssl")
                .current_dir(dir)
                .args(command.split_whitespace())
                .stderr(std::process::Stdio::null())
                .status()
                .expect("openssl (Debian package openssl)");
            assert!(made.success(), "openssl {command} failed");
        };
        let key = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
        openssl(&format!(
            "req -x509 {key} -days 1 -subj /CN=test-ca -keyout ca.key -out ca.crt"
        ));
        openssl(&format!(
            "req {key} -subj /CN=localhost -keyout redis.key -out redis.csr"
        ));
        std::fs::write(
            dir.join("san.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .expect("write the extension file");
        openssl(
            "x509 -req -in redis.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
             -extfile san.ext -out redis.crt",
        );
        let (cert, key, ca) = (
            dir.join("redis.crt"),
            dir.join("redis.key"),
            dir.join("ca.crt"),
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                "0",
                "--tls-port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .arg("--tls-cert-file")
            .arg(&cert)
            .arg("--tls-key-file")
            .arg(&key)
            .arg("--tls-ca-cert-file")
            .arg(&ca)
            .args(["--tls-auth-clients", "no", "--requirepass", password])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (Debian package redis-server)");
        // Killed by Drop if it never answers.
        let redis = Self { child, port, ca };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start with TLS on port {port}");
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `rediss://` with a password: two instances on one database form a group over TLS, and a
/// call started on one rings the receiver's socket on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_over_tls_redis_with_a_password_delivers_calls() {
    let dir = tempfile::tempdir().expect("data dir");
    let redis = TlsRedis::start(dir.path(), "s3cret-pass");
    let redis_url = format!("rediss://:s3cret-pass@127.0.0.1:{}", redis.port);
    let cert = redis.ca.display().to_string();
    let env = [("REDIS_URL", redis_url.as_str()), ("SSL_CERT_FILE", &cert)];
    let url = sqlite_url(dir.path());
    let first = ServerProcess::start(dir.path(), &url, "first.log", &env).await;
    let second = ServerProcess::start(dir.path(), &url, "second.log", &env).await;
    for server in [&first, &second] {
        let health: Value = reqwest::get(server.url("/api/health/"))
            .await
            .expect("health")
            .json()
            .await
            .expect("health JSON");
        assert_eq!(health["redis"], true, "{health}: {}", server.log_text());
    }
    let api = Api::new(&first);
    let (_, alice, _) = api.user("alice").await;
    let (bob_id, bob, _) = api.user("bob").await;
    let mut bob_socket = authenticated(&second, "/ws/", &bob).await;
    let call = api.call(&alice, bob_id).await;
    loop {
        let event = recv(&mut bob_socket).await;
        if event["type"] == "call-incoming" {
            assert_eq!(event["call"]["id"], call["id"]);
            break;
        }
    }
}
