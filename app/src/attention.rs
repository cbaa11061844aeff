//! Getting the user's attention for a call when they are not looking at the page: the system
//! notification of a ringing call (and of a call missed meanwhile), the flashing tab title, and
//! whether the ringtone could start. Plain decisions over protocol types, tested by `cargo test`;
//! `components::attention` only performs them with web-sys.

use crate::i18n::{t, t_with};
use crate::protocol::{Call, CallId, CallStatus, CallType};

/// What a system notification says. One per call: its tag names the call, so a second tab (or a
/// second show) replaces the first instead of stacking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub call: CallId,
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
    /// The caller's picture, or our app icon.
    pub icon: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Stays until the call stops ringing; offers Accept and Decline where the browser can.
    Ringing,
    /// Left behind when the call was missed while the page was hidden.
    Missed,
}

/// The icon of notifications from callers without a picture (public/icons/).
pub const APP_ICON: &str = "/icons/icon-192.png";

impl Notice {
    fn new(call: &Call, kind: NoticeKind) -> Self {
        let name = [("name", call.caller.username.as_str().into())];
        let audio = call.call_type == CallType::Audio;
        let (title, body) = match kind {
            NoticeKind::Ringing => (
                t_with("notice-calling", &name),
                t(if audio {
                    "incoming-audio"
                } else {
                    "incoming-video"
                }),
            ),
            NoticeKind::Missed => (
                t_with("notice-missed-from", &name),
                t(if audio {
                    "notice-missed-audio"
                } else {
                    "notice-missed-video"
                }),
            ),
        };
        Self {
            call: call.id,
            kind,
            title,
            body,
            icon: call
                .caller
                .profile_picture
                .clone()
                .unwrap_or_else(|| APP_ICON.to_owned()),
        }
    }

    /// The notification tag: the call's id, kept apart for the two kinds so that closing the
    /// ringing one can never close the missed one another tab has just put in its place.
    pub fn tag(&self) -> String {
        tag(self.call, self.kind)
    }
}

pub fn tag(call: CallId, kind: NoticeKind) -> String {
    match kind {
        NoticeKind::Ringing => format!("call-{call}"),
        NoticeKind::Missed => format!("call-{call}-missed"),
    }
}

/// What the page should do with notifications now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeAction {
    Show(Notice),
    /// Close the ringing notification of this call (in every tab's name: they share it).
    Close(CallId),
}

/// What one tab knows of the page and the call, each time something changes.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    /// The call ringing for me in this tab.
    pub ringing: Option<&'a Call>,
    /// The latest state of any call of mine (how a call that stopped ringing ended).
    pub latest: Option<&'a Call>,
    pub hidden: bool,
    /// Notification permission granted.
    pub allowed: bool,
}

/// One tab's memory of the notifications it is responsible for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notices {
    /// The call this tab saw ringing.
    ringing: Option<CallId>,
    /// The call whose ringing notification this tab showed (and must close).
    shown: Option<CallId>,
}

impl Notices {
    /// The actions for the page as it is now: a ringing notification while the page is hidden,
    /// closed when the page is looked at or the call stops ringing (answered anywhere, declined,
    /// cancelled), replaced by a missed one when the call was missed while hidden.
    pub fn step(&mut self, seen: Seen<'_>) -> Vec<NoticeAction> {
        let mut actions = Vec::new();
        let now_ringing = seen.ringing.map(|c| c.id);
        if let Some(stopped) = self.ringing.filter(|&id| Some(id) != now_ringing) {
            let missed = seen
                .latest
                .filter(|c| c.id == stopped && c.status == CallStatus::Missed);
            if self.shown == Some(stopped) {
                actions.push(NoticeAction::Close(stopped));
                self.shown = None;
            }
            if let Some(call) = missed.filter(|_| seen.hidden && seen.allowed) {
                actions.push(NoticeAction::Show(Notice::new(call, NoticeKind::Missed)));
            }
        }
        self.ringing = now_ringing;
        match seen.ringing {
            Some(call) if seen.hidden && seen.allowed && self.shown != Some(call.id) => {
                actions.push(NoticeAction::Show(Notice::new(call, NoticeKind::Ringing)));
                self.shown = Some(call.id);
            }
            Some(call) if !seen.hidden && self.shown == Some(call.id) => {
                // The overlay is in front of the user now: the notification would only linger.
                actions.push(NoticeAction::Close(call.id));
                self.shown = None;
            }
            _ => {}
        }
        actions
    }
}

/// The browser's answer to "may we show notifications?", as the profile explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Not asked yet: the profile offers to ask (never on page load).
    Ask,
    Granted,
    Denied,
    /// No Notification API or no service worker here (an insecure origin, an old browser).
    Unsupported,
}

impl Permission {
    /// `Notification.permission`: "default", "granted" or "denied".
    pub fn parse(text: &str) -> Self {
        match text {
            "granted" => Self::Granted,
            "denied" => Self::Denied,
            "default" => Self::Ask,
            _ => Self::Unsupported,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Ask => "ask",
            Self::Granted => "granted",
            Self::Denied => "denied",
            Self::Unsupported => "unsupported",
        }
    }

    pub fn explanation(self) -> String {
        t(match self {
            Self::Ask => "notifications-ask",
            Self::Granted => "notifications-granted",
            Self::Denied => "notifications-denied",
            Self::Unsupported => "notifications-unsupported",
        })
    }
}

