//! Test harness: starts the real server on port 0 with its own fresh database, on SQLite or on
//! MariaDB, and offers typed helpers. `backend_tests!` runs one test body on both backends.

#![allow(dead_code)] // each test binary uses its own subset of the helpers

pub mod process;
pub mod socket;

use std::{net::SocketAddr, path::PathBuf, process::Command, sync::Arc, time::Duration};

use app::protocol::{Call, CallType, TokenPair, User};
use serde_json::{json, Value};
use server::{
    calls::Calls,
    clock::{Clock, ManualClock, SystemClock},
    config::Config,
    db::Db,
    hub::Hub,
    people::People,
    Application,
};

/// Every test user's password: passes Django's validators.
pub const PASSWORD: &str = "violet-kettle-42";

/// The MariaDB server tests create their databases on (override with `TEST_MYSQL_URL`).
fn mysql_admin_url() -> String {
    std::env::var("TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    MariaDb,
}

/// A database that exists for one test and is removed when dropped, even if the test panics.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(tempfile::TempDir),
    Schema(String),
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path: PathBuf = dir.path().join("test.db");
                Self {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    cleanup: Cleanup::File(dir),
                }
            }
            Backend::MariaDb => {
                let admin = admin_db().await;
                let name = format!("callhub_test_{}", uuid::Uuid::new_v4().simple());
                sqlx::query(&format!("CREATE DATABASE `{name}`"))
                    .execute(admin.pool())
                    .await
                    .expect("create test database");
                admin.close().await;
                let base = mysql_admin_url();
                let server = base.rsplit_once('/').map_or(base.as_str(), |(s, _)| s);
                Self {
                    url: format!("{server}/{name}"),
                    cleanup: Cleanup::Schema(name),
                }
            }
        }
    }

    /// A migrated pool on this database.
    pub async fn connect(&self) -> Db {
        let db = Db::connect(&self.url).await.expect("connect test database");
        db.migrate().await.expect("migrate test database");
        db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Schema(name) = &self.cleanup {
            let name = name.clone();
            // Drop runs outside async context; a private runtime on its own thread does the I/O.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async move {
                    let admin = admin_db().await;
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS `{name}`"))
                        .execute(admin.pool())
                        .await;
                    admin.close().await;
                });
            })
            .join();
        }
    }
}

/// Starts the local MariaDB server (TOOLCHAIN.md's command); does nothing if it runs.
pub fn start_mariadb() {
    let _ = Command::new("start-stop-daemon")
        .args([
            "--start",
            "--oknodo",
            "--background",
            "--exec",
            "/usr/sbin/mariadbd",
        ])
        .status();
}

/// Connects to MariaDB, starting the local server once if it is down.
async fn admin_db() -> Db {
    if let Ok(db) = Db::connect(&mysql_admin_url()).await {
        return db;
    }
    start_mariadb();
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Ok(db) = Db::connect(&mysql_admin_url()).await {
            return db;
        }
    }
    panic!("MariaDB is not reachable at {}", mysql_admin_url());
}

