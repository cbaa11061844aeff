//! The `users` table.

use app::protocol::UserId;

use super::Db;

const USER_COLUMNS: &str =
    "id, username, email, password_hash, is_online, last_seen, profile_picture";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub is_online: i64,
    pub last_seen: Option<i64>,
    pub profile_picture: Option<String>,
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub now: i64,
}

/// Which unique column an insert collided with.
#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("username taken")]
    UsernameTaken,
    #[error("email taken")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The case-insensitive key uniqueness is checked on.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

impl Db {
    pub async fn insert_user(&self, user: NewUser<'_>) -> Result<UserId, InsertUserError> {
        let sql = self.returning_id(
            "INSERT INTO users (username, username_key, email, email_key, password_hash, \
             is_online, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
        );
        let insert = sqlx::query(&sql)
            .bind(user.username)
            .bind(fold(user.username))
            .bind(user.email)
            .bind(fold(user.email))
            .bind(user.password_hash)
            .bind(user.now);
        match self.insert_returning_id(insert).await {
            Ok(id) => Ok(UserId(id)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                // SQLite names the column, MySQL the index: both contain "email_key".
                if e.message().contains("email_key") {
                    Err(InsertUserError::EmailTaken)
                } else {
                    Err(InsertUserError::UsernameTaken)
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn user(&self, id: UserId) -> sqlx::Result<Option<UserRow>> {
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await
    }

    pub async fn user_by_username(&self, username: &str) -> sqlx::Result<Option<UserRow>> {
        sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username_key = ?"
        ))
        .bind(fold(username))
        .fetch_optional(self.pool())
        .await
    }

    pub async fn username_exists(&self, username: &str) -> sqlx::Result<bool> {
        self.key_exists("username_key", username).await
    }

    pub async fn email_exists(&self, email: &str) -> sqlx::Result<bool> {
        self.key_exists("email_key", email).await
    }

    async fn key_exists(&self, column: &'static str, value: &str) -> sqlx::Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar(&format!("SELECT id FROM users WHERE {column} = ?"))
                .bind(fold(value))
                .fetch_optional(self.pool())
                .await?;
        Ok(found.is_some())
    }

    /// Sets the presence flag and stamps `last_seen`; false if the user does not exist.
    pub async fn set_presence(&self, id: UserId, online: bool, now: i64) -> sqlx::Result<bool> {
        let done = sqlx::query("UPDATE users SET is_online = ?, last_seen = ? WHERE id = ?")
            .bind(i64::from(online))
            .bind(now)
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Marks everyone marked online offline, stamping `last_seen`; returns how many were.
    pub async fn set_all_offline(&self, now: i64) -> sqlx::Result<u64> {
        let done = sqlx::query("UPDATE users SET is_online = 0, last_seen = ? WHERE is_online = 1")
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn set_password_hash(&self, id: UserId, hash: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(hash)
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Deletes a user with every row that names them: their calls (with their signaling log,
    /// messages and reports, so the other parties' histories lose them too), contacts, blocks and
    /// availability requests either way, refresh tokens and picture. One transaction: a
    /// failure leaves the user whole.
    pub async fn delete_user(&self, id: UserId) -> sqlx::Result<()> {
        let mut tx = self.pool().begin().await?;
        for statement in [
            "DELETE FROM call_signals WHERE call_id IN \
             (SELECT id FROM calls WHERE caller_id = ? OR receiver_id = ?)",
            "DELETE FROM call_messages WHERE call_id IN \
             (SELECT id FROM calls WHERE caller_id = ? OR receiver_id = ?)",
            "DELETE FROM call_reports WHERE call_id IN \
             (SELECT id FROM calls WHERE caller_id = ? OR receiver_id = ?)",
            "DELETE FROM calls WHERE caller_id = ? OR receiver_id = ?",
            "DELETE FROM contacts WHERE owner_id = ? OR contact_id = ?",
            "DELETE FROM blocks WHERE blocker_id = ? OR blocked_id = ?",
            "DELETE FROM availability_requests WHERE watcher_id = ? OR target_id = ?",
        ] {
            sqlx::query(statement)
                .bind(id.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        for statement in [
            "DELETE FROM refresh_tokens WHERE user_id = ?",
            "DELETE FROM pictures WHERE user_id = ?",
            "DELETE FROM users WHERE id = ?",
        ] {
            sqlx::query(statement).bind(id.0).execute(&mut *tx).await?;
        }
        tx.commit().await
    }
}

/// Makes `%`, `_` and the escape character itself match literally in a LIKE pattern.
pub(super) fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            escaped.push('!');
        }
        escaped.push(c);
    }
    escaped
}
