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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IceServers {
    #[serde(rename = "iceServers")]
    pub ice_servers: Vec<IceServer>,
    /// Seconds the TURN credentials stay valid (null for static or no TURN); fetch again
    /// before an ICE restart after this.
    pub ttl: Option<u64>,
    /// Whether this server has a TURN relay at all (extension). The relay is among
    /// `ice_servers` only for a party of a live call, so pages outside a call read this instead.
    #[serde(default)]
    pub turn: bool,
}

impl IceServers {
    /// Whether a TURN server is among them: without one, a relay-only connection cannot form.
    /// (In a call; outside one, `turn` says whether the server has a relay.)
    pub fn has_relay(&self) -> bool {
        self.ice_servers.iter().any(|server| {
            server
                .urls
                .iter()
                .any(|url| url.starts_with("turn:") || url.starts_with("turns:"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(urls: &[&str]) -> IceServers {
        IceServers {
            ice_servers: vec![IceServer {
                urls: urls.iter().map(|url| (*url).to_owned()).collect(),
                username: None,
                credential: None,
            }],
            ttl: None,
            turn: false,
        }
    }

    #[test]
    fn relay_needs_a_turn_url() {
        assert!(!servers(&[]).has_relay());
        assert!(!servers(&["stun:stun.example:3478"]).has_relay());
        assert!(servers(&["stun:stun.example:3478", "turn:turn.example:3478"]).has_relay());
        assert!(servers(&["turns:turn.example:5349?transport=tcp"]).has_relay());
    }

    #[test]
    fn a_reference_answer_without_turn_reads_as_no_relay() {
        let servers: IceServers =
            serde_json::from_str(r#"{"iceServers": [], "ttl": null}"#).unwrap();
        assert!(!servers.turn);
    }
}
