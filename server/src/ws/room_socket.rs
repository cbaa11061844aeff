//! One socket in a call room (`/ws/call/{room_id}/`, the reference protocol): authenticate, check
//! the user is a party of the room's live call, then relay offer/answer/ICE to the other party
//! and hand ringing and call-end to the call service.

use std::{future::Future, time::Duration};

use axum::extract::ws::WebSocket;

use app::protocol::{
    Call, CallId, CallStatus, ClientMsg, EndReason, ServerMsg, UserEvent, UserId, WsError,
};
use tokio::sync::broadcast::error::RecvError;

use crate::{
    calls::{CallError, Calls},
    db::calls::NewSignal,
    hub::Subscription,
    AppState,
};

use super::{
    auth,
    limits::{close, ROOM_SOCKETS_PER_USER},
    outbox::Outbox,
    reader::Reader,
    rooms::{Party, Rooms},
};

/// The socket's future (a plain function: see the module `ws`).
pub fn run(
    state: AppState,
    room_id: String,
    query_token: Option<String>,
    socket: WebSocket,
) -> impl Future<Output = ()> + Send {
    let mut socket = super::Opened::new(&state, socket);
    async move {
        match admit(&state, &room_id, query_token, &mut socket.reader).await {
            Ok((user, call, events)) => {
                let _open = crate::metrics::socket_open("room");
                // A room lives as long as its call, however the call ends (REST, the ring timeout,
                // the other party, another instance): nothing is relayed or logged after that.
                let watcher = tokio::spawn(close_when_over(
                    state.calls.clone(),
                    user,
                    call.id,
                    events,
                    socket.outbox.clone(),
                ));
                serve(
                    &state,
                    &room_id,
                    user,
                    call,
                    &mut socket.reader,
                    &socket.outbox,
                )
                .await;
                watcher.abort();
            }
            Err((code, reason)) => socket.outbox.close(code, reason),
        }
        let _ = socket.finish().await;
    }
}

/// Who the user is, the room's call and the user's events from before the call was read, or
/// the close code and reason refusing them.
async fn admit(
    state: &AppState,
    room_id: &str,
    query_token: Option<String>,
    reader: &mut Reader,
) -> Result<(UserId, Call, Subscription), (u16, &'static str)> {
    // A call's room stays open past the token's expiry: the call bounds its life, and closing
    // it mid-call would make both peers renegotiate every ACCESS_TTL.
    let user = auth::authenticate(reader, query_token, &state.users)
        .await
        .map_err(|refused| (refused.code, refused.reason))?
        .user;
    // Before the read: an end published after it is then not missed.
    let events = state.hub.subscribe(user);
    // 404 for a room that does not exist and for one of someone else's calls alike.
    let call = match state.calls.by_room(user, room_id).await {
        Ok(call) => call,
        Err(CallError::NotFound) => return Err((close::FORBIDDEN, "not a party of this call")),
        Err(error) => {
            tracing::error!(%error, "cannot load a call room");
            return Err((close::INTERNAL_ERROR, "internal error"));
        }
    };
    if !call.status.is_live() {
        return Err((close::NOT_FOUND, CALL_OVER));
    }
    Ok((user, call, events))
}

const CALL_OVER: &str = "this call is over";

/// Closes the room socket (4004) once call `call_id` is over, after what was already queued
/// for it (the other party's call-end).
async fn close_when_over(
    calls: Calls,
    user: UserId,
    call_id: CallId,
    mut events: Subscription,
    outbox: Outbox,
) {
    loop {
        let over = match events.recv().await {
            Ok(event) => match &*event {
                UserEvent::CallStatus { call } => call.id == call_id && !call.status.is_live(),
                _ => false,
            },
            // Missed events: ask the database.
            Err(RecvError::Lagged(_)) => calls
                .get(user, call_id)
                .await
                .is_ok_and(|call| !call.status.is_live()),
            Err(RecvError::Closed) => return,
        };
        if over {
            outbox.close_after_queued(close::NOT_FOUND, CALL_OVER);
            return;
        }
    }
}

async fn serve(
    state: &AppState,
    room_id: &str,
    user: UserId,
    call: Call,
    reader: &mut Reader,
    outbox: &Outbox,
) {
    let rooms = &state.rooms;
    let conn = rooms.next_id();
    let (me, peer) = if call.caller.id == user {
        (&call.caller, &call.receiver)
    } else {
        (&call.receiver, &call.caller)
    };
    let party = Party {
        user,
        peer: peer.id,
        username: me.username.clone(),
        conn,
        outbox: outbox.clone(),
    };
    let Ok(resumed) = rooms.join(room_id, party, ROOM_SOCKETS_PER_USER) else {
        outbox.close(close::POLICY, "too many sockets in this call room");
        return;
    };
    tracing::info!(call_id = %call.id, %user, resumed, "joined call room");

    while let Some(message) = reader.next().await {
        let reply = match message {
            Ok(message) => handle(state, room_id, user, &call, message).await,
            Err(error) => Some(ServerMsg::error(&error)),
        };
        if let Some(reply) = reply {
            outbox.send(&reply);
        }
    }

    if rooms.leave(room_id, user, conn) {
        start_grace_if_accepted(state, rooms, room_id, user).await;
    }
}

