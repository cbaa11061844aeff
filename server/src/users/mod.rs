//! Accounts: registration, sign-in with rotating refresh tokens, presence and the directory.

pub mod cache;
mod error;
pub mod picture;
pub mod validation;

use std::{net::IpAddr, path::PathBuf, sync::Arc};

use anyhow::Context;
use axum::body::Bytes;

use app::protocol::{PresenceStatus, PresenceVisibility, TokenPair, User, UserId, UserPage};

use crate::{
    auth::{
        jwt::{TokenKeys, TokenType},
        password::Passwords,
        throttle::{address_key, LoginThrottle},
    },
    bus::{Bus, BusMessage},
    clock::Clock,
    config::Config,
    cpu::CpuPool,
    db::{
        people::SeenUserRow,
        users::{InsertUserError, NewUser, UserRow},
        Db,
    },
    privacy,
    rate::RateLimit,
};

pub use error::UserError;
/// Directory page size.
pub const PAGE_SIZE: i64 = 20;
/// Where uploaded pictures are served from.
pub const MEDIA_PREFIX: &str = "/media/profile_pictures/";

/// Pictures decoded at once: each may take up to [`picture::MAX_DECODE_ALLOC`] of memory.
pub const PICTURE_DECODES_AT_ONCE: usize = 2;

/// How often one client may ask for the account service's expensive work.
pub struct UserLimits {
    /// Sign-in attempts per username and per address.
    pub login: LoginThrottle,
    /// Sign-ups per client address (an IPv6 /64 counts as one; each costs an argon2 hash and
    /// a row).
    pub signups: RateLimit<IpAddr>,
    /// Picture uploads per user (each costs a decode and a file).
    pub pictures: RateLimit<UserId>,
}

impl UserLimits {
    pub fn from_config(config: &Config) -> Self {
        Self {
            login: LoginThrottle::new(config.login_attempts_per_user, config.login_attempts_per_ip),
            signups: RateLimit::per_hour(config.signups_per_ip_per_hour),
            pictures: RateLimit::per_hour(config.picture_uploads_per_hour),
        }
    }

    /// Forgets keys whose limits have fully replenished.
    pub fn prune(&self) {
        self.login.prune();
        self.signups.prune();
        self.pictures.prune();
    }
}

#[derive(Clone)]
pub struct Users {
    db: Db,
    passwords: Passwords,
    tokens: Arc<TokenKeys>,
    limits: Arc<UserLimits>,
    pictures: CpuPool,
    clock: Arc<dyn Clock>,
    /// Where older versions wrote profile pictures (imported at startup).
    media_dir: PathBuf,
    cache: Arc<cache::UserCache>,
    /// The other instances, told when a record changes so they forget their copy.
    bus: Arc<dyn Bus>,
}

/// The user JSON; `email` only when `include_email` (the user reading their own record).
pub fn to_user(row: UserRow, include_email: bool) -> User {
    let email = include_email.then_some(row.email);
    let mut user = public_user(
        row.id,
        row.username,
        row.is_online,
        row.last_seen,
        row.profile_picture,
    );
    user.email = email;
    user
}

/// The user JSON as the viewer its audience columns were read for may see it.
pub fn to_seen_user(row: SeenUserRow) -> anyhow::Result<User> {
    let visibility = PresenceVisibility::parse(&row.presence_visible_to).ok_or_else(|| {
        anyhow::anyhow!(
            "user {}: bad presence setting {:?}",
            row.user.id,
            row.presence_visible_to
        )
    })?;
    let visible =
        privacy::presence_visible(visibility, row.blocked_viewer != 0, row.has_viewer != 0);
    Ok(privacy::as_seen(to_user(row.user, false), visible))
}

/// The user JSON others see (no email), from the stored columns; calls nest it for their
/// parties too.
pub fn public_user(
    id: i64,
    username: String,
    is_online: i64,
    last_seen: Option<i64>,
    profile_picture: Option<String>,
) -> User {
    User {
        id: UserId(id),
        username,
        email: None,
        is_online: is_online != 0,
        last_seen: last_seen.map(app::protocol::Timestamp),
        profile_picture: profile_picture.map(|file| format!("{MEDIA_PREFIX}{file}")),
    }
}

