//! Decisions about the people a user knows, for the pages: the order of the contacts list, the
//! do-not-disturb choices and how their end time reads, when to look at the clock again. Plain
//! functions over protocol types, tested by `cargo test`; the pages only show their results.

use time::{OffsetDateTime, Time, UtcOffset};

use crate::i18n::{format, t, t_with};
use crate::protocol::{Contact, PrivacySettings, Timestamp, UpdatePrivacy, User, UserId};

/// Favourites first, then online, then by username (case-insensitively): the server's order,
/// kept after local changes (a favourite toggled, a presence event, a contact added).
pub fn sort_contacts(list: &mut [Contact]) {
    list.sort_by(|a, b| {
        b.is_favourite
            .cmp(&a.is_favourite)
            .then(b.user.is_online.cmp(&a.user.is_online))
            .then_with(|| {
                a.user
                    .username
                    .to_lowercase()
                    .cmp(&b.user.username.to_lowercase())
            })
            .then_with(|| a.user.username.cmp(&b.user.username))
    });
}

/// Puts `contact` in the list (replacing an older copy of it) where the order wants it.
pub fn upsert_contact(list: &mut Vec<Contact>, contact: Contact) {
    list.retain(|c| c.user.id != contact.user.id);
    list.push(contact);
    sort_contacts(list);
}

/// Applies a presence change to the contact it is about; `true` if the list changed.
pub fn apply_presence(
    list: &mut [Contact],
    user_id: UserId,
    is_online: bool,
    last_seen: Option<Timestamp>,
) -> bool {
    let mut changed = false;
    for contact in list.iter_mut().filter(|c| c.user.id == user_id) {
        changed |= contact.user.is_online != is_online || contact.user.last_seen != last_seen;
        contact.user.is_online = is_online;
        contact.user.last_seen = last_seen;
    }
    if changed {
        sort_contacts(list);
    }
    changed
}

/// Whether `user` is one of `contacts` ("Added" instead of "Add").
pub fn is_contact(contacts: &[Contact], user: UserId) -> bool {
    contacts.iter().any(|c| c.user.id == user)
}

/// Everyone whose presence a page shows, once each, in order.
pub fn watch_list<'a>(users: impl IntoIterator<Item = &'a User>) -> Vec<UserId> {
    let mut ids = Vec::new();
    for user in users {
        if !ids.contains(&user.id) {
            ids.push(user.id);
        }
    }
    ids
}

/// The do-not-disturb buttons of the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DndChoice {
    Off,
    OneHour,
    /// Until 08:00 local time tomorrow.
    UntilMorning,
    UntilTurnedOff,
}

/// Where "until tomorrow morning" ends, local time.
const MORNING: Time = match Time::from_hms(8, 0, 0) {
    Ok(t) => t,
    Err(_) => Time::MIDNIGHT,
};

const HOUR_MS: i64 = 3_600_000;

impl DndChoice {
    pub const ALL: [Self; 4] = [
        Self::Off,
        Self::OneHour,
        Self::UntilMorning,
        Self::UntilTurnedOff,
    ];

    /// The button's text, in the current language.
    pub fn label(self) -> String {
        t(match self {
            Self::Off => "dnd-choice-off",
            Self::OneHour => "dnd-choice-hour",
            Self::UntilMorning => "dnd-choice-morning",
            Self::UntilTurnedOff => "dnd-choice-on",
        })
    }

    /// A stable name for tests and element ids.
    pub fn key(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::OneHour => "hour",
            Self::UntilMorning => "morning",
            Self::UntilTurnedOff => "on",
        }
    }

    /// The `PATCH /api/users/me/privacy/` body for this choice, made at `now`.
    pub fn update(self, now: Timestamp, offset: impl Fn(Timestamp) -> UtcOffset) -> UpdatePrivacy {
        let (on, until) = match self {
            Self::Off => (false, None),
            Self::OneHour => (true, Some(Timestamp(now.millis() + HOUR_MS))),
            Self::UntilMorning => (true, morning_after(now, offset)),
            Self::UntilTurnedOff => (true, None),
        };
        UpdatePrivacy {
            do_not_disturb: Some(on),
            do_not_disturb_until: until,
            ..UpdatePrivacy::default()
        }
    }
}

/// 08:00 local time on the day after `now`'s local day. `offset` gives the local offset at an
/// instant, so a daylight-saving change overnight still lands on 08:00.
pub fn morning_after(now: Timestamp, offset: impl Fn(Timestamp) -> UtcOffset) -> Option<Timestamp> {
    let today = to_datetime(now)?.to_offset(offset(now)).date();
    let morning = today.next_day()?.with_time(MORNING);
    let guess = morning.assume_offset(offset(now));
    let exact = morning.assume_offset(offset(from_datetime(guess)));
    Some(from_datetime(exact))
}

