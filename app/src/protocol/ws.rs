//! WebSocket messages: the reference's call-room protocol (`/ws/call/{room_id}/`) and the user
//! socket (`/ws/`). Every message is a JSON object tagged by `type`.
//!
//! Parsing is a plain function ([`parse_client_msg`]) so that malformed input can be tested
//! without a socket, and so that every kind of mistake gets its own error code.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Call, CallId, CallMessage, CallType, PrivacySettings, Timestamp, User, UserEvent, UserId,
};

/// An access token sent in an `auth` message. Its `Debug` output is redacted so that logging a
/// message can never leak it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccessToken(pub String);

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// See [`ClientMsg::max_bytes`].
pub const MAX_SDP_MESSAGE_BYTES: usize = 32 * 1024;
pub const MAX_CANDIDATE_MESSAGE_BYTES: usize = 2 * 1024;
pub const MAX_CONTROL_MESSAGE_BYTES: usize = 4 * 1024;
/// A presence subscription lists user ids (the server caps how many it keeps).
pub const MAX_SUBSCRIBE_MESSAGE_BYTES: usize = 64 * 1024;

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ClientMsg {
    /// The first message when the token is not in the URL.
    Auth {
        token: AccessToken,
    },
    CallOffer {
        offer: Value,
        call_id: CallId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call_type: Option<CallType>,
    },
    CallAnswer {
        answer: Value,
        call_id: CallId,
    },
    IceCandidate {
        candidate: Value,
        call_id: CallId,
    },
    CallEnd {
        call_id: CallId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The receiver's device confirms it rings.
    Ringing {
        call_id: CallId,
    },
    /// User socket: presence changes of these users are wanted.
    SubscribePresence {
        user_ids: Vec<UserId>,
    },
    /// Application-level keepalive (browsers cannot send protocol pings); answered with `pong`.
    Ping,
}

impl ClientMsg {
    /// Every `type` a client may send, for telling an unknown type from a malformed message.
    pub const TYPES: [&'static str; 8] = [
        "auth",
        "call-offer",
        "call-answer",
        "ice-candidate",
        "call-end",
        "ringing",
        "subscribe-presence",
        "ping",
    ];

    /// The largest message of type `kind` a client may send, in bytes. An SDP is a few KiB (32
    /// leaves room for many codecs and simulcast), an ICE candidate a few hundred bytes; the
    /// control messages are tiny. Bounds what one socket can make the server relay and log.
    pub fn max_bytes(kind: &str) -> usize {
        match kind {
            "call-offer" | "call-answer" => MAX_SDP_MESSAGE_BYTES,
            "ice-candidate" => MAX_CANDIDATE_MESSAGE_BYTES,
            "subscribe-presence" => MAX_SUBSCRIBE_MESSAGE_BYTES,
            _ => MAX_CONTROL_MESSAGE_BYTES,
        }
    }

    /// The message's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Auth { .. } => "auth",
            Self::CallOffer { .. } => "call-offer",
            Self::CallAnswer { .. } => "call-answer",
            Self::IceCandidate { .. } => "ice-candidate",
            Self::CallEnd { .. } => "call-end",
            Self::Ringing { .. } => "ringing",
            Self::SubscribePresence { .. } => "subscribe-presence",
            Self::Ping => "ping",
        }
    }

    /// The call a call-room message is about, if it is one.
    pub fn call_id(&self) -> Option<CallId> {
        match self {
            Self::CallOffer { call_id, .. }
            | Self::CallAnswer { call_id, .. }
            | Self::IceCandidate { call_id, .. }
            | Self::CallEnd { call_id, .. }
            | Self::Ringing { call_id } => Some(*call_id),
            Self::Auth { .. } | Self::SubscribePresence { .. } | Self::Ping => None,
        }
    }
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ServerMsg {
    /// Relayed from the other party, who is `sender_id`.
    CallOffer {
        offer: Value,
        call_id: CallId,
        sender_id: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call_type: Option<CallType>,
    },
    CallAnswer {
        answer: Value,
        call_id: CallId,
        sender_id: UserId,
    },
    IceCandidate {
        candidate: Value,
        call_id: CallId,
        sender_id: UserId,
    },
    CallEnd {
        call_id: CallId,
        sender_id: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The receiver's device rings (sent to the caller).
    Ringing {
        call_id: CallId,
        sender_id: UserId,
    },
    /// The other party joined the call room.
    UserJoined {
        user_id: UserId,
        username: String,
    },
    /// The other party left the call room (or lost its connection).
    UserLeft {
        user_id: UserId,
        username: String,
    },
    /// The last message could not be used; the socket stays open.
    Error {
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    /// The socket is authenticated and ready (room joined, events subscribed).
    AuthOk {
        user_id: UserId,
    },
    Pong,
    /// User socket: the users whose presence this socket now watches (the request, deduplicated
    /// and capped).
    Subscribed {
        user_ids: Vec<UserId>,
    },
    /// User socket: a new call rings this user.
    CallIncoming {
        call: Call,
    },
    /// User socket: a call of this user changed.
    CallStatus {
        call: Call,
    },
    /// User socket: a subscribed user came online or went offline.
    Presence {
        user_id: UserId,
        is_online: bool,
        last_seen: Option<Timestamp>,
    },
    /// User socket: this user's privacy or do-not-disturb settings changed.
    PrivacyChanged {
        settings: PrivacySettings,
    },
    /// User socket: a caller left a message on a missed call of this user.
    CallMessage {
        message: CallMessage,
    },
    /// User socket: someone this user asked about is free now (`POST /api/availability/`).
    UserAvailable {
        user: User,
    },
}

impl ServerMsg {
    pub fn error(error: &WsError) -> Self {
        Self::Error {
            message: error.to_string(),
            code: Some(error.code().to_owned()),
        }
    }
}

impl From<UserEvent> for ServerMsg {
    fn from(event: UserEvent) -> Self {
        match event {
            UserEvent::CallIncoming { call } => Self::CallIncoming { call },
            UserEvent::CallStatus { call } => Self::CallStatus { call },
            UserEvent::Presence {
                user_id,
                is_online,
                last_seen,
            } => Self::Presence {
                user_id,
                is_online,
                last_seen,
            },
            UserEvent::PrivacyChanged { settings } => Self::PrivacyChanged { settings },
            UserEvent::CallMessage { message } => Self::CallMessage { message },
            UserEvent::UserAvailable { user } => Self::UserAvailable { user },
        }
    }
}

/// Why a client message was refused. `code` is stable; the text is for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsError {
    InvalidJson,
    NotAnObject,
    MissingType,
    UnknownType(String),
    MissingField(String),
    InvalidField(String),
    Binary,
    /// The message names another call than the room's.
    WrongCall,
    /// The message is valid but means nothing on this socket.
    Unsupported(&'static str),
    /// The call service refused (e.g. only the receiver can ring).
    Refused(String),
    /// Over [`ClientMsg::max_bytes`] for its type.
    TooLarge {
        kind: &'static str,
        max: usize,
    },
}

impl WsError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::NotAnObject => "not_an_object",
            Self::MissingType => "missing_type",
            Self::UnknownType(_) => "unknown_type",
            Self::MissingField(_) => "missing_field",
            Self::InvalidField(_) => "invalid_field",
            Self::Binary => "binary_not_supported",
            Self::WrongCall => "wrong_call",
            Self::Unsupported(_) => "unsupported",
            Self::Refused(_) => "refused",
            Self::TooLarge { .. } => "too_large",
        }
    }
}

