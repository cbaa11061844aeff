//! People a user knows and who may reach them: contacts, blocks, privacy settings and
//! do-not-disturb (issue 18). The rules themselves are in [`crate::privacy`]; this service
//! keeps the lists and settings, and tells who needs to know when they change:
//! - the user's own tabs, of new settings (`privacy-changed`, through the hub, so every instance);
//! - presence watchers, when a user's audience changes (their presence setting, blocks or
//!   contacts): [`People::audience_changes`] here, a bus message for the other instances.

pub mod availability;
mod error;

pub use error::PeopleError;

use std::{collections::HashSet, sync::Arc};

use tokio::sync::broadcast;

use app::protocol::{
    AddContact, BlockUser, BlockedUser, Contact, PresenceVisibility, PrivacySettings, Timestamp,
    UpdateContact, UpdatePrivacy, UserEvent, UserId,
};

use crate::{
    bus::{Bus, BusMessage},
    calls::Calls,
    clock::Clock,
    config::Config,
    db::{
        people::{BlockRow, ContactRow, PrivacyRow},
        Db,
    },
    hub::Hub,
    privacy::Audience,
    rate::RateLimit,
    users::{cache::UserCache, to_seen_user},
};

/// Contacts one user may keep: a contacts page, not a copy of the directory.
pub const MAX_CONTACTS: i64 = 1000;
/// People one user may block.
pub const MAX_BLOCKS: i64 = 1000;
/// Audience changes queued for the presence fan-out before the oldest are dropped.
const CHANGES_QUEUE: usize = 256;

/// How often one user may change their contacts, blocks and settings: each write may fan out
/// presence events to every watcher of theirs, on every instance.
pub struct PeopleLimits {
    writes: RateLimit<UserId>,
}

impl PeopleLimits {
    pub fn from_config(config: &Config) -> Self {
        Self {
            writes: RateLimit::per_minute(config.people_writes_per_minute),
        }
    }

    pub fn prune(&self) {
        self.writes.prune();
    }
}

#[derive(Clone)]
pub struct People {
    db: Db,
    clock: Arc<dyn Clock>,
    hub: Arc<dyn Hub>,
    bus: Arc<dyn Bus>,
    /// Blocking ends a call of the blocked person's that still rings the blocker.
    calls: Calls,
    limits: Arc<PeopleLimits>,
    /// Whom each user's presence may reach, read once per presence event at most.
    audiences: Arc<UserCache<Arc<Audience>>>,
    changes: broadcast::Sender<UserId>,
}