/// The nav indicator and the profile's status line while do-not-disturb is on at `now`:
/// "Do not disturb until 14:30", "… until tomorrow 08:00", "… until you turn it off".
pub fn dnd_status(
    settings: &PrivacySettings,
    now: Timestamp,
    offset: impl Fn(Timestamp) -> UtcOffset,
) -> Option<String> {
    if !settings.dnd_active(now) {
        return None;
    }
    Some(match settings.do_not_disturb_until {
        Some(until) => t_with(
            "dnd-until",
            &[("until", until_text(until, now, offset).into())],
        ),
        None => t("dnd-until-off"),
    })
}

/// An end time as people say it: "14:30" today, "tomorrow 08:00", else a date and time in the
/// current language ("Dec 3, 2026, 8:00 AM", "03.12.2026, 08:00"…).
pub fn until_text(
    until: Timestamp,
    now: Timestamp,
    offset: impl Fn(Timestamp) -> UtcOffset,
) -> String {
    let (Some(end), Some(start)) = (to_datetime(until), to_datetime(now)) else {
        return until.to_string();
    };
    let end = end.to_offset(offset(until));
    let today = start.to_offset(offset(now)).date();
    let clock = format!("{:02}:{:02}", end.hour(), end.minute());
    if end.date() == today {
        clock
    } else if today.next_day() == Some(end.date()) {
        t_with("dnd-tomorrow", &[("clock", clock.into())])
    } else {
        let parts = format::DateTimeParts {
            year: end.year(),
            month: u8::from(end.month()),
            day: end.day(),
            hour: end.hour(),
            minute: end.minute(),
        };
        format::format_datetime(crate::i18n::locale(), parts)
    }
}

/// The longest timer a browser keeps (`setTimeout` takes a signed 32-bit delay).
const MAX_TIMER_MS: i64 = i32::MAX as i64;

/// How long until do-not-disturb ends by itself, for a timer that clears the indicator (capped;
/// the timer then looks again). `None` while it is off or on until turned off.
pub fn dnd_recheck_ms(settings: &PrivacySettings, now: Timestamp) -> Option<u64> {
    if !settings.dnd_active(now) {
        return None;
    }
    let until = settings.do_not_disturb_until?;
    u64::try_from((until.millis() - now.millis()).clamp(0, MAX_TIMER_MS)).ok()
}

/// This browser's offset from UTC at `at` (UTC on the server, which renders no times).
pub fn local_offset(at: Timestamp) -> UtcOffset {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.millis() as f64));
        // getTimezoneOffset is minutes *behind* UTC.
        let seconds = -(date.get_timezone_offset() * 60.0) as i32;
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = at;
        UtcOffset::UTC
    }
}

fn to_datetime(at: Timestamp) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.millis()) * 1_000_000).ok()
}

