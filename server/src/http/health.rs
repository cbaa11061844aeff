//! `GET /api/health/`: liveness for load balancers and operators.

use axum::{extract::State, http::StatusCode, Json};

use app::protocol::Health;

use crate::AppState;

/// 200 when the database answers, 503 otherwise, so a balancer can take the instance out. Redis
/// down is "degraded" but still 200: the instance serves its own users meanwhile.
#[utoipa::path(
    get,
    path = "/health/",
    tag = "health",
    responses(
        (status = OK, description = "The database answers", body = Health),
        (status = SERVICE_UNAVAILABLE, description = "The database does not answer", body = Health),
    )
)]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let database = state.db.ping().await;
    let redis = state.cluster.as_ref().map(|cluster| cluster.is_connected());
    let status = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Health {
        status: if database && redis != Some(false) {
            "ok"
        } else {
            "degraded"
        }
        .to_owned(),
        database,
        redis,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    (status, Json(body))
}
