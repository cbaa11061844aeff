//! The OpenAPI document of `/api`, generated from the handlers' `#[utoipa::path]` annotations as
//! the routes are registered, and served at `GET /api/schema/`.

use std::sync::Arc;

use axum::{
    response::IntoResponse,
    routing::{get, MethodRouter},
    Json,
};
use utoipa::{
    openapi::{
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        OpenApi,
    },
    Modify, OpenApi as _,
};

use crate::AppState;

/// The security scheme of the access token; annotations name it as the literal `"jwt"` (the
/// macro takes no constant).
const BEARER: &str = "jwt";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Callhub API",
        description = "1:1 audio and video calls. Errors are shaped as Django REST Framework's: \
                       `{\"detail\": \"...\"}` or `{\"field\": [\"message\"]}`."
    ),
    modifiers(&BearerScheme),
    // The user socket's (`/ws/`) events are no route: listed as a schema so that clients have
    // them too (`call-message`, `user-available` among them).
    components(schemas(app::protocol::UserEvent)),
    tags(
        (name = "health", description = "Liveness"),
        (name = "auth", description = "Sign-in, token rotation and sign-out"),
        (name = "users", description = "Registration, the caller's record, presence, directory"),
        (name = "calls", description = "Starting calls, acting on them, the listings"),
        (name = "people", description = "Contacts, blocks, who may ring or see the caller, do-not-disturb"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The `access` token of `POST /api/token/`."))
                    .build(),
            ),
        );
    }
}

/// The `GET /api/schema/` route. `collected` holds what the `/api` routes' annotations registered,
/// with paths relative to the `/api` nest ("/users/me/"); nesting it under "/api" gives the full
/// paths clients call.
pub fn route(collected: OpenApi) -> MethodRouter<AppState> {
    let doc = Arc::new(ApiDoc::openapi().nest("/api", collected));
    get(move || {
        let doc = Arc::clone(&doc);
        async move { Json(&*doc).into_response() }
    })
}
