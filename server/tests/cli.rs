//! The server binary's command line, run as a process the way an operator runs it: one test per
//! subcommand, the ones that write on both backends.

mod common;

use std::{
    io::Write,
    path::Path,
    process::{Command, Output, Stdio},
};

use app::protocol::{CallId, CallStatus, CallType, EndReason, UserId};
use common::{process::ServerProcess, Backend, TestDb, PASSWORD};
use server::{
    auth::password::Passwords,
    db::{calls::NewCall, Db},
};

/// Runs `callhub args...` in `dir` (no `.env` of the checkout applies) on `database_url`, with
/// `stdin` as its standard input and `env` added.
fn callhub(
    dir: &Path,
    database_url: &str,
    args: &[&str],
    stdin: &str,
    env: &[(&str, &str)],
) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env_clear()
        .current_dir(dir)
        .env("DATA_DIR", dir)
        .env("DATABASE_URL", database_url)
        .env("STUN_URLS", "")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server binary");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for the binary")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status,
        stdout(output),
        stderr(output)
    );
}

#[track_caller]
fn assert_fails_saying(output: &Output, words: &str) {
    assert!(!output.status.success(), "succeeded: {}", stdout(output));
    assert!(
        stderr(output).contains(words),
        "stderr without {words:?}: {}",
        stderr(output)
    );
}

/// A fresh database on `backend` and a working directory for the binary.
async fn setup(backend: Backend) -> (TestDb, tempfile::TempDir) {
    (
        TestDb::new(backend).await,
        tempfile::tempdir().expect("dir"),
    )
}

#[test]
fn help_documents_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let url = "sqlite://unused.db";
    let help = callhub(dir.path(), url, &["--help"], "", &[]);
    assert_ok(&help);
    for command in [
        "serve",
        "migrate",
        "check-config",
        "user",
        "calls",
        "version",
    ] {
        assert!(
            stdout(&help).contains(command),
            "{command}: {}",
            stdout(&help)
        );
    }
    let help = callhub(dir.path(), url, &["user", "--help"], "", &[]);
    for command in ["create", "delete", "set-password"] {
        assert!(
            stdout(&help).contains(command),
            "{command}: {}",
            stdout(&help)
        );
    }
    let help = callhub(dir.path(), url, &["calls", "purge", "--help"], "", &[]);
    assert!(stdout(&help).contains("--older-than"), "{}", stdout(&help));
    let unknown = callhub(dir.path(), url, &["frobnicate"], "", &[]);
    assert_fails_saying(&unknown, "unrecognized subcommand");
}