impl std::fmt::Display for WsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidJson => f.write_str("Invalid JSON."),
            Self::NotAnObject => f.write_str("A message must be a JSON object."),
            Self::MissingType => f.write_str("The field \"type\" is required."),
            Self::UnknownType(kind) => write!(f, "Unknown message type \"{kind}\"."),
            Self::MissingField(field) => write!(f, "The field \"{field}\" is required."),
            Self::InvalidField(detail) => write!(f, "Invalid message: {detail}."),
            Self::Binary => f.write_str("Binary messages are not supported; send JSON text."),
            Self::WrongCall => f.write_str("call_id does not match this room's call."),
            Self::Unsupported(what) => write!(f, "\"{what}\" is not supported on this socket."),
            Self::Refused(detail) => f.write_str(detail),
            Self::TooLarge { kind, max } => {
                write!(f, "A \"{kind}\" message may have at most {max} bytes.")
            }
        }
    }
}

/// Parses one text frame.
pub fn parse_client_msg(text: &str) -> Result<ClientMsg, WsError> {
    let value: Value = serde_json::from_str(text).map_err(|_| WsError::InvalidJson)?;
    let object = value.as_object().ok_or(WsError::NotAnObject)?;
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .ok_or(WsError::MissingType)?;
    let Some(kind) = ClientMsg::TYPES.iter().find(|known| **known == kind) else {
        // Bounded: the name is echoed back, and a frame may be up to 64 KiB.
        return Err(WsError::UnknownType(kind.chars().take(40).collect()));
    };
    let max = ClientMsg::max_bytes(kind);
    if text.len() > max {
        return Err(WsError::TooLarge { kind, max });
    }
    serde_json::from_value(value).map_err(|error| {
        let message = error.to_string();
        match message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            Some(field) => WsError::MissingField(field.to_owned()),
            None => WsError::InvalidField(message),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payloads_are_bounded_by_type() {
        let padded = |kind: &str, field: &str, len: usize| {
            json!({"type": kind, "call_id": 1, field: {"sdp": "a".repeat(len)}}).to_string()
        };
        assert!(parse_client_msg(&padded("call-offer", "offer", 20_000)).is_ok());
        assert_eq!(
            parse_client_msg(&padded("call-offer", "offer", 40_000)).unwrap_err(),
            WsError::TooLarge {
                kind: "call-offer",
                max: MAX_SDP_MESSAGE_BYTES
            }
        );
        assert!(parse_client_msg(&padded("ice-candidate", "candidate", 500)).is_ok());
        let big = parse_client_msg(&padded("ice-candidate", "candidate", 3_000)).unwrap_err();
        assert_eq!(big.code(), "too_large");
        let reason = json!({"type": "call-end", "call_id": 1, "reason": "x".repeat(5_000)});
        assert_eq!(
            parse_client_msg(&reason.to_string()).unwrap_err().code(),
            "too_large"
        );
    }

    #[test]
    fn reference_messages_parse() {
        let offer = parse_client_msg(
            r#"{"type":"call-offer","offer":{"type":"offer","sdp":"v=0"},"call_id":123,"call_type":"video"}"#,
        )
        .unwrap();
        assert_eq!(
            offer,
            ClientMsg::CallOffer {
                offer: json!({"type": "offer", "sdp": "v=0"}),
                call_id: CallId(123),
                call_type: Some(CallType::Video),
            }
        );
        let end = parse_client_msg(r#"{"type":"call-end","call_id":1,"reason":"ended"}"#).unwrap();
        assert_eq!(end.call_id(), Some(CallId(1)));
        assert_eq!(
            parse_client_msg(r#"{"type":"ringing","call_id":5}"#).unwrap(),
            ClientMsg::Ringing { call_id: CallId(5) }
        );
        assert_eq!(
            parse_client_msg(r#"{"type":"ping"}"#).unwrap(),
            ClientMsg::Ping
        );
        assert_eq!(
            parse_client_msg(r#"{"type":"subscribe-presence","user_ids":[1,2]}"#).unwrap(),
            ClientMsg::SubscribePresence {
                user_ids: vec![UserId(1), UserId(2)]
            }
        );
    }

    #[test]
    fn each_mistake_has_its_own_error() {
        assert_eq!(parse_client_msg("{nope"), Err(WsError::InvalidJson));
        assert_eq!(parse_client_msg("[1]"), Err(WsError::NotAnObject));
        assert_eq!(
            parse_client_msg(r#"{"call_id":1}"#),
            Err(WsError::MissingType)
        );
        assert_eq!(
            parse_client_msg(r#"{"type":"dance"}"#),
            Err(WsError::UnknownType("dance".into()))
        );
        assert_eq!(
            parse_client_msg(r#"{"type":"call-answer","answer":{}}"#),
            Err(WsError::MissingField("call_id".into()))
        );
        assert_eq!(
            parse_client_msg(r#"{"type":"auth"}"#),
            Err(WsError::MissingField("token".into()))
        );
        let wrong = parse_client_msg(r#"{"type":"ringing","call_id":"x"}"#).unwrap_err();
        assert_eq!(wrong.code(), "invalid_field");
    }

    #[test]
    fn relayed_messages_use_the_reference_field_names() {
        let json = serde_json::to_value(ServerMsg::IceCandidate {
            candidate: json!({"candidate": "c"}),
            call_id: CallId(3),
            sender_id: UserId(9),
        })
        .unwrap();
        assert_eq!(
            json,
            json!({"type": "ice-candidate", "candidate": {"candidate": "c"}, "call_id": 3, "sender_id": 9})
        );
        let json = serde_json::to_value(ServerMsg::UserLeft {
            user_id: UserId(2),
            username: "bob".into(),
        })
        .unwrap();
        assert_eq!(
            json,
            json!({"type": "user-left", "user_id": 2, "username": "bob"})
        );
        let json = serde_json::to_value(ServerMsg::error(&WsError::WrongCall)).unwrap();
        assert_eq!(json["type"], "error");
        assert_eq!(json["code"], "wrong_call");
    }

    #[test]
    fn tokens_are_not_debug_printed() {
        let msg = parse_client_msg(r#"{"type":"auth","token":"secret-jwt"}"#).unwrap();
        assert!(!format!("{msg:?}").contains("secret-jwt"));
    }

    mod properties {
        use proptest::prelude::*;
        use serde_json::{json, Value};

        use super::super::*;

        /// Arbitrary JSON, a few levels deep.
        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(|f| json!(f)),
                ".{0,20}".prop_map(Value::from),
                prop::sample::select(ClientMsg::TYPES.to_vec()).prop_map(Value::from),
            ];
            leaf.prop_recursive(4, 64, 8, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
                    prop::collection::btree_map(
                        prop_oneof![
                            Just("type".to_owned()),
                            Just("call_id".to_owned()),
                            Just("offer".to_owned()),
                            Just("candidate".to_owned()),
                            "[a-z_]{1,10}",
                        ],
                        inner,
                        0..6,
                    )
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #[test]
            fn any_text_parses_or_is_refused_without_panicking(text in ".{0,200}") {
                let _ = parse_client_msg(&text);
            }

            #[test]
            fn any_json_parses_or_is_refused_with_a_code(value in json_value()) {
                if let Err(error) = parse_client_msg(&value.to_string()) {
                    prop_assert!(!error.code().is_empty());
                    prop_assert!(!error.to_string().is_empty());
                }
            }

            #[test]
            fn relayed_messages_round_trip(call_id in 1i64.., text in ".{0,100}") {
                let message = json!({"type": "ice-candidate", "candidate": {"candidate": text}, "call_id": call_id});
                let parsed = parse_client_msg(&message.to_string()).expect("valid");
                prop_assert_eq!(parsed.call_id(), Some(CallId(call_id)));
                prop_assert_eq!(serde_json::to_value(&parsed).expect("json"), message);
            }
        }
    }
}
