//! The `pictures` table: each user's current profile picture (our own PNG), by the file name
//! that `users.profile_picture` holds and the URL carries.

use app::protocol::UserId;

use super::{inserted, Db};

const INSERT_PICTURE: &str =
    "INSERT INTO pictures (name, user_id, content, created_at) VALUES (?, ?, ?, ?)";

/// A picture a user names that the table does not hold yet (a file of an older version).
#[derive(Debug, sqlx::FromRow)]
pub struct MissingPicture {
    pub user_id: i64,
    pub name: String,
}

impl Db {
    /// Stores `content` as the user's picture `name` and makes it theirs; their previous
    /// pictures go. One transaction: readers see the old picture or the new one.
    pub async fn replace_picture(
        &self,
        user: UserId,
        name: &str,
        content: &[u8],
        now: i64,
    ) -> sqlx::Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(INSERT_PICTURE)
            .bind(name)
            .bind(user.0)
            .bind(content)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET profile_picture = ? WHERE id = ?")
            .bind(name)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM pictures WHERE user_id = ? AND name <> ?")
            .bind(user.0)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// The user has no picture any more.
    pub async fn remove_picture(&self, user: UserId) -> sqlx::Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE users SET profile_picture = NULL WHERE id = ?")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM pictures WHERE user_id = ?")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    pub async fn picture(&self, name: &str) -> sqlx::Result<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT content FROM pictures WHERE name = ?")
            .bind(name)
            .fetch_optional(self.pool())
            .await
    }

    /// Pictures users name that the table does not hold.
    pub async fn missing_pictures(&self) -> sqlx::Result<Vec<MissingPicture>> {
        sqlx::query_as(
            "SELECT u.id AS user_id, u.profile_picture AS name FROM users u \
             WHERE u.profile_picture IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM pictures p WHERE p.name = u.profile_picture)",
        )
        .fetch_all(self.pool())
        .await
    }

    /// Stores a picture a user already names; false if another instance stored it first.
    pub async fn import_picture(
        &self,
        user: UserId,
        name: &str,
        content: &[u8],
        now: i64,
    ) -> sqlx::Result<bool> {
        let insert = sqlx::query(INSERT_PICTURE)
            .bind(name)
            .bind(user.0)
            .bind(content)
            .bind(now)
            .execute(self.pool())
            .await;
        inserted(insert)
    }
}
