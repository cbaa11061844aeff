//! Calls: the server-owned state machine. initiated -> ringing -> accepted -> ended;
//! initiated|ringing -> rejected | cancelled | missed.
//!
//! Only this service changes a call's status, always with one conditional UPDATE, so of two
//! racing actions (accept vs cancel, accept on two devices) exactly one wins and the other gets a
//! 409 carrying the call as it is now. Every change is published to both parties through the hub.

mod error;
pub mod messages;
mod reports;
pub mod signals;
pub mod sweeper;

pub use error::CallError;

use std::sync::Arc;

use tokio::sync::{Mutex, MutexGuard};

use app::protocol::{
    Call, CallId, CallStatus, CallType, EndReason, MissedCount, PresenceVisibility, StartCall,
    Timestamp, UserEvent, UserId,
};

use crate::{
    clock::Clock,
    config::Config,
    db::{
        calls::{duration_secs, CallChange, CallFilter, CallRow, NewCall},
        Db,
    },
    hub::Hub,
    privacy::{self, Reach},
    rate::RateLimit,
    users::public_user,
};

pub use signals::{SignalLog, SignalWriter};

/// Default and largest page of a call listing.
pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

/// Number of per-user start locks (user ids share one by their remainder).
const START_LOCK_STRIPES: usize = 256;

#[derive(Clone)]
pub struct Calls {
    db: Db,
    clock: Arc<dyn Clock>,
    hub: Arc<dyn Hub>,
    ring_timeout_ms: i64,
    start_locks: Arc<StartLocks>,
    signals: SignalLog,
    limits: Arc<CallLimits>,
}

/// How often one user may ring others: every start rings a device and may add a missed call.
pub struct CallLimits {
    per_caller: RateLimit<UserId>,
    /// Caller -> receiver: bounds ringing one person again and again.
    per_pair: RateLimit<(UserId, UserId)>,
}

impl CallLimits {
    pub fn from_config(config: &Config) -> Self {
        Self {
            per_caller: RateLimit::per_minute(config.call_starts_per_minute),
            per_pair: RateLimit::per_hour(config.call_starts_per_pair_per_hour),
        }
    }

    /// Counts one start; the pair first, so a caller refused for one person keeps their quota
    /// for calling others.
    fn check(&self, caller: UserId, receiver: UserId) -> Result<(), CallError> {
        self.per_pair.check(&(caller, receiver))?;
        Ok(self.per_caller.check(&caller)?)
    }

    /// Forgets keys whose limits have fully replenished.
    pub fn prune(&self) {
        self.per_caller.prune();
        self.per_pair.prune();
    }
}

/// What `start` did.
#[derive(Debug, Clone)]
pub enum Started {
    /// A new call, now ringing the receiver.
    Created(Call),
    /// Glare: the receiver was already calling the caller, and this is that call.
    Existing(Call),
}

/// A page request of a call listing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Paging {
    pub limit: Option<i64>,
    pub before: Option<CallId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Caller,
    Receiver,
}

