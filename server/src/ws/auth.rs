//! Who is on a socket: the access token from `?token=` (reference clients) or from a first
//! `{"type":"auth","token":...}` message within [`AUTH_TIMEOUT`]. Tokens are never logged.

use app::protocol::{ClientMsg, UserId};

use crate::auth::jwt::{TokenKeys, TokenType};

use super::{limits::AUTH_TIMEOUT, reader::Reader};

/// Why a socket is refused (the close reason sent with code 4001).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused(pub &'static str);

pub async fn authenticate(
    reader: &mut Reader,
    query_token: Option<String>,
    keys: &TokenKeys,
) -> Result<UserId, Refused> {
    let token = match query_token {
        Some(token) => token,
        None => match tokio::time::timeout(AUTH_TIMEOUT, reader.next()).await {
            Ok(Some(Ok(ClientMsg::Auth { token }))) => token.0,
            Ok(None) => return Err(Refused("closed before authenticating")),
            Ok(Some(_)) => return Err(Refused("authentication required: send auth first")),
            Err(_) => return Err(Refused("authentication timed out")),
        },
    };
    keys.verify(&token, TokenType::Access)
        .map(|claims| claims.user_id)
        .map_err(|_| Refused("token not valid"))
}
