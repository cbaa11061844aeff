//! Configuration from the environment (and a `.env` file, if present). Every setting has a
//! default that runs the app locally with no setup: an embedded SQLite file in `DATA_DIR`.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::Context;
use ipnet::IpNet;
use leptos::config::LeptosOptions;
use serde::{Deserialize, Serialize};

/// The output name in `[[workspace.metadata.leptos]]`; cargo-leptos passes it in the environment,
/// but a server started by hand or by tests must still find `/pkg/callhub.js`.
const SITE_OUTPUT_NAME: &str = "callhub";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
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
    /// Seconds between the server's pings on every WebSocket. A socket that sends nothing (not
    /// even a pong) through two pings in a row is closed as dead (1001), and its user's presence
    /// and call room follow as on any other close. Below the usual 30-60 s idle timeouts of
    /// proxies and NATs, so they keep idle sockets open.
    #[serde(default = "default_ws_heartbeat")]
    pub ws_heartbeat_secs: u64,
    /// Messages queued for one WebSocket. A client that stops reading is closed (1013) once
    /// this many wait, rather than letting its backlog grow without bound or slowing whoever
    /// sends to it.
    #[serde(default = "default_ws_outgoing_queue")]
    pub ws_outgoing_queue: usize,
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
    /// Serves `/metrics` (Prometheus) on a listener of its own at this address, for an internal
    /// network only. Unset: no such listener.
    pub metrics_addr: Option<SocketAddr>,
    /// Serves `/metrics` on the public address too, to requests with `Authorization: Bearer`
    /// and this token. Unset or empty: `/metrics` is not found there.
    pub metrics_token: Option<String>,
    /// Overrides `LEPTOS_SITE_ADDR`; tests bind port 0.
    #[serde(skip)]
    pub bind_addr: Option<SocketAddr>,
}

/// Settings shown only as set or unset (`check-config`).
const SECRET_SETTINGS: [&str; 4] = [
    "secret_key",
    "turn_password",
    "turn_secret",
    "metrics_token",
];
/// Settings that are URLs whose password is masked.
const URL_SETTINGS: [&str; 2] = ["database_url", "redis_url"];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
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

fn default_ws_heartbeat() -> u64 {
    20
}

/// Signaling is a handful of messages at a time (a burst of ICE candidates at most); 64
/// waiting means the client is not reading.
fn default_ws_outgoing_queue() -> usize {
    64
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

    /// `METRICS_TOKEN` if set and not empty.
    pub fn metrics_token(&self) -> Option<&str> {
        self.metrics_token
            .as_deref()
            .filter(|token| !token.is_empty())
    }

    /// `WS_HEARTBEAT_SECS`, at least a second (a zero interval would ping without pause).
    pub fn ws_heartbeat(&self) -> Duration {
        Duration::from_secs(self.ws_heartbeat_secs.max(1))
    }

    /// `WS_OUTGOING_QUEUE`, at least one (a queue of none would close every socket at once).
    pub fn ws_outgoing_queue(&self) -> usize {
        self.ws_outgoing_queue.max(1)
    }

    /// Where older versions stored uploaded profile pictures (moved into the database at
    /// startup).
    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media").join("profile_pictures")
    }

    /// Every setting as its variable name and the value in effect, secrets masked: the secret
    /// settings show only whether they are set, URLs hide their password.
    pub fn effective(&self) -> Vec<(String, String)> {
        let mut shown = self.clone();
        shown.database_url = Some(self.database_url());
        let serde_json::Value::Object(fields) =
            serde_json::to_value(&shown).unwrap_or(serde_json::Value::Null)
        else {
            return Vec::new();
        };
        let mut settings: Vec<(String, String)> = fields
            .into_iter()
            .map(|(name, value)| {
                let text = match value {
                    serde_json::Value::Null => "(unset)".to_owned(),
                    serde_json::Value::String(text) => text,
                    other => other.to_string(),
                };
                let text = if text == "(unset)" {
                    text
                } else if SECRET_SETTINGS.contains(&name.as_str()) {
                    "(set, hidden)".to_owned()
                } else if URL_SETTINGS.contains(&name.as_str()) {
                    mask_url_password(&text)
                } else {
                    text
                };
                (name.to_ascii_uppercase(), text)
            })
            .collect();
        settings.sort();
        settings
    }

    /// What a production deployment should still set; empty when nothing.
    pub fn missing_for_production(&self) -> Vec<String> {
        let mut missing = Vec::new();
        if self.app_env != AppEnv::Production {
            missing.push("APP_ENV=production (development generates a secret on disk)".to_owned());
        }
        if self
            .secret_key
            .as_ref()
            .is_none_or(|key| key.len() < crate::auth::secret::MIN_SECRET_LEN)
        {
            missing.push(format!(
                "SECRET_KEY of at least {} characters",
                crate::auth::secret::MIN_SECRET_LEN
            ));
        }
        if self.turn_server.is_none() {
            missing.push(
                "TURN_SERVER with TURN_SECRET (callers behind strict NATs cannot connect)"
                    .to_owned(),
            );
        }
        if self.redis_url().is_some() && self.database_url().starts_with("sqlite:") {
            missing.push(
                "DATABASE_URL=mysql://... (several instances cannot share SQLite)".to_owned(),
            );
        }
        missing
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

/// `scheme://user:password@host/...` with the password replaced by `****`.
fn mask_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:****{}", &rest[at..]),
        None => url.to_owned(),
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

    #[test]
    fn socket_timeouts_have_defaults_and_a_floor() {
        let mut config = Config::from_defaults();
        assert_eq!(config.ws_heartbeat(), Duration::from_secs(20));
        assert_eq!(config.ws_outgoing_queue(), 64);
        let config_from = |vars: [(&str, &str); 2]| -> Config {
            envy::from_iter(vars.map(|(k, v)| (k.to_owned(), v.to_owned()))).unwrap()
        };
        config = config_from([("WS_HEARTBEAT_SECS", "3"), ("WS_OUTGOING_QUEUE", "8")]);
        assert_eq!(config.ws_heartbeat(), Duration::from_secs(3));
        assert_eq!(config.ws_outgoing_queue(), 8);
        config = config_from([("WS_HEARTBEAT_SECS", "0"), ("WS_OUTGOING_QUEUE", "0")]);
        assert_eq!(config.ws_heartbeat(), Duration::from_secs(1));
        assert_eq!(config.ws_outgoing_queue(), 1);
    }

    #[test]
    fn url_passwords_are_masked() {
        assert_eq!(
            mask_url_password("mysql://callhub:pa:ss@db:3306/callhub"),
            "mysql://callhub:****@db:3306/callhub"
        );
        assert_eq!(
            mask_url_password("rediss://:secret@redis:6380"),
            "rediss://:****@redis:6380"
        );
        assert_eq!(
            mask_url_password("sqlite://data/callhub.db?mode=rwc"),
            "sqlite://data/callhub.db?mode=rwc"
        );
        assert_eq!(
            mask_url_password("redis://cache@host"),
            "redis://cache@host"
        );
    }
}
