//! The `calls` and `call_signals` tables.
//!
//! Every status change is one conditional UPDATE guarded by the statuses it may leave
//! (`... WHERE id = ? AND status IN (...)`): of two racing requests exactly one matches a row, so
//! `rows_affected` names the winner. (sqlx-mysql counts matched rows, CLIENT_FOUND_ROWS; the
//! loser matches none because the status guard fails.)

use app::protocol::{CallId, CallStatus, CallType, EndReason, UserId};

use super::{people::PrivacyRow, Db};

/// A summary of both parties of a call (the caller as `cu`, the receiver as `ru`): what the call
/// JSON shows of them and what decides whether each sees the other's presence. A macro so that
/// `concat!` can put it into constant queries.
macro_rules! parties {
    () => {
        "cu.username AS caller_username, cu.is_online AS caller_is_online, \
         cu.last_seen AS caller_last_seen, cu.profile_picture AS caller_profile_picture, \
         ru.username AS receiver_username, ru.is_online AS receiver_is_online, \
         ru.last_seen AS receiver_last_seen, ru.profile_picture AS receiver_profile_picture, \
         cu.presence_visible_to AS caller_visibility, \
         ru.presence_visible_to AS receiver_visibility, \
         EXISTS (SELECT 1 FROM blocks b1 WHERE b1.blocker_id = cu.id \
         AND b1.blocked_id = ru.id) AS caller_blocked_receiver, \
         EXISTS (SELECT 1 FROM blocks b2 WHERE b2.blocker_id = ru.id \
         AND b2.blocked_id = cu.id) AS receiver_blocked_caller, \
         EXISTS (SELECT 1 FROM contacts k1 WHERE k1.owner_id = cu.id \
         AND k1.contact_id = ru.id) AS caller_has_receiver, \
         EXISTS (SELECT 1 FROM contacts k2 WHERE k2.owner_id = ru.id \
         AND k2.contact_id = cu.id) AS receiver_has_caller"
    };
}

/// The call columns plus both parties.
const CALL_SELECT: &str = concat!(
    "SELECT c.id, c.caller_id, c.receiver_id, c.call_type, c.status, c.room_id, \
     c.initiated_at, c.ringing_at, c.accepted_at, c.ended_at, c.duration, c.end_reason, \
     c.screened, ",
    parties!(),
    " FROM calls c JOIN users cu ON cu.id = c.caller_id JOIN users ru ON ru.id = c.receiver_id"
);

/// A call is the receiver's unless it was screened: every receiver-side condition includes this.
const RECEIVES: &str = "c.receiver_id = ? AND c.screened = 0";

/// Rows written per INSERT by the signal writer.
pub const SIGNAL_BATCH: usize = 100;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRow {
    pub id: i64,
    pub caller_id: i64,
    pub receiver_id: i64,
    pub call_type: String,
    pub status: String,
    pub room_id: String,
    pub initiated_at: i64,
    pub ringing_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub duration: Option<i64>,
    pub end_reason: Option<String>,
    /// 1: the receiver never learns of this call (blocked or not allowed to ring them).
    pub screened: i64,
    #[sqlx(flatten)]
    pub parties: PartiesRow,
}

/// The parties of a call as read (`parties!`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartiesRow {
    pub caller_username: String,
    pub caller_is_online: i64,
    pub caller_last_seen: Option<i64>,
    pub caller_profile_picture: Option<String>,
    pub receiver_username: String,
    pub receiver_is_online: i64,
    pub receiver_last_seen: Option<i64>,
    pub receiver_profile_picture: Option<String>,
    /// What decides whether each party sees the other's presence (`privacy::presence_visible`).
    pub caller_visibility: String,
    pub receiver_visibility: String,
    pub caller_blocked_receiver: i64,
    pub receiver_blocked_caller: i64,
    pub caller_has_receiver: i64,
    pub receiver_has_caller: i64,
}

/// Everything a call start decides on, read in one query: both parties (`parties!`), the
/// receiver's privacy settings, whether either is in a live call, and glare.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StartRow {
    #[sqlx(flatten)]
    pub parties: PartiesRow,
    #[sqlx(flatten)]
    pub receiver_privacy: PrivacyRow,
    pub caller_busy: i64,
    pub receiver_busy: i64,
    /// The receiver's newest unanswered call to the caller that the caller knows of.
    pub glare_call: Option<i64>,
}

pub struct NewCall<'a> {
    pub caller: UserId,
    pub receiver: UserId,
    pub call_type: CallType,
    pub room_id: &'a str,
    pub now: i64,
    /// `Initiated`, or `Missed` for an attempt recorded as busy.
    pub status: CallStatus,
    pub end_reason: Option<EndReason>,
    pub screened: bool,
}

