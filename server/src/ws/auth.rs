//! Who is on a socket: the access token from `?token=` (reference clients) or from a first
//! `{"type":"auth","token":...}` message within [`AUTH_TIMEOUT`]. Tokens are never logged.

use std::time::Duration;

use app::protocol::{ClientMsg, UserId};

use crate::{
    auth::jwt::TokenType,
    users::{UserError, Users},
};

use super::{
    limits::{close, AUTH_TIMEOUT},
    reader::Reader,
};

/// The user on a socket, and how long the token that proved it stays valid.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated {
    pub user: UserId,
    pub valid_for: Duration,
}

/// Why a socket is refused: its close code and reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub code: u16,
    pub reason: &'static str,
}

fn unauthorized(reason: &'static str) -> Refused {
    Refused {
        code: close::UNAUTHORIZED,
        reason,
    }
}

pub async fn authenticate(
    reader: &mut Reader,
    query_token: Option<String>,
    users: &Users,
) -> Result<Authenticated, Refused> {
    let token = match query_token {
        Some(token) => token,
        None => match tokio::time::timeout(AUTH_TIMEOUT, reader.next()).await {
            Ok(Some(Ok(ClientMsg::Auth { token }))) => token.0,
            Ok(None) => return Err(unauthorized("closed before authenticating")),
            Ok(Some(_)) => return Err(unauthorized("authentication required: send auth first")),
            Err(_) => return Err(unauthorized("authentication timed out")),
        },
    };
    let claims = users
        .tokens()
        .verify(&token, TokenType::Access)
        .map_err(|_| unauthorized("token not valid"))?;
    // A signed token outlives its user: one deleted since is refused like a forged one.
    match users.record(claims.user_id).await {
        Ok(_) => Ok(Authenticated {
            user: claims.user_id,
            valid_for: users.tokens().valid_for(&claims),
        }),
        Err(UserError::Gone) => Err(unauthorized("user not found")),
        Err(error) => {
            tracing::warn!(%error, "cannot load a socket's user");
            Err(Refused {
                code: close::INTERNAL_ERROR,
                reason: "internal error",
            })
        }
    }
}
