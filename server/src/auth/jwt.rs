//! JWTs compatible with SimpleJWT (`token_type`, `user_id`, `jti`, `exp`, `iat` claims), signed
//! with HS256 only. The token type claim keeps an access token from ever serving as a refresh
//! token and vice versa.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use app::protocol::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    Refresh,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub token_type: TokenType,
    pub user_id: UserId,
    pub jti: String,
    /// Seconds since the epoch, as RFC 7519 says.
    pub iat: i64,
    pub exp: i64,
    /// Refresh tokens only: the rotation family a reuse revokes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token is invalid or expired")]
    Invalid,
    #[error("wrong token type")]
    WrongType,
}

/// Issues and verifies tokens with one secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl: i64,
    refresh_ttl: i64,
}

impl TokenKeys {
    pub fn new(secret: &[u8], access_ttl_secs: u64, refresh_ttl_secs: u64) -> Self {
        // Only HS256 is accepted: `alg: none` and algorithm confusion are rejected by decode.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl: i64::try_from(access_ttl_secs).unwrap_or(i64::MAX / 2),
            refresh_ttl: i64::try_from(refresh_ttl_secs).unwrap_or(i64::MAX / 2),
        }
    }

    /// A signed token and its claims. `family` is required for refresh tokens.
    pub fn issue(
        &self,
        token_type: TokenType,
        user_id: UserId,
        family: Option<String>,
    ) -> anyhow::Result<(String, Claims)> {
        let now = unix_now();
        let ttl = match token_type {
            TokenType::Access => self.access_ttl,
            TokenType::Refresh => self.refresh_ttl,
        };
        let claims = Claims {
            token_type,
            user_id,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            iat: now,
            exp: now.saturating_add(ttl),
            family,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, claims))
    }

    pub fn verify(&self, token: &str, expected: TokenType) -> Result<Claims, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?;
        if data.claims.token_type != expected {
            return Err(TokenError::WrongType);
        }
        Ok(data.claims)
    }

    /// How much longer `claims` pass [`TokenKeys::verify`] (their expiry plus the leeway).
    pub fn valid_for(&self, claims: &Claims) -> Duration {
        let leeway = i64::try_from(self.validation.leeway).unwrap_or(0);
        let left = claims.exp.saturating_add(leeway).saturating_sub(unix_now());
        Duration::from_secs(u64::try_from(left).unwrap_or(0))
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(b"test-secret-test-secret-test-secret", 300, 86_400)
    }

    #[test]
    fn access_and_refresh_tokens_are_not_interchangeable() {
        let keys = keys();
        let (access, _) = keys.issue(TokenType::Access, UserId(7), None).unwrap();
        let (refresh, _) = keys
            .issue(TokenType::Refresh, UserId(7), Some("f".into()))
            .unwrap();
        assert_eq!(
            keys.verify(&access, TokenType::Access).unwrap().user_id,
            UserId(7)
        );
        assert!(matches!(
            keys.verify(&access, TokenType::Refresh),
            Err(TokenError::WrongType)
        ));
        assert!(matches!(
            keys.verify(&refresh, TokenType::Access),
            Err(TokenError::WrongType)
        ));
    }

    #[test]
    fn other_secrets_tampering_and_alg_none_are_rejected() {
        let keys = keys();
        let (token, _) = keys.issue(TokenType::Access, UserId(1), None).unwrap();
        let other = TokenKeys::new(b"another-secret-another-secret-xx", 300, 300);
        assert!(other.verify(&token, TokenType::Access).is_err());

        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[2] = parts[2].chars().rev().collect();
        assert!(keys.verify(&parts.join("."), TokenType::Access).is_err());

        // {"alg":"none","typ":"JWT"} with the original payload and no signature.
        let none = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            token.split('.').nth(1).unwrap()
        );
        assert!(keys.verify(&none, TokenType::Access).is_err());
    }

    #[test]
    fn expired_tokens_are_rejected() {
        let keys = TokenKeys::new(b"test-secret-test-secret-test-secret", 0, 0);
        let mut claims = keys.issue(TokenType::Access, UserId(1), None).unwrap().1;
        claims.exp -= 60;
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap();
        assert!(keys.verify(&token, TokenType::Access).is_err());
    }
}
