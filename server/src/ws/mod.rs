//! WebSockets: `/ws/` (the user socket: incoming calls and call status) and `/ws/call/{room_id}/`
//! (the reference's call room: signaling relay between the two parties).
//!
//! Handlers here only check the Origin and upgrade; each socket kind lives in its own module and
//! leaves every decision about calls to the call service.
//!
//! Each socket kind's `run` is a plain function that splits the socket and returns the socket's
//! future, not an `async fn`: an `async fn`'s future keeps room for its arguments for its whole
//! life, and the unsplit socket alone is 368 bytes, held by every idle connection for nothing
//! (README, Benchmarks: memory per socket).

pub mod auth;
pub mod limits;
pub mod outbox;
pub mod presence;
pub mod reader;
pub mod room_socket;
pub mod rooms;
pub mod user_socket;

use axum::{
    extract::{ws::WebSocket, Path, RawQuery, State, WebSocketUpgrade},
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::task::JoinHandle;

use app::protocol::ErrorCode;

use crate::{config::Config, error::ApiError, AppState};

use self::{outbox::Outbox, reader::Reader};

/// The WebSocket routes, outside `/api`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ws/", get(user_socket))
        .route("/ws/call/{room_id}/", get(room_socket))
}

async fn user_socket(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.config) {
        return ApiError::Forbidden(ErrorCode::OriginNotAllowed, "Origin not allowed.".into())
            .into_response();
    }
    let token = query_token(query.as_deref());
    bounded(upgrade)
        .on_upgrade(move |socket| user_socket::run(state, token, socket))
        .into_response()
}

async fn room_socket(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.config) {
        return ApiError::Forbidden(ErrorCode::OriginNotAllowed, "Origin not allowed.".into())
            .into_response();
    }
    let token = query_token(query.as_deref());
    bounded(upgrade)
        .on_upgrade(move |socket| room_socket::run(state, room_id, token, socket))
        .into_response()
}

/// A socket split: the reading half, the outbox everyone sends through and the writer task
/// draining it. How each socket kind starts and ends.
struct Opened {
    reader: Reader,
    outbox: Outbox,
    writer: JoinHandle<()>,
}

impl Opened {
    fn new(state: &AppState, socket: WebSocket) -> Self {
        let (sink, stream) = socket.split();
        let (outbox, writer) = Outbox::spawn(
            sink,
            state.config.ws_outgoing_queue(),
            state.drain.subscribe(),
        );
        let reader = Reader::new(stream, outbox.clone(), state.config.ws_heartbeat());
        Self {
            reader,
            outbox,
            writer,
        }
    }

    /// The writer task, to be awaited: with the reader and this outbox handle gone it sends what
    /// is queued, closes the socket and ends (awaited with them alive, it would never end).
    fn finish(self) -> JoinHandle<()> {
        let Self {
            reader,
            outbox,
            writer,
        } = self;
        drop(reader);
        drop(outbox);
        writer
    }
}

fn bounded(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    upgrade
        .max_message_size(limits::MAX_MESSAGE_BYTES)
        .max_frame_size(limits::MAX_MESSAGE_BYTES)
        .read_buffer_size(limits::READ_BUFFER_BYTES)
        .write_buffer_size(limits::WRITE_BUFFER_BYTES)
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// `?token=` (reference clients). A malformed query counts as no token: auth then fails or
/// waits for the auth message, and nothing about the query is logged.
fn query_token(query: Option<&str>) -> Option<String> {
    serde_urlencoded::from_str::<TokenQuery>(query?)
        .ok()?
        .token
        .filter(|token| !token.is_empty())
}

/// Browsers always send Origin on WebSocket upgrades, and a page of any site can open one, so the
/// Origin is what keeps other sites' pages out. With `ALLOWED_ORIGINS` set only those pass;
/// otherwise only pages of this host. Clients that send no Origin are not browsers (no page can
/// borrow a user's session through them) and pass either way.
fn origin_allowed(headers: &HeaderMap, config: &Config) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    match config.allowed_origins() {
        Some(allowed) => allowed.contains(&origin),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|host| host.to_str().ok())
                .map(str::to_ascii_lowercase);
            let authority = origin.split_once("://").map(|(_, rest)| rest);
            matches!((authority, host), (Some(a), Some(h)) if a == h)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::future::Future;

    /// See `the_futures_an_idle_socket_holds_stay_small`.
    const USER_SOCKET_FUTURE_BYTES: usize = 960;
    const WRITER_FUTURE_BYTES: usize = 600;

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(host));
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
        }
        headers
    }

    #[test]
    fn same_host_and_originless_clients_pass_by_default() {
        let config = Config::from_defaults();
        assert!(origin_allowed(&headers(None, "a.test:3000"), &config));
        assert!(origin_allowed(
            &headers(Some("http://a.test:3000"), "a.test:3000"),
            &config
        ));
        assert!(!origin_allowed(
            &headers(Some("https://evil.test"), "a.test:3000"),
            &config
        ));
    }

    #[test]
    fn allowed_origins_are_the_only_ones_then() {
        let mut config = Config::from_defaults();
        config.allowed_origins = Some("https://app.test, https://other.test/".into());
        assert!(origin_allowed(
            &headers(Some("https://other.test"), "api.test"),
            &config
        ));
        assert!(!origin_allowed(
            &headers(Some("https://api.test"), "api.test"),
            &config
        ));
        assert!(origin_allowed(&headers(None, "api.test"), &config));
    }

    fn future_size3<A, B, C, F: Future>(_: fn(A, B, C) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    fn future_size4<A, B, C, D, F: Future>(_: fn(A, B, C, D) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    /// Every idle user socket holds these two futures for its whole life (README, Benchmarks:
    /// memory per socket). As `async fn`s they were 1,384 and 632 bytes: `run` kept the unsplit
    /// socket, the writer its arguments twice. Now 888 and 544, in debug and release builds
    /// alike; the bounds leave a little room.
    #[test]
    fn the_futures_an_idle_socket_holds_stay_small() {
        let socket = future_size3(user_socket::run);
        assert!(
            socket <= USER_SOCKET_FUTURE_BYTES,
            "user socket future: {socket} bytes"
        );
        let writer = future_size4(outbox::write);
        assert!(
            writer <= WRITER_FUTURE_BYTES,
            "writer future: {writer} bytes"
        );
    }

    #[test]
    fn the_token_comes_from_the_query() {
        assert_eq!(query_token(Some("token=abc&x=1")), Some("abc".into()));
        assert_eq!(query_token(Some("token=")), None);
        assert_eq!(query_token(None), None);
    }
}