impl Calls {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        hub: Arc<dyn Hub>,
        ring_timeout_secs: u64,
        signals: SignalLog,
        limits: CallLimits,
    ) -> Self {
        Self {
            db,
            clock,
            hub,
            ring_timeout_ms: i64::try_from(ring_timeout_secs)
                .unwrap_or(i64::MAX)
                .saturating_mul(1000),
            start_locks: Arc::new(StartLocks::new()),
            signals,
            limits: Arc::new(limits),
        }
    }

    pub fn limits(&self) -> &CallLimits {
        &self.limits
    }

    /// The call_signals writer's queue, for the relay path.
    pub fn signals(&self) -> &SignalLog {
        &self.signals
    }

    /// Starts a call from `caller`. Busy (either party already in a live call) is a 409 `busy`,
    /// and the attempt is still recorded as a missed call (reason busy) so the receiver sees it.
    /// Glare (the receiver is already calling the caller) returns that call instead of a second.
    pub async fn start(&self, caller: UserId, request: StartCall) -> Result<Started, CallError> {
        let receiver = request.receiver;
        if receiver == caller {
            return Err(CallError::Field {
                field: "receiver",
                message: "You cannot call yourself.".to_owned(),
            });
        }
        // Check-then-insert must not interleave with another start involving either user, or two
        // simultaneous starts could both see "not busy" and create two live calls. Neither
        // dialect offers a portable way to make "one live call per user" a constraint (no
        // partial unique indexes in MySQL, and SELECT ... FOR UPDATE does not exist in SQLite),
        // so starts take locks: in-process stripes, and on MariaDB also the database's named
        // locks, which hold across every instance sharing it.
        let _guards = self.start_locks.lock(caller, receiver).await;
        let shared = self.db.lock_users([caller, receiver]).await?;
        let started = self.start_locked(caller, request).await;
        if let Some(shared) = shared {
            // The answer need not wait for the release: the next start of either user waits
            // for it in the database.
            tokio::spawn(shared.release());
        }
        started
    }

    /// [`Calls::start`] once both users are locked: one query to decide, one to record.
    ///
    /// A screened call (the caller is blocked, or outside whom the receiver lets ring them) is
    /// started as any other for the caller, and is the caller's only: nothing rings, it takes no
    /// part in glare, does not make the receiver busy and times out like an unanswered call. It
    /// is busy only when the caller is (what the caller knows); whether the receiver is in a
    /// call is not told to someone they screen.
    async fn start_locked(&self, caller: UserId, request: StartCall) -> Result<Started, CallError> {
        let receiver = request.receiver;
        let Some(facts) = self.db.start_facts(caller, receiver).await? else {
            return Err(CallError::Field {
                field: "receiver",
                message: format!("Invalid pk \"{receiver}\" - object does not exist."),
            });
        };
        // Before anything is written: a refused attempt neither rings nor adds a missed call.
        self.limits.check(caller, receiver)?;
        // Glare: B's unanswered call to A is the call A wants, so A gets it (200, not 201:
        // nothing was created) and both parties are told again. B's screened calls to A are not
        // A's to know of (`start_facts` leaves them out).
        if let Some(id) = facts.glare_call {
            let stored = self.load(CallId(id)).await?;
            tracing::info!(call_id = %id, "glare: returning the call already ringing");
            self.publish(&stored, false);
            return Ok(Started::Existing(stored.view(caller)));
        }

        let now = self.clock.now_millis();
        let room_id = uuid::Uuid::new_v4().simple().to_string();
        let settings = facts.receiver_privacy.settings().ok_or_else(|| {
            anyhow::anyhow!(
                "user {receiver}: bad privacy settings {:?}",
                facts.receiver_privacy
            )
        })?;
        let reach = privacy::reach(
            &settings,
            facts.parties.receiver_blocked_caller != 0,
            facts.parties.receiver_has_caller != 0,
            Timestamp(now),
        );
        let caller_busy = facts.caller_busy != 0;
        let busy = match reach {
            Reach::Screened | Reach::DoNotDisturb => caller_busy,
            Reach::Ring => caller_busy || facts.receiver_busy != 0,
        };
        let (status, end_reason) = match reach {
            Reach::DoNotDisturb => (CallStatus::Missed, Some(EndReason::DoNotDisturb)),
            _ if busy => (CallStatus::Missed, Some(EndReason::Busy)),
            _ => (CallStatus::Initiated, None),
        };
        let new = NewCall {
            caller,
            receiver,
            call_type: request.call_type,
            room_id: &room_id,
            now,
            status,
            end_reason,
            screened: reach == Reach::Screened,
        };
        let id = self.db.insert_call(&new).await?;
        let stored = to_stored(new.stored_as(id, facts.parties))?;
        crate::metrics::call_started();
        tracing::info!(call_id = %id, %caller, %receiver, busy, ?reach, "call started");
        if status == CallStatus::Missed {
            self.changed(&stored, false);
            return Err(CallError::Busy {
                call: Box::new(stored.view(caller)),
                reason: (reach == Reach::DoNotDisturb).then_some(EndReason::DoNotDisturb),
            });
        }
        self.changed(&stored, true);
        Ok(Started::Created(stored.view(caller)))
    }

    /// `blocker` blocked `blocked`: a call of theirs still ringing the blocker ends as an
    /// unanswered one would (missed, reason timeout), now, and is screened from then on (the
    /// blocker's lists and missed count leave it out). Both are told: the blocker's devices stop
    /// ringing, the caller sees "no answer".
    pub async fn screen_ringing(&self, blocked: UserId, blocker: UserId) -> Result<(), CallError> {
        let Some(row) = self.db.unanswered_call(blocked, blocker).await? else {
            return Ok(());
        };
        let change = CallChange {
            screened: Some(true),
            ..CallChange::finish(
                CallStatus::Missed,
                self.clock.now_millis(),
                EndReason::Timeout,
            )
        };
        let id = CallId(row.id);
        if self
            .db
            .update_call(id, &CallStatus::UNANSWERED, &change)
            .await?
        {
            tracing::info!(call_id = %id, "caller blocked: ringing call ended");
            let stored = self.load(id).await?;
            crate::metrics::call_changed(&stored.call);
            for party in [blocked, blocker] {
                self.hub.publish(
                    &[party],
                    UserEvent::CallStatus {
                        call: stored.view(party),
                    },
                );
            }
        }
        Ok(())
    }

    /// A call the user is a party of. Anyone else gets 404, so ids reveal nothing.
    pub async fn get(&self, user: UserId, id: CallId) -> Result<Call, CallError> {
        let call = self.party_call(user, id).await?.0.view(user);
        let mut with_reports = self.with_reports(vec![call]).await?;
        with_reports.pop().ok_or(CallError::NotFound)
    }

    /// The call of a WebSocket room, if `user` is a party of it.
    pub async fn by_room(&self, user: UserId, room_id: &str) -> Result<Call, CallError> {
        let row = self
            .db
            .call_by_room(room_id)
            .await?
            .ok_or(CallError::NotFound)?;
        let stored = to_stored(row)?;
        stored.role_of(user).ok_or(CallError::NotFound)?;
        Ok(stored.view(user))
    }

    pub async fn list(
        &self,
        user: UserId,
        filter: CallFilter,
        paging: Paging,
    ) -> Result<Vec<Call>, CallError> {
        let limit = paging.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let rows = self
            .db
            .calls_of_user(user, filter, paging.before, limit)
            .await?;
        let calls = rows
            .into_iter()
            .map(|row| Ok(to_stored(row)?.view(user)))
            .collect::<Result<Vec<_>, CallError>>()?;
        self.with_reports(calls).await
    }

    /// Whether `user` is a party of a live call (initiated, ringing or accepted): the only users
    /// who may relay through TURN.
    pub async fn in_live_call(&self, user: UserId) -> Result<bool, CallError> {
        Ok(self.db.in_live_call(user).await?)
    }

    pub async fn missed_count(&self, user: UserId) -> Result<MissedCount, CallError> {
        Ok(MissedCount {
            count: self.db.missed_unseen_count(user).await?,
        })
    }

    /// Clears the missed-calls badge; answers with the count left (0 unless one just arrived).
    pub async fn mark_missed_seen(&self, user: UserId) -> Result<MissedCount, CallError> {
        self.db.mark_missed_seen(user).await?;
        self.missed_count(user).await
    }

    /// The receiver's device confirms it rings. Idempotent: every device of the receiver (and
    /// the room's `ringing`) confirms, and all but the first find the call ringing already.
    pub async fn ringing(&self, user: UserId, id: CallId) -> Result<Call, CallError> {
        let (stored, role) = self.party_call(user, id).await?;
        require(
            role == Role::Receiver,
            "Only the receiver's device can ring.",
        )?;
        if stored.call.status == CallStatus::Ringing {
            return Ok(stored.view(user));
        }
        let change = CallChange {
            ringing_at: Some(self.clock.now_millis()),
            ..CallChange::to(CallStatus::Ringing)
        };
        let from_initiated = |call: &Call| (call.status == CallStatus::Initiated).then_some(change);
        match self.transition(user, stored, "ring", from_initiated).await {
            // Another device won the race to confirm it (the conflict carries the call as it is).
            Err(CallError::Conflict { call, .. }) if call.status == CallStatus::Ringing => {
                Ok(*call)
            }
            result => result,
        }
    }

    pub async fn accept(&self, user: UserId, id: CallId) -> Result<Call, CallError> {
        let (stored, role) = self.party_call(user, id).await?;
        require(
            role == Role::Receiver,
            "Only the receiver can accept a call.",
        )?;
        let change = CallChange {
            accepted_at: Some(self.clock.now_millis()),
            ..CallChange::to(CallStatus::Accepted)
        };
        self.transition(user, stored, "accept", unanswered(change))
            .await
    }

    pub async fn reject(&self, user: UserId, id: CallId) -> Result<Call, CallError> {
        let (stored, role) = self.party_call(user, id).await?;
        require(
            role == Role::Receiver,
            "Only the receiver can reject a call.",
        )?;
        let change = CallChange::finish(
            CallStatus::Rejected,
            self.clock.now_millis(),
            EndReason::Rejected,
        );
        self.transition(user, stored, "reject", unanswered(change))
            .await
    }

    pub async fn cancel(&self, user: UserId, id: CallId) -> Result<Call, CallError> {
        let (stored, role) = self.party_call(user, id).await?;
        require(role == Role::Caller, "Only the caller can cancel a call.")?;
        let change = CallChange::finish(
            CallStatus::Cancelled,
            self.clock.now_millis(),
            EndReason::Cancelled,
        );
        self.transition(user, stored, "cancel", unanswered(change))
            .await
    }

    /// Hangs up: either party, in any live state. Before it is answered this is the caller
    /// cancelling or the receiver rejecting.
    pub async fn end(&self, user: UserId, id: CallId) -> Result<Call, CallError> {
        self.end_with_reason(user, id, None).await
    }

    /// [`Calls::end`] recording `reason` (e.g. connection_lost) instead of who hung up. Decided
    /// on the call as it is: if it was answered between our read and our update, the cancel lost
    /// and hanging up the accepted call is what the user meant.
    pub async fn end_with_reason(
        &self,
        user: UserId,
        id: CallId,
        reason: Option<EndReason>,
    ) -> Result<Call, CallError> {
        let (stored, role) = self.party_call(user, id).await?;
        let hang_up = |call: &Call| {
            let now = self.clock.now_millis();
            match (call.status, role) {
                (status, Role::Caller) if status.is_unanswered() => Some(CallChange::finish(
                    CallStatus::Cancelled,
                    now,
                    reason.unwrap_or(EndReason::Cancelled),
                )),
                (status, Role::Receiver) if status.is_unanswered() => Some(CallChange::finish(
                    CallStatus::Rejected,
                    now,
                    reason.unwrap_or(EndReason::Rejected),
                )),
                (CallStatus::Accepted, _) => {
                    // accepted_at never changes once set, so the value read is the one stored.
                    let accepted_at = call.accepted_at.map_or(now, Timestamp::millis);
                    let hangup = match role {
                        Role::Caller => EndReason::HangupCaller,
                        Role::Receiver => EndReason::HangupReceiver,
                    };
                    Some(CallChange {
                        duration: Some(duration_secs(accepted_at, now)),
                        ..CallChange::finish(CallStatus::Ended, now, reason.unwrap_or(hangup))
                    })
                }
                _ => None,
            }
        };
        self.transition(user, stored, "end", hang_up).await
    }

    /// Marks calls unanswered for longer than the ring timeout missed (reason timeout) and
    /// announces each. Returns how many expired.
    pub async fn sweep_once(&self) -> Result<usize, CallError> {
        let now = self.clock.now_millis();
        let expired = self
            .db
            .expire_unanswered(now.saturating_sub(self.ring_timeout_ms), now)
            .await?;
        for id in &expired {
            tracing::info!(call_id = %id, "ring timeout: call missed");
            let stored = self.load(*id).await?;
            self.changed(&stored, false);
        }
        Ok(expired.len())
    }

    /// Deletes the signaling log, the messages and the reports older than the retention; how
    /// many rows went.
    pub async fn purge_signals(&self, retention_days: u64) -> Result<u64, CallError> {
        let retention_ms =
            i64::try_from(retention_days.saturating_mul(86_400_000)).unwrap_or(i64::MAX);
        let cutoff = self.clock.now_millis().saturating_sub(retention_ms);
        let signals = self.db.delete_signals_before(cutoff).await?;
        let messages = self.db.delete_messages_before(cutoff).await?;
        Ok(signals + messages + self.db.delete_reports_before(cutoff).await?)
    }

    /// Deletes the finished calls that ended more than `age` ago, with their signaling log,
    /// messages and reports; how many calls went (the operator's `calls purge`).
    pub async fn purge_finished(&self, age: std::time::Duration) -> Result<u64, CallError> {
        let age_ms = i64::try_from(age.as_millis()).unwrap_or(i64::MAX);
        let cutoff = self.clock.now_millis().saturating_sub(age_ms);
        Ok(self.db.delete_finished_calls_before(cutoff).await?)
    }

    /// At the startup of a single instance: calls still ringing were left by a crash or a
    /// restart, and the sockets they rang on are gone, so they are missed (reason
    /// server_restart). Calls in progress are left to their parties, who get the grace period
    /// to rejoin (`ws::room_socket::adopt_calls_in_progress`): their media never went through
    /// this process.
    pub async fn close_left_unanswered(&self) -> Result<usize, CallError> {
        let closed = self
            .db
            .close_unanswered_calls(self.clock.now_millis())
            .await?;
        if !closed.is_empty() {
            tracing::warn!(
                count = closed.len(),
                "closed calls left ringing by the last run"
            );
        }
        for id in &closed {
            let stored = self.load(*id).await?;
            self.changed(&stored, false);
        }
        Ok(closed.len())
    }

    /// Every call in progress (accepted, not yet ended), oldest first.
    pub async fn in_progress(&self) -> Result<Vec<Call>, CallError> {
        self.db
            .calls_in_progress()
            .await?
            .into_iter()
            .map(|row| Ok(to_stored(row)?.call))
            .collect()
    }

    /// Applies the change `decide` makes of the call as read (None: the call cannot make it, a
    /// 409 with the call as it is). The update matches only the status read, so when it wins
    /// nothing else changed the row since, and the call as stored is the one read with the
    /// change applied: no second read. When another request moved the call first, it is read
    /// again and decided anew; statuses only move forward (initiated, ringing, accepted, a final
    /// one), so that happens at most three times.
    async fn transition(
        &self,
        user: UserId,
        mut stored: Stored,
        verb: &'static str,
        decide: impl Fn(&Call) -> Option<CallChange>,
    ) -> Result<Call, CallError> {
        for _ in 0..4 {
            let Some(change) = decide(&stored.call) else {
                break;
            };
            let id = stored.call.id;
            if self
                .db
                .update_call(id, &[stored.call.status], &change)
                .await?
            {
                stored.apply(&change);
                tracing::info!(
                    call_id = %id,
                    status = stored.call.status.as_str(),
                    "call status changed"
                );
                self.changed(&stored, false);
                return Ok(stored.view(user));
            }
            stored = self.load(id).await?;
        }
        Err(conflict(verb, &stored.view(user)))
    }

    async fn party_call(&self, user: UserId, id: CallId) -> Result<(Stored, Role), CallError> {
        let row = self.db.call(id).await?.ok_or(CallError::NotFound)?;
        let stored = to_stored(row)?;
        let role = stored.role_of(user).ok_or(CallError::NotFound)?;
        Ok((stored, role))
    }

    /// A call known to exist (calls are never deleted).
    async fn load(&self, id: CallId) -> Result<Stored, CallError> {
        let row = self
            .db
            .call(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("call {id} vanished"))?;
        to_stored(row)
    }

    /// A call row changed: counted, then told to its parties.
    fn changed(&self, stored: &Stored, incoming: bool) {
        crate::metrics::call_changed(&stored.call);
        self.publish(stored, incoming);
    }

    /// Tells each party the call as they may see it; a new call rings the receiver
    /// (`call-incoming`). A screened call is the caller's only.
    fn publish(&self, stored: &Stored, incoming: bool) {
        let (caller, receiver) = (stored.call.caller.id, stored.call.receiver.id);
        let status = |call| UserEvent::CallStatus { call };
        if stored.screened {
            self.hub.publish(&[caller], status(stored.view(caller)));
        } else if incoming {
            self.hub.publish(
                &[receiver],
                UserEvent::CallIncoming {
                    call: stored.view(receiver),
                },
            );
            self.hub.publish(&[caller], status(stored.view(caller)));
        } else if stored.caller_sees_receiver && stored.receiver_sees_caller {
            // One event for both, as before presence privacy.
            self.hub
                .publish(&[caller, receiver], status(stored.call.clone()));
        } else {
            self.hub.publish(&[caller], status(stored.view(caller)));
            self.hub.publish(&[receiver], status(stored.view(receiver)));
        }
    }
}

