//! People a user knows and who may reach them: contacts, blocks, privacy and do-not-disturb.
//! Extensions beyond the reference API, in its style (`/api/contacts/`, `/api/blocks/`,
//! `/api/users/me/privacy/`).

use serde::{Deserialize, Serialize};

use super::{Timestamp, User, UserId};

/// One entry of `GET /api/contacts/`: favourites first, then online first, then by username.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Contact {
    /// As the owner of the list may see them (presence privacy applies).
    pub user: User,
    pub is_favourite: bool,
    pub added_at: Timestamp,
}

/// `POST /api/contacts/`: 201 with the new contact, 200 with the existing one if already added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AddContact {
    pub user_id: UserId,
    #[serde(default)]
    pub is_favourite: bool,
}

/// `PATCH /api/contacts/{user_id}/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateContact {
    pub is_favourite: bool,
}

/// `POST /api/blocks/`: 201 with the block, 200 if already blocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BlockUser {
    pub user_id: UserId,
}

/// One entry of `GET /api/blocks/`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BlockedUser {
    pub user: User,
    pub blocked_at: Timestamp,
}

/// Who may ring a user. A call from outside the allowed set is refused like a blocked one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallPermission {
    #[default]
    Everyone,
    Contacts,
}

/// Who may see a user's presence (`is_online`, `last_seen`). Those not allowed see the user
/// offline with `last_seen` null, through every path (REST, socket events, directory, call JSON).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PresenceVisibility {
    #[default]
    Everyone,
    Contacts,
    Nobody,
}

/// `GET /api/users/me/privacy/` (and the answer of `PATCH`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PrivacySettings {
    pub who_can_call: CallPermission,
    pub presence_visible_to: PresenceVisibility,
    /// Whether do-not-disturb is in effect now (it ends by itself at `do_not_disturb_until`).
    pub do_not_disturb: bool,
    /// When do-not-disturb ends; null while it is off or on until turned off.
    pub do_not_disturb_until: Option<Timestamp>,
}

/// `PATCH /api/users/me/privacy/`: absent fields are left as they are. `do_not_disturb: true`
/// with no `do_not_disturb_until` is on until turned off; `false` turns it off.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdatePrivacy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub who_can_call: Option<CallPermission>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence_visible_to: Option<PresenceVisibility>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub do_not_disturb: Option<bool>,
    /// Must be in the future; only with `do_not_disturb: true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub do_not_disturb_until: Option<Timestamp>,
}

impl CallPermission {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Contacts => "contacts",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Everyone, Self::Contacts]
            .into_iter()
            .find(|value| value.as_str() == text)
    }
}

impl PresenceVisibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Contacts => "contacts",
            Self::Nobody => "nobody",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Everyone, Self::Contacts, Self::Nobody]
            .into_iter()
            .find(|value| value.as_str() == text)
    }
}

impl PrivacySettings {
    /// Whether do-not-disturb is in effect at `now`.
    pub fn dnd_active(&self, now: Timestamp) -> bool {
        self.do_not_disturb && self.do_not_disturb_until.is_none_or(|until| now < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_use_snake_case_values_and_default_to_open() {
        let json = serde_json::to_value(PrivacySettings::default()).unwrap();
        assert_eq!(json["who_can_call"], "everyone");
        assert_eq!(json["presence_visible_to"], "everyone");
        assert_eq!(json["do_not_disturb"], false);
        let patch: UpdatePrivacy =
            serde_json::from_str(r#"{"presence_visible_to":"nobody"}"#).unwrap();
        assert_eq!(patch.presence_visible_to, Some(PresenceVisibility::Nobody));
        assert_eq!(patch.who_can_call, None);
        for value in [PresenceVisibility::Contacts, PresenceVisibility::Nobody] {
            assert_eq!(PresenceVisibility::parse(value.as_str()), Some(value));
        }
        assert_eq!(
            CallPermission::parse("contacts"),
            Some(CallPermission::Contacts)
        );
        assert_eq!(CallPermission::parse("nobody"), None);
    }

    #[test]
    fn do_not_disturb_ends_at_its_time() {
        let settings = PrivacySettings {
            do_not_disturb: true,
            do_not_disturb_until: Some(Timestamp(1_000)),
            ..PrivacySettings::default()
        };
        assert!(settings.dnd_active(Timestamp(999)));
        assert!(!settings.dnd_active(Timestamp(1_000)));
        let forever = PrivacySettings {
            do_not_disturb: true,
            ..PrivacySettings::default()
        };
        assert!(forever.dnd_active(Timestamp(i64::MAX)));
    }
}