impl NewCall<'_> {
    /// A call recorded as already over (busy, do not disturb) ends when it starts.
    fn ended_at(&self) -> Option<i64> {
        self.end_reason.map(|_| self.now)
    }

    /// The row [`Db::insert_call`] wrote under `id`, without reading it back.
    pub fn stored_as(&self, id: CallId, parties: PartiesRow) -> CallRow {
        CallRow {
            id: id.0,
            caller_id: self.caller.0,
            receiver_id: self.receiver.0,
            call_type: self.call_type.as_str().to_owned(),
            status: self.status.as_str().to_owned(),
            room_id: self.room_id.to_owned(),
            initiated_at: self.now,
            ringing_at: None,
            accepted_at: None,
            ended_at: self.ended_at(),
            duration: None,
            end_reason: self.end_reason.map(|reason| reason.as_str().to_owned()),
            screened: i64::from(self.screened),
            parties,
        }
    }
}

/// The columns a transition sets; `None` leaves a column as it is.
#[derive(Debug, Clone, Copy)]
pub struct CallChange {
    pub status: CallStatus,
    pub ringing_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub duration: Option<i64>,
    pub end_reason: Option<EndReason>,
    /// `Some(true)` hides the call from its receiver from now on.
    pub screened: Option<bool>,
}

impl CallChange {
    pub fn to(status: CallStatus) -> Self {
        Self {
            status,
            ringing_at: None,
            accepted_at: None,
            ended_at: None,
            duration: None,
            end_reason: None,
            screened: None,
        }
    }

    /// A terminal change at `now`.
    pub fn finish(status: CallStatus, now: i64, reason: EndReason) -> Self {
        Self {
            ended_at: Some(now),
            end_reason: Some(reason),
            ..Self::to(status)
        }
    }
}

/// Which of a user's calls a listing returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFilter {
    /// Every call the user made or received.
    All,
    /// Finished calls: ended, rejected, missed, cancelled.
    History,
    /// Live calls: initiated, ringing, accepted.
    Active,
    /// Calls the user received and missed.
    Missed,
}

/// One `call_signals` row (offer/answer/ICE candidate), logged off the relay path.
#[derive(Debug, Clone)]
pub struct NewSignal {
    pub call_id: CallId,
    pub signal_type: String,
    pub signal_data: String,
    pub sender_id: UserId,
    pub created_at: i64,
}

/// `?, ?, ?` for `n` values.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Whether the user `alias.id` is a party of a live call they know of (a screened call does not
/// make its receiver busy). One EXISTS per column, so that each can use its index (an OR across
/// the two columns could not).
pub(super) fn in_live_call(alias: &str) -> String {
    let live = status_in("c.status", &CallStatus::LIVE);
    format!(
        "(EXISTS (SELECT 1 FROM calls c WHERE c.caller_id = {alias}.id AND {live}) \
         OR EXISTS (SELECT 1 FROM calls c WHERE c.receiver_id = {alias}.id \
         AND c.screened = 0 AND {live}))"
    )
}

/// `status IN ('a', 'b')` from our own constants (never from input), so no binding is needed.
fn status_in(column: &str, statuses: &[CallStatus]) -> String {
    let list: Vec<String> = statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("{column} IN ({})", list.join(", "))
}

