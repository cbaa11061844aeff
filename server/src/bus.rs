//! The bus between instances, as the services see it: what they tell the other instances
//! ([`BusMessage`]) and what presence asks about their sockets. It names no service, so
//! `users`, `ws::presence` and `ws::rooms` depend on it and nothing here depends on them.
//!
//! [`NoBus`] serves a single instance (no one else to tell). With several instances,
//! the Redis adapter (`cluster.rs`) implements [`Bus`] and hands what other instances send
//! to this one's services. Tests use `RecordingBus`.

use std::{future::Future, pin::Pin};

use serde::{Deserialize, Serialize};

use app::protocol::{ServerMsg, UserEvent, UserId};

/// What instances tell each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BusMessage {
    /// A [`crate::hub::Hub`] event for these users' devices.
    Event {
        recipients: Vec<UserId>,
        event: UserEvent,
    },
    /// Signaling for the parties of a call room other than `sender`.
    Relay {
        room: String,
        sender: UserId,
        message: ServerMsg,
    },
    /// A socket of `user` joined the room on the sending instance.
    Joined {
        room: String,
        user: UserId,
        username: String,
    },
    /// Answer to `Joined` and `Probe`: these users have sockets in the room on the sending
    /// instance.
    Here { room: String, users: Vec<UserId> },
    /// Who is in this room? (A starting instance checks the calls in progress are served.)
    Probe { room: String },
    /// The last socket of `user` in the room on the sending instance left.
    Left {
        room: String,
        user: UserId,
        username: String,
    },
    /// A user's presence changed: each instance tells its own watchers.
    Presence { event: UserEvent },
    /// A user's record changed: instances forget the copy they cache.
    UserChanged { user: UserId },
    /// Whom a user's presence may reach changed (their presence setting, blocks or contacts):
    /// instances forget what they cache of it and tell that user's watchers what they may see
    /// now.
    AudienceChanged { user: UserId },
}

/// A future returned by a [`Bus`] method (the trait is used as `dyn Bus`).
pub type BusFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Bus: Send + Sync + 'static {
    /// Queues `message` for the other instances; never waits, and may drop it (delivery is
    /// best effort: the database has the state).
    fn send(&self, message: BusMessage);

    /// This instance's count of open user sockets of `user` changed (presence holds the
    /// count); resolves once the other instances can see the new count, or at once when they
    /// cannot be told.
    fn open_count_changed(&self, user: UserId) -> BusFuture<'_, ()>;

    /// Whether `user` has an open user socket on another live instance; None when that cannot
    /// be told (the caller then goes by this instance alone).
    fn open_elsewhere(&self, user: UserId) -> BusFuture<'_, Option<bool>>;
}

/// The bus of a single instance: there is no one else to tell, and no socket elsewhere.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoBus;

impl Bus for NoBus {
    fn send(&self, _message: BusMessage) {}

    fn open_count_changed(&self, _user: UserId) -> BusFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }

    fn open_elsewhere(&self, _user: UserId) -> BusFuture<'_, Option<bool>> {
        Box::pin(std::future::ready(Some(false)))
    }
}

/// Records what is sent, for unit tests of the modules that send; no other instance has sockets.
#[cfg(test)]
#[derive(Default)]
pub struct RecordingBus {
    sent: std::sync::Mutex<Vec<BusMessage>>,
}

#[cfg(test)]
impl RecordingBus {
    /// What was sent since the last call, oldest first.
    pub fn take(&self) -> Vec<BusMessage> {
        std::mem::take(&mut *self.sent.lock().unwrap())
    }
}

#[cfg(test)]
impl Bus for RecordingBus {
    fn send(&self, message: BusMessage) {
        self.sent.lock().unwrap().push(message);
    }

    fn open_count_changed(&self, user: UserId) -> BusFuture<'_, ()> {
        NoBus.open_count_changed(user)
    }

    fn open_elsewhere(&self, user: UserId) -> BusFuture<'_, Option<bool>> {
        NoBus.open_elsewhere(user)
    }
}
