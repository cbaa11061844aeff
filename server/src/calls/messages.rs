//! Messages left on missed calls (issue 23): the caller of a call that ended unanswered (no
//! answer, declined, busy, do-not-disturb) may leave one recording, once; its receiver lists,
//! plays and marks it heard. Stored in the database with the call, so every instance serves it,
//! and deleted with the call's other data (`calls purge`, the hourly retention sweep).

use axum::body::Bytes;

use app::protocol::{
    is_webm, message_bytes_allowed, CallId, CallMessage, Timestamp, UserEvent, UserId,
    MAX_MESSAGE_MS,
};

use super::{require, CallError, Calls, Role};
use crate::db::missed::{MessageRow, NewMessage};

/// Most messages listed at once (`GET /api/calls/messages/`).
pub const MESSAGES_LISTED: i64 = 200;

/// A message body as the HTTP layer parsed it.
pub struct Recording {
    /// `audio/webm` or `video/webm` (`protocol::message_content_type`).
    pub content_type: &'static str,
    pub duration_ms: i64,
    pub content: Bytes,
}

impl Calls {
    /// Stores `recording` as the message of the caller's unanswered call and tells the
    /// receiver's devices. A screened call, or a caller the receiver has blocked since, gets the
    /// same answer and nothing is stored or told: a screened caller never learns of it.
    pub async fn leave_message(
        &self,
        user: UserId,
        id: CallId,
        recording: Recording,
    ) -> Result<CallMessage, CallError> {
        let (stored, role) = self.party_call(user, id).await?;
        require(role == Role::Caller, "Only the caller can leave a message.")?;
        if !stored.call.status.went_unanswered() {
            return Err(CallError::Conflict {
                verb: "leave a message on",
                call: Box::new(stored.view(user)),
            });
        }
        check(&recording)?;
        let now = self.clock.now_millis();
        let message = CallMessage {
            call_id: id,
            caller_id: user,
            content_type: recording.content_type.to_owned(),
            duration_ms: recording.duration_ms,
            created_at: Timestamp(now),
            heard_at: None,
        };
        if stored.screened || stored.receiver_blocked_caller {
            tracing::info!(call_id = %id, "message on a screened call dropped");
            return Ok(message);
        }
        let new = NewMessage {
            call: id,
            content_type: recording.content_type,
            duration_ms: recording.duration_ms,
            content: &recording.content,
            now,
        };
        if !self.db.insert_message(&new).await? {
            return Err(CallError::MessageExists {
                call: Box::new(stored.view(user)),
            });
        }
        tracing::info!(call_id = %id, bytes = recording.content.len(), "message left");
        self.hub.publish(
            &[stored.call.receiver.id],
            UserEvent::CallMessage {
                message: message.clone(),
            },
        );
        Ok(message)
    }

    /// A call's message, for either party.
    pub async fn message(&self, user: UserId, id: CallId) -> Result<CallMessage, CallError> {
        self.party_call(user, id).await?;
        let row = self.db.message(id).await?.ok_or(CallError::NotFound)?;
        Ok(to_message(row))
    }

    /// The recording of a call's message, for either party: its content type and bytes.
    pub async fn message_content(
        &self,
        user: UserId,
        id: CallId,
    ) -> Result<(String, Vec<u8>), CallError> {
        let message = self.message(user, id).await?;
        let content = self
            .db
            .message_content(id)
            .await?
            .ok_or(CallError::NotFound)?;
        Ok((message.content_type, content))
    }

    /// The receiver heard it.
    pub async fn mark_message_heard(
        &self,
        user: UserId,
        id: CallId,
    ) -> Result<CallMessage, CallError> {
        let (_, role) = self.party_call(user, id).await?;
        require(
            role == Role::Receiver,
            "Only the receiver can mark a message heard.",
        )?;
        self.db.message(id).await?.ok_or(CallError::NotFound)?;
        self.db
            .mark_message_heard(id, self.clock.now_millis())
            .await?;
        self.message(user, id).await
    }

    /// The messages left for the user, newest first.
    pub async fn messages_for(&self, user: UserId) -> Result<Vec<CallMessage>, CallError> {
        let rows = self.db.messages_for(user, MESSAGES_LISTED).await?;
        Ok(rows.into_iter().map(to_message).collect())
    }
}

/// The bounds: a duration of 1 ms to [`MAX_MESSAGE_MS`], a size its duration allows, and a
/// WebM file (the type was checked from the header; this checks the bytes agree).
fn check(recording: &Recording) -> Result<(), CallError> {
    if !(1..=MAX_MESSAGE_MS).contains(&recording.duration_ms) {
        return Err(CallError::Field {
            field: "duration_ms",
            message: format!("A message lasts 1 to {MAX_MESSAGE_MS} milliseconds."),
        });
    }
    if recording.content.len() > message_bytes_allowed(recording.duration_ms) {
        return Err(CallError::MessageTooLarge);
    }
    if !is_webm(&recording.content) {
        return Err(CallError::Field {
            field: "content",
            message: "The message is not a WebM recording.".to_owned(),
        });
    }
    Ok(())
}

fn to_message(row: MessageRow) -> CallMessage {
    CallMessage {
        call_id: CallId(row.call_id),
        caller_id: UserId(row.caller_id),
        content_type: row.content_type,
        duration_ms: row.duration_ms,
        created_at: Timestamp(row.created_at),
        heard_at: row.heard_at.map(Timestamp),
    }
}