/// A running server and a client for it.
pub struct TestApp {
    pub addr: SocketAddr,
    /// `/metrics`'s own listener, when the configuration has `METRICS_ADDR`.
    pub metrics_addr: Option<SocketAddr>,
    pub client: reqwest::Client,
    pub db: Db,
    /// The configuration the server was built with (to build another on the same database).
    pub config: Config,
    /// The server's call service and hub, for driving the sweeper and watching events.
    pub calls: Calls,
    pub hub: Arc<dyn Hub>,
    /// The server's people service, for driving the do-not-disturb sweep.
    pub people: People,
    /// Shared by the instances of a group ([`TestApp::sibling`]).
    database: Arc<TestDb>,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server whose configuration `adjust` may change first.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_full(backend, adjust, Arc::new(SystemClock)).await
    }

    /// Starts a server whose time moves only when the test advances `clock`.
    pub async fn spawn_with_clock(backend: Backend, clock: ManualClock) -> Self {
        Self::spawn_full(backend, |_| {}, Arc::new(clock)).await
    }

    async fn spawn_full(
        backend: Backend,
        adjust: impl FnOnce(&mut Config),
        clock: Arc<dyn Clock>,
    ) -> Self {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
            .with_test_writer()
            .try_init();
        let database = Arc::new(TestDb::new(backend).await);
        let mut config = Config::from_defaults();
        config.database_url = Some(database.url.clone());
        config.secret_key = Some("integration-test-secret-integration-test".into());
        config.bind_addr = Some("127.0.0.1:0".parse().expect("addr"));
        // Offline at once when the last socket closes; the grace has its own test.
        config.presence_grace_secs = 0;
        // Tests sign up, upload and call far faster than people; the limits have their own
        // tests (abuse.rs), which set them back.
        lift_rate_limits(&mut config);
        adjust(&mut config);
        Self::start(config, database, clock).await
    }

    /// Starts an instance of a group sharing a fresh MariaDB database and the Redis at
    /// `redis_url`, under a channel and key prefix of its own (so parallel tests do not meet).
    pub async fn spawn_clustered(redis_url: &str) -> Self {
        let group = format!("callhub-test-{}", uuid::Uuid::new_v4().simple());
        Self::spawn_with(Backend::MariaDb, |config| {
            config.redis_url = Some(redis_url.to_owned());
            config.redis_prefix = group;
        })
        .await
    }

    /// Another instance on this one's database, with the same configuration (and so the same
    /// Redis group, if any).
    pub async fn sibling(&self) -> Self {
        self.sibling_with(|_| {}).await
    }

    /// [`TestApp::sibling`] with a configuration `adjust` may change first.
    pub async fn sibling_with(&self, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = self.config.clone();
        adjust(&mut config);
        Self::start(config, self.database.clone(), Arc::new(SystemClock)).await
    }

    async fn start(mut config: Config, database: Arc<TestDb>, clock: Arc<dyn Clock>) -> Self {
        let db = database.connect().await;
        let data_dir = tempfile::tempdir().expect("data dir");
        config.data_dir = data_dir.path().to_path_buf();
        let app = Application::with_clock(config.clone(), db.clone(), clock)
            .await
            .expect("build app");
        let addr = app.local_addr();
        let metrics_addr = app.metrics_addr();
        let calls = app.calls().clone();
        let hub = app.hub().clone();
        let people = app.people().clone();
        tokio::spawn(app.run_until_stopped(std::future::pending()));
        Self {
            addr,
            metrics_addr,
            client: reqwest::Client::new(),
            db,
            config,
            calls,
            hub,
            people,
            database,
            _data_dir: data_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_auth(&self, path: &str, access: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(access)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_auth(&self, path: &str, access: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(access)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch_auth(&self, path: &str, access: &str, body: &Value) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(access)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete_auth(&self, path: &str, access: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(access)
            .send()
            .await
            .expect("request")
    }

    /// Registers `username` with [`PASSWORD`] and returns the created user.
    pub async fn register(&self, username: &str) -> User {
        let response = self
            .post_json(
                "/api/users/",
                &json!({"username": username, "email": format!("{username}@example.com"),
                        "password": PASSWORD, "password_confirm": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), 201, "register {username}");
        response.json().await.expect("user json")
    }

    pub async fn login(&self, username: &str) -> TokenPair {
        let response = self
            .post_json(
                "/api/token/",
                &json!({"username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), 200, "login {username}");
        response.json().await.expect("token json")
    }

    /// Registers and signs in: the user and an access token.
    pub async fn user(&self, username: &str) -> (User, String) {
        let user = self.register(username).await;
        let tokens = self.login(username).await;
        (user, tokens.access)
    }

    /// `caller` calls `receiver`: asserts 201 and returns the call.
    pub async fn start_call(&self, caller: &str, receiver: &User, call_type: CallType) -> Call {
        let response = self
            .post_auth(
                "/api/calls/",
                caller,
                &json!({"receiver": receiver.id, "call_type": call_type}),
            )
            .await;
        assert_eq!(
            response.status(),
            201,
            "start call to {}",
            receiver.username
        );
        response.json().await.expect("call json")
    }

    /// `POST /api/calls/{id}/{action}/` as the holder of `access`.
    pub async fn call_action(
        &self,
        id: impl std::fmt::Display,
        action: &str,
        access: &str,
    ) -> reqwest::Response {
        self.post_auth(&format!("/api/calls/{id}/{action}/"), access, &json!({}))
            .await
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }
}

/// Expands one async test body `|app: TestApp| { ... }` into a SQLite and a MariaDB test.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident => $body:expr;)+) => {
        mod sqlite {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let app = $crate::common::TestApp::spawn($crate::common::Backend::Sqlite).await;
                ($body)(app).await;
            })+
        }
        mod mariadb {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let app = $crate::common::TestApp::spawn($crate::common::Backend::MariaDb).await;
                ($body)(app).await;
            })+
        }
    };
}

/// Like `backend_tests!`, with a server from `$spawn` (a non-default configuration).
#[macro_export]
macro_rules! tests_with {
    ($spawn:ident => $sqlite:ident, $mariadb:ident: $($name:ident),+) => {
        mod $sqlite {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($spawn($crate::common::Backend::Sqlite).await).await;
            })+
        }
        mod $mariadb {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($spawn($crate::common::Backend::MariaDb).await).await;
            })+
        }
    };
}

/// Like `backend_tests!` for bodies that move time: `|app: TestApp, clock: ManualClock|`.
#[macro_export]
macro_rules! clock_tests {
    ($($name:ident => $body:expr;)+) => {
        mod sqlite_clock {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let clock = server::clock::ManualClock::new();
                let app = $crate::common::TestApp::spawn_with_clock($crate::common::Backend::Sqlite, clock.clone()).await;
                ($body)(app, clock).await;
            })+
        }
        mod mariadb_clock {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let clock = server::clock::ManualClock::new();
                let app = $crate::common::TestApp::spawn_with_clock($crate::common::Backend::MariaDb, clock.clone()).await;
                ($body)(app, clock).await;
            })+
        }
    };
}

/// Limits no test meets by accident.
pub fn lift_rate_limits(config: &mut Config) {
    config.signups_per_ip_per_hour = 1_000_000;
    config.picture_uploads_per_hour = 1_000_000;
    config.call_starts_per_minute = 1_000_000;
    config.call_starts_per_pair_per_hour = 1_000_000;
    config.people_writes_per_minute = 1_000_000;
}

/// The same as environment variables, for a server started as a process.
pub const LIFTED_RATE_LIMITS: [(&str, &str); 5] = [
    ("SIGNUPS_PER_IP_PER_HOUR", "1000000"),
    ("PICTURE_UPLOADS_PER_HOUR", "1000000"),
    ("CALL_STARTS_PER_MINUTE", "1000000"),
    ("CALL_STARTS_PER_PAIR_PER_HOUR", "1000000"),
    ("PEOPLE_WRITES_PER_MINUTE", "1000000"),
];
