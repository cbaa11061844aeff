//! The bounds every socket lives within, and the close codes that enforce them.

use std::{num::NonZeroU32, time::Duration};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// Largest message (and frame) a client may send. SDP offers are a few KiB and ICE candidates a
/// few hundred bytes; 64 KiB leaves ample room without letting one socket buffer megabytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Read and write buffer of one socket. tungstenite's defaults (128 KiB each) made an idle socket
/// cost about 140 KB of server memory (bench/: idle), and 4 KiB still made the read buffer the
/// largest allocation of an idle socket (heaptrack). The buffer grows to the size of a larger
/// message when one arrives, up to [`MAX_MESSAGE_BYTES`]; this is also the most one read takes,
/// so an ICE candidate of a few hundred bytes takes one or two reads. 256 bytes instead of
/// 1 KiB: 6.7 -> 6.0 KiB per socket at 100,000 sockets, relay latency and CPU per message
/// unchanged within the run-to-run spread (README, Benchmarks). A write buffer of zero sends
/// each message at once, which is what a relay wants anyway.
pub const READ_BUFFER_BYTES: usize = 256;
pub const WRITE_BUFFER_BYTES: usize = 0;

/// Sustained messages per second from one socket. Signaling is a handful of messages per call
/// (ICE restarts included); this bounds what one client can make the server relay (about 25 us
/// of CPU each: 50/s is 0.1% of a core) without capping the server's throughput at 20 msg/s per
/// socket, which the relay benchmark hit before it hit the server (bench/: relay max).
pub const MESSAGES_PER_SEC: u32 = 50;

/// Messages one socket may send at once: trickle ICE emits dozens of candidates right after the
/// offer, and they must not trip the limit.
pub const MESSAGE_BURST: u32 = 100;

/// Heartbeats (`WS_HEARTBEAT_SECS` apart) without any sign of life before the socket counts as
/// dead. The queue a slow reader may fill is `WS_OUTGOING_QUEUE` (config.rs).
pub const MISSED_HEARTBEATS: u32 = 2;

/// Open user sockets one user may hold: tabs and devices, not a connection flood.
pub const USER_SOCKETS: usize = 16;

/// Sockets one user may hold in one call room: a reload briefly has two; more is a flood.
pub const ROOM_SOCKETS_PER_USER: usize = 4;

/// Time an unauthenticated socket has to send its `auth` message.
pub const AUTH_TIMEOUT: Duration = Duration::from_secs(5);

/// Close codes: RFC 6455 ones, then ours in the 4000-4999 range applications own.
pub mod close {
    /// A normal close.
    pub const NORMAL: u16 = 1000;
    /// Message too big.
    pub const TOO_BIG: u16 = 1009;
    /// Policy violation (the rate limit).
    pub const POLICY: u16 = 1008;
    /// Try again later: the client read too slowly.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// The peer stopped answering heartbeats.
    pub const GOING_AWAY: u16 = 1001;
    /// A server-side failure.
    pub const INTERNAL_ERROR: u16 = 1011;
    /// The server is restarting (IANA-registered): reconnect in a moment.
    pub const SERVICE_RESTART: u16 = 1012;
    /// Missing, invalid or expired token (as HTTP 401).
    pub const UNAUTHORIZED: u16 = 4001;
    /// Not a party of this call (as HTTP 403).
    pub const FORBIDDEN: u16 = 4003;
    /// No such room, or its call is over (as HTTP 404/410).
    pub const NOT_FOUND: u16 = 4004;
}

/// The per-socket message rate limiter.
pub fn rate_limiter() -> DefaultDirectRateLimiter {
    let per_sec = NonZeroU32::new(MESSAGES_PER_SEC).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(MESSAGE_BURST).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct(Quota::per_second(per_sec).allow_burst(burst))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_and_a_flood_does_not() {
        let limiter = rate_limiter();
        for _ in 0..MESSAGE_BURST {
            assert!(limiter.check().is_ok());
        }
        assert!(limiter.check().is_err());
    }
}
