//! Locks that span every instance sharing the database: MariaDB/MySQL named locks
//! (`GET_LOCK`), held by one connection. The database decides, so instances need no other
//! coordinator for their critical sections.

use std::time::Duration;

use sqlx::{pool::PoolConnection, Any, Row};
use tokio::sync::OwnedSemaphorePermit;

use app::protocol::UserId;

use super::{Backend, Db};

/// How long a start waits for another start involving the same user.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// How many call starts may hold named locks at once with a pool of `connections`: half of it.
/// A holder keeps its lock connection and needs another for the start's queries; had the holders
/// every pooled connection, each would wait for a second one until the acquire timeout (64
/// concurrent starts on a pool of 32 failed that way: bench/, rest).
pub(super) fn slots(connections: u32) -> usize {
    usize::try_from(connections / 2).unwrap_or(1).max(1)
}

/// Named locks, one per user id, on a connection of their own. Release them with
/// [`UserLocks::release`]; if they are dropped instead (the holder was cancelled halfway, a
/// client that went away), the connection is closed rather than pooled and the server releases
/// them with it.
pub struct UserLocks {
    conn: Option<PoolConnection<Any>>,
    /// How many of the named locks were taken.
    held: usize,
    _slot: OwnedSemaphorePermit,
}

impl Db {
    /// Locks `users` for a call start across instances, lowest id first so two starts cannot
    /// deadlock. None on SQLite: one process owns a SQLite file, and it locks in memory.
    ///
    /// Errors are the database's: a lock not taken in time is `PoolTimedOut` (the database is
    /// saturated: the client is told to retry, 503), and the database down fails the pool's
    /// acquire as it would fail any query.
    pub async fn lock_users(&self, users: [UserId; 2]) -> sqlx::Result<Option<UserLocks>> {
        if self.backend != Backend::MySql {
            return Ok(None);
        }
        let mut ids: Vec<i64> = users.iter().map(|u| u.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let slot = tokio::time::timeout(LOCK_WAIT, self.lock_slots.clone().acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        // Held by `locks` from here: dropped on an error, it closes the connection and the
        // server releases whatever was taken.
        let mut locks = UserLocks {
            conn: None,
            held: 0,
            _slot: slot,
        };
        let conn = locks.conn.insert(self.pool.acquire().await?);
        // Every lock in one statement, one round trip (a call start's named locks were two of
        // its nine statements on MariaDB: README, Benchmarks). The select list is evaluated in
        // order, lowest id first; should two starts still cross, MariaDB's deadlock detection
        // fails one of them rather than leaving both waiting.
        let one = "GET_LOCK(CONCAT(DATABASE(), ':call-start:', ?), ?)";
        let sql = format!("SELECT {}", vec![one; ids.len()].join(", "));
        let wait = i64::try_from(LOCK_WAIT.as_secs()).unwrap_or(i64::MAX);
        let mut query = sqlx::query(&sql);
        for id in &ids {
            query = query.bind(*id).bind(wait);
        }
        let row = query.fetch_one(&mut **conn).await?;
        for (column, id) in ids.iter().enumerate() {
            let got: Option<i64> = row.try_get(column)?;
            if got != Some(1) {
                tracing::warn!(user = id, "timed out waiting for a call start lock");
                return Err(sqlx::Error::PoolTimedOut);
            }
            locks.held += 1;
        }
        Ok(Some(locks))
    }
}

impl UserLocks {
    /// Releases the locks (every named lock of this connection, in one statement: it holds no
    /// others) and returns the connection to the pool.
    pub async fn release(mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        if self.held == 0 {
            return;
        }
        if let Err(error) = sqlx::query("SELECT RELEASE_ALL_LOCKS()")
            .execute(&mut *conn)
            .await
        {
            tracing::warn!(%error, "cannot release the call start locks; closing their connection");
            conn.close_on_drop();
        }
    }
}

impl Drop for UserLocks {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            conn.close_on_drop();
        }
    }
}
