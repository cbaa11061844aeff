//! `/metrics`, the Prometheus text (`crate::metrics`): on `METRICS_ADDR`'s own listener to
//! anyone who reaches it, on the public address only to the bearer of `METRICS_TOKEN`. Also the
//! layer that counts and times every API request.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderMap},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use sha2::{Digest, Sha256};

use app::protocol::ErrorCode;

use crate::{error::ApiError, metrics, AppState};

pub const PATH: &str = "/metrics";

/// The router of the `METRICS_ADDR` listener.
pub fn private_router(state: AppState) -> Router {
    Router::new()
        .route(PATH, get(scrape))
        .fallback(|| async { ApiError::NotFound })
        .with_state(state)
}

/// `/metrics` on the public address: not found without `METRICS_TOKEN`, 401 without the token.
pub async fn public(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let expected = state.config.metrics_token().ok_or(ApiError::NotFound)?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Digests compared, so the time taken says nothing about how much of the token matched.
    if Sha256::digest(given) != Sha256::digest(expected) {
        return Err(ApiError::Unauthorized(
            ErrorCode::NotAuthenticated,
            "Authentication credentials were not provided or are wrong.".into(),
        ));
    }
    Ok(scrape(State(state)).await.into_response())
}

async fn scrape(State(state): State<AppState>) -> impl IntoResponse {
    let pool = state.db.pool();
    let text = metrics::render(metrics::Sample {
        pool_size: pool.size(),
        pool_idle: pool.num_idle(),
        redis_up: state.cluster.as_ref().map(|cluster| cluster.is_connected()),
    });
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}

/// Counts and times a request by its route template (`/api/calls/{id}/`).
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    metrics::http_request(
        &method,
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