impl People {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        hub: Arc<dyn Hub>,
        bus: Arc<dyn Bus>,
        calls: Calls,
        limits: PeopleLimits,
    ) -> Self {
        Self {
            db,
            clock,
            hub,
            bus,
            calls,
            limits: Arc::new(limits),
            audiences: Arc::default(),
            changes: broadcast::channel(CHANGES_QUEUE).0,
        }
    }

    pub fn limits(&self) -> &PeopleLimits {
        &self.limits
    }

    /// The user's contacts: favourites first, then online first (as the owner may see them),
    /// then by username, case-insensitive.
    pub async fn contacts(&self, owner: UserId) -> Result<Vec<Contact>, PeopleError> {
        let mut contacts = self
            .db
            .contacts_of(owner)
            .await?
            .into_iter()
            .map(to_contact)
            .collect::<Result<Vec<_>, PeopleError>>()?;
        contacts.sort_by_cached_key(|c| {
            (
                !c.is_favourite,
                !c.user.is_online,
                c.user.username.to_lowercase(),
            )
        });
        Ok(contacts)
    }

    /// Adds `user_id` to the owner's contacts; false with the existing contact (unchanged) if
    /// it was one already. Adding someone who blocked you succeeds like any other (no oracle),
    /// and shows you nothing of them.
    pub async fn add_contact(
        &self,
        owner: UserId,
        request: AddContact,
    ) -> Result<(Contact, bool), PeopleError> {
        self.limits.writes.check(&owner)?;
        let contact = request.user_id;
        if contact == owner {
            return Err(PeopleError::field("user_id", "You cannot add yourself."));
        }
        self.require_user("user_id", contact).await?;
        if self.db.is_blocked(owner, contact).await? {
            return Err(PeopleError::field("user_id", "Unblock this person first."));
        }
        if let Some(existing) = self.contact(owner, contact).await? {
            return Ok((existing, false));
        }
        if self.db.count_contacts(owner).await? >= MAX_CONTACTS {
            return Err(PeopleError::Limit(format!(
                "You can have at most {MAX_CONTACTS} contacts."
            )));
        }
        let created = self
            .db
            .insert_contact(
                owner,
                contact,
                request.is_favourite,
                self.clock.now_millis(),
            )
            .await?;
        if created {
            self.audience_changed(owner);
        }
        let added = self
            .contact(owner, contact)
            .await?
            .ok_or_else(|| anyhow::anyhow!("contact {contact} of {owner} vanished"))?;
        Ok((added, created))
    }

    pub async fn update_contact(
        &self,
        owner: UserId,
        contact: UserId,
        request: UpdateContact,
    ) -> Result<Contact, PeopleError> {
        self.limits.writes.check(&owner)?;
        if !self
            .db
            .set_favourite(owner, contact, request.is_favourite)
            .await?
        {
            return Err(PeopleError::NotFound);
        }
        self.contact(owner, contact)
            .await?
            .ok_or(PeopleError::NotFound)
    }

    pub async fn remove_contact(&self, owner: UserId, contact: UserId) -> Result<(), PeopleError> {
        self.limits.writes.check(&owner)?;
        if !self.db.delete_contact(owner, contact).await? {
            return Err(PeopleError::NotFound);
        }
        self.audience_changed(owner);
        Ok(())
    }

    async fn contact(
        &self,
        owner: UserId,
        contact: UserId,
    ) -> Result<Option<Contact>, PeopleError> {
        self.db
            .contact(owner, contact)
            .await?
            .map(to_contact)
            .transpose()
    }

    /// The people the user blocked, newest first.
    pub async fn blocks(&self, blocker: UserId) -> Result<Vec<BlockedUser>, PeopleError> {
        self.db
            .blocks_of(blocker)
            .await?
            .into_iter()
            .map(to_blocked)
            .collect()
    }

    /// Blocks `user_id`; false with the existing block if they were blocked already. They leave
    /// the blocker's contacts, and a call of theirs still ringing the blocker ends
    /// ([`Calls::screen_ringing`]).
    pub async fn block(
        &self,
        blocker: UserId,
        request: BlockUser,
    ) -> Result<(BlockedUser, bool), PeopleError> {
        self.limits.writes.check(&blocker)?;
        let blocked = request.user_id;
        if blocked == blocker {
            return Err(PeopleError::field("user_id", "You cannot block yourself."));
        }
        self.require_user("user_id", blocked).await?;
        let created = if self.db.block(blocker, blocked).await?.is_some() {
            false
        } else {
            if self.db.count_blocks(blocker).await? >= MAX_BLOCKS {
                return Err(PeopleError::Limit(format!(
                    "You can block at most {MAX_BLOCKS} people."
                )));
            }
            self.db
                .insert_block(blocker, blocked, self.clock.now_millis())
                .await?
        };
        if created {
            self.db.delete_contact(blocker, blocked).await?;
            self.audience_changed(blocker);
            self.calls.screen_ringing(blocked, blocker).await?;
        }
        let row = self
            .db
            .block(blocker, blocked)
            .await?
            .ok_or_else(|| anyhow::anyhow!("block of {blocked} by {blocker} vanished"))?;
        Ok((to_blocked(row)?, created))
    }

    pub async fn unblock(&self, blocker: UserId, blocked: UserId) -> Result<(), PeopleError> {
        self.limits.writes.check(&blocker)?;
        if !self.db.delete_block(blocker, blocked).await? {
            return Err(PeopleError::NotFound);
        }
        self.audience_changed(blocker);
        Ok(())
    }

    /// The user's settings as in effect now (a do-not-disturb whose time has come is off, even
    /// before the sweeper writes it).
    pub async fn privacy(&self, user: UserId) -> Result<PrivacySettings, PeopleError> {
        let row = self.db.privacy(user).await?.ok_or(PeopleError::NotFound)?;
        let settings = row
            .settings()
            .ok_or_else(|| anyhow::anyhow!("user {user}: bad privacy settings {row:?}"))?;
        Ok(in_effect(settings, self.now()))
    }

    /// Applies the fields present; every tab of the user hears the result.
    pub async fn update_privacy(
        &self,
        user: UserId,
        update: UpdatePrivacy,
    ) -> Result<PrivacySettings, PeopleError> {
        self.limits.writes.check(&user)?;
        if let Some(until) = update.do_not_disturb_until {
            if update.do_not_disturb != Some(true) {
                return Err(PeopleError::field(
                    "do_not_disturb_until",
                    "Only with do_not_disturb set to true.",
                ));
            }
            if until <= self.now() {
                return Err(PeopleError::field(
                    "do_not_disturb_until",
                    "Must be in the future.",
                ));
            }
        }
        let before = self.privacy(user).await?;
        let mut settings = before.clone();
        if let Some(who) = update.who_can_call {
            settings.who_can_call = who;
        }
        if let Some(visible_to) = update.presence_visible_to {
            settings.presence_visible_to = visible_to;
        }
        if let Some(on) = update.do_not_disturb {
            settings.do_not_disturb = on;
            settings.do_not_disturb_until = update.do_not_disturb_until.filter(|_| on);
        }
        self.db
            .set_privacy(user, &PrivacyRow::from_settings(&settings))
            .await?;
        if settings.presence_visible_to != before.presence_visible_to {
            self.audience_changed(user);
        }
        self.hub.publish(
            &[user],
            UserEvent::PrivacyChanged {
                settings: settings.clone(),
            },
        );
        Ok(settings)
    }

    /// Turns off do-not-disturb whose time has come and tells each user's tabs; how many ended.
    /// The sweeper runs it every second.
    pub async fn expire_do_not_disturb(&self) -> Result<usize, PeopleError> {
        let ended = self
            .db
            .expire_do_not_disturb(self.clock.now_millis())
            .await?;
        for user in &ended {
            let settings = self.privacy(*user).await?;
            self.hub
                .publish(&[*user], UserEvent::PrivacyChanged { settings });
        }
        Ok(ended.len())
    }

    /// Whom `owner`'s presence may reach.
    pub async fn audience(&self, owner: UserId) -> Result<Arc<Audience>, PeopleError> {
        if let Some(audience) = self.audiences.get(owner) {
            return Ok(audience);
        }
        let generation = self.audiences.generation();
        let audience = match self.db.audience(owner).await? {
            Some((visibility, contacts, blocked)) => Audience {
                visibility: PresenceVisibility::parse(&visibility).ok_or_else(|| {
                    anyhow::anyhow!("user {owner}: bad presence setting {visibility:?}")
                })?,
                contacts: contacts.into_iter().map(UserId).collect::<HashSet<_>>(),
                blocked: blocked.into_iter().map(UserId).collect::<HashSet<_>>(),
            },
            // A deleted user is seen by no one.
            None => Audience {
                visibility: PresenceVisibility::Nobody,
                ..Audience::default()
            },
        };
        let audience = Arc::new(audience);
        self.audiences.insert(owner, audience.clone(), generation);
        Ok(audience)
    }

    /// Users whose audience changed, here or on another instance (presence re-tells their
    /// watchers what they may see now).
    pub fn audience_changes(&self) -> broadcast::Receiver<UserId> {
        self.changes.subscribe()
    }

    /// Another instance changed `owner`'s audience.
    pub fn audience_changed_elsewhere(&self, owner: UserId) {
        self.audiences.invalidate(owner);
        let _ = self.changes.send(owner);
    }

    fn audience_changed(&self, owner: UserId) {
        self.audiences.invalidate(owner);
        self.bus.send(BusMessage::AudienceChanged { user: owner });
        // No receiver only when presence is not running (nothing to tell).
        let _ = self.changes.send(owner);
    }

    async fn require_user(&self, field: &'static str, user: UserId) -> Result<(), PeopleError> {
        if self.db.user(user).await?.is_none() {
            return Err(PeopleError::field(
                field,
                format!("Invalid pk \"{user}\" - object does not exist."),
            ));
        }
        Ok(())
    }

    fn now(&self) -> Timestamp {
        Timestamp(self.clock.now_millis())
    }
}

fn to_contact(row: ContactRow) -> Result<Contact, PeopleError> {
    Ok(Contact {
        user: to_seen_user(row.seen)?,
        is_favourite: row.is_favourite != 0,
        added_at: Timestamp(row.added_at),
    })
}

fn to_blocked(row: BlockRow) -> Result<BlockedUser, PeopleError> {
    Ok(BlockedUser {
        user: to_seen_user(row.seen)?,
        blocked_at: Timestamp(row.blocked_at),
    })
}

/// `settings` as in effect at `now`: a do-not-disturb past its time is off.
fn in_effect(mut settings: PrivacySettings, now: Timestamp) -> PrivacySettings {
    if settings.do_not_disturb && !settings.dnd_active(now) {
        settings.do_not_disturb = false;
        settings.do_not_disturb_until = None;
    }
    settings
}
