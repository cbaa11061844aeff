//! The skeleton end to end over HTTP on both database backends: migrations, health, the rendered
//! app shell and the API's JSON error shapes.

mod common;

use common::TestApp;
use serde_json::Value;

async fn health_reports_a_reachable_database(app: TestApp) {
    let response = app.get("/api/health/").await;
    assert_eq!(response.status(), 200);
    let body: app::protocol::Health = response.json().await.unwrap();
    assert_eq!(body.status, "ok");
    assert!(body.database);
    assert_eq!(body.version, env!("CARGO_PKG_VERSION"));
}

async fn health_reports_a_lost_database_with_503(app: TestApp) {
    app.db.close().await;
    let response = app.get("/api/health/").await;
    assert_eq!(response.status(), 503);
    let body: app::protocol::Health = response.json().await.unwrap();
    assert_eq!(body.status, "degraded");
    assert!(!body.database);
}

async fn migrations_create_the_reference_tables(app: TestApp) {
    for table in ["users", "calls", "call_signals", "refresh_tokens"] {
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(app.db.pool())
            .await
            .unwrap_or_else(|e| panic!("table {table}: {e}"));
        assert_eq!(count, 0);
    }
}

async fn home_page_is_server_rendered_with_hydration_scripts(app: TestApp) {
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1>Callhub</h1>"), "{html}");
    assert!(
        html.contains("/pkg/callhub.js"),
        "hydration script missing: {html}"
    );
}

async fn unknown_api_route_is_json_404(app: TestApp) {
    let response = app.get("/api/nope/").await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"], "Not found.");
}

async fn wrong_method_is_json_405(app: TestApp) {
    let response = app
        .client
        .post(app.url("/api/health/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"], "Method not allowed.");
}

/// Every operation under `/api`, as `server/src/http` routes them. A route added without being
/// documented, or documented without being routed, makes the document differ from this list.
const API_OPERATIONS: &[(&str, &str)] = &[
    ("get", "/api/health/"),
    ("post", "/api/token/"),
    ("get", "/api/ice-servers/"),
    ("post", "/api/token/refresh/"),
    ("post", "/api/token/logout/"),
    ("get", "/api/users/"),
    ("post", "/api/users/"),
    ("get", "/api/users/me/"),
    ("get", "/api/users/online_users/"),
    ("post", "/api/users/set_online/"),
    ("post", "/api/users/set_offline/"),
    ("put", "/api/users/me/picture/"),
    ("delete", "/api/users/me/picture/"),
    ("get", "/api/calls/"),
    ("post", "/api/calls/"),
    ("get", "/api/calls/history/"),
    ("get", "/api/calls/active/"),
    ("get", "/api/calls/missed/"),
    ("get", "/api/calls/missed/count/"),
    ("post", "/api/calls/missed/seen/"),
    ("get", "/api/calls/{id}/"),
    ("post", "/api/calls/{id}/accept/"),
    ("post", "/api/calls/{id}/reject/"),
    ("post", "/api/calls/{id}/end/"),
    ("post", "/api/calls/{id}/cancel/"),
    ("post", "/api/calls/{id}/ringing/"),
    ("get", "/api/contacts/"),
    ("post", "/api/contacts/"),
    ("patch", "/api/contacts/{user_id}/"),
    ("delete", "/api/contacts/{user_id}/"),
    ("get", "/api/blocks/"),
    ("post", "/api/blocks/"),
    ("delete", "/api/blocks/{user_id}/"),
    ("get", "/api/users/me/privacy/"),
    ("patch", "/api/users/me/privacy/"),
    ("get", "/api/calls/messages/"),
    ("put", "/api/calls/{id}/message/"),
    ("get", "/api/calls/{id}/message/"),
    ("post", "/api/calls/{id}/message/heard/"),
    ("get", "/api/availability/"),
    ("post", "/api/availability/"),
    ("post", "/api/calls/{id}/report/"),
    ("delete", "/api/availability/{user_id}/"),
];

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn openapi_document_lists_every_api_route(app: TestApp) {
    let response = app.get("/api/schema/").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE].clone();
    assert_eq!(content_type, "application/json");
    let doc: Value = response.json().await.unwrap();
    std::fs::write(
        "/tmp/openapi.json",
        serde_json::to_string_pretty(&doc).unwrap(),
    )
    .unwrap();
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3."), "not OpenAPI 3: {version:?}");

    let paths = doc["paths"].as_object().expect("paths");
    let documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            HTTP_METHODS
                .into_iter()
                .filter(|method| item.get(*method).is_some())
                .map(move |method| (method.to_owned(), path.clone()))
        })
        .collect();
    for (method, path) in API_OPERATIONS {
        assert!(
            documented.iter().any(|(m, p)| m == method && p == path),
            "{} {path} is not in the document; it has {documented:?}",
            method.to_uppercase()
        );
    }
    assert_eq!(
        documented.len(),
        API_OPERATIONS.len(),
        "the document has operations that are not routes: {documented:?}"
    );

    // Authenticated operations name the bearer scheme, which the document defines.
    let scheme = &doc["components"]["securitySchemes"]["jwt"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(
        paths["/api/users/me/"]["get"]["security"][0]["jwt"],
        serde_json::json!([])
    );
    assert!(paths["/api/token/"]["post"].get("security").is_none());

    // The user socket's events, issue 23's among them.
    let events = serde_json::to_string(&doc["components"]["schemas"]["UserEvent"]).unwrap();
    for kind in ["call-incoming", "call-message", "user-available"] {
        assert!(events.contains(kind), "{kind} not in {events}");
    }
}

async fn openapi_document_is_get_only(app: TestApp) {
    let response = app
        .client
        .post(app.url("/api/schema/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"], "Method not allowed.");
}

backend_tests! {
    health_ok => health_reports_a_reachable_database;
    health_degraded => health_reports_a_lost_database_with_503;
    migrations => migrations_create_the_reference_tables;
    home_page => home_page_is_server_rendered_with_hydration_scripts;
    api_404 => unknown_api_route_is_json_404;
    api_405 => wrong_method_is_json_405;
    openapi_routes => openapi_document_lists_every_api_route;
    openapi_405 => openapi_document_is_get_only;
}
