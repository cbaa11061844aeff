//! HTTP routing: the JSON API under `/api`, then the server-rendered app and its static files.

mod calls;
mod client_ip;
mod extract;
mod headers;
mod health;
mod ice;
mod metrics;
mod missed;
mod openapi;
mod people;
mod reports;
mod tokens;
mod users;

pub use client_ip::TrustedProxies;
pub use extract::{parse_json, AuthUser};
pub use metrics::private_router as metrics_router;

use axum::{
    extract::{DefaultBodyLimit, Request},
    Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};

use crate::{error::ApiError, AppState};

/// Every JSON request of this API fits easily; larger bodies are refused with 413.
const MAX_JSON_BODY: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    // Images are larger than any JSON body: these routes get their own cap.
    let picture_routes = routes!(users::upload_picture, users::delete_picture).layer(
        DefaultBodyLimit::max(crate::users::picture::MAX_UPLOAD_BYTES),
    );
    // A message is a recording, larger than any JSON body too.
    let message_routes = routes!(missed::leave_message, missed::message)
        .layer(DefaultBodyLimit::max(app::protocol::MAX_MESSAGE_BYTES));
    // A report is a dozen numbers: far below the JSON cap.
    let report_routes =
        routes!(reports::report).layer(DefaultBodyLimit::max(app::protocol::MAX_REPORT_BYTES));
    // Each route is registered with axum and in the OpenAPI document from the same
    // `#[utoipa::path]` annotation on its handler (method and path relative to `/api`), so the
    // document cannot drift from the router.
    let (api, documented) = OpenApiRouter::default()
        .routes(routes!(health::health))
        .routes(routes!(tokens::obtain))
        .routes(routes!(tokens::refresh))
        .routes(routes!(tokens::logout))
        .routes(routes!(users::register, users::directory))
        .routes(routes!(users::me))
        .routes(routes!(users::online_users))
        .routes(routes!(users::set_online))
        .routes(routes!(users::set_offline))
        // The static call paths win over `{id}` (axum matches static segments first).
        .routes(routes!(calls::start, calls::list))
        .routes(routes!(calls::history))
        .routes(routes!(calls::active))
        .routes(routes!(calls::missed))
        .routes(routes!(calls::missed_count))
        .routes(routes!(calls::missed_seen))
        .routes(routes!(missed::messages))
        .routes(routes!(calls::get))
        .routes(routes!(calls::accept))
        .routes(routes!(calls::reject))
        .routes(routes!(calls::end))
        .routes(routes!(calls::cancel))
        .routes(routes!(calls::ringing))
        .routes(routes!(missed::message_heard))
        .routes(routes!(ice::ice_servers))
        .routes(routes!(people::contacts, people::add_contact))
        .routes(routes!(people::update_contact, people::remove_contact))
        .routes(routes!(people::blocks, people::block))
        .routes(routes!(people::unblock))
        .routes(routes!(people::privacy, people::update_privacy))
        .routes(routes!(missed::watch, missed::watching))
        .routes(routes!(missed::unwatch))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        // Registered after the JSON cap so their own caps apply.
        .routes(picture_routes)
        .routes(message_routes)
        .routes(report_routes)
        .split_for_parts();
    let api = api
        // A plain route: the document lists the API, not itself.
        .route("/schema/", openapi::route(documented))
        // Only matched routes: an unknown path is not a route to count.
        .route_layer(axum::middleware::from_fn(metrics::track))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed });

    let app_routes = generate_route_list(app::App);
    let shell_options = state.leptos.clone();
    let page_policy = headers::PagePolicy::new(&state.leptos);
    let with_policy = move || page_policy.apply();
    let router = Router::new()
        .nest("/api", api)
        .merge(crate::ws::routes())
        .route(metrics::PATH, axum::routing::get(metrics::public))
        .route(
            &format!("{}{{name}}", crate::users::MEDIA_PREFIX),
            axum::routing::get(users::picture),
        )
        .leptos_routes_with_context(&state, app_routes, with_policy.clone(), move || {
            app::shell(shell_options.clone())
        })
        // The 404 page is a page too.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(with_policy, app::shell));
    headers::for_every_response(router, &state.config)
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
