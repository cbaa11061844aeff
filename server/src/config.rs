//! Configuration from the environment (and a `.env` file, if present). Every setting has a
//! default that runs the app locally with no setup: an embedded SQLite file in `DATA_DIR`.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use ipnet::IpNet;
use leptos::config::LeptosOptions;
use serde::Deserialize;

/// The output name in `[[workspace.metadata.leptos]]`; cargo-leptos passes it in the environment,
/// but a server started by hand or by tests must still find `/pkg/callhub.js`.
const SITE_OUTPUT_NAME: &str = "callhub";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Where the SQLite database and other server-owned files live.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// `sqlite://...` or `mysql://...`; defaults to `DATA_DIR/callhub.db`.
    pub database_url: Option<String>,
    #[serde(default)]
    pub log_format: LogFormat,
    /// `production` refuses to start without an explicit SECRET_KEY.
    #[serde(default)]
    pub app_env: AppEnv,
    /// Signs JWTs (HS256). Generated and kept in `DATA_DIR` in development when unset.
    pub secret_key: Option<String>,
    /// Access token lifetime in seconds (the reference: 5 minutes).
    #[serde(default = "default_access_ttl")]
    pub access_ttl: u64,
    /// Refresh token lifetime in seconds (the reference: 1 day).
    #[serde(default = "default_refresh_ttl")]
    pub refresh_ttl: u64,
    /// Sign-in attempts allowed per minute for one username.
    #[serde(default = "default_login_per_user")]
    pub login_attempts_per_user: u32,
    /// Sign-in attempts allowed per minute from one client address.
    #[serde(default = "default_login_per_ip")]
    pub login_attempts_per_ip: u32,
    /// Sign-ups allowed per hour from one client address (a burst of this many, then one per
    /// `3600 / n` seconds).
    #[serde(default = "default_signups_per_ip")]
    pub signups_per_ip_per_hour: u32,
    /// Profile picture uploads allowed per hour for one user.
    #[serde(default = "default_picture_uploads")]
    pub picture_uploads_per_hour: u32,
    /// Calls one user may start per minute, to anyone.
    #[serde(default = "default_call_starts")]
    pub call_starts_per_minute: u32,
    /// Calls one user may start per hour to the same person: ringing someone again and again
    /// is harassment, not calling.
    #[serde(default = "default_call_starts_per_pair")]
    pub call_starts_per_pair_per_hour: u32,
    /// Writes of one user's contacts, blocks and privacy settings allowed per minute.
    #[serde(default = "default_people_writes")]
    pub people_writes_per_minute: u32,
    /// Days the call signaling log (`call_signals`) is kept.
    #[serde(default = "default_signal_retention")]
    pub signal_retention_days: u64,
    /// Seconds an unanswered call rings before it is marked missed (reason timeout).
    #[serde(default = "default_ring_timeout")]
    pub ring_timeout_secs: u64,
    /// Seconds a party of an accepted call may be disconnected from its call room before the call
    /// ends (reason connection_lost); rejoining within it keeps the call.
    #[serde(default = "default_ws_grace")]
    pub ws_grace_secs: u64,
    /// Comma-separated origins (`https://app.example.com`) allowed to open WebSockets. Unset:
    /// same-host origins and clients sending no Origin (non-browsers) only.
    pub allowed_origins: Option<String>,
    /// How long a user stays online after their last socket closed (survives a page reload).
    #[serde(default = "default_presence_grace")]
    pub presence_grace_secs: u64,
    /// Comma-separated STUN URLs for browsers; empty for none (a closed network).
    #[serde(default = "default_stun_urls")]
    pub stun_urls: String,
    /// A TURN URL (`turn:host:3478`), with either static credentials (the reference's
    /// TURN_USERNAME/TURN_PASSWORD) or TURN_SECRET (coturn `use-auth-secret`).
    pub turn_server: Option<String>,
    pub turn_username: Option<String>,
    pub turn_password: Option<String>,
    pub turn_secret: Option<String>,
    /// Lifetime of TURN_SECRET credentials, seconds; also the window in which one user gets one
    /// username (see `ice.rs`).
    #[serde(default = "default_turn_ttl")]
    pub turn_ttl: u64,
    /// `redis://host:6379`: run as one of several instances behind the same database, with Redis
    /// carrying events between them. Unset (or empty): a single instance, no Redis needed.
    pub redis_url: Option<String>,
    /// Names this group of instances in Redis channels and keys, so groups sharing a Redis stay
    /// apart.
    #[serde(default = "default_redis_prefix")]
    pub redis_prefix: String,
    /// Comma-separated CIDR ranges (`127.0.0.1/32,10.0.0.0/8`) of the reverse proxies whose
    /// `X-Forwarded-For` / `X-Real-IP` name the client. Empty: no one's, the peer is the client.
    #[serde(default)]
    pub trusted_proxies: String,
    /// `Strict-Transport-Security: max-age=` this many seconds on every response; 0 sends none.
    /// Only for a site served over HTTPS (a browser then refuses plain HTTP for that long).
    #[serde(default)]
    pub hsts_max_age: u64,
    /// Overrides `LEPTOS_SITE_ADDR`; tests bind port 0.
    #[serde(skip)]
    pub bind_addr: Option<SocketAddr>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppEnv {
    #[default]
    Development,
    Production,
}

