//! Who may see whose presence and who may ring whom (issue 18): the rules themselves, as plain
//! functions of the stored facts, so the users, calls and people services and the presence
//! fan-out apply one definition. It depends on nothing of the server.
//!
//! The directory and `online_users` also order and filter by presence in SQL
//! (`db::people::visible_online`), which mirrors [`presence_visible`]; the people tests check
//! both paths agree.

use std::collections::HashSet;

use app::protocol::{CallPermission, PresenceVisibility, PrivacySettings, Timestamp, User, UserId};

/// Whether a viewer sees the presence of a user (`owner`) other than themselves: the owner has
/// not blocked them, and lets everyone see, or their contacts and has added the viewer.
pub fn presence_visible(
    visibility: PresenceVisibility,
    owner_blocked_viewer: bool,
    owner_has_viewer: bool,
) -> bool {
    !owner_blocked_viewer
        && match visibility {
            PresenceVisibility::Everyone => true,
            PresenceVisibility::Contacts => owner_has_viewer,
            PresenceVisibility::Nobody => false,
        }
}

/// `user` as a viewer allowed (`visible`) or not to see their presence: offline, never seen.
pub fn as_seen(mut user: User, visible: bool) -> User {
    if !visible {
        user.is_online = false;
        user.last_seen = None;
    }
    user
}

/// What one user's presence rule needs about everyone: for the presence fan-out, which tells
/// many watchers of one user at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    pub visibility: PresenceVisibility,
    pub contacts: HashSet<UserId>,
    pub blocked: HashSet<UserId>,
}

impl Audience {
    pub fn sees(&self, viewer: UserId) -> bool {
        presence_visible(
            self.visibility,
            self.blocked.contains(&viewer),
            self.contacts.contains(&viewer),
        )
    }
}

/// What happens to a call from a caller to a receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The receiver's devices ring (or the caller hears busy), as always.
    Ring,
    /// The caller is blocked, or outside whom the receiver lets ring them: the caller sees an
    /// ordinary call that nobody answers; the receiver never learns of it.
    Screened,
    /// Do-not-disturb: recorded as missed without ringing, and the caller hears busy.
    DoNotDisturb,
}

/// Screening first: a screened caller never learns that the receiver has do-not-disturb on.
pub fn reach(
    receiver: &PrivacySettings,
    receiver_blocked_caller: bool,
    receiver_has_caller: bool,
    now: Timestamp,
) -> Reach {
    let allowed = match receiver.who_can_call {
        CallPermission::Everyone => true,
        CallPermission::Contacts => receiver_has_caller,
    };
    if receiver_blocked_caller || !allowed {
        Reach::Screened
    } else if receiver.dnd_active(now) {
        Reach::DoNotDisturb
    } else {
        Reach::Ring
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_follows_the_owners_setting_and_blocks() {
        use PresenceVisibility::*;
        assert!(presence_visible(Everyone, false, false));
        assert!(!presence_visible(Everyone, true, true));
        assert!(presence_visible(Contacts, false, true));
        assert!(!presence_visible(Contacts, false, false));
        assert!(!presence_visible(Contacts, true, true));
        assert!(!presence_visible(Nobody, false, true));
    }

    #[test]
    fn screening_comes_before_do_not_disturb() {
        let dnd = PrivacySettings {
            do_not_disturb: true,
            ..PrivacySettings::default()
        };
        let now = Timestamp(0);
        assert_eq!(reach(&dnd, true, true, now), Reach::Screened);
        assert_eq!(reach(&dnd, false, false, now), Reach::DoNotDisturb);
        let contacts_only = PrivacySettings {
            who_can_call: CallPermission::Contacts,
            ..PrivacySettings::default()
        };
        assert_eq!(reach(&contacts_only, false, false, now), Reach::Screened);
        assert_eq!(reach(&contacts_only, false, true, now), Reach::Ring);
        assert_eq!(
            reach(&PrivacySettings::default(), false, false, now),
            Reach::Ring
        );
    }
}
