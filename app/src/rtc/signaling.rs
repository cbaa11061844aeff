//! The call-room socket `ws(s)://host/ws/call/{room_id}/`: authenticates with an `auth` first
//! message (the token never goes into the URL), then carries [`ClientMsg`] / [`ServerMsg`] JSON.

use std::rc::Rc;

use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use crate::protocol::{AccessToken, ClientMsg, ServerMsg};

pub enum SocketEvent {
    Message(Box<ServerMsg>),
    /// The socket is gone; `code` is the close code (4001 bad token, 4003 not a party,
    /// 4004 the call is over).
    Closed {
        code: u16,
    },
}

pub struct RoomSocket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(JsValue)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl RoomSocket {
    /// Connects; `on_event` hears every message and the close.
    pub fn open(
        room_id: &str,
        token: Option<String>,
        on_event: Rc<dyn Fn(SocketEvent)>,
    ) -> Result<Self, String> {
        let location = web_sys::window().ok_or("no window")?.location();
        let scheme = match location.protocol().as_deref() {
            Ok("https:") => "wss",
            _ => "ws",
        };
        let host = location.host().map_err(|_| "no host")?;
        let url = format!("{scheme}://{host}/ws/call/{room_id}/");
        let ws = WebSocket::new(&url).map_err(|e| super::error_text(&e))?;

        let auth_ws = ws.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let auth = ClientMsg::Auth {
                token: AccessToken(token.clone().unwrap_or_default()),
            };
            if let Ok(text) = serde_json::to_string(&auth) {
                let _ = auth_ws.send_with_str(&text);
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));

        let events = on_event.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ServerMsg>(&text) {
                Ok(message) => events(SocketEvent::Message(Box::new(message))),
                Err(error) => super::log(&format!("unreadable room message: {error}")),
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));

        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            on_event(SocketEvent::Closed { code: event.code() });
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
        if self.ws.ready_state() != WebSocket::OPEN {
            return false;
        }
        match serde_json::to_string(message) {
            Ok(text) => self.ws.send_with_str(&text).is_ok(),
            Err(_) => false,
        }
    }

    /// Closes without reporting the close (what was sent before still goes out).
    pub fn close(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close_with_code(1000);
    }
}

impl Drop for RoomSocket {
    fn drop(&mut self) {
        self.close();
    }
}