impl Users {
    pub fn new(
        db: Db,
        passwords: Passwords,
        tokens: Arc<TokenKeys>,
        limits: UserLimits,
        clock: Arc<dyn Clock>,
        media_dir: PathBuf,
        bus: Arc<dyn Bus>,
    ) -> Self {
        Self {
            db,
            passwords,
            tokens,
            limits: Arc::new(limits),
            pictures: CpuPool::new("picture", PICTURE_DECODES_AT_ONCE),
            clock,
            media_dir,
            cache: Arc::default(),
            bus,
        }
    }

    pub fn tokens(&self) -> &TokenKeys {
        &self.tokens
    }

    pub fn limits(&self) -> &UserLimits {
        &self.limits
    }

    /// A new account for a client at `ip`.
    pub async fn register(
        &self,
        form: validation::RegistrationForm,
        ip: IpAddr,
    ) -> Result<User, UserError> {
        self.limits.signups.check(&address_key(ip))?;
        self.create(form).await
    }

    /// A new account, with the same validation as a sign-up but no per-address limit (the
    /// operator's `user create`).
    pub async fn create(&self, form: validation::RegistrationForm) -> Result<User, UserError> {
        // Bounded CPU work, off the async workers, in the pool the hashing uses.
        let registration = self
            .passwords
            .pool()
            .run(move || validation::parse_registration(form))
            .await?
            .map_err(UserError::Invalid)?;
        // Friendly errors for both fields at once; the unique indexes still decide races.
        let mut taken = crate::error::FieldErrors::new();
        if self.db.username_exists(&registration.username).await? {
            taken.insert("username".into(), vec![USERNAME_TAKEN.into()]);
        }
        if self.db.email_exists(&registration.email).await? {
            taken.insert("email".into(), vec![EMAIL_TAKEN.into()]);
        }
        if !taken.is_empty() {
            return Err(UserError::Invalid(taken));
        }
        let hash = self.passwords.hash(registration.password).await?;
        let id = self
            .db
            .insert_user(NewUser {
                username: &registration.username,
                email: &registration.email,
                password_hash: &hash,
                now: self.clock.now_millis(),
            })
            .await
            .map_err(|error| match error {
                InsertUserError::UsernameTaken => UserError::field("username", USERNAME_TAKEN),
                InsertUserError::EmailTaken => UserError::field("email", EMAIL_TAKEN),
                InsertUserError::Database(e) => e.into(),
            })?;
        tracing::info!(user_id = %id, "user registered");
        self.record(id).await
    }

