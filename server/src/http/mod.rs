//! HTTP routing: the JSON API under `/api`, then the server-rendered app and its static files.

mod health;

use axum::{extract::Request, routing::get, Router};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;

use crate::{error::ApiError, AppState};

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health/", get(health::health))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed });

    let app_routes = generate_route_list(app::App);
    let shell_options = state.leptos.clone();
    Router::new()
        .nest("/api", api)
        .leptos_routes(&state, app_routes, move || {
            app::shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(
            // Spans carry the path only: query strings may hold tokens (`/ws/?token=`).
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                )
            }),
        )
        .with_state(state)
}
