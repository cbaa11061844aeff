//! The user socket (`/ws/`, one per tab): forwards the user's events from the hub (incoming
//! calls, call status changes, presence of the users it watches) and keeps the user online while
//! at least one is open.

use std::{future::Future, pin::pin, pin::Pin, sync::Arc};

use axum::extract::ws::WebSocket;
use tokio::sync::broadcast::error::RecvError;

use app::protocol::{ClientMsg, ServerMsg, UserId, WsError};

use crate::{hub::Subscription, AppState};

use super::{
    auth,
    limits::{self, close},
    outbox::Outbox,
    reader::Reader,
};

/// The socket's future (a plain function: see the module `ws`).
pub fn run(
    state: AppState,
    query_token: Option<String>,
    socket: WebSocket,
) -> impl Future<Output = ()> + Send {
    let mut socket = super::Opened::new(&state, socket);
    async move {
        match auth::authenticate(&mut socket.reader, query_token, &state.users).await {
            Ok(auth::Authenticated { user, valid_for }) => {
                let _open = crate::metrics::socket_open("user");
                // Subscribed before auth-ok, so a client that waits for it misses nothing.
                let mut events = state.hub.subscribe(user);
                if state.presence.connected(user, limits::USER_SOCKETS).await {
                    socket.outbox.send(&ServerMsg::AuthOk { user_id: user });
                    let expiry = pin!(tokio::time::sleep(valid_for));
                    let watched = serve(
                        &state,
                        user,
                        &mut events,
                        expiry,
                        &mut socket.reader,
                        &socket.outbox,
                    )
                    .await;
                    state.presence.unwatch(user, &watched);
                    state.presence.disconnected(user).await;
                } else {
                    socket
                        .outbox
                        .close(close::POLICY, "too many open sockets for this user");
                }
            }
            Err(refused) => socket.outbox.close(refused.code, refused.reason),
        }
        let _ = socket.finish().await;
    }
}

/// Forwards events and answers messages until either side ends or the token expires; returns
/// the watched users.
///
/// At expiry the socket is closed with 4001, as REST would refuse the token: a stolen token
/// cannot keep listening to someone's calls and presence for longer than it is valid. The app
/// refreshes its token and reconnects, then reloads the active calls, so nothing is lost.
async fn serve(
    state: &AppState,
    user: UserId,
    events: &mut Subscription,
    mut expiry: Pin<&mut tokio::time::Sleep>,
    reader: &mut Reader,
    outbox: &Outbox,
) -> Vec<UserId> {
    let mut watched = Vec::new();
    loop {
        tokio::select! {
            () = &mut expiry => {
                outbox.close(close::UNAUTHORIZED, "token expired");
                break;
            }
            event = events.recv() => match event {
                Ok(event) => {
                    outbox.send(&ServerMsg::from(Arc::unwrap_or_clone(event)));
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(%user, missed, "user socket lagged");
                    outbox.send(&ServerMsg::Error {
                        message: format!("{missed} events were missed; reload the calls."),
                        code: Some("lagged".into()),
                    });
                }
                Err(RecvError::Closed) => break,
            },
            message = reader.next() => {
                let Some(message) = message else { break };
                let reply = match message {
                    Ok(ClientMsg::Ping) => ServerMsg::Pong,
                    Ok(ClientMsg::SubscribePresence { user_ids }) => {
                        watched = state.presence.watch(user, &watched, &user_ids);
                        ServerMsg::Subscribed { user_ids: watched.clone() }
                    }
                    Ok(other) => ServerMsg::error(&WsError::Unsupported(other.kind())),
                    Err(error) => ServerMsg::error(&error),
                };
                outbox.send(&reply);
            }
        }
    }
    watched
}