    /// Verifies credentials and opens a new refresh-token family.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: IpAddr,
    ) -> Result<TokenPair, UserError> {
        let key = validation::sign_in_key(username);
        // A name no account can have is throttled per address only, under one shared key.
        self.limits
            .login
            .check(key.as_deref().unwrap_or_default(), ip)?;
        let row = match &key {
            Some(key) => self.db.user_by_username(key).await?,
            None => None,
        };
        let too_long = password.len() > validation::PASSWORD_MAX;
        let hash = row.as_ref().map(|r| r.password_hash.clone());
        // Unknown users still cost one verification, so timing does not reveal accounts.
        let valid = !too_long && self.passwords.verify(password.to_owned(), hash).await?;
        match row {
            Some(row) if valid => {
                let family = uuid::Uuid::new_v4().simple().to_string();
                self.issue_pair(UserId(row.id), family).await
            }
            _ => Err(UserError::BadCredentials),
        }
    }

    /// Rotates a refresh token. Presenting one that was already rotated means it leaked: the
    /// whole family is revoked and the legitimate holder must sign in again.
    pub async fn refresh(&self, refresh: &str) -> Result<TokenPair, UserError> {
        let claims = self
            .tokens
            .verify(refresh, TokenType::Refresh)
            .map_err(|_| UserError::BadToken)?;
        let now = self.clock.now_millis();
        let row = self
            .db
            .refresh_token(&claims.jti)
            .await?
            .ok_or(UserError::BadToken)?;
        if row.revoked_at.is_some() || row.expires_at <= now || row.user_id != claims.user_id.0 {
            return Err(UserError::BadToken);
        }
        if !self.db.use_refresh_token(&claims.jti, now).await? {
            tracing::warn!(user_id = %claims.user_id, "refresh token reused: revoking its family");
            self.db.revoke_refresh_family(&row.family, now).await?;
            return Err(UserError::BadToken);
        }
        if self.db.user(claims.user_id).await?.is_none() {
            return Err(UserError::BadToken);
        }
        self.issue_pair(claims.user_id, row.family).await
    }

    /// Revokes the family of a refresh token: every session that descends from that sign-in.
    pub async fn logout(&self, refresh: &str) -> Result<(), UserError> {
        let claims = self
            .tokens
            .verify(refresh, TokenType::Refresh)
            .map_err(|_| UserError::BadToken)?;
        let family = claims.family.ok_or(UserError::BadToken)?;
        self.db
            .revoke_refresh_family(&family, self.clock.now_millis())
            .await?;
        Ok(())
    }

    async fn issue_pair(&self, user: UserId, family: String) -> Result<TokenPair, UserError> {
        let (access, _) = self.tokens.issue(TokenType::Access, user, None)?;
        let (refresh, claims) =
            self.tokens
                .issue(TokenType::Refresh, user, Some(family.clone()))?;
        self.db
            .insert_refresh_token(&claims.jti, &family, user, claims.exp.saturating_mul(1000))
            .await?;
        Ok(TokenPair { access, refresh })
    }

    /// The user's own record, from the cache when it has it. A valid token of a deleted user
    /// gets 401, not 404 (once the cached record expires, if the user was deleted in SQL).
    pub async fn me(&self, id: UserId) -> Result<User, UserError> {
        if let Some(record) = self.cache.get(id) {
            return Ok(record);
        }
        let generation = self.cache.generation();
        let record = self.record(id).await?;
        self.cache.insert(id, record.clone(), generation);
        Ok(record)
    }

    /// The user's own record as the database has it now.
    pub async fn record(&self, id: UserId) -> Result<User, UserError> {
        let row = self.db.user(id).await?.ok_or(UserError::Gone)?;
        Ok(to_user(row, true))
    }

    /// Replaces the user's picture with a re-encoded thumbnail of `bytes`.
    pub async fn set_picture(
        &self,
        id: UserId,
        content_type: Option<&str>,
        bytes: Bytes,
    ) -> Result<User, UserError> {
        let invalid = |e: picture::PictureError| UserError::field("profile_picture", e.to_string());
        let format = content_type
            .and_then(picture::format_of)
            .ok_or_else(|| invalid(picture::PictureError::UnsupportedType))?;
        self.limits.pictures.check(&id)?;
        let png = self
            .pictures
            .run(move || picture::process(&bytes, format))
            .await?
            .map_err(invalid)?;
        let name = format!("{id}-{}.png", uuid::Uuid::new_v4().simple());
        self.db
            .replace_picture(id, &name, &png, self.clock.now_millis())
            .await?;
        self.changed(id);
        self.record(id).await
    }

    pub async fn delete_picture(&self, id: UserId) -> Result<User, UserError> {
        self.db.remove_picture(id).await?;
        self.changed(id);
        self.record(id).await
    }

    /// A stored picture by the name its URL carries.
    pub async fn picture(&self, name: &str) -> Result<Option<Vec<u8>>, UserError> {
        Ok(self.db.picture(name).await?)
    }

    /// At startup: pictures that an older version kept as files in `media_dir` go into the
    /// database, and their files are removed. Each instance imports its own directory; a file
    /// that is gone already leaves its user without a picture, as before.
    pub async fn import_picture_files(&self) -> anyhow::Result<usize> {
        let mut imported = 0;
        for missing in self.db.missing_pictures().await? {
            // Our own names (`{id}-{uuid}.png`): anything else is not a file of ours.
            if missing.name.contains(['/', '\\']) || missing.name.starts_with('.') {
                continue;
            }
            let path = self.media_dir.join(&missing.name);
            let content = match tokio::fs::read(&path).await {
                Ok(content) => content,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(error) => {
                    return Err(error).with_context(|| format!("cannot read {}", path.display()))
                }
            };
            let user = UserId(missing.user_id);
            self.db
                .import_picture(user, &missing.name, &content, self.clock.now_millis())
                .await?;
            tokio::fs::remove_file(&path)
                .await
                .with_context(|| format!("cannot remove {} once imported", path.display()))?;
            self.changed(user);
            imported += 1;
        }
        if imported > 0 {
            tracing::info!(
                count = imported,
                dir = %self.media_dir.display(),
                "profile pictures moved from files into the database"
            );
        }
        Ok(imported)
    }

    /// Sets a new password (Django's validators apply) and ends every sign-in of the user.
    pub async fn set_password(&self, username: &str, password: String) -> Result<(), UserError> {
        let row = self.by_username(username).await?;
        let problems =
            validation::password_problems(&password, Some(&row.username), Some(&row.email));
        if !problems.is_empty() {
            return Err(UserError::Invalid(crate::error::FieldErrors::from([(
                "password".to_owned(),
                problems,
            )])));
        }
        let hash = self.passwords.hash(password).await?;
        let id = UserId(row.id);
        self.db.set_password_hash(id, &hash).await?;
        self.db
            .revoke_user_refresh_tokens(id, self.clock.now_millis())
            .await?;
        self.changed(id);
        tracing::info!(user_id = %id, "password set; sign-ins revoked");
        Ok(())
    }

    /// Deletes an account with its calls, contacts, blocks, sign-ins and picture.
    pub async fn delete(&self, username: &str) -> Result<UserId, UserError> {
        let row = self.by_username(username).await?;
        let id = UserId(row.id);
        self.db.delete_user(id).await?;
        self.changed(id);
        tracing::info!(user_id = %id, "user deleted");
        Ok(id)
    }

    async fn by_username(&self, username: &str) -> Result<UserRow, UserError> {
        let key = validation::sign_in_key(username).ok_or(UserError::Gone)?;
        self.db.user_by_username(&key).await?.ok_or(UserError::Gone)
    }

    /// After every write of a user's record: no instance serves the old one any more.
    fn changed(&self, id: UserId) {
        self.cache.invalidate(id);
        self.bus.send(BusMessage::UserChanged { user: id });
    }

    /// Another instance changed this user's record.
    pub fn changed_elsewhere(&self, id: UserId) {
        self.cache.invalidate(id);
    }

    pub async fn set_presence(
        &self,
        id: UserId,
        online: bool,
    ) -> Result<PresenceStatus, UserError> {
        let found = self
            .db
            .set_presence(id, online, self.clock.now_millis())
            .await?;
        self.changed(id);
        if !found {
            return Err(UserError::Gone);
        }
        Ok(PresenceStatus {
            status: if online { "online" } else { "offline" }.to_owned(),
        })
    }

    /// At startup: presence lives in the sockets of the process, so after a crash nobody is
    /// connected and every stored "online" is stale.
    pub async fn reset_presence(&self) -> Result<u64, UserError> {
        let reset = self.db.set_all_offline(self.clock.now_millis()).await?;
        self.cache.invalidate_all();
        if reset > 0 {
            tracing::info!(
                count = reset,
                "presence reset: users left online by the last run"
            );
        }
        Ok(reset)
    }

    /// Users the caller may see online (those hiding their presence from them are left out).
    pub async fn online_users(&self, id: UserId) -> Result<Vec<User>, UserError> {
        let rows = self.db.online_users(id).await?;
        Ok(rows.into_iter().map(|row| to_user(row, false)).collect())
    }

    /// One page (1-based) of users matching `search`, online first as the caller may see it,
    /// without the caller and those who blocked them.
    pub async fn directory(
        &self,
        id: UserId,
        search: &str,
        page: i64,
    ) -> Result<UserPage, UserError> {
        let page = page.max(1);
        let offset = (page - 1).saturating_mul(PAGE_SIZE);
        let (count, rows) = self.db.search_users(id, search, PAGE_SIZE, offset).await?;
        let link = |p: i64| format!("/api/users/?search={}&page={p}", encode_query(search));
        Ok(UserPage {
            count,
            next: (offset + PAGE_SIZE < count).then(|| link(page + 1)),
            previous: (page > 1).then(|| link(page - 1)),
            results: rows
                .into_iter()
                .map(to_seen_user)
                .collect::<anyhow::Result<_>>()?,
        })
    }
}

const USERNAME_TAKEN: &str = "A user with that username already exists.";
const EMAIL_TAKEN: &str = "user with this email already exists.";

/// Percent-encodes a query value (everything but unreserved characters).
fn encode_query(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
