//! Presence: a user is online while at least one of their user sockets is open. The last socket
//! closing takes effect only after a short grace period, so a page reload does not flash the
//! user offline to everyone. Changes are pushed to the users who subscribed to them
//! (`subscribe-presence`: the contacts a client shows).

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use app::protocol::{UserEvent, UserId};

use crate::{hub::Hub, users::Users};

/// How many users one socket may watch: a contacts page, not the whole directory.
pub const MAX_WATCHED: usize = 500;

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
    hub: Arc<dyn Hub>,
    grace: Duration,
    state: Arc<Mutex<State>>,
}

impl Presence {
    pub fn new(users: Users, hub: Arc<dyn Hub>, grace: Duration) -> Self {
        Self {
            users,
            hub,
            grace,
            state: Arc::default(),
        }
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
                None => false,
            }
        };
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

    /// Writes the presence the open sockets imply and tells the watchers if it changed (a
    /// reload within the grace changes nothing). A socket opening or closing while a write is in
    /// flight could leave the older value stored, so every write is followed by a check and
    /// repeated until the stored value matches the sockets.
    async fn sync(&self, user: UserId) {
        let before = match self.users.me(user).await {
            Ok(record) => record.is_online,
            Err(error) => {
                tracing::warn!(%error, %user, "cannot read presence");
                return;
            }
        };
        let online = loop {
            let online = self.is_open(user);
            if let Err(error) = self.users.set_presence(user, online).await {
                tracing::warn!(%error, %user, "cannot store presence");
                return;
            }
            if self.is_open(user) == online {
                break online;
            }
        };
        if online == before {
            return;
        }
        let watchers: Vec<UserId> = self
            .state()
            .watchers
            .get(&user)
            .map(|w| w.keys().copied().collect())
            .unwrap_or_default();
        if watchers.is_empty() {
            return;
        }
        match self.users.me(user).await {
            Ok(record) => self.hub.publish(
                &watchers,
                UserEvent::Presence {
                    user_id: user,
                    is_online: record.is_online,
                    last_seen: record.last_seen,
                },
            ),
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