fn from_datetime(at: OffsetDateTime) -> Timestamp {
    Timestamp((at.unix_timestamp_nanos() / 1_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, name: &str, online: bool) -> User {
        User {
            id: UserId(id),
            username: name.into(),
            email: None,
            is_online: online,
            last_seen: None,
            profile_picture: None,
        }
    }

    fn contact(id: i64, name: &str, online: bool, favourite: bool) -> Contact {
        Contact {
            user: user(id, name, online),
            is_favourite: favourite,
            added_at: Timestamp(0),
        }
    }

    fn names(list: &[Contact]) -> Vec<&str> {
        list.iter().map(|c| c.user.username.as_str()).collect()
    }

    /// 2026-11-30T10:15:00Z.
    const NOW: Timestamp = Timestamp(1_796_033_700_000);

    fn utc(_: Timestamp) -> UtcOffset {
        UtcOffset::UTC
    }

    fn hours(h: i8) -> UtcOffset {
        UtcOffset::from_hms(h, 0, 0).unwrap()
    }

    #[test]
    fn contacts_sort_favourites_then_online_then_name() {
        let mut list = vec![
            contact(1, "zoe", true, false),
            contact(2, "Bob", false, false),
            contact(3, "amy", false, false),
            contact(4, "yan", false, true),
            contact(5, "carl", true, true),
        ];
        sort_contacts(&mut list);
        assert_eq!(names(&list), ["carl", "yan", "zoe", "amy", "Bob"]);
    }

    #[test]
    fn an_added_contact_takes_its_place_and_replaces_an_old_copy() {
        let mut list = vec![
            contact(1, "amy", false, false),
            contact(2, "bob", false, false),
        ];
        upsert_contact(&mut list, contact(3, "cid", true, false));
        assert_eq!(names(&list), ["cid", "amy", "bob"]);
        upsert_contact(&mut list, contact(2, "bob", false, true));
        assert_eq!(names(&list), ["bob", "cid", "amy"]);
        assert_eq!(list.len(), 3);
        assert!(is_contact(&list, UserId(2)));
        assert!(!is_contact(&list, UserId(9)));
    }

    #[test]
    fn presence_moves_a_contact_and_reports_no_change_when_there_is_none() {
        let mut list = vec![
            contact(1, "amy", false, false),
            contact(2, "bob", false, false),
        ];
        assert!(apply_presence(&mut list, UserId(2), true, None));
        assert_eq!(names(&list), ["bob", "amy"]);
        assert!(!apply_presence(&mut list, UserId(2), true, None));
        assert!(!apply_presence(&mut list, UserId(7), true, None));
    }

    #[test]
    fn the_watch_list_names_everyone_once() {
        let (a, b) = (user(1, "a", false), user(2, "b", false));
        assert_eq!(watch_list([&a, &b, &a]), [UserId(1), UserId(2)]);
    }

    #[test]
    fn dnd_choices_become_the_matching_update() {
        let off = DndChoice::Off.update(NOW, utc);
        assert_eq!(off.do_not_disturb, Some(false));
        assert_eq!(off.do_not_disturb_until, None);
        let hour = DndChoice::OneHour.update(NOW, utc);
        assert_eq!(hour.do_not_disturb, Some(true));
        assert_eq!(hour.do_not_disturb_until, Some(Timestamp(NOW.0 + HOUR_MS)));
        let on = DndChoice::UntilTurnedOff.update(NOW, utc);
        assert_eq!(
            (on.do_not_disturb, on.do_not_disturb_until),
            (Some(true), None)
        );
        let morning = DndChoice::UntilMorning.update(NOW, utc);
        assert_eq!(
            morning.do_not_disturb_until.map(|t| t.to_string()),
            Some("2026-12-01T08:00:00.000Z".into())
        );
        // Nothing else is touched.
        assert_eq!(morning.who_can_call, None);
        assert_eq!(morning.presence_visible_to, None);
    }

    #[test]
    fn tomorrow_morning_is_local_and_survives_a_clock_change() {
        // UTC+9: it is already 19:15 on the 30th there; 08:00 on Dec 1 is 23:00Z on the 30th.
        let east = morning_after(NOW, |_| hours(9)).unwrap();
        assert_eq!(east.to_string(), "2026-11-30T23:00:00.000Z");
        // UTC-11: still 23:15 on the 29th; tomorrow is the 30th, 08:00 there is 19:00Z.
        let west = morning_after(NOW, |_| hours(-11)).unwrap();
        assert_eq!(west.to_string(), "2026-11-30T19:00:00.000Z");
        // Clocks go forward overnight (+1 h to +2 h from midnight UTC on): still 08:00 local.
        let switch = Timestamp(1_796_083_200_000); // 2026-12-01T00:00Z
        let dst = |at: Timestamp| if at < switch { hours(1) } else { hours(2) };
        assert_eq!(
            morning_after(NOW, dst).unwrap().to_string(),
            "2026-12-01T06:00:00.000Z"
        );
    }

    #[test]
    fn end_times_read_as_today_tomorrow_or_a_date() {
        let at = |s: i64| Timestamp(NOW.0 + s * 1000);
        assert_eq!(until_text(at(3600), NOW, utc), "11:15");
        assert_eq!(until_text(at(22 * 3600), NOW, utc), "tomorrow 08:15");
        assert_eq!(
            until_text(at(3 * 86_400), NOW, utc),
            "Dec 3, 2026, 10:15 AM"
        );
        assert_eq!(until_text(at(3600), NOW, |_| hours(9)), "20:15");
    }

    #[test]
    fn the_status_line_follows_the_setting_and_its_end() {
        let mut settings = PrivacySettings::default();
        assert_eq!(dnd_status(&settings, NOW, utc), None);
        assert_eq!(dnd_recheck_ms(&settings, NOW), None);
        settings.do_not_disturb = true;
        assert_eq!(
            dnd_status(&settings, NOW, utc).as_deref(),
            Some("Do not disturb until you turn it off")
        );
        assert_eq!(dnd_recheck_ms(&settings, NOW), None);
        settings.do_not_disturb_until = Some(Timestamp(NOW.0 + 90_000));
        assert_eq!(
            dnd_status(&settings, NOW, utc).as_deref(),
            Some("Do not disturb until 10:16")
        );
        assert_eq!(dnd_recheck_ms(&settings, NOW), Some(90_000));
        // Over by itself: no indicator, no timer.
        let later = Timestamp(NOW.0 + 90_000);
        assert_eq!(dnd_status(&settings, later, utc), None);
        assert_eq!(dnd_recheck_ms(&settings, later), None);
        // Far ends are looked at again within what a browser timer can wait.
        settings.do_not_disturb_until = Some(Timestamp(NOW.0 + 40 * 86_400_000));
        assert_eq!(dnd_recheck_ms(&settings, NOW), Some(i32::MAX as u64));
    }
}
