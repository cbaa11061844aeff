//! The `contacts` and `blocks` tables and the privacy columns of `users`.

use app::protocol::{CallPermission, PresenceVisibility, PrivacySettings, Timestamp, UserId};

use super::{
    inserted,
    users::{escape_like, fold, UserRow},
    Db,
};

/// The user columns of `users u`, as [`UserRow`] reads them.
const USER: &str =
    "u.id, u.username, u.email, u.password_hash, u.is_online, u.last_seen, u.profile_picture";

/// What the presence rule (`privacy::presence_visible`) needs about user `{u}` for one viewer,
/// bound twice as `?`: their setting, whether they blocked the viewer, whether they added them.
pub fn audience_columns(u: &str) -> String {
    format!(
        "{u}.presence_visible_to, \
         EXISTS (SELECT 1 FROM blocks ab WHERE ab.blocker_id = {u}.id AND ab.blocked_id = ?) \
         AS blocked_viewer, \
         EXISTS (SELECT 1 FROM contacts ac WHERE ac.owner_id = {u}.id AND ac.contact_id = ?) \
         AS has_viewer"
    )
}

/// True when user `{u}` is online as the viewer (bound twice as `?`) may see it: SQL for
/// `privacy::presence_visible`, for listings that filter or order by presence.
fn visible_online(u: &str) -> String {
    format!(
        "({u}.is_online = 1 \
         AND NOT EXISTS (SELECT 1 FROM blocks vb WHERE vb.blocker_id = {u}.id \
         AND vb.blocked_id = ?) \
         AND ({u}.presence_visible_to = 'everyone' OR ({u}.presence_visible_to = 'contacts' \
         AND EXISTS (SELECT 1 FROM contacts vc WHERE vc.owner_id = {u}.id \
         AND vc.contact_id = ?))))"
    )
}

/// A user and the facts that decide whether one viewer sees their presence.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeenUserRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub presence_visible_to: String,
    pub blocked_viewer: i64,
    pub has_viewer: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactRow {
    #[sqlx(flatten)]
    pub seen: SeenUserRow,
    pub is_favourite: i64,
    pub added_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BlockRow {
    #[sqlx(flatten)]
    pub seen: SeenUserRow,
    pub blocked_at: i64,
}

/// The privacy columns of a user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PrivacyRow {
    pub who_can_call: String,
    pub presence_visible_to: String,
    pub do_not_disturb: i64,
    pub do_not_disturb_until: Option<i64>,
}

impl PrivacyRow {
    /// None when a stored value is not one of ours.
    pub fn settings(&self) -> Option<PrivacySettings> {
        Some(PrivacySettings {
            who_can_call: CallPermission::parse(&self.who_can_call)?,
            presence_visible_to: PresenceVisibility::parse(&self.presence_visible_to)?,
            do_not_disturb: self.do_not_disturb != 0,
            do_not_disturb_until: self.do_not_disturb_until.map(Timestamp),
        })
    }

    pub fn from_settings(settings: &PrivacySettings) -> Self {
        Self {
            who_can_call: settings.who_can_call.as_str().to_owned(),
            presence_visible_to: settings.presence_visible_to.as_str().to_owned(),
            do_not_disturb: i64::from(settings.do_not_disturb),
            do_not_disturb_until: settings.do_not_disturb_until.map(Timestamp::millis),
        }
    }
}

const PRIVACY: &str = "who_can_call, presence_visible_to, do_not_disturb, do_not_disturb_until";

