//! The `call_messages` and `availability_requests` tables (issue 23): the message a caller left
//! on a missed call, and who asked to be told when someone is free.

use app::protocol::{CallId, UserId};

use super::{calls::in_live_call, inserted, people::SeenUserRow, Db};

/// A message without its content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub call_id: i64,
    pub caller_id: i64,
    pub receiver_id: i64,
    pub content_type: String,
    pub duration_ms: i64,
    pub created_at: i64,
    pub heard_at: Option<i64>,
}

const MESSAGE_SELECT: &str = "SELECT m.call_id, c.caller_id, c.receiver_id, m.content_type, \
     m.duration_ms, m.created_at, m.heard_at FROM call_messages m JOIN calls c ON c.id = m.call_id";

pub struct NewMessage<'a> {
    pub call: CallId,
    pub content_type: &'a str,
    pub duration_ms: i64,
    pub content: &'a [u8],
    pub now: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AvailabilityRow {
    pub target_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A request whose target is free now, with what decides whether the watcher may be told
/// (the target's presence rule for the watcher).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FreeRow {
    pub watcher_id: i64,
    #[sqlx(flatten)]
    pub target: SeenUserRow,
}

impl Db {
    /// Stores a message; false if the call has one already (one per call).
    pub async fn insert_message(&self, message: &NewMessage<'_>) -> sqlx::Result<bool> {
        let insert = sqlx::query(
            "INSERT INTO call_messages (call_id, content, content_type, duration_ms, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(message.call.0)
        .bind(message.content)
        .bind(message.content_type)
        .bind(message.duration_ms)
        .bind(message.now)
        .execute(self.pool())
        .await;
        inserted(insert)
    }

    pub async fn message(&self, call: CallId) -> sqlx::Result<Option<MessageRow>> {
        sqlx::query_as(&format!("{MESSAGE_SELECT} WHERE m.call_id = ?"))
            .bind(call.0)
            .fetch_optional(self.pool())
            .await
    }

    pub async fn message_content(&self, call: CallId) -> sqlx::Result<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT content FROM call_messages WHERE call_id = ?")
            .bind(call.0)
            .fetch_optional(self.pool())
            .await
    }

    /// Marks a message heard once; a second mark keeps the first time.
    pub async fn mark_message_heard(&self, call: CallId, now: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE call_messages SET heard_at = COALESCE(heard_at, ?) WHERE call_id = ?")
            .bind(now)
            .bind(call.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The messages left for `receiver`, newest first.
    pub async fn messages_for(
        &self,
        receiver: UserId,
        limit: i64,
    ) -> sqlx::Result<Vec<MessageRow>> {
        sqlx::query_as(&format!(
            "{MESSAGE_SELECT} WHERE c.receiver_id = ? AND c.screened = 0 \
             ORDER BY m.call_id DESC LIMIT ?"
        ))
        .bind(receiver.0)
        .bind(limit)
        .fetch_all(self.pool())
        .await
    }

    /// Deletes the messages left before `cutoff` (epoch milliseconds); how many went.
    pub async fn delete_messages_before(&self, cutoff: i64) -> sqlx::Result<u64> {
        let deleted = sqlx::query("DELETE FROM call_messages WHERE created_at < ?")
            .bind(cutoff)
            .execute(self.pool())
            .await?;
        Ok(deleted.rows_affected())
    }

    /// Opens (or renews) a request of `watcher` about `target`, if the watcher has fewer than
    /// `max_open` other open ones; false when they have that many already. Checked before the
    /// write, so two simultaneous requests may pass the bound by one.
    pub async fn watch_availability(
        &self,
        watcher: UserId,
        target: UserId,
        now: i64,
        expires_at: i64,
        max_open: i64,
    ) -> sqlx::Result<bool> {
        let mut tx = self.pool().begin().await?;
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM availability_requests \
             WHERE watcher_id = ? AND target_id <> ? AND expires_at > ?",
        )
        .bind(watcher.0)
        .bind(target.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if others >= max_open {
            return Ok(false);
        }
        sqlx::query("DELETE FROM availability_requests WHERE watcher_id = ? AND target_id = ?")
            .bind(watcher.0)
            .bind(target.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO availability_requests (watcher_id, target_id, created_at, expires_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(watcher.0)
        .bind(target.0)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The watcher's open requests, oldest first.
    pub async fn availability_requests(
        &self,
        watcher: UserId,
        now: i64,
    ) -> sqlx::Result<Vec<AvailabilityRow>> {
        sqlx::query_as(
            "SELECT target_id, created_at, expires_at FROM availability_requests \
             WHERE watcher_id = ? AND expires_at > ? ORDER BY created_at, target_id",
        )
        .bind(watcher.0)
        .bind(now)
        .fetch_all(self.pool())
        .await
    }

    /// Removes one request; false if there was none (or another instance fired it first).
    pub async fn remove_availability(&self, watcher: UserId, target: UserId) -> sqlx::Result<bool> {
        let done =
            sqlx::query("DELETE FROM availability_requests WHERE watcher_id = ? AND target_id = ?")
                .bind(watcher.0)
                .bind(target.0)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Open requests whose target is free at `now`: online, in no call they know of, without
    /// do-not-disturb in effect.
    pub async fn free_targets(&self, now: i64) -> sqlx::Result<Vec<FreeRow>> {
        sqlx::query_as(&format!(
            "SELECT r.watcher_id, u.id, u.username, u.email, u.password_hash, u.is_online, \
             u.last_seen, u.profile_picture, u.presence_visible_to, \
             EXISTS (SELECT 1 FROM blocks ab WHERE ab.blocker_id = u.id \
             AND ab.blocked_id = r.watcher_id) AS blocked_viewer, \
             EXISTS (SELECT 1 FROM contacts ac WHERE ac.owner_id = u.id \
             AND ac.contact_id = r.watcher_id) AS has_viewer \
             FROM availability_requests r JOIN users u ON u.id = r.target_id \
             WHERE r.expires_at > ? AND u.is_online = 1 \
             AND (u.do_not_disturb = 0 OR u.do_not_disturb_until <= ?) AND NOT {} \
             ORDER BY r.created_at",
            in_live_call("u")
        ))
        .bind(now)
        .bind(now)
        .fetch_all(self.pool())
        .await
    }

    /// Deletes the requests that expired by `now`; how many went.
    pub async fn expire_availability(&self, now: i64) -> sqlx::Result<u64> {
        let done = sqlx::query("DELETE FROM availability_requests WHERE expires_at <= ?")
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
