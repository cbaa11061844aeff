//! The `refresh_tokens` table: one row per issued refresh token, grouped in rotation families.

use app::protocol::UserId;

use super::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefreshRow {
    pub family: String,
    pub user_id: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl Db {
    pub async fn insert_refresh_token(
        &self,
        jti: &str,
        family: &str,
        user: UserId,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO refresh_tokens (jti, family, user_id, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(jti)
        .bind(family)
        .bind(user.0)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn refresh_token(&self, jti: &str) -> sqlx::Result<Option<RefreshRow>> {
        sqlx::query_as(
            "SELECT family, user_id, expires_at, used_at, revoked_at FROM refresh_tokens \
             WHERE jti = ?",
        )
        .bind(jti)
        .fetch_optional(self.pool())
        .await
    }

    /// Marks a token used if it is still fresh; false if another request got there first.
    pub async fn use_refresh_token(&self, jti: &str, now: i64) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET used_at = ? \
             WHERE jti = ? AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(jti)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn revoke_refresh_family(&self, family: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(family)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Revokes every refresh token of a user: all their sign-ins end.
    pub async fn revoke_user_refresh_tokens(&self, user: UserId, now: i64) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(user.0)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
