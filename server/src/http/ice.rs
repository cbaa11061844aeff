//! `GET /api/ice-servers/`: what the browser passes to RTCPeerConnection.

use axum::{extract::State, Json};

use app::protocol::{ErrorBody, IceServers};

use super::extract::AuthUser;
use crate::{error::ApiError, AppState};

/// STUN for everyone; TURN only for a party of a live call (`turn` says whether the server has
/// a relay at all). TURN_SECRET credentials are minted for this user, the same within one
/// TURN_TTL window, and expire after `ttl` seconds, so clients fetch again before an ICE restart.
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
pub async fn ice_servers(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<IceServers>, ApiError> {
    // No query at all on a server without TURN.
    let with_turn = state.ice.has_turn() && state.calls.in_live_call(user.id).await?;
    let now_secs = state.clock.now_millis() / 1000;
    Ok(Json(state.ice.servers_for(user.id, now_secs, with_turn)))
}
