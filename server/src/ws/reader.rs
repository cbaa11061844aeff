//! The reading half of a socket: yields parsed client messages and enforces the limits on the way
//! (rate, heartbeat, size, binary frames). Both socket kinds read through it.

use axum::extract::ws::{Message, WebSocket};
use futures_util::{stream::SplitStream, StreamExt};
use governor::DefaultDirectRateLimiter;
use std::time::Duration;

use tokio::time::{interval_at, Instant, Interval, MissedTickBehavior};

use app::protocol::{parse_client_msg, ClientMsg, WsError};

use super::{
    limits::{self, close},
    outbox::Outbox,
};

pub struct Reader {
    stream: SplitStream<WebSocket>,
    outbox: Outbox,
    limiter: DefaultDirectRateLimiter,
    heartbeat: Interval,
    missed: u32,
}

impl Reader {
    /// Pings every `heartbeat` (`WS_HEARTBEAT_SECS`, never zero).
    pub fn new(stream: SplitStream<WebSocket>, outbox: Outbox, heartbeat: Duration) -> Self {
        let mut heartbeat = interval_at(Instant::now() + heartbeat, heartbeat);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            stream,
            outbox,
            limiter: limits::rate_limiter(),
            heartbeat,
            missed: 0,
        }
    }

    /// The next message, or the reason the last one is unusable (to be answered with an error).
    /// `None` once the socket is done: closed by the client, dead, or closed by us for breaking a
    /// limit. Cancel-safe, so it can sit in a `select!` next to other event sources.
    pub async fn next(&mut self) -> Option<Result<ClientMsg, WsError>> {
        loop {
            let frame = tokio::select! {
                biased;
                _ = self.outbox.closed() => return None,
                _ = self.heartbeat.tick() => {
                    if self.missed >= limits::MISSED_HEARTBEATS {
                        self.outbox.close(close::GOING_AWAY, "heartbeat timeout");
                        return None;
                    }
                    self.missed += 1;
                    self.outbox.ping();
                    continue;
                }
                frame = self.stream.next() => frame,
            };
            let message = match frame {
                None => return None,
                Some(Ok(message)) => message,
                Some(Err(error)) => {
                    // axum hides tungstenite's error type; its capacity errors read "Message too
                    // long" / "Space limit exceeded" (the ws tests check the resulting 1009).
                    let text = error.to_string().to_ascii_lowercase();
                    if text.contains("too long") || text.contains("space limit") {
                        self.outbox.close(close::TOO_BIG, "message too big");
                    }
                    return None;
                }
            };
            // Any frame is a sign of life.
            self.missed = 0;
            match message {
                Message::Text(text) => {
                    if !self.within_rate() {
                        return None;
                    }
                    return Some(parse_client_msg(text.as_str()));
                }
                Message::Binary(_) => {
                    if !self.within_rate() {
                        return None;
                    }
                    return Some(Err(WsError::Binary));
                }
                // axum answers pings itself.
                Message::Ping(_) | Message::Pong(_) => {}
                Message::Close(_) => return None,
            }
        }
    }

    fn within_rate(&mut self) -> bool {
        if self.limiter.check().is_ok() {
            return true;
        }
        self.outbox.close(close::POLICY, "rate limit exceeded");
        false
    }
}
