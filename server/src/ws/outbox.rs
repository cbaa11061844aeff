//! The writing half of a socket: a bounded queue drained by one writer task. Everyone who talks to
//! the socket (its own reader, the other party's relay, the hub) only ever `try_send`s, so a slow
//! client can never block them; when its queue is full it is closed instead.

use std::{future::Future, sync::Arc, time::Duration};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::{stream::SplitSink, SinkExt};
use tokio::{sync::watch, task::JoinHandle};

use app::protocol::ServerMsg;

use super::limits::close;

/// How long a closing frame may take to go out before the connection is simply dropped.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

type CloseReason = Option<(u16, &'static str)>;

/// A message serialized once, to be queued to any number of sockets (a clone shares the text).
#[derive(Clone)]
pub struct Encoded(Utf8Bytes);

impl Encoded {
    /// None (logged) if `message` cannot be serialized, which would be a bug in its types.
    pub fn new(message: &ServerMsg) -> Option<Self> {
        match serde_json::to_string(message) {
            Ok(text) => Some(Self(text.into())),
            Err(error) => {
                tracing::error!(%error, "cannot serialize a WebSocket message");
                None
            }
        }
    }
}

/// A handle to send to one socket; cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    queue: flume::Sender<Message>,
    close: Arc<watch::Sender<CloseReason>>,
}

impl Outbox {
    /// The handle and the writer task of `sink`, holding up to `capacity` messages
    /// (`WS_OUTGOING_QUEUE`; a flume channel allocates as messages queue, where tokio's allocated
    /// 1.5 KiB per socket up front). The task ends when the socket is closed or every handle is
    /// dropped; once `stopping` turns true (the server is shutting down) it closes the socket with
    /// 1012, and it holds `stopping` until that close frame is out.
    pub fn spawn(
        sink: SplitSink<WebSocket, Message>,
        capacity: usize,
        stopping: watch::Receiver<bool>,
    ) -> (Self, JoinHandle<()>) {
        let (queue, receiver) = flume::bounded(capacity);
        let close = Arc::new(watch::channel(None).0);
        let writer = tokio::spawn(write(sink, receiver, close.clone(), stopping));
        (Self { queue, close }, writer)
    }

    /// A handle with no socket behind it, and what it receives (for unit tests).
    #[cfg(test)]
    pub fn detached(capacity: usize) -> (Self, flume::Receiver<Message>) {
        let (queue, receiver) = flume::bounded(capacity);
        let (close, _) = watch::channel(None);
        let outbox = Self {
            queue,
            close: Arc::new(close),
        };
        (outbox, receiver)
    }

    /// Queues `message`; false if it was not (queue full, which closes the socket, or closed).
    pub fn send(&self, message: &ServerMsg) -> bool {
        Encoded::new(message).is_some_and(|encoded| self.send_encoded(&encoded))
    }

    /// Queues a message serialized beforehand (see [`Encoded`]).
    pub fn send_encoded(&self, message: &Encoded) -> bool {
        self.push(Message::Text(message.0.clone()))
    }

    pub fn ping(&self) -> bool {
        self.push(Message::Ping(Default::default()))
    }

    fn push(&self, message: Message) -> bool {
        match self.queue.try_send(message) {
            Ok(()) => true,
            Err(flume::TrySendError::Full(_)) => {
                crate::metrics::dropped("outbox_full", 1);
                self.close(close::TRY_AGAIN_LATER, "too slow: outgoing queue full");
                false
            }
            Err(flume::TrySendError::Disconnected(_)) => false,
        }
    }

    /// Closes the socket with `code` ahead of anything still queued. The first reason wins.
    pub fn close(&self, code: u16, reason: &'static str) {
        request_close(&self.close, code, reason);
    }

    /// Closes the socket with `code` once what is already queued has gone out: the end of a
    /// conversation (the other party's last words still arrive), not a refusal.
    pub fn close_after_queued(&self, code: u16, reason: &'static str) {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        if !self.push(Message::Close(Some(frame))) {
            self.close(code, reason);
        }
    }

    /// Resolves once the socket is being closed by the server.
    pub async fn closed(&self) {
        let mut closed = self.close.subscribe();
        // Err only if the sender is gone, and this handle holds it.
        let _ = closed.wait_for(Option::is_some).await;
    }
}

fn request_close(close: &watch::Sender<CloseReason>, code: u16, reason: &'static str) {
    close.send_if_modified(|current| {
        if current.is_some() {
            return false;
        }
        *current = Some((code, reason));
        true
    });
}

/// Resolves once the server starts shutting down (never if the drain itself is gone).
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    if stopping.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The writer task's future (a plain function for the reason told in the module `ws`: an
/// `async fn` would hold its arguments twice).
pub(super) fn write(
    mut sink: SplitSink<WebSocket, Message>,
    queue: flume::Receiver<Message>,
    close_tx: Arc<watch::Sender<CloseReason>>,
    mut stopping: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send {
    let mut closed = close_tx.subscribe();
    async move {
        loop {
            let message = tokio::select! {
                biased;
                _ = closed.wait_for(Option::is_some) => break,
                () = stopped(&mut stopping) => break,
                message = queue.recv_async() => message.ok(),
            };
            let Some(message) = message else { break };
            let last = matches!(message, Message::Close(_));
            // A client that stopped reading blocks the send; a close must still get through.
            let sent = tokio::select! {
                biased;
                _ = closed.wait_for(Option::is_some) => break,
                () = stopped(&mut stopping) => break,
                sent = sink.send(message) => sent,
            };
            if last {
                // The close frame is out (close_after_queued): the reader winds down too.
                request_close(&close_tx, close::NORMAL, "closed");
                return;
            }
            if sent.is_err() {
                return;
            }
        }
        if *stopping.borrow() {
            // Also ends the socket's reader, so its loop winds down like on any other close.
            request_close(&close_tx, close::SERVICE_RESTART, "server restarting");
        }
        let reason = *closed.borrow();
        let frame = reason.map(|(code, reason)| CloseFrame {
            code,
            reason: reason.into(),
        });
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
            match frame {
                Some(frame) => sink.send(Message::Close(Some(frame))).await,
                None => sink.close().await,
            }
        })
        .await;
    }
}
