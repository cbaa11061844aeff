//! Error codes: a stable, machine-readable `code` beside the human `detail` of an error body
//! (`{"detail": "...", "code": "busy"}`, as SimpleJWT adds `"code": "token_not_valid"`), and per
//! field for invalid input (`"codes": {"username": ["username_taken"]}` beside DRF's messages).
//! The server sets them; the app shows its own translated text for each (`app::i18n`), never
//! the server's English. Unknown codes (a newer server) read as [`ErrorCode::Unknown`].

use serde::{Deserialize, Serialize};

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Requests as a whole.
    /// Malformed JSON or query parameters.
    ParseError,
    /// Invalid input: the field errors say which (`codes`).
    Invalid,
    NotAuthenticated,
    TokenNotValid,
    InvalidCredentials,
    UserNotFound,
    /// A party acting out of their role on a call (the caller accepting, the receiver cancelling).
    NotYourRole,
    OriginNotAllowed,
    NotFound,
    MethodNotAllowed,
    UnsupportedMediaType,
    PayloadTooLarge,
    RateLimited,
    Unavailable,
    Internal,
    /// Either party is in a live call (or the receiver has do-not-disturb on: `reason`).
    Busy,
    /// The call had moved on (accepting a call that was cancelled meanwhile).
    CallChanged,
    MessageExists,
    /// A call report refused: already sent, or the call is not one to report on (never
    /// answered, or ended too long ago).
    ReportRefused,
    /// Past `MAX_CONTACTS` or `MAX_BLOCKS`.
    LimitReached,
    // Fields.
    Required,
    NotNull,
    NotAString,
    Blank,
    TooLong,
    InvalidChoice,
    InvalidInteger,
    InvalidUsername,
    InvalidEmail,
    PasswordTooShort,
    PasswordTooCommon,
    PasswordNumeric,
    PasswordTooSimilar,
    PasswordMismatch,
    UsernameTaken,
    EmailTaken,
    UnknownUser,
    NotYourself,
    UnblockFirst,
    InvalidPicture,
    InvalidMessage,
    InvalidTime,
    /// A code this app does not know (sent by a newer server).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 43] = [
        Self::ParseError,
        Self::Invalid,
        Self::NotAuthenticated,
        Self::TokenNotValid,
        Self::InvalidCredentials,
        Self::UserNotFound,
        Self::NotYourRole,
        Self::OriginNotAllowed,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::UnsupportedMediaType,
        Self::PayloadTooLarge,
        Self::RateLimited,
        Self::Unavailable,
        Self::Internal,
        Self::Busy,
        Self::CallChanged,
        Self::MessageExists,
        Self::ReportRefused,
        Self::LimitReached,
        Self::Required,
        Self::NotNull,
        Self::NotAString,
        Self::Blank,
        Self::TooLong,
        Self::InvalidChoice,
        Self::InvalidInteger,
        Self::InvalidUsername,
        Self::InvalidEmail,
        Self::PasswordTooShort,
        Self::PasswordTooCommon,
        Self::PasswordNumeric,
        Self::PasswordTooSimilar,
        Self::PasswordMismatch,
        Self::UsernameTaken,
        Self::EmailTaken,
        Self::UnknownUser,
        Self::NotYourself,
        Self::UnblockFirst,
        Self::InvalidPicture,
        Self::InvalidMessage,
        Self::InvalidTime,
        Self::Unknown,
    ];

    /// The wire value (`"rate_limited"`).
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The catalogue key of its text (`error-rate_limited`; `error-unknown` is the generic one).
    pub fn message_key(self) -> &'static str {
        // Spelled out (not formatted) so the catalogue test sees every key as a literal.
        match self {
            Self::ParseError => "error-parse_error",
            Self::Invalid => "error-invalid",
            Self::NotAuthenticated => "error-not_authenticated",
            Self::TokenNotValid => "error-token_not_valid",
            Self::InvalidCredentials => "error-invalid_credentials",
            Self::UserNotFound => "error-user_not_found",
            Self::NotYourRole => "error-not_your_role",
            Self::OriginNotAllowed => "error-origin_not_allowed",
            Self::NotFound => "error-not_found",
            Self::MethodNotAllowed => "error-method_not_allowed",
            Self::UnsupportedMediaType => "error-unsupported_media_type",
            Self::PayloadTooLarge => "error-payload_too_large",
            Self::RateLimited => "error-rate_limited",
            Self::Unavailable => "error-unavailable",
            Self::Internal => "error-internal",
            Self::Busy => "error-busy",
            Self::CallChanged => "error-call_changed",
            Self::MessageExists => "error-message_exists",
            Self::ReportRefused => "error-report_refused",
            Self::LimitReached => "error-limit_reached",
            Self::Required => "error-required",
            Self::NotNull => "error-not_null",
            Self::NotAString => "error-not_a_string",
            Self::Blank => "error-blank",
            Self::TooLong => "error-too_long",
            Self::InvalidChoice => "error-invalid_choice",
            Self::InvalidInteger => "error-invalid_integer",
            Self::InvalidUsername => "error-invalid_username",
            Self::InvalidEmail => "error-invalid_email",
            Self::PasswordTooShort => "error-password_too_short",
            Self::PasswordTooCommon => "error-password_too_common",
            Self::PasswordNumeric => "error-password_numeric",
            Self::PasswordTooSimilar => "error-password_too_similar",
            Self::PasswordMismatch => "error-password_mismatch",
            Self::UsernameTaken => "error-username_taken",
            Self::EmailTaken => "error-email_taken",
            Self::UnknownUser => "error-unknown_user",
            Self::NotYourself => "error-not_yourself",
            Self::UnblockFirst => "error-unblock_first",
            Self::InvalidPicture => "error-invalid_picture",
            Self::InvalidMessage => "error-invalid_message",
            Self::InvalidTime => "error-invalid_time",
            Self::Unknown => "error-unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn codes_are_snake_case_on_the_wire_and_unknown_ones_read_as_unknown() {
        assert_eq!(ErrorCode::RateLimited.as_str(), "rate_limited");
        assert_eq!(
            serde_json::from_str::<ErrorCode>("\"username_taken\"").ok(),
            Some(ErrorCode::UsernameTaken)
        );
        assert_eq!(
            serde_json::from_str::<ErrorCode>("\"from_the_future\"").ok(),
            Some(ErrorCode::Unknown)
        );
    }

    #[test]
    fn every_code_has_its_own_key_named_after_it() {
        let mut keys = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert_eq!(code.message_key(), format!("error-{}", code.as_str()));
            assert!(keys.insert(code.message_key()));
        }
    }
}
