//! HTTP routing: the JSON API under `/api`, then the server-rendered app and its static files.

mod extract;
mod health;
mod tokens;
mod users;

pub use extract::{parse_json, AuthUser};

use axum::{
    extract::{DefaultBodyLimit, Request},
    routing::{get, post},
    Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;

use crate::{error::ApiError, AppState};

/// Every JSON request of this API fits easily; larger bodies are refused with 413.
const MAX_JSON_BODY: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health/", get(health::health))
        .route("/token/", post(tokens::obtain))
        .route("/token/refresh/", post(tokens::refresh))
        .route("/token/logout/", post(tokens::logout))
        .route("/users/", post(users::register).get(users::directory))
        .route("/users/me/", get(users::me))
        .route("/users/online_users/", get(users::online_users))
        .route("/users/set_online/", post(users::set_online))
        .route("/users/set_offline/", post(users::set_offline))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
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
