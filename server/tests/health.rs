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

backend_tests! {
    health_ok => health_reports_a_reachable_database;
    health_degraded => health_reports_a_lost_database_with_503;
    migrations => migrations_create_the_reference_tables;
    home_page => home_page_is_server_rendered_with_hydration_scripts;
    api_404 => unknown_api_route_is_json_404;
    api_405 => wrong_method_is_json_405;
}
