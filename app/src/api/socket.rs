//! The WebSocket client of both sockets, the user socket `/ws/` and the call-room socket
//! `/ws/call/{room_id}/`: the URL from the page's own origin, an `auth` first message (the token
//! never goes into the URL, where it would end up in logs), [`ServerMsg`] JSON in, [`ClientMsg`]
//! JSON out, and the reconnect backoff. What to do on a close is the owner's decision.
//!
//! [`ServerMsg`]: crate::protocol::ServerMsg
//! [`ClientMsg`]: crate::protocol::ClientMsg

/// The first reconnect waits this long; each failure doubles it up to the socket's maximum.
pub const MIN_BACKOFF_MS: u64 = 1_000;

/// How long to wait before reconnect attempt number `attempt` (0 = the first retry).
pub fn backoff_ms(attempt: u32, max_ms: u64) -> u64 {
    MIN_BACKOFF_MS
        .saturating_mul(1u64 << attempt.min(16))
        .min(max_ms)
}

/// `ws://host/path`, or `wss://` for a page served over https.
pub fn socket_url(page_protocol: &str, host: &str, path: &str) -> String {
    let scheme = if page_protocol == "https:" {
        "wss"
    } else {
        "ws"
    };
    format!("{scheme}://{host}{path}")
}

#[cfg(feature = "hydrate")]
pub use browser::{Socket, SocketEvent};

#[cfg(feature = "hydrate")]
mod browser {
    use std::rc::Rc;

    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    use crate::protocol::{AccessToken, ClientMsg, CloseCode, ServerMsg};

    pub enum SocketEvent {
        Message(Box<ServerMsg>),
        /// The socket is gone (or never opened: [`CloseCode::Abnormal`]).
        Closed(CloseCode),
    }

    /// An open socket; dropping it closes it without reporting the close.
    pub struct Socket {
        ws: WebSocket,
        _on_open: Closure<dyn FnMut(JsValue)>,
        _on_message: Closure<dyn FnMut(MessageEvent)>,
        _on_close: Closure<dyn FnMut(CloseEvent)>,
    }

    impl Socket {
        /// Connects to `path` on this page's host and authenticates with `token` once open;
        /// `on_event` hears every readable message and the close.
        pub fn open(
            path: &str,
            token: String,
            on_event: Rc<dyn Fn(SocketEvent)>,
        ) -> Result<Self, String> {
            let location = web_sys::window().ok_or("no window")?.location();
            let protocol = location.protocol().map_err(|_| "no protocol")?;
            let host = location.host().map_err(|_| "no host")?;
            let ws = WebSocket::new(&super::socket_url(&protocol, &host, path))
                .map_err(|e| format!("{e:?}"))?;

            let auth_ws = ws.clone();
            let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
                let auth = ClientMsg::Auth {
                    token: AccessToken(token.clone()),
                };
                send_on(&auth_ws, &auth);
            });
            ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));

            let events = on_event.clone();
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                match serde_json::from_str::<ServerMsg>(&text) {
                    Ok(message) => events(SocketEvent::Message(Box::new(message))),
                    Err(error) => web_sys::console::warn_1(&JsValue::from_str(&format!(
                        "[callhub] unreadable socket message: {error}"
                    ))),
                }
            });
            ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));

            let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
                on_event(SocketEvent::Closed(CloseCode::from(event.code())));
            });
            ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));

            Ok(Self {
                ws,
                _on_open: on_open,
                _on_message: on_message,
                _on_close: on_close,
            })
        }

        /// Sends when open; false when the message could not go out.
        pub fn send(&self, message: &ClientMsg) -> bool {
            self.ws.ready_state() == WebSocket::OPEN && send_on(&self.ws, message)
        }

        /// Closes without reporting the close (what was sent before still goes out).
        pub fn close(&self) {
            self.ws.set_onopen(None);
            self.ws.set_onmessage(None);
            self.ws.set_onclose(None);
            let _ = self.ws.close_with_code(CloseCode::Normal.into());
        }
    }

    impl Drop for Socket {
        fn drop(&mut self) {
            self.close();
        }
    }

    fn send_on(ws: &WebSocket, message: &ClientMsg) -> bool {
        serde_json::to_string(message).is_ok_and(|text| ws.send_with_str(&text).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_second_to_the_maximum() {
        let delays: Vec<_> = (0..7).map(|n| backoff_ms(n, 30_000)).collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
        assert_eq!(backoff_ms(u32::MAX, 30_000), 30_000);
        assert_eq!(backoff_ms(3, 5_000), 5_000);
    }

    #[test]
    fn socket_url_follows_the_page() {
        assert_eq!(
            socket_url("https:", "example.com", "/ws/"),
            "wss://example.com/ws/"
        );
        assert_eq!(
            socket_url("http:", "127.0.0.1:3000", "/ws/call/abc/"),
            "ws://127.0.0.1:3000/ws/call/abc/"
        );
    }
}
