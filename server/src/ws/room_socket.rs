//! One socket in a call room (`/ws/call/{room_id}/`, the reference protocol): authenticate, check
//! the user is a party of the room's live call, then relay offer/answer/ICE to the other party
//! and hand ringing and call-end to the call service.

use std::time::Duration;

use axum::extract::ws::WebSocket;
use futures_util::StreamExt;

use app::protocol::{Call, CallId, CallStatus, ClientMsg, EndReason, ServerMsg, UserId, WsError};

use crate::{db::calls::NewSignal, error::ApiError, AppState};

use super::{
    auth,
    limits::close,
    outbox::Outbox,
    reader::Reader,
    rooms::{Party, Rooms},
};

pub async fn run(state: AppState, room_id: String, query_token: Option<String>, socket: WebSocket) {
    let (sink, stream) = socket.split();
    let (outbox, writer) = Outbox::spawn(sink, state.drain.subscribe());
    let mut reader = Reader::new(stream, outbox.clone());
    match admit(&state, &room_id, query_token, &mut reader).await {
        Ok((user, call)) => serve(&state, &room_id, user, call, &mut reader, &outbox).await,
        Err((code, reason)) => outbox.close(code, reason),
    }
    drop(reader);
    drop(outbox);
    let _ = writer.await;
}

/// Who the user is and the room's call, or the close code and reason refusing them.
async fn admit(
    state: &AppState,
    room_id: &str,
    query_token: Option<String>,
    reader: &mut Reader,
) -> Result<(UserId, Call), (u16, &'static str)> {
    // A call's room stays open past the token's expiry: the call bounds its life, and closing
    // it mid-call would make both peers renegotiate every ACCESS_TTL.
    let user = auth::authenticate(reader, query_token, &state.users)
        .await
        .map_err(|refused| (refused.code, refused.reason))?
        .user;
    // 404 for a room that does not exist and for one of someone else's calls alike.
    let call = match state.calls.by_room(user, room_id).await {
        Ok(call) => call,
        Err(ApiError::NotFound) => return Err((close::FORBIDDEN, "not a party of this call")),
        Err(error) => {
            tracing::error!(%error, "cannot load a call room");
            return Err((close::INTERNAL_ERROR, "internal error"));
        }
    };
    if !is_live(call.status) {
        return Err((close::NOT_FOUND, "this call is over"));
    }
    Ok((user, call))
}

fn is_live(status: CallStatus) -> bool {
    matches!(
        status,
        CallStatus::Initiated | CallStatus::Ringing | CallStatus::Accepted
    )
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
    let username = if call.caller.id == user {
        call.caller.username.clone()
    } else {
        call.receiver.username.clone()
    };
    let resumed = rooms.join(
        room_id,
        Party {
            user,
            username,
            conn,
            outbox: outbox.clone(),
        },
    );
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
        state.rooms.relay(room_id, user, &message);
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
            let ended = state.calls.end(user, call_id).await;
            // The other party hangs up either way: if the call was already over they should too.
            relay(ServerMsg::CallEnd {
                call_id,
                sender_id: user,
                reason,
            });
            match ended {
                Ok(_) | Err(ApiError::Conflict(_)) => None,
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
fn refused(error: ApiError) -> ServerMsg {
    let detail = match &error {
        ApiError::Forbidden(detail) | ApiError::BadRequest(detail) => detail.clone(),
        ApiError::Conflict(body) => body["detail"].as_str().unwrap_or("conflict").to_owned(),
        ApiError::NotFound => "Not found.".to_owned(),
        other => {
            tracing::error!(error = %other, "call room action failed");
            "Internal error.".to_owned()
        }
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
            Err(ApiError::Conflict(_)) => {}
            Err(error) => tracing::warn!(%error, %call_id, "cannot end a lost call"),
        }
    })
}

/// At the startup of an instance in a group: the calls in progress may be served by other
/// instances, or may have been left by one that crashed. Each party gets the grace period to be
/// found in the call's room on some instance (other instances answer a probe) or to rejoin;
/// the calls no one serves then end as connection_lost, like a dropped socket's.
pub async fn adopt_calls_in_progress(state: &AppState) -> Result<usize, ApiError> {
    let calls = state.calls.accepted().await?;
    for call in &calls {
        for user in [call.caller.id, call.receiver.id] {
            end_unless_back(state, &state.rooms, &call.room_id, user, call.id);
        }
        state.rooms.probe(&call.room_id);
    }
    Ok(calls.len())
}
