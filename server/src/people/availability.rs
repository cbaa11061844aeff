//! "Tell me when they are free" (issue 23): a user asks once, and the sweeper tells them (a
//! `user-available` event to every tab, through the hub, so from whichever instance sweeps
//! first) when the person is online, in no call and without do-not-disturb. Requests live in
//! the database and expire after [`AVAILABILITY_TTL_MS`]; each fires at most once, as its row is
//! deleted by exactly one sweeper.
//!
//! Presence privacy: a request about someone who hides their presence from the watcher (or
//! blocked them) is accepted exactly as any other and never fires; it expires unseen. Refusing
//! it would tell the watcher they are hidden from, and firing it would tell them when that
//! person is online, which is what the setting hides.

use app::protocol::{AvailabilityRequest, PresenceVisibility, Timestamp, UserEvent, UserId};

use super::{People, PeopleError};
use crate::{privacy, users::to_user};

/// How long a request waits for its person to be free.
pub const AVAILABILITY_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// Open requests one user may have at once (then 429 until the oldest expires).
pub const MAX_OPEN_AVAILABILITY: i64 = 5;

impl People {
    /// Asks to be told when `target` is free; renews the request if there is one. 429 past
    /// [`MAX_OPEN_AVAILABILITY`] open requests, with `Retry-After` until the oldest expires.
    pub async fn watch_availability(
        &self,
        watcher: UserId,
        target: UserId,
    ) -> Result<AvailabilityRequest, PeopleError> {
        if target == watcher {
            return Err(PeopleError::field(
                "user_id",
                "You cannot wait for yourself.",
            ));
        }
        self.require_user("user_id", target).await?;
        let now = self.clock.now_millis();
        let expires_at = now.saturating_add(AVAILABILITY_TTL_MS);
        let opened = self
            .db
            .watch_availability(watcher, target, now, expires_at, MAX_OPEN_AVAILABILITY)
            .await?;
        if !opened {
            let oldest = self.db.availability_requests(watcher, now).await?;
            let until = oldest.first().map_or(now, |row| row.expires_at);
            let secs = u64::try_from((until.saturating_sub(now) + 999) / 1000).unwrap_or(1);
            return Err(PeopleError::TooManyRequests {
                retry_after_secs: secs.max(1),
            });
        }
        Ok(AvailabilityRequest {
            user_id: target,
            created_at: Timestamp(now),
            expires_at: Timestamp(expires_at),
        })
    }

    /// The watcher's open requests, oldest first.
    pub async fn availability_requests(
        &self,
        watcher: UserId,
    ) -> Result<Vec<AvailabilityRequest>, PeopleError> {
        let rows = self
            .db
            .availability_requests(watcher, self.clock.now_millis())
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| AvailabilityRequest {
                user_id: UserId(row.target_id),
                created_at: Timestamp(row.created_at),
                expires_at: Timestamp(row.expires_at),
            })
            .collect())
    }

    pub async fn forget_availability(
        &self,
        watcher: UserId,
        target: UserId,
    ) -> Result<(), PeopleError> {
        if self.db.remove_availability(watcher, target).await? {
            Ok(())
        } else {
            Err(PeopleError::NotFound)
        }
    }

    /// Drops expired requests and fires those whose person is free and lets the watcher see
    /// their presence; returns how many fired. The sweeper runs it every second.
    pub async fn sweep_availability(&self) -> Result<usize, PeopleError> {
        let now = self.clock.now_millis();
        self.db.expire_availability(now).await?;
        let mut fired = 0;
        for row in self.db.free_targets(now).await? {
            let target = &row.target;
            let visibility = PresenceVisibility::parse(&target.presence_visible_to)
                .ok_or_else(|| anyhow::anyhow!("user {}: bad presence setting", target.user.id))?;
            if !privacy::presence_visible(
                visibility,
                target.blocked_viewer != 0,
                target.has_viewer != 0,
            ) {
                continue;
            }
            let watcher = UserId(row.watcher_id);
            let user = to_user(row.target.user, false);
            // Another instance's sweeper may have fired it first: only the deleter tells.
            if self.db.remove_availability(watcher, user.id).await? {
                tracing::info!(%watcher, target = %user.id, "availability request fired");
                self.hub
                    .publish(&[watcher], UserEvent::UserAvailable { user });
                fired += 1;
            }
        }
        Ok(fired)
    }
}