#[test]
fn version_prints_the_package_version() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["version"][..], &["--version"]] {
        let output = callhub(dir.path(), "sqlite://unused.db", args, "", &[]);
        assert_ok(&output);
        assert_eq!(
            stdout(&output).trim(),
            format!("callhub {}", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn check_config_masks_secrets_and_says_what_production_needs() {
    let dir = tempfile::tempdir().unwrap();
    let output = callhub(
        dir.path(),
        "mysql://callhub:db-pass-1@db.internal:3306/callhub",
        &["check-config"],
        "",
        &[
            ("SECRET_KEY", "jwt-secret-jwt-secret-jwt-secret-0001"),
            ("REDIS_URL", "rediss://:redis-pass-2@cache:6380"),
            ("TURN_SERVER", "turn:turn.example.com:3478"),
            ("TURN_SECRET", "turn-secret-3"),
            ("RING_TIMEOUT_SECS", "30"),
        ],
    );
    assert_ok(&output);
    let text = stdout(&output);
    for secret in ["jwt-secret", "db-pass-1", "redis-pass-2", "turn-secret-3"] {
        assert!(!text.contains(secret), "{secret} shown: {text}");
    }
    for line in [
        "SECRET_KEY=(set, hidden)",
        "TURN_SECRET=(set, hidden)",
        "DATABASE_URL=mysql://callhub:****@db.internal:3306/callhub",
        "REDIS_URL=rediss://:****@cache:6380",
        "RING_TIMEOUT_SECS=30",
        "ACCESS_TTL=300",
        "TURN_USERNAME=(unset)",
        "missing for production:",
        "APP_ENV=production",
    ] {
        assert!(text.contains(line), "{line:?} not in: {text}");
    }
    assert!(!text.contains("SECRET_KEY of at least"), "{text}");
}

#[test]
fn check_config_fails_when_the_server_would_refuse_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = "sqlite://unused.db";
    let output = callhub(
        dir.path(),
        url,
        &["check-config"],
        "",
        &[("APP_ENV", "production")],
    );
    assert_fails_saying(&output, "SECRET_KEY is required");
    assert!(stdout(&output).contains("SECRET_KEY of at least 32 characters"));
    let output = callhub(
        dir.path(),
        url,
        &["check-config"],
        "",
        &[("TRUSTED_PROXIES", "10.0.0.0/99")],
    );
    assert_fails_saying(&output, "TRUSTED_PROXIES");
    let output = callhub(
        dir.path(),
        url,
        &["check-config"],
        "",
        &[("ACCESS_TTL", "soon")],
    );
    assert_fails_saying(&output, "invalid configuration");
}

#[test]
fn env_file_settings_apply_and_the_environment_wins() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("callhub.env");
    std::fs::write(&file, "RING_TIMEOUT_SECS=17\nACCESS_TTL=120\n").unwrap();
    let file = file.to_str().unwrap();
    let output = callhub(
        dir.path(),
        "sqlite://unused.db",
        &["--env-file", file, "check-config"],
        "",
        &[("ACCESS_TTL", "90")],
    );
    assert_ok(&output);
    assert!(
        stdout(&output).contains("RING_TIMEOUT_SECS=17"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("ACCESS_TTL=90"),
        "{}",
        stdout(&output)
    );
    let missing = callhub(
        dir.path(),
        "sqlite://unused.db",
        &["check-config", "--env-file", "/nonexistent/callhub.env"],
        "",
        &[],
    );
    assert_fails_saying(
        &missing,
        "cannot read settings from /nonexistent/callhub.env",
    );
}

/// `serve` named explicitly is what runs with no command (the other process tests).
#[tokio::test]
async fn serve_answers_health() {
    let (database, dir) = setup(Backend::Sqlite).await;
    let server =
        ServerProcess::start_with_args(dir.path(), &database.url, "serve.log", &[], &["serve"])
            .await;
    let health = reqwest::get(server.url("/api/health/")).await.unwrap();
    assert_eq!(health.status(), 200);
}

async fn migrate_creates_the_schema(backend: Backend) {
    let (database, dir) = setup(backend).await;
    let db = Db::connect(&database.url).await.unwrap();
    let users = "SELECT COUNT(*) FROM users";
    assert!(sqlx::query(users).execute(db.pool()).await.is_err());
    let output = callhub(dir.path(), &database.url, &["migrate"], "", &[]);
    assert_ok(&output);
    assert!(stdout(&output).contains("migrations applied"));
    let count: i64 = sqlx::query_scalar(users)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
    // Twice is harmless.
    assert_ok(&callhub(dir.path(), &database.url, &["migrate"], "", &[]));
    db.close().await;
}

async fn user_create_set_password_and_delete(backend: Backend) {
    let (database, dir) = setup(backend).await;
    let run = |args: &[&str], stdin: &str| callhub(dir.path(), &database.url, args, stdin, &[]);
    let created = run(
        &["user", "create", "alice", "alice@example.com"],
        &format!("{PASSWORD}\n"),
    );
    assert_ok(&created);
    assert!(stdout(&created).contains("created user alice"));
    assert_ok(&run(
        &["user", "create", "bob", "bob@example.com"],
        &format!("{PASSWORD}\n"),
    ));
    assert_fails_saying(
        &run(
            &["user", "create", "ALICE", "other@example.com"],
            &format!("{PASSWORD}\n"),
        ),
        "already exists",
    );
    assert_fails_saying(
        &run(&["user", "create", "carol", "carol@example.com"], "short\n"),
        "too short",
    );
    assert_fails_saying(
        &run(&["user", "create", "carol", "carol@example.com"], ""),
        "no password",
    );

    let db = database.connect().await;
    let passwords = Passwords::new().unwrap();
    let alice = db.user_by_username("alice").await.unwrap().expect("alice");
    let bob = db.user_by_username("bob").await.unwrap().expect("bob");
    assert!(passwords
        .verify(PASSWORD.into(), Some(alice.password_hash.clone()))
        .await
        .unwrap());
    assert!(db.user_by_username("carol").await.unwrap().is_none());

    // A new password ends the sign-ins made with the old one.
    let far = i64::MAX / 2;
    db.insert_refresh_token("jti-alice", "family", UserId(alice.id), far)
        .await
        .unwrap();
    let new_password = "amber-lantern-77";
    assert_ok(&run(
        &["user", "set-password", "alice"],
        &format!("{new_password}\n"),
    ));
    let hash = db
        .user(UserId(alice.id))
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    assert!(!passwords
        .verify(PASSWORD.into(), Some(hash.clone()))
        .await
        .unwrap());
    assert!(passwords
        .verify(new_password.into(), Some(hash))
        .await
        .unwrap());
    let token = db.refresh_token("jti-alice").await.unwrap().unwrap();
    assert!(token.revoked_at.is_some(), "sign-in still valid");
    assert_fails_saying(
        &run(&["user", "set-password", "alice"], "alice\n"),
        "password:",
    );
    assert_fails_saying(
        &run(&["user", "set-password", "nobody"], "x\n"),
        "User not found",
    );

    // Deleting takes the user's calls with it, and nobody else's account.
    db.insert_call(&NewCall {
        caller: UserId(alice.id),
        receiver: UserId(bob.id),
        call_type: CallType::Audio,
        room_id: "room-1",
        now: 1,
        status: CallStatus::Missed,
        end_reason: Some(EndReason::Timeout),
        screened: false,
    })
    .await
    .unwrap();
    let deleted = run(&["user", "delete", "alice"], "");
    assert_ok(&deleted);
    assert!(stdout(&deleted).contains("deleted user alice"));
    assert!(db.user(UserId(alice.id)).await.unwrap().is_none());
    assert!(db.user(UserId(bob.id)).await.unwrap().is_some());
    let calls: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calls")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(calls, 0);
    assert_fails_saying(&run(&["user", "delete", "alice"], ""), "User not found");
    db.close().await;
}

async fn calls_purge_deletes_finished_calls_older_than_the_age(backend: Backend) {
    let (database, dir) = setup(backend).await;
    let run = |args: &[&str], stdin: &str| callhub(dir.path(), &database.url, args, stdin, &[]);
    for name in ["alice", "bob"] {
        assert_ok(&run(
            &["user", "create", name, &format!("{name}@example.com")],
            &format!("{PASSWORD}\n"),
        ));
    }
    let db = database.connect().await;
    let id = |name: &'static str| {
        let db = db.clone();
        async move { UserId(db.user_by_username(name).await.unwrap().unwrap().id) }
    };
    let (alice, bob) = (id("alice").await, id("bob").await);
    let day = 86_400_000;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let insert = |room: &'static str, at: i64, status: CallStatus| {
        let db = db.clone();
        async move {
            db.insert_call(&NewCall {
                caller: alice,
                receiver: bob,
                call_type: CallType::Video,
                room_id: room,
                now: at,
                status,
                end_reason: (status == CallStatus::Missed).then_some(EndReason::Timeout),
                screened: false,
            })
            .await
            .unwrap()
        }
    };
    let old_finished = insert("old-finished", now - 40 * day, CallStatus::Missed).await;
    let recent_finished = insert("recent-finished", now - 20 * day, CallStatus::Missed).await;
    let old_live = insert("old-live", now - 40 * day, CallStatus::Initiated).await;
    assert_fails_saying(&run(&["calls", "purge", "--older-than", "30x"], ""), "90d");
    let purged = run(&["calls", "purge", "--older-than", "30d"], "");
    assert_ok(&purged);
    assert!(
        stdout(&purged).contains("deleted 1 finished calls"),
        "{}",
        stdout(&purged)
    );
    let exists = |call: CallId| {
        let db = db.clone();
        async move { db.call(call).await.unwrap().is_some() }
    };
    assert!(!exists(old_finished).await);
    assert!(exists(recent_finished).await);
    assert!(exists(old_live).await, "a live call is never purged");
    db.close().await;
}

macro_rules! on_both_backends {
    ($($name:ident),+) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::Backend::Sqlite).await;
            })+
        }
        mod mariadb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::Backend::MariaDb).await;
            })+
        }
    };
}

on_both_backends!(
    migrate_creates_the_schema,
    user_create_set_password_and_delete,
    calls_purge_deletes_finished_calls_older_than_the_age
);