impl Db {
    /// The users the directory shows `viewer`: everyone but the viewer and those who blocked
    /// them, whose name contains `search`, online first as the viewer may see it. Returns the
    /// total count and one page.
    pub async fn search_users(
        &self,
        viewer: UserId,
        search: &str,
        limit: i64,
        offset: i64,
    ) -> sqlx::Result<(i64, Vec<SeenUserRow>)> {
        let pattern = format!("%{}%", escape_like(&fold(search)));
        let pattern = pattern.as_str();
        let found = "u.id <> ? AND u.username_key LIKE ? ESCAPE '!' AND NOT EXISTS \
             (SELECT 1 FROM blocks xb WHERE xb.blocker_id = u.id AND xb.blocked_id = ?)";
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users u WHERE {found}"))
            .bind(viewer.0)
            .bind(pattern)
            .bind(viewer.0)
            .fetch_one(self.pool())
            .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {USER}, {} FROM users u WHERE {found} \
             ORDER BY CASE WHEN {} THEN 0 ELSE 1 END, u.username_key LIMIT ? OFFSET ?",
            audience_columns("u"),
            visible_online("u"),
        ))
        .bind(viewer.0)
        .bind(viewer.0)
        .bind(viewer.0)
        .bind(pattern)
        .bind(viewer.0)
        .bind(viewer.0)
        .bind(viewer.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        Ok((count, rows))
    }

    /// Users other than `viewer` whom the viewer may see online, by name.
    pub async fn online_users(&self, viewer: UserId) -> sqlx::Result<Vec<UserRow>> {
        sqlx::query_as(&format!(
            "SELECT {USER} FROM users u WHERE u.id <> ? AND {} \
             ORDER BY u.username_key LIMIT 1000",
            visible_online("u")
        ))
        .bind(viewer.0)
        .bind(viewer.0)
        .bind(viewer.0)
        .fetch_all(self.pool())
        .await
    }

    pub async fn contacts_of(&self, owner: UserId) -> sqlx::Result<Vec<ContactRow>> {
        self.contact_rows(owner, None).await
    }

    pub async fn contact(
        &self,
        owner: UserId,
        contact: UserId,
    ) -> sqlx::Result<Option<ContactRow>> {
        Ok(self.contact_rows(owner, Some(contact)).await?.pop())
    }

    async fn contact_rows(
        &self,
        owner: UserId,
        only: Option<UserId>,
    ) -> sqlx::Result<Vec<ContactRow>> {
        let filter = if only.is_some() {
            " AND c.contact_id = ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {USER}, {}, c.is_favourite, c.added_at FROM contacts c \
             JOIN users u ON u.id = c.contact_id WHERE c.owner_id = ?{filter}",
            audience_columns("u")
        );
        let mut query = sqlx::query_as(&sql)
            .bind(owner.0)
            .bind(owner.0)
            .bind(owner.0);
        if let Some(contact) = only {
            query = query.bind(contact.0);
        }
        query.fetch_all(self.pool()).await
    }

    pub async fn count_contacts(&self, owner: UserId) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE owner_id = ?")
            .bind(owner.0)
            .fetch_one(self.pool())
            .await
    }

    /// False when `contact` was a contact already.
    pub async fn insert_contact(
        &self,
        owner: UserId,
        contact: UserId,
        is_favourite: bool,
        now: i64,
    ) -> sqlx::Result<bool> {
        let result = sqlx::query(
            "INSERT INTO contacts (owner_id, contact_id, is_favourite, added_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(owner.0)
        .bind(contact.0)
        .bind(i64::from(is_favourite))
        .bind(now)
        .execute(self.pool())
        .await;
        inserted(result)
    }

    /// False when `contact` is not a contact.
    pub async fn set_favourite(
        &self,
        owner: UserId,
        contact: UserId,
        is_favourite: bool,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE contacts SET is_favourite = ? WHERE owner_id = ? AND contact_id = ?",
        )
        .bind(i64::from(is_favourite))
        .bind(owner.0)
        .bind(contact.0)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// False when `contact` was not a contact.
    pub async fn delete_contact(&self, owner: UserId, contact: UserId) -> sqlx::Result<bool> {
        let done = sqlx::query("DELETE FROM contacts WHERE owner_id = ? AND contact_id = ?")
            .bind(owner.0)
            .bind(contact.0)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The users `blocker` blocked, newest first.
    pub async fn blocks_of(&self, blocker: UserId) -> sqlx::Result<Vec<BlockRow>> {
        self.block_rows(blocker, None).await
    }

    pub async fn block(&self, blocker: UserId, blocked: UserId) -> sqlx::Result<Option<BlockRow>> {
        Ok(self.block_rows(blocker, Some(blocked)).await?.pop())
    }

    async fn block_rows(
        &self,
        blocker: UserId,
        only: Option<UserId>,
    ) -> sqlx::Result<Vec<BlockRow>> {
        let filter = if only.is_some() {
            " AND b.blocked_id = ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {USER}, {}, b.blocked_at FROM blocks b JOIN users u ON u.id = b.blocked_id \
             WHERE b.blocker_id = ?{filter} ORDER BY b.blocked_at DESC, u.id DESC",
            audience_columns("u")
        );
        let mut query = sqlx::query_as(&sql)
            .bind(blocker.0)
            .bind(blocker.0)
            .bind(blocker.0);
        if let Some(blocked) = only {
            query = query.bind(blocked.0);
        }
        query.fetch_all(self.pool()).await
    }

    pub async fn count_blocks(&self, blocker: UserId) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM blocks WHERE blocker_id = ?")
            .bind(blocker.0)
            .fetch_one(self.pool())
            .await
    }

    pub async fn is_blocked(&self, blocker: UserId, blocked: UserId) -> sqlx::Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?")
                .bind(blocker.0)
                .bind(blocked.0)
                .fetch_optional(self.pool())
                .await?;
        Ok(found.is_some())
    }

    /// False when `blocked` was blocked already.
    pub async fn insert_block(
        &self,
        blocker: UserId,
        blocked: UserId,
        now: i64,
    ) -> sqlx::Result<bool> {
        let result =
            sqlx::query("INSERT INTO blocks (blocker_id, blocked_id, blocked_at) VALUES (?, ?, ?)")
                .bind(blocker.0)
                .bind(blocked.0)
                .bind(now)
                .execute(self.pool())
                .await;
        inserted(result)
    }

    /// False when `blocked` was not blocked.
    pub async fn delete_block(&self, blocker: UserId, blocked: UserId) -> sqlx::Result<bool> {
        let done = sqlx::query("DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?")
            .bind(blocker.0)
            .bind(blocked.0)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn privacy(&self, user: UserId) -> sqlx::Result<Option<PrivacyRow>> {
        sqlx::query_as(&format!("SELECT {PRIVACY} FROM users WHERE id = ?"))
            .bind(user.0)
            .fetch_optional(self.pool())
            .await
    }

    pub async fn set_privacy(&self, user: UserId, privacy: &PrivacyRow) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET who_can_call = ?, presence_visible_to = ?, do_not_disturb = ?, \
             do_not_disturb_until = ? WHERE id = ?",
        )
        .bind(privacy.who_can_call.as_str())
        .bind(privacy.presence_visible_to.as_str())
        .bind(privacy.do_not_disturb)
        .bind(privacy.do_not_disturb_until)
        .bind(user.0)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Turns off do-not-disturb whose time has come; returns the users this call changed, so
    /// that each end is announced once even with several sweepers.
    pub async fn expire_do_not_disturb(&self, now: i64) -> sqlx::Result<Vec<UserId>> {
        let due: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, do_not_disturb_until FROM users WHERE do_not_disturb = 1 \
             AND do_not_disturb_until <= ?",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        let mut ended = Vec::new();
        for (id, until) in due {
            let done = sqlx::query(
                "UPDATE users SET do_not_disturb = 0, do_not_disturb_until = NULL \
                 WHERE id = ? AND do_not_disturb = 1 AND do_not_disturb_until = ?",
            )
            .bind(id)
            .bind(until)
            .execute(self.pool())
            .await?;
            if done.rows_affected() > 0 {
                ended.push(UserId(id));
            }
        }
        Ok(ended)
    }

    /// The presence setting, contacts and blocks of `owner`: whom their presence may reach.
    pub async fn audience(
        &self,
        owner: UserId,
    ) -> sqlx::Result<Option<(String, Vec<i64>, Vec<i64>)>> {
        let Some(visibility) =
            sqlx::query_scalar("SELECT presence_visible_to FROM users WHERE id = ?")
                .bind(owner.0)
                .fetch_optional(self.pool())
                .await?
        else {
            return Ok(None);
        };
        let contacts = sqlx::query_scalar("SELECT contact_id FROM contacts WHERE owner_id = ?")
            .bind(owner.0)
            .fetch_all(self.pool())
            .await?;
        let blocked = sqlx::query_scalar("SELECT blocked_id FROM blocks WHERE blocker_id = ?")
            .bind(owner.0)
            .fetch_all(self.pool())
            .await?;
        Ok(Some((visibility, contacts, blocked)))
    }
}
