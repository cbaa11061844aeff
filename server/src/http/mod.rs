//! HTTP routing: the JSON API under `/api`, then the server-rendered app and its static files.

mod calls;
mod extract;
mod health;
mod tokens;
mod users;

pub use extract::{parse_json, AuthUser};

use axum::http::{header, HeaderValue};
use axum::{
    extract::{DefaultBodyLimit, Request},
    routing::{get, post, put},
    Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer, trace::TraceLayer};

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
        // The static call paths win over `{id}` (axum matches static segments first).
        .route("/calls/", post(calls::start).get(calls::list))
        .route("/calls/history/", get(calls::history))
        .route("/calls/active/", get(calls::active))
        .route("/calls/missed/", get(calls::missed))
        .route("/calls/missed/count/", get(calls::missed_count))
        .route("/calls/missed/seen/", post(calls::missed_seen))
        .route("/calls/{id}/", get(calls::get))
        .route("/calls/{id}/accept/", post(calls::accept))
        .route("/calls/{id}/reject/", post(calls::reject))
        .route("/calls/{id}/end/", post(calls::end))
        .route("/calls/{id}/cancel/", post(calls::cancel))
        .route("/calls/{id}/ringing/", post(calls::ringing))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        // Registered after the JSON cap so its own, larger cap applies.
        .route(
            "/users/me/picture/",
            put(users::upload_picture)
                .delete(users::delete_picture)
                .layer(DefaultBodyLimit::max(
                    crate::users::picture::MAX_UPLOAD_BYTES,
                )),
        )
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed });

    let app_routes = generate_route_list(app::App);
    let shell_options = state.leptos.clone();
    Router::new()
        .nest("/api", api)
        .nest_service(
            crate::users::MEDIA_PREFIX.trim_end_matches('/'),
            tower::ServiceBuilder::new()
                // Stored files are our own PNGs; never let a browser sniff them as anything else.
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .service(ServeDir::new(state.config.media_dir())),
        )
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