/// A call as stored, with what decides how each party sees it.
struct Stored {
    call: Call,
    /// The receiver never learns of it.
    screened: bool,
    caller_sees_receiver: bool,
    receiver_sees_caller: bool,
    /// The receiver has blocked the caller (now, not necessarily when the call was made).
    receiver_blocked_caller: bool,
}

impl Stored {
    /// The call after `change`, as `Db::update_call` stores it (a `None` keeps the column).
    fn apply(&mut self, change: &CallChange) {
        let call = &mut self.call;
        call.status = change.status;
        let set = |column: &mut Option<Timestamp>, value: Option<i64>| {
            if let Some(millis) = value {
                *column = Some(Timestamp(millis));
            }
        };
        set(&mut call.ringing_at, change.ringing_at);
        set(&mut call.accepted_at, change.accepted_at);
        set(&mut call.ended_at, change.ended_at);
        call.duration = change.duration.or(call.duration);
        call.end_reason = change.end_reason.or(call.end_reason);
        self.screened = change.screened.unwrap_or(self.screened);
    }

    /// The receiver of a screened call is no party of it.
    fn role_of(&self, user: UserId) -> Option<Role> {
        if self.call.caller.id == user {
            Some(Role::Caller)
        } else if self.call.receiver.id == user && !self.screened {
            Some(Role::Receiver)
        } else {
            None
        }
    }