fn default_access_ttl() -> u64 {
    5 * 60
}

fn default_refresh_ttl() -> u64 {
    24 * 60 * 60
}

fn default_login_per_user() -> u32 {
    10
}

fn default_login_per_ip() -> u32 {
    60
}

fn default_signups_per_ip() -> u32 {
    20
}

fn default_picture_uploads() -> u32 {
    20
}

fn default_call_starts() -> u32 {
    10
}

fn default_people_writes() -> u32 {
    60
}

fn default_call_starts_per_pair() -> u32 {
    12
}

fn default_signal_retention() -> u64 {
    30
}

fn default_ring_timeout() -> u64 {
    45
}

fn default_ws_grace() -> u64 {
    30
}

fn default_presence_grace() -> u64 {
    5
}

fn default_stun_urls() -> String {
    "stun:stun.l.google.com:19302".into()
}

/// Ten minutes: long enough to set up a call and ride out an ICE restart, short enough that
/// credentials copied out of a browser are soon useless.
fn default_turn_ttl() -> u64 {
    10 * 60
}

fn default_redis_prefix() -> String {
    "callhub".into()
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

impl Config {
    /// Reads `.env` (if any), then the process environment, which wins.
    pub fn from_env() -> anyhow::Result<Self> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(error) if error.not_found() => {}
            Err(error) => return Err(error).context("cannot read .env"),
        }
        envy::from_env().context("invalid configuration in the environment")
    }

    /// Defaults for everything, as if the environment were empty.
    pub fn from_defaults() -> Self {
        envy::from_iter(std::iter::empty::<(String, String)>())
            .expect("every setting has a default")
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("callhub.db").display()
            )
        })
    }

    /// `REDIS_URL` if set and not empty.
    pub fn redis_url(&self) -> Option<&str> {
        self.redis_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
    }

    /// The parsed `ALLOWED_ORIGINS`, if set (empty entries ignored).
    pub fn allowed_origins(&self) -> Option<Vec<String>> {
        self.allowed_origins.as_ref().map(|list| {
            list.split(',')
                .map(|origin| origin.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|origin| !origin.is_empty())
                .collect()
        })
    }

    /// The parsed `TRUSTED_PROXIES` (a bare address counts as a range of one). An invalid entry
    /// is an error: a typo must not silently trust no one, or everyone.
    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<IpNet>> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "TRUSTED_PROXIES: {entry:?} is not an address range such as \
                             127.0.0.1/32 or 10.0.0.0/8"
                        )
                    })
            })
            .collect()
    }

    /// Uploaded profile pictures.
    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media").join("profile_pictures")
    }

    /// Leptos settings from cargo-leptos's `LEPTOS_*` variables, with our defaults.
    pub fn leptos_options(&self) -> anyhow::Result<LeptosOptions> {
        let mut options = leptos::config::get_configuration(None)
            .context("invalid LEPTOS_* settings")?
            .leptos_options;
        if options.output_name.is_empty() {
            options.output_name = SITE_OUTPUT_NAME.into();
        }
        if let Some(addr) = self.bind_addr {
            options.site_addr = addr;
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_cidr_ranges_or_addresses_and_typos_are_refused() {
        let mut config = Config::from_defaults();
        assert!(config.trusted_proxies().unwrap().is_empty());
        config.trusted_proxies = " 127.0.0.1/32, 10.0.0.0/8,,::1 ".into();
        let ranges = config.trusted_proxies().unwrap();
        assert_eq!(ranges.len(), 3);
        assert_eq!(ranges[2], "::1/128".parse::<IpNet>().unwrap());
        config.trusted_proxies = "127.0.0.1/33".into();
        let error = config.trusted_proxies().unwrap_err().to_string();
        assert!(error.contains("TRUSTED_PROXIES") && error.contains("127.0.0.1/33"));
    }
}
