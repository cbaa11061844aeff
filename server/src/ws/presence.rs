//! Presence: a user is online while at least one of their user sockets is open. The last socket
//! closing takes effect only after a short grace period, so a page reload does not flash the
//! user offline to everyone. Changes are pushed to the users who subscribed to them
//! (`subscribe-presence`: the contacts a client shows).
//!
//! With several instances (a [`Bus`] between them), each counts its sockets on the bus too, so a
//! user whose last socket here closes stays online while they have one on another instance;
//! changes go out on the bus and every instance tells its own watchers. When the bus cannot
//! tell, an instance goes by its own sockets (and the bus says so in the log).
//!
//! A watcher hears only what the watched user lets them see (`privacy::presence_visible`): a
//! change is told to the watchers in the user's audience, and when the audience itself changes
//! (a block, a contact, the setting) every watcher is told what they may see now (a user hidden
//! from them looks offline, never seen). One task per instance tells watchers, in order, reading
//! each user's audience at most once per event (cached by the people service).

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use tokio::sync::{broadcast, mpsc};

use app::protocol::{UserEvent, UserId};

use crate::{
    bus::{Bus, BusMessage},
    hub::Hub,
    people::People,
    users::Users,
};

/// How many users one socket may watch: a contacts page, not the whole directory.
pub const MAX_WATCHED: usize = 500;

/// Presence events waiting for the fan-out task; past this one is dropped (and logged): a
/// watcher misses it, as it would a lagging socket.
const FAN_OUT_QUEUE: usize = 4096;

#[derive(Default)]
struct State {
    /// Open user sockets per user.
    open: HashMap<UserId, usize>,
    /// Watched user -> watching user -> how many of the watcher's sockets watch.
    watchers: HashMap<UserId, HashMap<UserId, usize>>,
}

#[derive(Clone)]
pub struct Presence {
    users: Users,
    /// Delivers to this instance's watchers only: other instances hear changes on the bus.
    hub: Arc<dyn Hub>,
    grace: Duration,
    state: Arc<Mutex<State>>,
    /// The other instances ([`crate::bus::NoBus`] when there are none).
    bus: Arc<dyn Bus>,
    /// Who may see whom.
    people: People,
    /// Presence changes for the fan-out task, in order.
    fan_out: mpsc::Sender<UserEvent>,
}

impl Presence {
    /// Starts the fan-out task (on the current runtime): it lives as long as the process.
    pub fn new(
        users: Users,
        people: People,
        hub: Arc<dyn Hub>,
        grace: Duration,
        bus: Arc<dyn Bus>,
    ) -> Self {
        let (fan_out, events) = mpsc::channel(FAN_OUT_QUEUE);
        let presence = Self {
            users,
            hub,
            grace,
            state: Arc::default(),
            bus,
            fan_out,
            people: people.clone(),
        };
        tokio::spawn(
            presence
                .clone()
                .tell_in_order(events, people.audience_changes()),
        );
        presence
    }

