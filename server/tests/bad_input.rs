//! Bad REST input, as a table: every case gets the right 4xx with a DRF-shaped JSON body, never a
//! 5xx, and the database is unchanged afterwards.

mod common;

use app::protocol::{Call, CallType, User};
use common::TestApp;
use serde_json::{json, Value};

/// Who sends a case.
#[derive(Clone, Copy)]
enum As {
    Nobody,
    Alice,
    Bob,
    Carol,
    /// A raw Authorization header value.
    Header(&'static str),
    /// Alice's access token with its signature altered.
    Tampered,
    /// Alice's claims under `alg: none` and no signature.
    AlgNone,
}

struct Case {
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    who: As,
    status: u16,
}

fn case(method: &'static str, path: &str, who: As, body: &str, status: u16) -> Case {
    Case {
        method,
        path: path.to_owned(),
        content_type: Some("application/json"),
        body: body.as_bytes().to_vec(),
        who,
        status,
    }
}

fn typed(
    method: &'static str,
    path: &str,
    who: As,
    content_type: &'static str,
    body: &[u8],
    status: u16,
) -> Case {
    Case {
        content_type: Some(content_type),
        body: body.to_vec(),
        ..case(method, path, who, "", status)
    }
}

fn register(fields: Value) -> String {
    let mut body = json!({"username": "newuser", "email": "new@example.com",
        "password": common::PASSWORD, "password_confirm": common::PASSWORD});
    for (key, value) in fields.as_object().expect("object") {
        body[key] = value.clone();
    }
    body.to_string()
}

fn cases(call: &Call, ids: (i64, i64)) -> Vec<Case> {
    let (alice, _bob) = ids;
    let c = call.id;
    let deep = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
    let huge = format!(
        "{{\"username\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(100_000)
    );
    let users = "/api/users/";
    let token = "/api/token/";
    let calls = "/api/calls/";
    vec![
        // Registration: malformed, truncated and non-object JSON.
        case("POST", users, As::Nobody, "{\"username\":", 400),
        case(
            "POST",
            users,
            As::Nobody,
            "{\"username\": \"x\", \"email\": \"x@y.z\", \"password\": \"",
            400,
        ),
        case("POST", users, As::Nobody, "[]", 400),
        case("POST", users, As::Nobody, "\"hello\"", 400),
        case("POST", users, As::Nobody, "null", 400),
        case("POST", users, As::Nobody, "42", 400),
        case("POST", users, As::Nobody, "{}", 400),
        case("POST", users, As::Nobody, "{\"a\": 1} trailing", 400),
        case("POST", users, As::Nobody, &deep, 400),
        // Wrong types and missing fields.
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"username": 1})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"username": ["a"]})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"username": {"$ne": ""}})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"email": 5})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"password": null})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"password_confirm": true})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &json!({"username": "x", "extra": 1}).to_string(),
            400,
        ),
        // Huge and odd strings, injection attempts.
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"username": "u".repeat(10_000)})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"email": format!("{}@example.com", "e".repeat(300))})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"password": "p".repeat(2000), "password_confirm": "p".repeat(2000)})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"username": "😀"})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"username": "a\u{0}b"})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"username": "evil\u{202e}txt"})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"username": "x' OR '1'='1"})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"email": "a@b.co'; DROP TABLE users;--"})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"username": "ALICE", "email": "other@example.com"})),
            400,
        ),
        case(
            "POST",
            users,
            As::Nobody,
            &register(json!({"username": "   "})),
            400,
        ),
        case("POST", users, As::Nobody, &huge, 413),
        typed(
            "POST",
            users,
            As::Nobody,
            "application/json",
            b"{\"username\": \"\xff\xfe\"}",
            400,
        ),
        typed("POST", users, As::Nobody, "text/plain", b"{}", 415),
        typed(
            "POST",
            users,
            As::Nobody,
            "application/x-www-form-urlencoded",
            b"username=a",
            415,
        ),
        typed(
            "POST",
            users,
            As::Nobody,
            "multipart/form-data; boundary=x",
            b"--x--",
            415,
        ),
        // Sign-in and tokens.
        case("POST", token, As::Nobody, "{}", 400),
        case(
            "POST",
            token,
            As::Nobody,
            "{\"username\": 1, \"password\": \"x\"}",
            400,
        ),
        case(
            "POST",
            token,
            As::Nobody,
            "{\"username\": \"alice\", \"password\": [\"x\"]}",
            400,
        ),
        case(
            "POST",
            token,
            As::Nobody,
            "{\"username\": \"alice\", \"password\": \"wrong-password\"}",
            401,
        ),
        case(
            "POST",
            token,
            As::Nobody,
            "{\"username\": \"' OR 1=1 --\", \"password\": \"x\"}",
            401,
        ),
        case(
            "POST",
            "/api/token/refresh/",
            As::Nobody,
            "{\"refresh\": \"garbage\"}",
            401,
        ),
        case(
            "POST",
            "/api/token/refresh/",
            As::Nobody,
            "{\"refresh\": 5}",
            400,
        ),
        case("POST", "/api/token/refresh/", As::Nobody, "{}", 400),
        case(
            "POST",
            "/api/token/logout/",
            As::Nobody,
            "{\"refresh\": \"a.b.c\"}",
            401,
        ),
        // Authentication of the API.
        case("GET", "/api/users/me/", As::Nobody, "", 401),
        case("GET", "/api/users/me/", As::Header("Bearer"), "", 401),
        case(
            "GET",
            "/api/users/me/",
            As::Header("Basic YWxpY2U6eA=="),
            "",
            401,
        ),
        case(
            "GET",
            "/api/users/me/",
            As::Header("Bearer eyJ.eyJ.sig"),
            "",
            401,
        ),
        case("GET", "/api/users/me/", As::Tampered, "", 401),
        case("GET", "/api/users/me/", As::AlgNone, "", 401),
        // Directory queries.
        case("GET", "/api/users/?page=abc", As::Alice, "", 400),
        case(
            "GET",
            "/api/users/?page=99999999999999999999",
            As::Alice,
            "",
            400,
        ),
        case(
            "GET",
            &format!("/api/users/?search={}", "s".repeat(200)),
            As::Alice,
            "",
            400,
        ),
        // Calls: bodies.
        case("POST", calls, As::Alice, "{\"receiver\":", 400),
        case(
            "POST",
            calls,
            As::Alice,
            "{\"receiver\": \"2\", \"call_type\": \"video\"}",
            400,
        ),
        case(
            "POST",
            calls,
            As::Alice,
            "{\"receiver\": -1, \"call_type\": \"video\"}",
            400,
        ),
        case(
            "POST",
            calls,
            As::Alice,
            "{\"receiver\": 99999999999999999999, \"call_type\": \"video\"}",
            400,
        ),
        case(
            "POST",
            calls,
            As::Alice,
            "{\"receiver\": 1.5, \"call_type\": \"video\"}",
            400,
        ),
        case(
            "POST",
            calls,
            As::Alice,
            &format!("{{\"receiver\": {alice}, \"call_type\": \"fax\"}}"),
            400,
        ),
        case(
            "POST",
            calls,
            As::Alice,
            &format!("{{\"receiver\": {alice}, \"call_type\": \"\"}}"),
            400,
        ),
        case(
            "POST",
            calls,
            As::Alice,
            &format!("{{\"receiver\": {alice}, \"call_type\": \"video\"}}"),
            400,
        ),
        case("POST", calls, As::Alice, "{\"call_type\": \"video\"}", 400),
        case(
            "POST",
            calls,
            As::Nobody,
            "{\"receiver\": 2, \"call_type\": \"video\"}",
            401,
        ),
        // Calls: ids and parties.
        case("GET", "/api/calls/abc/", As::Alice, "", 404),
        case("GET", "/api/calls/-1/", As::Alice, "", 404),
        case("GET", "/api/calls/0/", As::Alice, "", 404),
        case(
            "GET",
            "/api/calls/99999999999999999999/",
            As::Alice,
            "",
            404,
        ),
        case("GET", "/api/calls/1e3/", As::Alice, "", 404),
        case("GET", &format!("/api/calls/{c}/"), As::Carol, "", 404),
        case(
            "POST",
            &format!("/api/calls/{c}/accept/"),
            As::Carol,
            "",
            404,
        ),
        case("POST", &format!("/api/calls/{c}/end/"), As::Carol, "", 404),
        case(
            "POST",
            &format!("/api/calls/{c}/accept/"),
            As::Alice,
            "",
            403,
        ),
        case("POST", &format!("/api/calls/{c}/cancel/"), As::Bob, "", 403),
        case("GET", "/api/calls/?limit=abc", As::Alice, "", 400),
        case("GET", "/api/calls/?before=xyz", As::Alice, "", 400),
        // Pictures: wrong types, garbage, traversal-looking bodies.
        typed(
            "PUT",
            "/api/users/me/picture/",
            As::Alice,
            "text/plain",
            b"hello",
            400,
        ),
        typed(
            "PUT",
            "/api/users/me/picture/",
            As::Alice,
            "image/png",
            b"../../etc/passwd",
            400,
        ),
        typed(
            "PUT",
            "/api/users/me/picture/",
            As::Alice,
            "image/svg+xml",
            b"<svg onload=alert(1)>",
            400,
        ),
        // Routing.
        case("DELETE", &format!("/api/calls/{c}/"), As::Alice, "", 405),
        case("POST", "/api/users/me/", As::Alice, "{}", 405),
        case("GET", "/api/does-not-exist/", As::Alice, "", 404),
    ]
}

