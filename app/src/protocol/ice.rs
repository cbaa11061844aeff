//! ICE servers for RTCPeerConnection, shaped as `RTCConfiguration.iceServers`.

use serde::{Deserialize, Serialize};

/// One entry of `iceServers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// `GET /api/ice-servers/`: pass `ice_servers` as `iceServers` to `new RTCPeerConnection`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IceServers {
    #[serde(rename = "iceServers")]
    pub ice_servers: Vec<IceServer>,
    /// Seconds the TURN credentials stay valid (null for static or no TURN); fetch again
    /// before an ICE restart after this.
    pub ttl: Option<u64>,
}
