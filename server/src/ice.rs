//! ICE servers handed to browsers: STUN for address discovery and TURN for relaying when a
//! direct path fails. TURN credentials are either static (the reference's TURN_USERNAME and
//! TURN_PASSWORD) or, with TURN_SECRET, minted per user and short-lived in coturn's
//! `use-auth-secret` scheme: username `<expiry>:<user id>`, password
//! base64(HMAC-SHA1(secret, username)) (draft-uberti-behave-turn-rest).
//!
//! TURN is a relay anyone holding credentials can push traffic through, so it is handed out only
//! to a party of a live call (`http/ice.rs` asks the call service), and a user gets one username
//! per `TURN_TTL` window however often they ask: coturn's per-user quotas then count them once.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use app::protocol::{IceServer, IceServers, UserId};

use crate::config::Config;

/// The shortest TURN_SECRET lifetime accepted: a call must be able to set up within it.
const MIN_TURN_TTL_SECS: u64 = 60;

#[derive(Clone)]
enum TurnAuth {
    Static { username: String, password: String },
    Secret { secret: Vec<u8>, ttl: u64 },
}

#[derive(Clone)]
struct Turn {
    urls: Vec<String>,
    auth: TurnAuth,
}

/// The ICE configuration, validated once at startup.
#[derive(Clone)]
pub struct Ice {
    stun: Vec<String>,
    turn: Option<Turn>,
}

fn split_urls(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Ice {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let stun = split_urls(&config.stun_urls);
        let turn = match &config.turn_server {
            None if config.turn_secret.is_some() => {
                anyhow::bail!("TURN_SECRET is set but TURN_SERVER is not")
            }
            None => None,
            Some(server) => {
                let auth = match (
                    &config.turn_secret,
                    &config.turn_username,
                    &config.turn_password,
                ) {
                    (Some(secret), _, _) => TurnAuth::Secret {
                        secret: secret.as_bytes().to_vec(),
                        ttl: config.turn_ttl.max(MIN_TURN_TTL_SECS),
                    },
                    (None, Some(username), Some(password)) => TurnAuth::Static {
                        username: username.clone(),
                        password: password.clone(),
                    },
                    _ => anyhow::bail!(
                        "TURN_SERVER needs TURN_SECRET, or TURN_USERNAME and TURN_PASSWORD"
                    ),
                };
                Some(Turn {
                    urls: split_urls(server),
                    auth,
                })
            }
        };
        Ok(Self { stun, turn })
    }

    /// Whether a TURN relay is configured (it is not offered to everyone: see `servers_for`).
    pub fn has_turn(&self) -> bool {
        self.turn.is_some()
    }

    /// The servers for `user` at `now_secs` (Unix time); TURN only `with_turn` (a party of a live
    /// call).
    pub fn servers_for(&self, user: UserId, now_secs: i64, with_turn: bool) -> IceServers {
        let mut ice_servers = Vec::new();
        if !self.stun.is_empty() {
            ice_servers.push(IceServer {
                urls: self.stun.clone(),
                username: None,
                credential: None,
            });
        }
        let mut ttl = None;
        if let Some(turn) = self.turn.as_ref().filter(|_| with_turn) {
            let (username, credential) = match &turn.auth {
                TurnAuth::Static { username, password } => (username.clone(), password.clone()),
                TurnAuth::Secret {
                    secret,
                    ttl: lifetime,
                } => {
                    let expiry = window_expiry(now_secs, *lifetime);
                    ttl = Some(u64::try_from(expiry - now_secs).unwrap_or(*lifetime));
                    let username = format!("{expiry}:{user}");
                    (username.clone(), turn_password(secret, &username))
                }
            };
            ice_servers.push(IceServer {
                urls: turn.urls.clone(),
                username: Some(username),
                credential: Some(credential),
            });
        }
        IceServers {
            ice_servers,
            ttl,
            turn: self.has_turn(),
        }
    }
}

/// When credentials minted at `now` expire: `now + ttl` rounded up to a multiple of `ttl`. Every
/// request within one `ttl`-long window gets the same expiry, so the same username, and the
/// credentials stay valid at least `ttl` seconds (at most twice that).
fn window_expiry(now: i64, ttl: u64) -> i64 {
    let ttl = i64::try_from(ttl).unwrap_or(i64::MAX).max(1);
    let earliest = now.saturating_add(ttl);
    match earliest.rem_euclid(ttl) {
        0 => earliest,
        past => earliest.saturating_add(ttl - past),
    }
}

