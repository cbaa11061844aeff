//! Locks that span every instance sharing the database: MariaDB/MySQL named locks
//! (`GET_LOCK`), held by one connection, released with it. The database decides, so instances
//! need no other coordinator for their critical sections.

use std::time::Duration;

use sqlx::{pool::PoolConnection, Any};

use app::protocol::UserId;

use super::{Backend, Db};

/// How long a start waits for another start involving the same user.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Named locks on a connection of their own; dropping it releases them all.
pub struct UserLocks {
    // Closed, not pooled, when dropped: the server then releases every lock it held, also when
    // the holder was cancelled halfway (a client that went away).
    _conn: PoolConnection<Any>,
}

impl Db {
    /// Locks `users` for a call start across instances, lowest id first so two starts cannot
    /// deadlock. None on SQLite: one process owns a SQLite file, and it locks in memory.
    pub async fn lock_users(&self, users: [UserId; 2]) -> anyhow::Result<Option<UserLocks>> {
        if self.backend != Backend::MySql {
            return Ok(None);
        }
        let mut ids: Vec<i64> = users.iter().map(|u| u.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut conn = self.pool.acquire().await?;
        conn.close_on_drop();
        for id in ids {
            // Named locks are server-wide: the database name keeps two databases apart.
            let got: Option<i64> =
                sqlx::query_scalar("SELECT GET_LOCK(CONCAT(DATABASE(), ':call-start:', ?), ?)")
                    .bind(id)
                    .bind(i64::try_from(LOCK_WAIT.as_secs()).unwrap_or(i64::MAX))
                    .fetch_one(&mut *conn)
                    .await?;
            if got != Some(1) {
                anyhow::bail!("timed out waiting for the call start lock of user {id}");
            }
        }
        Ok(Some(UserLocks { _conn: conn }))
    }
}