impl Db {
    pub async fn insert_call(&self, call: &NewCall<'_>) -> sqlx::Result<CallId> {
        let sql = self.returning_id(
            "INSERT INTO calls (caller_id, receiver_id, call_type, status, room_id, initiated_at, \
             ended_at, end_reason, screened) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        );
        let insert = sqlx::query(&sql)
            .bind(call.caller.0)
            .bind(call.receiver.0)
            .bind(call.call_type.as_str())
            .bind(call.status.as_str())
            .bind(call.room_id)
            .bind(call.now)
            .bind(call.ended_at())
            .bind(call.end_reason.map(EndReason::as_str))
            .bind(i64::from(call.screened));
        self.insert_returning_id(insert).await.map(CallId)
    }

    /// Everything a call start decides on, in one round trip; None when either user does not
    /// exist. A screened call makes nobody busy but its caller, and glare is only with a call
    /// the caller knows of.
    pub async fn start_facts(
        &self,
        caller: UserId,
        receiver: UserId,
    ) -> sqlx::Result<Option<StartRow>> {
        let unanswered = status_in("c.status", &CallStatus::UNANSWERED);
        let sql = format!(
            "SELECT {parties}, ru.who_can_call, ru.presence_visible_to, ru.do_not_disturb, \
             ru.do_not_disturb_until, {caller_busy} AS caller_busy, \
             {receiver_busy} AS receiver_busy, \
             (SELECT MAX(c.id) FROM calls c WHERE c.caller_id = ru.id \
             AND c.receiver_id = cu.id AND c.screened = 0 AND {unanswered}) AS glare_call \
             FROM users cu JOIN users ru ON ru.id = ? WHERE cu.id = ?",
            parties = parties!(),
            caller_busy = in_live_call("cu"),
            receiver_busy = in_live_call("ru"),
        );
        sqlx::query_as(&sql)
            .bind(receiver.0)
            .bind(caller.0)
            .fetch_optional(self.pool())
            .await
    }

    pub async fn call(&self, id: CallId) -> sqlx::Result<Option<CallRow>> {
        sqlx::query_as(&format!("{CALL_SELECT} WHERE c.id = ?"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await
    }

    pub async fn call_by_room(&self, room_id: &str) -> sqlx::Result<Option<CallRow>> {
        sqlx::query_as(&format!("{CALL_SELECT} WHERE c.room_id = ?"))
            .bind(room_id)
            .fetch_optional(self.pool())
            .await
    }

    /// A page of the user's calls, newest first, with ids below `before` if given (screened calls
    /// are the caller's only).
    pub async fn calls_of_user(
        &self,
        user: UserId,
        filter: CallFilter,
        before: Option<CallId>,
        limit: i64,
    ) -> sqlx::Result<Vec<CallRow>> {
        let party = format!("(c.caller_id = ? OR ({RECEIVES}))");
        let (condition, user_binds) = match filter {
            CallFilter::All => (party, 2),
            CallFilter::History => (
                format!(
                    "{party} AND {}",
                    status_in("c.status", &CallStatus::FINISHED)
                ),
                2,
            ),
            CallFilter::Active => (
                format!("{party} AND {}", status_in("c.status", &CallStatus::LIVE)),
                2,
            ),
            CallFilter::Missed => (format!("{RECEIVES} AND c.status = 'missed'"), 1),
        };
        let sql =
            format!("{CALL_SELECT} WHERE {condition} AND c.id < ? ORDER BY c.id DESC LIMIT ?");
        let mut query = sqlx::query_as(&sql);
        for _ in 0..user_binds {
            query = query.bind(user.0);
        }
        query
            .bind(before.map_or(i64::MAX, |id| id.0))
            .bind(limit)
            .fetch_all(self.pool())
            .await
    }

    /// Missed calls of the receiver not yet marked seen (the badge).
    pub async fn missed_unseen_count(&self, user: UserId) -> sqlx::Result<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM calls WHERE receiver_id = ? AND screened = 0 \
             AND status = 'missed' AND missed_seen = 0",
        )
        .bind(user.0)
        .fetch_one(self.pool())
        .await
    }

    /// Marks every missed call of the receiver seen; returns how many were unseen.
    pub async fn mark_missed_seen(&self, user: UserId) -> sqlx::Result<u64> {
        let done = sqlx::query(
            "UPDATE calls SET missed_seen = 1 WHERE receiver_id = ? AND screened = 0 \
             AND status = 'missed' AND missed_seen = 0",
        )
        .bind(user.0)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Whether the user is a party of a live call they know of.
    pub async fn in_live_call(&self, user: UserId) -> sqlx::Result<bool> {
        let busy: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT {} FROM users u WHERE u.id = ?",
            in_live_call("u")
        ))
        .bind(user.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(busy.is_some_and(|busy| busy != 0))
    }

    /// The newest unanswered call from `caller` to `receiver` that the receiver knows of.
    pub async fn unanswered_call(
        &self,
        caller: UserId,
        receiver: UserId,
    ) -> sqlx::Result<Option<CallRow>> {
        sqlx::query_as(&format!(
            "{CALL_SELECT} WHERE c.caller_id = ? AND {RECEIVES} AND {} \
             ORDER BY c.id DESC LIMIT 1",
            status_in("c.status", &CallStatus::UNANSWERED)
        ))
        .bind(caller.0)
        .bind(receiver.0)
        .fetch_optional(self.pool())
        .await
    }

    /// Applies `change` if the call's status is one of `from`; false if it had moved on (or does
    /// not exist).
    pub async fn update_call(
        &self,
        id: CallId,
        from: &[CallStatus],
        change: &CallChange,
    ) -> sqlx::Result<bool> {
        let sql = format!(
            "UPDATE calls SET status = ?, ringing_at = COALESCE(?, ringing_at), \
             accepted_at = COALESCE(?, accepted_at), ended_at = COALESCE(?, ended_at), \
             duration = COALESCE(?, duration), end_reason = COALESCE(?, end_reason), \
             screened = COALESCE(?, screened) WHERE id = ? AND status IN ({})",
            placeholders(from.len())
        );
        let mut update = sqlx::query(&sql)
            .bind(change.status.as_str())
            .bind(change.ringing_at)
            .bind(change.accepted_at)
            .bind(change.ended_at)
            .bind(change.duration)
            .bind(change.end_reason.map(EndReason::as_str))
            .bind(change.screened.map(i64::from))
            .bind(id.0);
        for status in from {
            update = update.bind(status.as_str());
        }
        let done = update.execute(self.pool()).await?;
        Ok(done.rows_affected() > 0)
    }

    /// Marks calls unanswered since before `cutoff` missed (reason timeout); returns the ids this
    /// call changed, so that each expiry is announced once even with several sweepers.
    pub async fn expire_unanswered(&self, cutoff: i64, now: i64) -> sqlx::Result<Vec<CallId>> {
        let candidates: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM calls WHERE {} AND initiated_at < ? ORDER BY id",
            status_in("status", &CallStatus::UNANSWERED)
        ))
        .bind(cutoff)
        .fetch_all(self.pool())
        .await?;
        let change = CallChange::finish(CallStatus::Missed, now, EndReason::Timeout);
        let mut expired = Vec::new();
        for id in candidates.into_iter().map(CallId) {
            if self
                .update_call(id, &CallStatus::UNANSWERED, &change)
                .await?
            {
                expired.push(id);
            }
        }
        Ok(expired)
    }

    /// Every call in progress (accepted, not yet ended), oldest first.
    pub async fn calls_in_progress(&self) -> sqlx::Result<Vec<CallRow>> {
        sqlx::query_as(&format!(
            "{CALL_SELECT} WHERE c.status = 'accepted' ORDER BY c.id"
        ))
        .fetch_all(self.pool())
        .await
    }

    /// Closes every unanswered live call as missed (reason server_restart). Returns the ids it
    /// changed.
    pub async fn close_unanswered_calls(&self, now: i64) -> sqlx::Result<Vec<CallId>> {
        let unanswered: Vec<(i64,)> = sqlx::query_as(&format!(
            "SELECT id FROM calls WHERE {} ORDER BY id",
            status_in("status", &CallStatus::UNANSWERED)
        ))
        .fetch_all(self.pool())
        .await?;
        let change = CallChange::finish(CallStatus::Missed, now, EndReason::ServerRestart);
        let mut closed = Vec::new();
        for (id,) in unanswered {
            if self
                .update_call(CallId(id), &CallStatus::UNANSWERED, &change)
                .await?
            {
                closed.push(CallId(id));
            }
        }
        Ok(closed)
    }

    /// Inserts signals in multi-row INSERTs of at most [`SIGNAL_BATCH`] rows.
    pub async fn insert_call_signals(&self, signals: &[NewSignal]) -> sqlx::Result<()> {
        for chunk in signals.chunks(SIGNAL_BATCH) {
            let rows = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO call_signals (call_id, signal_type, signal_data, sender_id, \
                 created_at) VALUES {rows}"
            );
            let mut insert = sqlx::query(&sql);
            for signal in chunk {
                insert = insert
                    .bind(signal.call_id.0)
                    .bind(signal.signal_type.as_str())
                    .bind(signal.signal_data.as_str())
                    .bind(signal.sender_id.0)
                    .bind(signal.created_at);
            }
            insert.execute(self.pool()).await?;
        }
        Ok(())
    }

    /// Deletes the finished calls that ended before `cutoff` (epoch milliseconds), with their
    /// signaling log, messages and reports; how many calls went. Live calls stay, however old.
    pub async fn delete_finished_calls_before(&self, cutoff: i64) -> sqlx::Result<u64> {
        let mut tx = self.pool().begin().await?;
        for table in ["call_signals", "call_messages", "call_reports"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE call_id IN (SELECT id FROM calls WHERE {})",
                finished_before()
            ))
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
        }
        let deleted = sqlx::query(&format!("DELETE FROM calls WHERE {}", finished_before()))
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(deleted.rows_affected())
    }

    /// Deletes the signals logged before `cutoff` (epoch milliseconds); how many went.
    pub async fn delete_signals_before(&self, cutoff: i64) -> sqlx::Result<u64> {
        let deleted = sqlx::query("DELETE FROM call_signals WHERE created_at < ?")
            .bind(cutoff)
            .execute(self.pool())
            .await?;
        Ok(deleted.rows_affected())
    }
}

/// Finished calls that ended (or, never answered, started) before `?`.
fn finished_before() -> String {
    format!(
        "{} AND COALESCE(ended_at, initiated_at) < ?",
        status_in("status", &CallStatus::FINISHED)
    )
}

/// Whole seconds from `from` to `to` (epoch milliseconds), never negative.
pub fn duration_secs(from: i64, to: i64) -> i64 {
    (to.saturating_sub(from) / 1000).max(0)
}
