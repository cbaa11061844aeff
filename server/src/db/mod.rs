//! Persistence: one code path for SQLite and MySQL/MariaDB through `sqlx::Any`.
//!
//! `Any` carries only plain types, so timestamps are stored as epoch milliseconds and booleans as
//! integers; the JSON layer formats them. All SQL lives in this module tree.

pub mod calls;
pub mod locks;
pub mod missed;
pub mod people;
pub mod pictures;
pub mod reports;
pub mod tokens;
pub mod users;

use std::{str::FromStr, sync::Arc, time::Duration};

use anyhow::Context;
use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
    AnyPool, ConnectOptions, Executor, Row,
};
use tokio::sync::Semaphore;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static MYSQL_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/mysql");

/// How long a request waits for a pooled connection before the database counts as unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Pooled MariaDB/MySQL connections.
const MYSQL_CONNECTIONS: u32 = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    MySql,
}

impl Backend {
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("mysql:") || url.starts_with("mariadb:") {
            Ok(Self::MySql)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite: or mysql:")
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::MySql => "mysql",
        }
    }
}

/// The connection pool plus the dialect it speaks.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Call starts that may hold named locks at once (`locks.rs`).
    lock_slots: Arc<Semaphore>,
}

impl Db {
    /// Connects, creating the SQLite file (and its directory) on first start.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = url.replacen("mariadb:", "mysql:", 1);
        if backend == Backend::Sqlite {
            create_sqlite_dir(&url)?;
        }
        let options = AnyConnectOptions::from_str(&url)
            .context("invalid DATABASE_URL")?
            .log_statements(tracing::log::LevelFilter::Trace);
        let pool_options = AnyPoolOptions::new().acquire_timeout(ACQUIRE_TIMEOUT);
        let pool_options = match backend {
            // One writer at a time is SQLite's model; WAL lets readers go on meanwhile, and the
            // busy timeout makes concurrent writers queue instead of failing "database is locked".
            Backend::Sqlite => pool_options.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::MySql => pool_options.max_connections(MYSQL_CONNECTIONS),
        };
        let pool = pool_options
            .connect_with(options)
            .await
            .with_context(|| format!("cannot connect to the {} database", backend.name()))?;
        Ok(Self {
            pool,
            backend,
            lock_slots: Arc::new(Semaphore::new(locks::slots(MYSQL_CONNECTIONS))),
        })
    }

    /// Applies pending migrations of this backend's dialect.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::MySql => &MYSQL_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .context("database migration failed")
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// `insert` (an INSERT statement) made to answer with the new row's id on SQLite, whose
    /// `Any` driver does not report it: one statement instead of a second query for
    /// `last_insert_rowid()`. MySQL reports it with the result (and has no RETURNING).
    pub(crate) fn returning_id(&self, insert: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("{insert} RETURNING id"),
            Backend::MySql => insert.to_owned(),
        }
    }

    /// Runs an INSERT made with [`Db::returning_id`] and returns the new row's id.
    pub(crate) async fn insert_returning_id<'q>(
        &self,
        insert: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::Result<i64> {
        match self.backend {
            Backend::Sqlite => insert.fetch_one(&self.pool).await?.try_get(0),
            Backend::MySql => insert
                .execute(&self.pool)
                .await?
                .last_insert_id()
                .ok_or_else(|| sqlx::Error::Protocol("no id for the inserted row".into())),
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Whether an INSERT added its row: false when it found its primary key taken.
fn inserted<T>(result: sqlx::Result<T>) -> sqlx::Result<bool> {
    match result {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(error) => Err(error),
    }
}

fn create_sqlite_dir(url: &str) -> anyhow::Result<()> {
    let path = url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(dir) = std::path::Path::new(path).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create database directory {}", dir.display()))?;
        }
    }
    Ok(())
}
