//! WebSocket client helpers: connect, send and receive JSON messages with timeouts.

use std::time::Duration;

use app::protocol::Call;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

use super::TestApp;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a test waits for a message it expects.
pub const WAIT: Duration = Duration::from_secs(5);

pub async fn connect(app: &TestApp, path: &str) -> Socket {
    let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{}{}", app.addr, path))
        .await
        .unwrap_or_else(|error| panic!("connect {path}: {error}"));
    socket
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("send");
}

/// The next JSON message; panics on a close or after [`WAIT`].
pub async fn recv(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a message in time")
            .expect("socket open")
            .expect("frame");
        match frame {
            Message::Text(text) => return serde_json::from_str(text.as_str()).expect("json"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

/// The close code the server sent, skipping messages before it (None if the connection just
/// ended).
pub async fn close_code(socket: &mut Socket) -> Option<u16> {
    loop {
        let frame = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("the socket closes in time");
        match frame {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}

/// The next message of type `kind`, skipping others (as a reference client ignores them).
pub async fn recv_type(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let message = recv(socket).await;
        if message["type"] == kind {
            return message;
        }
    }
}

/// A room socket authenticated by `?token=`, past its auth-ok.
pub async fn join(app: &TestApp, call: &Call, token: &str) -> Socket {
    let mut socket = connect(app, &format!("/ws/call/{}/?token={token}", call.room_id)).await;
    let ok = recv(&mut socket).await;
    assert_eq!(ok["type"], "auth-ok", "{ok}");
    socket
}

/// A user socket authenticated by `?token=`, past its auth-ok.
pub async fn user_socket(app: &TestApp, token: &str) -> Socket {
    let mut socket = connect(app, &format!("/ws/?token={token}")).await;
    assert_eq!(recv(&mut socket).await["type"], "auth-ok");
    socket
}
