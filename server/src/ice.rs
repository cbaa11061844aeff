//! ICE servers handed to browsers: STUN for address discovery and TURN for relaying when a
//! direct path fails. TURN credentials are either static (the reference's TURN_USERNAME and
//! TURN_PASSWORD) or, with TURN_SECRET, minted per user and short-lived in coturn's
//! `use-auth-secret` scheme: username `<expiry>:<user id>`, password
//! base64(HMAC-SHA1(secret, username)) (draft-uberti-behave-turn-rest).

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use app::protocol::{IceServer, IceServers, UserId};

use crate::config::Config;

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
                        ttl: config.turn_ttl.max(60),
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

    /// The servers for `user` at `now_secs` (Unix time).
    pub fn servers_for(&self, user: UserId, now_secs: i64) -> IceServers {
        let mut ice_servers = Vec::new();
        if !self.stun.is_empty() {
            ice_servers.push(IceServer {
                urls: self.stun.clone(),
                username: None,
                credential: None,
            });
        }
        let mut ttl = None;
        if let Some(turn) = &self.turn {
            let (username, credential) = match &turn.auth {
                TurnAuth::Static { username, password } => (username.clone(), password.clone()),
                TurnAuth::Secret {
                    secret,
                    ttl: lifetime,
                } => {
                    ttl = Some(*lifetime);
                    let expiry = now_secs.saturating_add(i64::try_from(*lifetime).unwrap_or(0));
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
        IceServers { ice_servers, ttl }
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
        let servers = ice.servers_for(UserId(1), 0);
        assert_eq!(servers.ice_servers.len(), 1);
        assert!(servers.ice_servers[0].urls[0].starts_with("stun:"));
        let mut closed = Config::from_defaults();
        closed.stun_urls = String::new();
        let servers = Ice::from_config(&closed).unwrap().servers_for(UserId(1), 0);
        assert!(servers.ice_servers.is_empty() && servers.ttl.is_none());
    }

    #[test]
    fn secret_credentials_follow_coturn_rest_scheme() {
        let mut config = config();
        config.turn_server = Some("turn:turn.example:3478".into());
        config.turn_secret = Some("north".into());
        config.turn_ttl = 3600;
        let servers = Ice::from_config(&config)
            .unwrap()
            .servers_for(UserId(42), 1_000_000);
        let turn = &servers.ice_servers[1];
        assert_eq!(turn.username.as_deref(), Some("1003600:42"));
        // Computed independently: python3 -c "import hmac,hashlib,base64;
        //   print(base64.b64encode(hmac.new(b'north', b'1003600:42', hashlib.sha1).digest()))"
        assert_eq!(
            turn.credential.as_deref(),
            Some("nbf2ReOofNY0AjHAQ7WEYuWmOR4=")
        );
        assert_eq!(servers.ttl, Some(3600));
        assert_eq!(servers.ice_servers[0].urls.len(), 2);
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
        let servers = Ice::from_config(&config).unwrap().servers_for(UserId(1), 0);
        assert_eq!(servers.ice_servers[1].credential.as_deref(), Some("pass"));
        assert_eq!(servers.ttl, None);
        let mut orphan = Config::from_defaults();
        orphan.turn_secret = Some("s".into());
        assert!(Ice::from_config(&orphan).is_err());
    }
}
