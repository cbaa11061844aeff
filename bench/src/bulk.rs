//! Accounts in bulk for the curves: signing up 19,000 people through the API costs two argon2
//! hashes each (minutes on 2 cores). Here one account is signed up through the API and the rest
//! are written straight into the server's database as copies of its row (same columns, same
//! password hash), with access tokens signed by the bench with the server's `SECRET_KEY`, as the
//! server signs them. Bench only: nothing in the product takes this path.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use jsonwebtoken::{EncodingKey, Header};
use serde::Serialize;
use sqlx::{any::AnyPoolOptions, AnyPool, Row};

use app::protocol::UserId;

use crate::client::{Account, Api};

/// Rows per INSERT: 7 parameters each stays under SQLite's 32,766.
const ROWS_PER_INSERT: usize = 500;

/// Lifetime of the minted tokens: longer than any curve run.
const TOKEN_TTL_SECS: i64 = 6 * 3600;

/// The server's access token claims (server/src/auth/jwt.rs).
#[derive(Serialize)]
struct Claims {
    token_type: &'static str,
    user_id: UserId,
    jti: String,
    iat: i64,
    exp: i64,
}

/// Where the server keeps its users, and the key it signs tokens with.
pub struct Direct {
    pub database_url: String,
    pub secret_key: String,
}

/// `count` accounts named `{prefix}{i}`: the first through the API, the rest copied from it.
pub async fn accounts(
    api: &Api,
    direct: &Direct,
    prefix: &str,
    count: usize,
) -> Result<Vec<Account>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let template = api.create_account(&format!("{prefix}0")).await?;
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&direct.database_url)
        .await
        .context("connecting to the server's database")?;
    let hash: String = sqlx::query("SELECT password_hash FROM users WHERE id = ?")
        .bind(template.id.0)
        .fetch_one(&pool)
        .await?
        .try_get(0)?;
    let now = unix_now();
    let names: Vec<String> = (1..count).map(|i| format!("{prefix}{i}")).collect();
    for batch in names.chunks(ROWS_PER_INSERT) {
        insert_users(&pool, batch, &hash, now * 1000).await?;
    }
    let rows = sqlx::query("SELECT id, username FROM users WHERE username_key LIKE ?")
        .bind(format!("{}%", prefix.to_lowercase()))
        .fetch_all(&pool)
        .await?;
    pool.close().await;
    let mut ids = vec![None; count];
    for row in rows {
        let (id, name): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
        if let Some(i) = name
            .strip_prefix(prefix)
            .and_then(|i| i.parse::<usize>().ok())
        {
            if let Some(slot) = ids.get_mut(i) {
                *slot = Some(UserId(id));
            }
        }
    }
    let key = EncodingKey::from_secret(direct.secret_key.as_bytes());
    let mut accounts = Vec::with_capacity(count);
    accounts.push(template);
    for (i, id) in ids.into_iter().enumerate().skip(1) {
        let Some(id) = id else {
            bail!("bulk account {prefix}{i} was not written");
        };
        accounts.push(Account {
            id,
            token: mint(&key, id, i, now)?,
        });
    }
    Ok(accounts)
}

async fn insert_users(pool: &AnyPool, names: &[String], hash: &str, now_ms: i64) -> Result<()> {
    let values = vec!["(?, ?, ?, ?, ?, 0, ?)"; names.len()].join(", ");
    let sql = format!(
        "INSERT INTO users (username, username_key, email, email_key, password_hash, is_online, \
         created_at) VALUES {values}"
    );
    let mut insert = sqlx::query(&sql);
    for name in names {
        let email = format!("{name}@bench.test");
        insert = insert
            .bind(name.clone())
            .bind(name.to_lowercase())
            .bind(email.clone())
            .bind(email.to_lowercase())
            .bind(hash.to_owned())
            .bind(now_ms);
    }
    insert.execute(pool).await?;
    Ok(())
}

fn mint(key: &EncodingKey, user_id: UserId, i: usize, now: i64) -> Result<String> {
    let claims = Claims {
        token_type: "access",
        user_id,
        jti: format!("bulk{i}x{now}"),
        iat: now,
        exp: now + TOKEN_TTL_SECS,
    };
    Ok(jsonwebtoken::encode(&Header::default(), &claims, key)?)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