/// How often the title changes while it flashes.
pub const FLASH_INTERVAL_MS: u64 = 1_000;

/// The tab title at flash `tick` while `caller`'s call rings in a hidden tab: "Incoming call"
/// on even ticks, the page's own title on odd ones.
pub fn flash_title(base: &str, caller: &str, tick: u64) -> String {
    if tick.is_multiple_of(2) {
        t_with("notice-flash-title", &[("name", caller.into())])
    } else {
        base.to_owned()
    }
}

/// Whether the ringtone can be heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sound {
    Off,
    Playing,
    /// The browser's autoplay policy holds the audio until the user interacts with the page.
    Blocked,
}

impl Sound {
    /// For `data-ringtone` (tests) and styling.
    pub fn key(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Playing => "playing",
            Self::Blocked => "blocked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::test_call;

    fn call(id: i64, status: CallStatus) -> Call {
        Call {
            call_type: CallType::Video,
            ..test_call(id, status, "amy", "bob")
        }
    }

    fn seen<'a>(ringing: Option<&'a Call>, latest: Option<&'a Call>, hidden: bool) -> Seen<'a> {
        Seen {
            ringing,
            latest,
            hidden,
            allowed: true,
        }
    }

    fn kinds(actions: &[NoticeAction]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match a {
                NoticeAction::Show(n) => format!("show {}", n.tag()),
                NoticeAction::Close(id) => format!("close {id}"),
            })
            .collect()
    }

    #[test]
    fn a_call_ringing_in_a_hidden_tab_notifies_once_and_closes_when_it_stops() {
        let mut notices = Notices::default();
        let ringing = call(7, CallStatus::Ringing);
        let first = notices.step(seen(Some(&ringing), Some(&ringing), true));
        assert_eq!(kinds(&first), ["show call-7"]);
        let NoticeAction::Show(notice) = &first[0] else {
            unreachable!()
        };
        assert_eq!(notice.title, "amy is calling");
        assert_eq!(notice.body, "Incoming video call");
        assert_eq!(notice.icon, APP_ICON);
        // Status updates of the same call show nothing new.
        assert!(notices
            .step(seen(Some(&ringing), Some(&ringing), true))
            .is_empty());
        let cancelled = call(7, CallStatus::Cancelled);
        assert_eq!(
            kinds(&notices.step(seen(None, Some(&cancelled), true))),
            ["close 7"]
        );
        assert!(notices.step(seen(None, Some(&cancelled), true)).is_empty());
    }

    #[test]
    fn a_visible_tab_does_not_notify_and_looking_closes_the_notification() {
        let mut notices = Notices::default();
        let ringing = call(7, CallStatus::Ringing);
        assert!(notices
            .step(seen(Some(&ringing), Some(&ringing), false))
            .is_empty());
        assert_eq!(
            kinds(&notices.step(seen(Some(&ringing), None, true))),
            ["show call-7"]
        );
        assert_eq!(
            kinds(&notices.step(seen(Some(&ringing), None, false))),
            ["close 7"]
        );
    }

    #[test]
    fn without_permission_nothing_is_shown() {
        let mut notices = Notices::default();
        let ringing = call(7, CallStatus::Ringing);
        let denied = Seen {
            allowed: false,
            ..seen(Some(&ringing), None, true)
        };
        assert!(notices.step(denied).is_empty());
        let missed = call(7, CallStatus::Missed);
        let denied = Seen {
            allowed: false,
            ..seen(None, Some(&missed), true)
        };
        assert!(notices.step(denied).is_empty());
    }

    #[test]
    fn a_call_missed_while_hidden_leaves_one_missed_notification() {
        let mut notices = Notices::default();
        let ringing = call(7, CallStatus::Ringing);
        notices.step(seen(Some(&ringing), None, true));
        let missed = call(7, CallStatus::Missed);
        let actions = notices.step(seen(None, Some(&missed), true));
        assert_eq!(kinds(&actions), ["close 7", "show call-7-missed"]);
        let NoticeAction::Show(notice) = &actions[1] else {
            unreachable!()
        };
        assert_eq!(notice.title, "Missed call from amy");
        // Missed while the user looks: the badge tells, no notification.
        let mut notices = Notices::default();
        notices.step(seen(Some(&ringing), None, false));
        assert!(notices.step(seen(None, Some(&missed), false)).is_empty());
    }

    #[test]
    fn a_second_call_closes_the_first_ones_notification() {
        let mut notices = Notices::default();
        let first = call(7, CallStatus::Ringing);
        let second = call(8, CallStatus::Ringing);
        notices.step(seen(Some(&first), None, true));
        let ended = call(7, CallStatus::Rejected);
        assert_eq!(
            kinds(&notices.step(seen(Some(&second), Some(&ended), true))),
            ["close 7", "show call-8"]
        );
    }

    #[test]
    fn permission_from_the_browser() {
        assert_eq!(Permission::parse("default"), Permission::Ask);
        assert_eq!(Permission::parse("granted"), Permission::Granted);
        assert_eq!(Permission::parse("denied"), Permission::Denied);
        assert_eq!(Permission::parse(""), Permission::Unsupported);
    }

    #[test]
    fn the_title_alternates_between_the_call_and_the_page() {
        assert_eq!(flash_title("Callhub", "amy", 0), "Incoming call: amy");
        assert_eq!(flash_title("Callhub", "amy", 1), "Callhub");
        assert_eq!(flash_title("Callhub", "amy", 2), "Incoming call: amy");
    }
}
