//! Online while at least one user socket is open: the first socket of a user sets them online,
//! the last one to close sets them offline.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use app::protocol::UserId;

use crate::users::Users;

#[derive(Clone)]
pub struct Presence {
    users: Users,
    open: Arc<Mutex<HashMap<UserId, usize>>>,
}

impl Presence {
    pub fn new(users: Users) -> Self {
        Self {
            users,
            open: Arc::default(),
        }
    }

    pub async fn connected(&self, user: UserId) {
        let first = {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            let count = open.entry(user).or_default();
            *count += 1;
            *count == 1
        };
        if first {
            self.sync(user).await;
        }
    }

    pub async fn disconnected(&self, user: UserId) {
        let last = {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            match open.get_mut(&user) {
                Some(count) if *count > 1 => {
                    *count -= 1;
                    false
                }
                Some(_) => {
                    open.remove(&user);
                    true
                }
                None => false,
            }
        };
        if last {
            self.sync(user).await;
        }
    }

    fn is_open(&self, user: UserId) -> bool {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(&user)
    }

    /// Writes the presence the open sockets imply. A socket opening or closing while a write is
    /// in flight could leave the older value stored, so every write is followed by a check and
    /// repeated until the stored value matches the sockets.
    async fn sync(&self, user: UserId) {
        loop {
            let online = self.is_open(user);
            if let Err(error) = self.users.set_presence(user, online).await {
                tracing::warn!(%error, %user, "cannot store presence");
                return;
            }
            if self.is_open(user) == online {
                return;
            }
        }
    }
}