/// Handles one message; the reply for the sender, if any.
async fn handle(
    state: &AppState,
    room_id: &str,
    user: UserId,
    call: &Call,
    message: ClientMsg,
) -> Option<ServerMsg> {
    if message.call_id().is_some_and(|id| id != call.id) {
        return Some(ServerMsg::error(&WsError::WrongCall));
    }
    let relay = |message: ServerMsg| {
        let started = std::time::Instant::now();
        state.rooms.relay(room_id, user, &message);
        crate::metrics::relayed(started.elapsed());
    };
    match message {
        ClientMsg::CallOffer {
            offer,
            call_id,
            call_type,
        } => {
            record(state, user, call_id, "offer", &offer);
            relay(ServerMsg::CallOffer {
                offer,
                call_id,
                sender_id: user,
                call_type,
            });
            None
        }
        ClientMsg::CallAnswer { answer, call_id } => {
            record(state, user, call_id, "answer", &answer);
            relay(ServerMsg::CallAnswer {
                answer,
                call_id,
                sender_id: user,
            });
            None
        }
        ClientMsg::IceCandidate { candidate, call_id } => {
            record(state, user, call_id, "ice-candidate", &candidate);
            relay(ServerMsg::IceCandidate {
                candidate,
                call_id,
                sender_id: user,
            });
            None
        }
        // Relayed after the state change, so the caller never hears of a ring the server
        // refused; also when the call was ringing already (the REST `ringing` came first).
        ClientMsg::Ringing { call_id } => match state.calls.ringing(user, call_id).await {
            Ok(_) => {
                relay(ServerMsg::Ringing {
                    call_id,
                    sender_id: user,
                });
                None
            }
            Err(error) => Some(refused(error)),
        },
        ClientMsg::CallEnd { call_id, reason } => {
            // The other party hangs up either way: if the call was already over they should too.
            // Relayed first, so it is queued before the end closes their socket.
            relay(ServerMsg::CallEnd {
                call_id,
                sender_id: user,
                reason,
            });
            match state.calls.end(user, call_id).await {
                Ok(_) | Err(CallError::Conflict { .. }) => None,
                Err(error) => Some(refused(error)),
            }
        }
        ClientMsg::Ping => Some(ServerMsg::Pong),
        other => Some(ServerMsg::error(&WsError::Unsupported(other.kind()))),
    }
}

/// Queues a signal for call_signals; never waits (the relay must not).
fn record(state: &AppState, user: UserId, call_id: CallId, kind: &str, data: &serde_json::Value) {
    state.calls.signals().record(NewSignal {
        call_id,
        signal_type: kind.to_owned(),
        signal_data: data.to_string(),
        sender_id: user,
        created_at: state.clock.now_millis(),
    });
}

/// The call service's refusal as an error message.
fn refused(error: CallError) -> ServerMsg {
    let detail = match &error {
        CallError::Internal(_) | CallError::Database(_) => {
            tracing::error!(%error, "call room action failed");
            "Internal error.".to_owned()
        }
        _ => error.detail(),
    };
    ServerMsg::error(&WsError::Refused(detail))
}

/// The user's last socket in the room is gone: if the call is in progress, it ends as
/// connection_lost unless they are back within the grace period.
async fn start_grace_if_accepted(state: &AppState, rooms: &Rooms, room_id: &str, user: UserId) {
    // Re-read: the call may have ended while the socket was open (call-end, REST).
    let call = match state.calls.by_room(user, room_id).await {
        Ok(call) if call.status == CallStatus::Accepted => call,
        Ok(_) => return,
        Err(error) => {
            tracing::warn!(%error, "cannot check the call of a dropped socket");
            return;
        }
    };
    if end_unless_back(state, rooms, room_id, user, call.id) {
        tracing::info!(
            call_id = %call.id,
            %user,
            grace_secs = state.config.ws_grace_secs,
            "party disconnected"
        );
    }
}

/// Ends call `call_id` as connection_lost after the grace period unless `user` joins its room
/// (here or on another instance) first. False if they are in the room already.
fn end_unless_back(
    state: &AppState,
    rooms: &Rooms,
    room_id: &str,
    user: UserId,
    call_id: CallId,
) -> bool {
    let grace = Duration::from_secs(state.config.ws_grace_secs);
    let calls = state.calls.clone();
    rooms.start_grace(room_id, user, grace, async move {
        match calls
            .end_with_reason(user, call_id, Some(EndReason::ConnectionLost))
            .await
        {
            Ok(_) => tracing::info!(%call_id, %user, "call ended: connection lost"),
            // Already ended some other way.
            Err(CallError::Conflict { .. }) => {}
            Err(error) => tracing::warn!(%error, %call_id, "cannot end a lost call"),
        }
    })
}

/// At startup: the calls in progress may be served by other instances of a group, or were left
/// by the last run (a restart, a crash). Each party gets the grace period to be found in the
/// call's room on some instance (other instances answer a probe) or to rejoin; the calls no one
/// serves then end as connection_lost, like a dropped socket's.
pub async fn adopt_calls_in_progress(state: &AppState) -> Result<usize, CallError> {
    let calls = state.calls.in_progress().await?;
    for call in &calls {
        for user in [call.caller.id, call.receiver.id] {
            end_unless_back(state, &state.rooms, &call.room_id, user, call.id);
        }
        state.rooms.probe(&call.room_id);
    }
    Ok(calls.len())
}