    /// The call JSON for `viewer`: the other party's presence as the viewer may see it.
    fn view(&self, viewer: UserId) -> Call {
        let mut call = self.call.clone();
        if viewer == call.caller.id {
            call.receiver = privacy::as_seen(call.receiver, self.caller_sees_receiver);
        } else if viewer == call.receiver.id {
            call.caller = privacy::as_seen(call.caller, self.receiver_sees_caller);
        }
        call
    }
}

/// Decides `change` for a call not answered yet.
fn unanswered(change: CallChange) -> impl Fn(&Call) -> Option<CallChange> {
    move |call| call.status.is_unanswered().then_some(change)
}

fn require(allowed: bool, message: &str) -> Result<(), CallError> {
    if allowed {
        Ok(())
    } else {
        Err(CallError::Forbidden(message.into()))
    }
}

fn conflict(verb: &'static str, call: &Call) -> CallError {
    CallError::Conflict {
        verb,
        call: Box::new(call.clone()),
    }
}

/// The call from a row; an unknown enum value in the database is our bug, not the client's.
fn to_stored(row: CallRow) -> Result<Stored, CallError> {
    let visibility = |text: &str| {
        PresenceVisibility::parse(text)
            .ok_or_else(|| anyhow::anyhow!("call {}: bad presence setting {text:?}", row.id))
    };
    let parties = &row.parties;
    let caller_sees_receiver = privacy::presence_visible(
        visibility(&parties.receiver_visibility)?,
        parties.receiver_blocked_caller != 0,
        parties.receiver_has_caller != 0,
    );
    let receiver_sees_caller = privacy::presence_visible(
        visibility(&parties.caller_visibility)?,
        parties.caller_blocked_receiver != 0,
        parties.caller_has_receiver != 0,
    );
    let screened = row.screened != 0;
    let receiver_blocked_caller = parties.receiver_blocked_caller != 0;
    Ok(Stored {
        call: to_call(row)?,
        screened,
        caller_sees_receiver,
        receiver_sees_caller,
        receiver_blocked_caller,
    })
}