/// coturn's check: base64(HMAC-SHA1(static-auth-secret, username)).
fn turn_password(secret: &[u8], username: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let mut config = Config::from_defaults();
        config.stun_urls = "stun:a.example:3478, stun:b.example:3478".into();
        config
    }

    #[test]
    fn stun_only_by_default_and_empty_when_disabled() {
        let ice = Ice::from_config(&Config::from_defaults()).unwrap();
        let servers = ice.servers_for(UserId(1), 0, true);
        assert_eq!(servers.ice_servers.len(), 1);
        assert!(servers.ice_servers[0].urls[0].starts_with("stun:"));
        assert!(!servers.turn);
        let mut closed = Config::from_defaults();
        closed.stun_urls = String::new();
        let servers = Ice::from_config(&closed)
            .unwrap()
            .servers_for(UserId(1), 0, true);
        assert!(servers.ice_servers.is_empty() && servers.ttl.is_none());
    }

    fn secret_config() -> Config {
        let mut config = config();
        config.turn_server = Some("turn:turn.example:3478".into());
        config.turn_secret = Some("north".into());
        config.turn_ttl = 3600;
        config
    }

    #[test]
    fn secret_credentials_follow_coturn_rest_scheme() {
        let servers =
            Ice::from_config(&secret_config())
                .unwrap()
                .servers_for(UserId(42), 1_000_000, true);
        let turn = &servers.ice_servers[1];
        // 1_000_000 + 3600, rounded up to a multiple of 3600.
        assert_eq!(turn.username.as_deref(), Some("1004400:42"));
        // Computed independently: python3 -c "import hmac,hashlib,base64;
        //   print(base64.b64encode(hmac.new(b'north', b'1004400:42', hashlib.sha1).digest()))"
        assert_eq!(
            turn.credential.as_deref(),
            Some("1HbAcgQRGE7c/DvuutZFV8USkTQ=")
        );
        assert_eq!(servers.ttl, Some(4400));
        assert!(servers.turn);
        assert_eq!(servers.ice_servers[0].urls.len(), 2);
    }

    #[test]
    fn one_username_per_window_valid_at_least_a_ttl() {
        assert_eq!(window_expiry(3600, 3600), 7200);
        assert_eq!(window_expiry(3601, 3600), 10_800);
        assert_eq!(window_expiry(7199, 3600), 10_800);
        assert_eq!(window_expiry(7200, 3600), 10_800);
        assert_eq!(window_expiry(7201, 3600), 14_400);
        for now in [3601, 5000, 7200, 7201, 1_000_000] {
            let left = window_expiry(now, 3600) - now;
            assert!((3600..7200).contains(&left), "{now}: {left}");
        }
        let ice = Ice::from_config(&secret_config()).unwrap();
        let first = ice.servers_for(UserId(7), 3601, true);
        let later = ice.servers_for(UserId(7), 7200, true);
        assert_eq!(first.ice_servers[1], later.ice_servers[1]);
        assert_eq!((first.ttl, later.ttl), (Some(7199), Some(3600)));
        let next = ice.servers_for(UserId(7), 7201, true);
        assert_ne!(next.ice_servers[1], later.ice_servers[1]);
    }

    #[test]
    fn turn_only_when_asked_for_but_always_announced() {
        let servers =
            Ice::from_config(&secret_config())
                .unwrap()
                .servers_for(UserId(42), 1_000_000, false);
        assert_eq!(servers.ice_servers.len(), 1, "STUN only");
        assert_eq!(servers.ttl, None);
        assert!(servers.turn);
    }

    #[test]
    fn static_credentials_and_misconfiguration() {
        let mut config = config();
        config.turn_server = Some("turn:turn.example:3478".into());
        assert!(
            Ice::from_config(&config).is_err(),
            "TURN without credentials"
        );
        config.turn_username = Some("user".into());
        config.turn_password = Some("pass".into());
        let servers = Ice::from_config(&config)
            .unwrap()
            .servers_for(UserId(1), 0, true);
        assert_eq!(servers.ice_servers[1].credential.as_deref(), Some("pass"));
        assert_eq!(servers.ttl, None);
        let mut orphan = Config::from_defaults();
        orphan.turn_secret = Some("s".into());
        assert!(Ice::from_config(&orphan).is_err());
    }
}
