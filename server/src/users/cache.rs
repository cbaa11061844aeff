//! Recently read user records, so `GET /api/users/me/` (polled by clients, and the hottest REST
//! path) costs no database query. Every write through [`super::Users`] forgets the record here
//! and, with several instances, on the others too (through the bus). Entries also expire after a
//! few seconds, which bounds how long a change made outside the server (an operator's SQL) stays
//! unseen.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use app::protocol::{User, UserId};

/// How long a record is served without asking the database again.
pub const TIME_TO_LIVE: Duration = Duration::from_secs(5);
/// Records kept at most; a user's record is a few hundred bytes.
const CAPACITY: u64 = 100_000;

/// Records of type `V` per user (the user JSON by default; the people service keeps each
/// user's presence audience in one too).
pub struct UserCache<V = User> {
    records: moka::sync::Cache<UserId, V>,
    /// Bumped by every invalidation: a record read from the database before a write finished
    /// must not be stored after the write forgot the old one.
    generation: AtomicU64,
}

impl<V: Clone + Send + Sync + 'static> Default for UserCache<V> {
    fn default() -> Self {
        Self::new(TIME_TO_LIVE)
    }
}

impl<V: Clone + Send + Sync + 'static> UserCache<V> {
    pub fn new(time_to_live: Duration) -> Self {
        Self {
            records: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(time_to_live)
                .build(),
            generation: AtomicU64::new(0),
        }
    }

    pub fn get(&self, user: UserId) -> Option<V> {
        self.records.get(&user)
    }

    /// Read before loading a record from the database; hand it to [`UserCache::insert`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Stores `record` of `user`, read from the database after [`UserCache::generation`]
    /// returned `generation`, unless something was invalidated since.
    pub fn insert(&self, user: UserId, record: V, generation: u64) {
        if self.generation() != generation {
            return;
        }
        self.records.insert(user, record);
        // An invalidation between the check and the insert may have missed the new entry.
        if self.generation() != generation {
            self.records.invalidate(&user);
        }
    }

    pub fn invalidate(&self, user: UserId) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.records.invalidate(&user);
    }

    pub fn invalidate_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.records.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i64, username: &str) -> User {
        User {
            id: UserId(id),
            username: username.into(),
            email: None,
            is_online: false,
            last_seen: None,
            profile_picture: None,
        }
    }

    #[test]
    fn serves_what_was_stored_until_invalidated() {
        let cache = UserCache::<User>::default();
        cache.insert(UserId(1), record(1, "alice"), cache.generation());
        assert_eq!(cache.get(UserId(1)), Some(record(1, "alice")));
        cache.invalidate(UserId(1));
        assert_eq!(cache.get(UserId(1)), None);
    }

    #[test]
    fn a_record_read_before_a_write_is_not_stored_after_it() {
        let cache = UserCache::<User>::default();
        let before_read = cache.generation();
        cache.invalidate(UserId(1));
        cache.insert(UserId(1), record(1, "stale"), before_read);
        assert_eq!(cache.get(UserId(1)), None);
        // Another user's write counts too: a generation is not per user.
        let before_read = cache.generation();
        cache.invalidate_all();
        cache.insert(UserId(2), record(2, "stale"), before_read);
        assert_eq!(cache.get(UserId(2)), None);
    }

    #[test]
    fn records_expire() {
        let cache = UserCache::<User>::new(Duration::from_millis(50));
        cache.insert(UserId(1), record(1, "alice"), cache.generation());
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(cache.get(UserId(1)), None);
    }
}
