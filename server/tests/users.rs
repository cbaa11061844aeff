//! Accounts, tokens, presence and the directory, over HTTP on both database backends.

mod common;

use std::sync::Arc;

use app::protocol::{TokenPair, User, UserPage};
use common::{Backend, TestApp, PASSWORD};
use serde_json::{json, Value};

async fn reference_curl_flow_register_token_me(app: TestApp) {
    // The reference README's examples, byte for byte.
    let response = app
        .post_json(
            "/api/users/",
            &json!({"username": "testuser", "email": "test@example.com",
                    "password": "testpass123", "password_confirm": "testpass123"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let user: Value = response.json().await.unwrap();
    assert_eq!(user["username"], "testuser");
    assert_eq!(user["email"], "test@example.com");
    assert_eq!(user["is_online"], false);
    assert!(user["last_seen"].is_null());
    assert!(user["profile_picture"].is_null());
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());

    let response = app
        .post_json(
            "/api/token/",
            &json!({"username": "testuser", "password": "testpass123"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let tokens: TokenPair = response.json().await.unwrap();

    let me: User = app
        .get_auth("/api/users/me/", &tokens.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me.username, "testuser");
    assert_eq!(me.email.as_deref(), Some("test@example.com"));
}

async fn registration_errors_are_drf_shaped_and_change_nothing(app: TestApp) {
    app.register("alice").await;
    let cases = [
        (json!({"username": "ALICE", "email": "other@example.com", "password": PASSWORD,
                "password_confirm": PASSWORD}),
         "username", "A user with that username already exists."),
        (json!({"username": "alice2", "email": "Alice@Example.com", "password": PASSWORD,
                "password_confirm": PASSWORD}),
         "email", "user with this email already exists."),
        (json!({"username": "bob", "email": "bob@example.com", "password": PASSWORD,
                "password_confirm": "something-else-1"}),
         "password_confirm", "Password fields didn't match."),
        (json!({"username": "bob", "email": "bob@example.com", "password": "12345678901",
                "password_confirm": "12345678901"}),
         "password", "This password is entirely numeric."),
        (json!({"username": "bob", "email": "bob@example.com", "password": "password",
                "password_confirm": "password"}),
         "password", "This password is too common."),
        (json!({"username": "bob", "email": "not-an-email", "password": PASSWORD,
                "password_confirm": PASSWORD}),
         "email", "Enter a valid email address."),
        (json!({"username": "b o b", "email": "bob@example.com", "password": PASSWORD,
                "password_confirm": PASSWORD}),
         "username", "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."),
        (json!({"username": "x".repeat(151), "email": "bob@example.com", "password": PASSWORD,
                "password_confirm": PASSWORD}),
         "username", "Ensure this field has no more than 150 characters."),
        (json!({"email": "bob@example.com", "password": PASSWORD, "password_confirm": PASSWORD}),
         "username", "This field is required."),
        (json!({"username": 42, "email": "bob@example.com", "password": PASSWORD,
                "password_confirm": PASSWORD}),
         "username", "Not a valid string."),
    ];
    for (body, field, message) in cases {
        let response = app.post_json("/api/users/", &body).await;
        assert_eq!(response.status(), 400, "{body}");
        let errors: Value = response.json().await.unwrap();
        let messages: Vec<String> = serde_json::from_value(errors[field].clone())
            .unwrap_or_else(|_| panic!("no {field} errors in {errors}"));
        assert!(
            messages.iter().any(|m| m == message),
            "{errors} lacks {message}"
        );
    }
    assert_eq!(
        app.count("users").await,
        1,
        "no failed registration wrote a row"
    );
}

async fn bad_credentials_get_one_generic_401(app: TestApp) {
    app.register("alice").await;
    for body in [
        json!({"username": "alice", "password": "wrong-password-1"}),
        json!({"username": "nobody", "password": PASSWORD}),
    ] {
        let response = app.post_json("/api/token/", &body).await;
        assert_eq!(response.status(), 401);
        let error: Value = response.json().await.unwrap();
        assert_eq!(
            error["detail"],
            "No active account found with the given credentials"
        );
    }
    // Usernames are case-insensitive for sign-in too.
    let response = app
        .post_json(
            "/api/token/",
            &json!({"username": "ALICE", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 200);
}

async fn refresh_rotates_and_reuse_revokes_the_family(app: TestApp) {
    app.register("alice").await;
    let first = app.login("alice").await;
    let response = app
        .post_json("/api/token/refresh/", &json!({"refresh": first.refresh}))
        .await;
    assert_eq!(response.status(), 200);
    let second: TokenPair = response.json().await.unwrap();
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(
        app.get_auth("/api/users/me/", &second.access)
            .await
            .status(),
        200
    );

    // The first refresh token was rotated: presenting it again is theft or a bug.
    let reuse = app
        .post_json("/api/token/refresh/", &json!({"refresh": first.refresh}))
        .await;
    assert_eq!(reuse.status(), 401);
    // ...and the whole family is gone, including the token the thief may hold.
    let after = app
        .post_json("/api/token/refresh/", &json!({"refresh": second.refresh}))
        .await;
    assert_eq!(after.status(), 401);
    // A separate sign-in is a separate family and unaffected.
    let other = app.login("alice").await;
    let ok = app
        .post_json("/api/token/refresh/", &json!({"refresh": other.refresh}))
        .await;
    assert_eq!(ok.status(), 200);
}

async fn concurrent_refreshes_have_one_winner(app: TestApp) {
    app.register("alice").await;
    let pair = app.login("alice").await;
    let app = Arc::new(app);
    let attempts = (0..5).map(|_| {
        let app = app.clone();
        let refresh = pair.refresh.clone();
        tokio::spawn(async move {
            app.post_json("/api/token/refresh/", &json!({"refresh": refresh}))
                .await
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
}

async fn logout_revokes_the_refresh_family(app: TestApp) {
    app.register("alice").await;
    let pair = app.login("alice").await;
    let response = app
        .post_json("/api/token/logout/", &json!({"refresh": pair.refresh}))
        .await;
    assert_eq!(response.status(), 200);
    let refresh = app
        .post_json("/api/token/refresh/", &json!({"refresh": pair.refresh}))
        .await;
    assert_eq!(refresh.status(), 401);
}

async fn token_types_are_not_interchangeable(app: TestApp) {
    app.register("alice").await;
    let pair = app.login("alice").await;
    let response = app.get_auth("/api/users/me/", &pair.refresh).await;
    assert_eq!(response.status(), 401);
    let response = app
        .post_json("/api/token/refresh/", &json!({"refresh": pair.access}))
        .await;
    assert_eq!(response.status(), 401);
    let response = app.get_auth("/api/users/me/", "not.a.token").await;
    assert_eq!(response.status(), 401);
    let response = app.get("/api/users/me/").await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    let error: Value = response.json().await.unwrap();
    assert_eq!(
        error["detail"],
        "Authentication credentials were not provided."
    );
}

async fn presence_and_online_users(app: TestApp) {
    let (alice, alice_token) = app.user("alice").await;
    let (_, bob_token) = app.user("bob").await;

    let response = app
        .post_auth("/api/users/set_online/", &alice_token, &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["status"], "online");

    let online: Vec<User> = app
        .get_auth("/api/users/online_users/", &bob_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(online.len(), 1);
    assert_eq!(online[0].id, alice.id);
    assert!(online[0].is_online && online[0].last_seen.is_some());
    assert_eq!(online[0].email, None, "other users never see an email");

    // Alice does not list herself.
    let own: Vec<User> = app
        .get_auth("/api/users/online_users/", &alice_token)
        .await
        .json()
        .await
        .unwrap();
    assert!(own.is_empty());

    app.post_auth("/api/users/set_offline/", &alice_token, &json!({}))
        .await;
    let online: Vec<User> = app
        .get_auth("/api/users/online_users/", &bob_token)
        .await
        .json()
        .await
        .unwrap();
    assert!(online.is_empty());
}

async fn directory_searches_pages_and_lists_online_first(app: TestApp) {
    let (_, me) = app.user("zed").await;
    for i in 0..22 {
        app.register(&format!("member{i:02}")).await;
    }
    let (_, online_token) = app.user("member_online").await;
    app.post_auth("/api/users/set_online/", &online_token, &json!({}))
        .await;

    let page: UserPage = app
        .get_auth("/api/users/?search=MEMBER", &me)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.count, 23);
    assert_eq!(page.results.len(), 20);
    assert_eq!(page.results[0].username, "member_online");
    assert!(page.next.is_some() && page.previous.is_none());

    let page: UserPage = app
        .get_auth("/api/users/?search=member&page=2", &me)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.results.len(), 3);
    assert!(page.next.is_none());

    // LIKE wildcards are literal, and the caller never lists themselves.
    let page: UserPage = app
        .get_auth("/api/users/?search=%25", &me)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.count, 0);
    let page: UserPage = app
        .get_auth("/api/users/?search=zed", &me)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.count, 0);

    let bad = app.get_auth("/api/users/?page=abc", &me).await;
    assert_eq!(bad.status(), 400);
}

async fn request_hygiene(app: TestApp) {
    let raw = |body: &'static str, content_type: &'static str| {
        app.client
            .post(app.url("/api/token/"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let response = raw("{\"username\": ", "application/json").await.unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert!(
        error["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error"),
        "{error}"
    );

    let response = raw("username=a", "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_eq!(response.status(), 415);

    let response = raw("[1, 2]", "application/json").await.unwrap();
    assert_eq!(response.status(), 400);

    let response = app.post_json("/api/token/", &json!({})).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["username"][0], "This field is required.");

    let huge = json!({"username": "x".repeat(100_000), "password": "y"});
    let response = app.post_json("/api/token/", &huge).await;
    assert_eq!(response.status(), 413);
    let error: Value = response.json().await.unwrap();
    assert!(error["detail"].is_string());
}

async fn concurrent_registrations_of_one_name_have_one_winner(app: TestApp) {
    let app = Arc::new(app);
    let attempts: Vec<_> = (0..4)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.post_json(
                    "/api/users/",
                    &json!({"username": "samename", "email": format!("s{i}@example.com"),
                            "password": PASSWORD, "password_confirm": PASSWORD}),
                )
                .await
                .status()
                .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 400),
        "{statuses:?}"
    );
    assert_eq!(app.count("users").await, 1);
}

backend_tests! {
    reference_curl_flow => reference_curl_flow_register_token_me;
    registration_errors => registration_errors_are_drf_shaped_and_change_nothing;
    bad_credentials => bad_credentials_get_one_generic_401;
    refresh_rotation => refresh_rotates_and_reuse_revokes_the_family;
    concurrent_refresh => concurrent_refreshes_have_one_winner;
    logout => logout_revokes_the_refresh_family;
    token_types => token_types_are_not_interchangeable;
    presence => presence_and_online_users;
    directory => directory_searches_pages_and_lists_online_first;
    hygiene => request_hygiene;
    concurrent_registration => concurrent_registrations_of_one_name_have_one_winner;
    profile_picture => profile_picture_upload_serve_replace_delete;
    me_after_changes => me_shows_every_change_at_once;
}

#[tokio::test]
async fn sign_in_is_throttled_with_retry_after() {
    let app =
        TestApp::spawn_with(Backend::Sqlite, |config| config.login_attempts_per_user = 3).await;
    app.register("alice").await;
    for _ in 0..3 {
        let response = app
            .post_json(
                "/api/token/",
                &json!({"username": "alice", "password": "wrong-password"}),
            )
            .await;
        assert_eq!(response.status(), 401);
    }
    let response = app
        .post_json(
            "/api/token/",
            &json!({"username": "alice", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    // Another account is not locked by alice's attempts.
    app.register("bob").await;
    app.login("bob").await;
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::new(width, height))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// `GET /api/users/me/` is served from a cache: every write must show in the next read.
async fn me_shows_every_change_at_once(app: TestApp) {
    let (_, token) = app.user("alice").await;
    let me = || async {
        let response = app.get_auth("/api/users/me/", &token).await;
        assert_eq!(response.status(), 200);
        response.json::<User>().await.unwrap()
    };
    assert!(!me().await.is_online);
    for online in [true, false, true] {
        let path = if online { "set_online" } else { "set_offline" };
        app.post_auth(&format!("/api/users/{path}/"), &token, &json!({}))
            .await;
        assert_eq!(me().await.is_online, online, "after {path}");
    }
    let uploaded: User = app
        .client
        .put(app.url("/api/users/me/picture/"))
        .bearer_auth(&token)
        .header("content-type", "image/png")
        .body(png(8, 8))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(uploaded.profile_picture.is_some());
    assert_eq!(me().await.profile_picture, uploaded.profile_picture);
    app.client
        .delete(app.url("/api/users/me/picture/"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me().await.profile_picture, None);
}

async fn profile_picture_upload_serve_replace_delete(app: TestApp) {
    let (_, token) = app.user("alice").await;
    let (_, bob) = app.user("bob").await;
    // Unpooled: the server closes a connection whose oversized body it refused, and a pooled
    // client would reuse it for the next request.
    let uploader = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let upload = |body: Vec<u8>, content_type: &'static str| {
        uploader
            .put(app.url("/api/users/me/picture/"))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let response = upload(png(600, 300), "image/png").await.unwrap();
    assert_eq!(response.status(), 200);
    let me: User = response.json().await.unwrap();
    let url = me.profile_picture.expect("picture url");
    assert!(url.starts_with("/media/profile_pictures/") && url.ends_with(".png"));

    let served = app.get(&url).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    let stored = image::load_from_memory(&served.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (stored.width(), stored.height()),
        (256, 128),
        "re-encoded thumbnail"
    );

    // Others see the URL (but not the email).
    let page: UserPage = app
        .get_auth("/api/users/?search=alice", &bob)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page.results[0].profile_picture.as_deref(),
        Some(url.as_str())
    );

    for (body, content_type, status) in [
        (b"not an image".to_vec(), "image/png", 400),
        (png(4, 4), "image/jpeg", 400),
        (png(4, 4), "image/gif", 400),
        (png(4, 4), "application/octet-stream", 400),
        // Over the 64 KiB JSON cap but under the picture cap: read, then refused as no image.
        (vec![0u8; 100 * 1024], "image/png", 400),
        (vec![0u8; 6 * 1024 * 1024], "image/png", 413),
    ] {
        let response = upload(body, content_type).await.unwrap();
        assert_eq!(response.status(), status, "{content_type}");
        let error: Value = response.json().await.unwrap();
        assert!(error.is_object(), "{error}");
    }
    let unchanged: User = app
        .get_auth("/api/users/me/", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged.profile_picture.as_deref(), Some(url.as_str()));

    // Replacing removes the old picture; deleting clears the field.
    let replaced: User = upload(png(10, 10), "image/png")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(replaced.profile_picture.as_deref(), Some(url.as_str()));
    assert_eq!(app.get(&url).await.status(), 404);
    let response = app
        .client
        .delete(app.url("/api/users/me/picture/"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let cleared: User = response.json().await.unwrap();
    assert_eq!(cleared.profile_picture, None);

    let anonymous = app
        .client
        .put(app.url("/api/users/me/picture/"))
        .body(png(4, 4))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
