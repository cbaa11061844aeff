//! WebSocket close codes: RFC 6455's, then ours in the 4000-4999 range applications own. The one
//! definition the browser and the server read, so a code cannot mean two things.

/// Why a socket was closed. Codes the app gives no meaning to are kept as [`CloseCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCode {
    /// A normal close (the app leaving the page or the call).
    Normal,
    /// The peer stopped answering heartbeats.
    GoingAway,
    /// No close frame came: the connection failed or dropped (browsers report it, nobody sends it).
    Abnormal,
    /// Policy violation (the message rate limit).
    Policy,
    /// A message was too big.
    TooBig,
    /// A server-side failure.
    InternalError,
    /// The server is restarting (IANA-registered): reconnect in a moment.
    ServiceRestart,
    /// Try again later: the client read too slowly.
    TryAgainLater,
    /// Missing, invalid or expired token (as HTTP 401): refresh it, then reconnect.
    Unauthorized,
    /// Not a party of this call (as HTTP 403).
    Forbidden,
    /// No such room, or its call is over (as HTTP 404/410).
    NotFound,
    Other(u16),
}

impl CloseCode {
    /// Every code with a meaning.
    const NAMED: [CloseCode; 11] = [
        Self::Normal,
        Self::GoingAway,
        Self::Abnormal,
        Self::Policy,
        Self::TooBig,
        Self::InternalError,
        Self::ServiceRestart,
        Self::TryAgainLater,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
    ];

    /// The call is over for this socket (4003, 4004): reconnecting cannot help.
    pub fn ends_call(self) -> bool {
        matches!(self, Self::Forbidden | Self::NotFound)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> Self {
        match code {
            CloseCode::Normal => 1000,
            CloseCode::GoingAway => 1001,
            CloseCode::Abnormal => 1006,
            CloseCode::Policy => 1008,
            CloseCode::TooBig => 1009,
            CloseCode::InternalError => 1011,
            CloseCode::ServiceRestart => 1012,
            CloseCode::TryAgainLater => 1013,
            CloseCode::Unauthorized => 4001,
            CloseCode::Forbidden => 4003,
            CloseCode::NotFound => 4004,
            CloseCode::Other(number) => number,
        }
    }
}

impl From<u16> for CloseCode {
    fn from(number: u16) -> Self {
        Self::NAMED
            .into_iter()
            .find(|code| u16::from(*code) == number)
            .unwrap_or(Self::Other(number))
    }
}

#[cfg(test)]
mod tests {
    use super::CloseCode;

    /// The numbers are a contract with the server (`server/src/ws/limits.rs`) and with any client.
    #[test]
    fn close_codes_keep_their_numbers() {
        let pinned = [
            (CloseCode::Unauthorized, 4001),
            (CloseCode::Forbidden, 4003),
            (CloseCode::NotFound, 4004),
            (CloseCode::Policy, 1008),
            (CloseCode::TooBig, 1009),
            (CloseCode::ServiceRestart, 1012),
            (CloseCode::TryAgainLater, 1013),
            (CloseCode::GoingAway, 1001),
            (CloseCode::InternalError, 1011),
            (CloseCode::Normal, 1000),
            (CloseCode::Abnormal, 1006),
        ];
        for (code, number) in pinned {
            assert_eq!(u16::from(code), number);
            assert_eq!(CloseCode::from(number), code);
        }
        assert_eq!(CloseCode::from(4999), CloseCode::Other(4999));
        assert_eq!(u16::from(CloseCode::Other(4999)), 4999);
    }

    #[test]
    fn only_forbidden_and_not_found_end_the_call() {
        let ending: Vec<u16> = CloseCode::NAMED
            .into_iter()
            .filter(|code| code.ends_call())
            .map(u16::from)
            .collect();
        assert_eq!(ending, [4003, 4004]);
    }
}