/// The call JSON from a row, as the parties themselves see it.
fn to_call(row: CallRow) -> Result<Call, CallError> {
    let call_type = CallType::parse(&row.call_type)
        .ok_or_else(|| anyhow::anyhow!("call {}: bad call_type {:?}", row.id, row.call_type))?;
    let status = CallStatus::parse(&row.status)
        .ok_or_else(|| anyhow::anyhow!("call {}: bad status {:?}", row.id, row.status))?;
    let end_reason = match row.end_reason.as_deref() {
        None => None,
        Some(text) => Some(
            EndReason::parse(text)
                .ok_or_else(|| anyhow::anyhow!("call {}: bad end_reason {text:?}", row.id))?,
        ),
    };
    Ok(Call {
        id: CallId(row.id),
        caller: public_user(
            row.caller_id,
            row.parties.caller_username,
            row.parties.caller_is_online,
            row.parties.caller_last_seen,
            row.parties.caller_profile_picture,
        ),
        receiver: public_user(
            row.receiver_id,
            row.parties.receiver_username,
            row.parties.receiver_is_online,
            row.parties.receiver_last_seen,
            row.parties.receiver_profile_picture,
        ),
        call_type,
        status,
        room_id: row.room_id,
        initiated_at: Timestamp(row.initiated_at),
        ringing_at: row.ringing_at.map(Timestamp),
        accepted_at: row.accepted_at.map(Timestamp),
        ended_at: row.ended_at.map(Timestamp),
        duration: row.duration,
        end_reason,
        reports: Vec::new(),
    })
}

/// Per-user locks for `start`, striped so memory stays bounded: two users whose ids share a
/// stripe merely serialize their starts.
struct StartLocks {
    stripes: Vec<Mutex<()>>,
}

impl StartLocks {
    fn new() -> Self {
        Self {
            stripes: (0..START_LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    fn stripe(id: UserId) -> usize {
        // rem_euclid of a positive modulus is in 0..START_LOCK_STRIPES.
        usize::try_from(id.0.rem_euclid(START_LOCK_STRIPES as i64)).unwrap_or(0)
    }

    /// Locks both users' stripes, always the lower index first so two starts cannot deadlock.
    async fn lock(&self, a: UserId, b: UserId) -> (MutexGuard<'_, ()>, Option<MutexGuard<'_, ()>>) {
        let (first, second) = {
            let (x, y) = (Self::stripe(a), Self::stripe(b));
            (x.min(y), x.max(y))
        };
        let first_guard = self.stripes[first].lock().await;
        let second_guard = if second == first {
            None
        } else {
            Some(self.stripes[second].lock().await)
        };
        (first_guard, second_guard)
    }
}
