//! `GET /api/ice-servers/`: what the browser passes to RTCPeerConnection.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::{extract::State, Json};

use app::protocol::{ErrorBody, IceServers};

use super::extract::AuthUser;
use crate::AppState;

/// STUN and TURN servers for the caller; TURN_SECRET credentials are minted for this user and
/// expire after `ttl` seconds, so clients fetch again before an ICE restart.
#[utoipa::path(
    get,
    path = "/ice-servers/",
    tag = "calls",
    security(("jwt" = [])),
    responses(
        (status = OK, description = "RTCConfiguration.iceServers for this user", body = IceServers),
        (status = UNAUTHORIZED, description = "No or invalid access token", body = ErrorBody),
    )
)]
pub async fn ice_servers(State(state): State<AppState>, user: AuthUser) -> Json<IceServers> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Json(state.ice.servers_for(user.id, now))
}