fn alg_none(token: &str) -> String {
    let payload = token.split('.').nth(1).expect("payload");
    // {"alg":"none","typ":"JWT"}
    format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.")
}

fn tampered(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("ascii")
}

/// Everything a bad request could have changed.
async fn snapshot(app: &TestApp, token: &str, call: &Call) -> (Vec<i64>, User, Value) {
    let mut counts = Vec::new();
    for table in ["users", "calls", "call_signals", "refresh_tokens"] {
        counts.push(app.count(table).await);
    }
    let me: User = app
        .get_auth("/api/users/me/", token)
        .await
        .json()
        .await
        .expect("me");
    let call: Value = app
        .get_auth(&format!("/api/calls/{}/", call.id), token)
        .await
        .json()
        .await
        .expect("call");
    (counts, me, call)
}

async fn every_bad_request_gets_a_4xx_and_changes_nothing(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (bob, bob_token) = app.user("bob").await;
    let (_, carol_token) = app.user("carol").await;
    let call = app.start_call(&alice_token, &bob, CallType::Video).await;
    let before = snapshot(&app, &alice_token, &call).await;

    let cases = cases(&call, (alice.id.0, bob.id.0));
    assert!(cases.len() >= 50, "{} cases", cases.len());
    for case in cases {
        let method = reqwest::Method::from_bytes(case.method.as_bytes()).expect("method");
        let mut request = app.client.request(method, app.url(&case.path));
        let header = match case.who {
            As::Nobody => None,
            As::Alice => Some(format!("Bearer {alice_token}")),
            As::Bob => Some(format!("Bearer {bob_token}")),
            As::Carol => Some(format!("Bearer {carol_token}")),
            As::Header(raw) => Some(raw.to_owned()),
            As::Tampered => Some(format!("Bearer {}", tampered(&alice_token))),
            As::AlgNone => Some(format!("Bearer {}", alg_none(&alice_token))),
        };
        if let Some(header) = header {
            request = request.header("authorization", header);
        }
        if let Some(content_type) = case.content_type {
            request = request.header("content-type", content_type);
        }
        // A fresh connection per case: the server may close one whose body it refused.
        let response = request
            .header("connection", "close")
            .body(case.body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{} {}: {e}", case.method, case.path));
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let short: String = case.path.chars().take(60).collect();
        assert_eq!(status, case.status, "{} {short}: {text}", case.method);
        let body: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{} {short}: not JSON: {text}", case.method));
        // DRF's shapes, with our codes beside them: `code` with a detail, and `codes` (an
        // object of arrays, like the fields themselves) with field errors.
        let drf_shaped = body.get("detail").is_some_and(Value::is_string)
            && body.get("code").is_some_and(Value::is_string)
            || body.as_object().is_some_and(|o| {
                o.iter().any(|(k, _)| k != "codes")
                    && o.iter().all(|(k, v)| match k.as_str() {
                        "codes" => v
                            .as_object()
                            .is_some_and(|c| c.values().all(Value::is_array)),
                        _ => v.is_array(),
                    })
            });
        assert!(
            drf_shaped,
            "{} {short}: not DRF-shaped: {text}",
            case.method
        );
    }

    // The media directory sits beside the generated secret key in DATA_DIR: no way up.
    for path in [
        "/media/profile_pictures/..%2F..%2Fsecret_key",
        "/media/profile_pictures/%2e%2e/%2e%2e/secret_key",
        "/media/profile_pictures/....//....//secret_key",
    ] {
        let response = app.get(path).await;
        assert!(
            [400, 404].contains(&response.status().as_u16()),
            "{path}: {}",
            response.status()
        );
    }

    assert_eq!(snapshot(&app, &alice_token, &call).await, before);
}

backend_tests! {
    bad_rest_input => every_bad_request_gets_a_4xx_and_changes_nothing;
}