    /// Tells watchers each presence change, and what they may see after an audience change.
    async fn tell_in_order(
        self,
        mut events: mpsc::Receiver<UserEvent>,
        mut audiences: broadcast::Receiver<UserId>,
    ) {
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(event) => self.tell_audience(event).await,
                    None => break,
                },
                changed = audiences.recv() => match changed {
                    Ok(user) => self.retell(user).await,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "presence audience changes missed");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
            }
        }
    }

    /// Open user sockets per user on this instance.
    pub fn open_counts(&self) -> Vec<(UserId, usize)> {
        self.state()
            .open
            .iter()
            .map(|(user, count)| (*user, *count))
            .collect()
    }

    /// Open user sockets of `user` on this instance.
    pub fn open_count(&self, user: UserId) -> usize {
        self.state().open.get(&user).copied().unwrap_or(0)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a new user socket; false (and nothing counted) when the user already holds
    /// `limit` of them.
    pub async fn connected(&self, user: UserId, limit: usize) -> bool {
        let first = {
            let mut state = self.state();
            let count = state.open.entry(user).or_default();
            if *count >= limit {
                return false;
            }
            *count += 1;
            *count == 1
        };
        self.bus.open_count_changed(user).await;
        if first {
            self.sync(user).await;
        }
        true
    }

    pub async fn disconnected(&self, user: UserId) {
        let last = {
            let mut state = self.state();
            match state.open.get_mut(&user) {
                Some(count) if *count > 1 => {
                    *count -= 1;
                    false
                }
                Some(_) => {
                    state.open.remove(&user);
                    true
                }
                None => return,
            }
        };
        self.bus.open_count_changed(user).await;
        if !last {
            return;
        }
        if self.grace.is_zero() {
            self.sync(user).await;
        } else {
            let presence = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(presence.grace).await;
                // Back within the grace period: still online, nothing to announce.
                if !presence.is_open(user) {
                    presence.sync(user).await;
                }
            });
        }
    }

    /// Replaces what one socket of `watcher` watches; returns the ids kept (at most
    /// [`MAX_WATCHED`], without the watcher).
    pub fn watch(&self, watcher: UserId, previous: &[UserId], wanted: &[UserId]) -> Vec<UserId> {
        let kept: Vec<UserId> = wanted
            .iter()
            .copied()
            .filter(|id| *id != watcher)
            .collect::<HashSet<_>>()
            .into_iter()
            .take(MAX_WATCHED)
            .collect();
        let mut state = self.state();
        unwatch(&mut state, watcher, previous);
        for id in &kept {
            *state
                .watchers
                .entry(*id)
                .or_default()
                .entry(watcher)
                .or_default() += 1;
        }
        kept
    }

    /// Forgets what a closing socket watched.
    pub fn unwatch(&self, watcher: UserId, watched: &[UserId]) {
        unwatch(&mut self.state(), watcher, watched);
    }

    fn is_open(&self, user: UserId) -> bool {
        self.state().open.contains_key(&user)
    }

    /// Open here or on another instance.
    async fn is_online(&self, user: UserId) -> bool {
        if self.is_open(user) {
            return true;
        }
        self.bus.open_elsewhere(user).await.unwrap_or(false)
    }

    /// Tells this instance's watchers of the user a presence event is about, those the user
    /// lets see it; never waits.
    pub fn tell_watchers(&self, event: UserEvent) {
        if self.fan_out.try_send(event).is_err() {
            tracing::warn!("presence fan-out queue full: an event was dropped");
        }
    }

    fn watchers_of(&self, user: UserId) -> Vec<UserId> {
        self.state()
            .watchers
            .get(&user)
            .map(|w| w.keys().copied().collect())
            .unwrap_or_default()
    }

    async fn tell_audience(&self, event: UserEvent) {
        let UserEvent::Presence { user_id, .. } = &event else {
            return;
        };
        let watchers = self.watchers_of(*user_id);
        if watchers.is_empty() {
            return;
        }
        let audience = match self.people.audience(*user_id).await {
            Ok(audience) => audience,
            Err(error) => {
                tracing::warn!(%error, user = %user_id, "cannot read a presence audience");
                return;
            }
        };
        let allowed: Vec<UserId> = watchers
            .into_iter()
            .filter(|watcher| audience.sees(*watcher))
            .collect();
        if !allowed.is_empty() {
            self.hub.publish(&allowed, event);
        }
    }

    /// `user`'s audience changed: each watcher hears the presence they may see now.
    async fn retell(&self, user: UserId) {
        let watchers = self.watchers_of(user);
        if watchers.is_empty() {
            return;
        }
        let (record, audience) = match (
            self.users.record(user).await,
            self.people.audience(user).await,
        ) {
            (Ok(record), Ok(audience)) => (record, audience),
            (Err(error), _) => {
                tracing::warn!(%error, %user, "cannot read presence to retell");
                return;
            }
            (_, Err(error)) => {
                tracing::warn!(%error, %user, "cannot read a presence audience");
                return;
            }
        };
        let (seeing, hidden): (Vec<UserId>, Vec<UserId>) = watchers
            .into_iter()
            .partition(|watcher| audience.sees(*watcher));
        for (recipients, visible) in [(seeing, true), (hidden, false)] {
            if !recipients.is_empty() {
                self.hub.publish(
                    &recipients,
                    UserEvent::Presence {
                        user_id: user,
                        is_online: visible && record.is_online,
                        last_seen: record.last_seen.filter(|_| visible),
                    },
                );
            }
        }
    }

    /// Writes the presence the open sockets imply and tells the watchers if it changed (a
    /// reload within the grace changes nothing). A socket opening or closing while a write is in
    /// flight could leave the older value stored, so every write is followed by a check and
    /// repeated until the stored value matches the sockets.
    async fn sync(&self, user: UserId) {
        let before = match self.users.record(user).await {
            Ok(record) => record.is_online,
            Err(error) => {
                tracing::warn!(%error, %user, "cannot read presence");
                return;
            }
        };
        let online = loop {
            let online = self.is_online(user).await;
            if let Err(error) = self.users.set_presence(user, online).await {
                tracing::warn!(%error, %user, "cannot store presence");
                return;
            }
            if self.is_online(user).await == online {
                break online;
            }
        };
        if online == before {
            return;
        }
        match self.users.record(user).await {
            Ok(record) => {
                let event = UserEvent::Presence {
                    user_id: user,
                    is_online: record.is_online,
                    last_seen: record.last_seen,
                };
                self.bus.send(BusMessage::Presence {
                    event: event.clone(),
                });
                self.tell_watchers(event);
            }
            Err(error) => tracing::warn!(%error, %user, "cannot read presence to announce"),
        }
    }
}

fn unwatch(state: &mut State, watcher: UserId, watched: &[UserId]) {
    for id in watched {
        if let Some(watchers) = state.watchers.get_mut(id) {
            if let Some(count) = watchers.get_mut(&watcher) {
                *count -= 1;
                if *count == 0 {
                    watchers.remove(&watcher);
                }
            }
            if watchers.is_empty() {
                state.watchers.remove(id);
            }
        }
    }
}
