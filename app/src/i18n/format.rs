//! Dates, times and durations as each locale writes them: plain Rust patterns (unit-tested), fed
//! by the browser's local clock ([`local_parts`]) or UTC on the server.

use super::{text_with, Locale};
use crate::protocol::Timestamp;

/// A wall-clock date and time, as the user's time zone shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTimeParts {
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A short date and time: `Nov 30, 2026, 5:05 PM` (US English, the default of `en`),
/// `30.11.2026, 17:05` (German), `30/11/2026 17:05` (French).
pub fn format_datetime(locale: Locale, at: DateTimeParts) -> String {
    let DateTimeParts {
        year,
        month,
        day,
        hour,
        minute,
    } = at;
    match locale {
        Locale::En => {
            let name = EN_MONTHS[usize::from(month.clamp(1, 12) - 1)];
            let (hour12, half) = match hour {
                0 => (12, "AM"),
                1..=11 => (hour, "AM"),
                12 => (12, "PM"),
                _ => (hour - 12, "PM"),
            };
            format!("{name} {day}, {year}, {hour12}:{minute:02} {half}")
        }
        Locale::De => format!("{day:02}.{month:02}.{year}, {hour:02}:{minute:02}"),
        Locale::Fr => format!("{day:02}/{month:02}/{year} {hour:02}:{minute:02}"),
    }
}

/// `mm:ss`, or `h:mm:ss` from an hour on: the call's timer and a message's length. All three
/// languages write a running clock this way.
pub fn format_clock(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// How long a call lasted, in words: `1 h 2 min`, `3 min 5 s`, `42 s` (`Std.`, `Min.`, `Sek.` in
/// German). Hours drop the seconds.
pub fn format_duration(locale: Locale, seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    let (hours, minutes, secs) = match locale {
        Locale::De => ("Std.", "Min.", "Sek."),
        Locale::En | Locale::Fr => ("h", "min", "s"),
    };
    if h > 0 {
        format!("{h} {hours} {m} {minutes}")
    } else if m > 0 {
        format!("{m} {minutes} {s} {secs}")
    } else {
        format!("{s} {secs}")
    }
}

/// How long ago: "just now", "5 min ago", "3 h ago", "yesterday", "2 days ago" (rounded down).
pub fn format_ago(locale: Locale, then: Timestamp, now_ms: i64) -> String {
    let seconds = ((now_ms - then.millis()) / 1000).max(0);
    let (key, count) = match seconds {
        0..=59 => ("ago-now", 0),
        60..=3599 => ("ago-minutes", seconds / 60),
        3600..=86_399 => ("ago-hours", seconds / 3600),
        86_400..=172_799 => ("ago-yesterday", 1),
        _ => ("ago-days", seconds / 86_400),
    };
    text_with(locale, key, &[("count", count.into())])
}

/// `at` in the browser's time zone; UTC on the server (which renders no dates it did not get
/// from the browser's data anyway).
pub fn local_parts(at: Timestamp) -> DateTimeParts {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.millis() as f64));
        DateTimeParts {
            year: date.get_full_year() as i32,
            month: (date.get_month() + 1) as u8,
            day: date.get_date() as u8,
            hour: date.get_hours() as u8,
            minute: date.get_minutes() as u8,
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let t =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.millis()) * 1_000_000)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        DateTimeParts {
            year: t.year(),
            month: u8::from(t.month()),
            day: t.day(),
            hour: t.hour(),
            minute: t.minute(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENING: DateTimeParts = DateTimeParts {
        year: 2026,
        month: 11,
        day: 3,
        hour: 17,
        minute: 5,
    };

    #[test]
    fn dates_follow_each_locales_pattern() {
        assert_eq!(format_datetime(Locale::En, EVENING), "Nov 3, 2026, 5:05 PM");
        assert_eq!(format_datetime(Locale::De, EVENING), "03.11.2026, 17:05");
        assert_eq!(format_datetime(Locale::Fr, EVENING), "03/11/2026 17:05");
    }

    #[test]
    fn english_uses_twelve_hours_with_midnight_and_noon_as_twelve() {
        let at = |hour| DateTimeParts { hour, ..EVENING };
        assert_eq!(format_datetime(Locale::En, at(0)), "Nov 3, 2026, 12:05 AM");
        assert_eq!(format_datetime(Locale::En, at(11)), "Nov 3, 2026, 11:05 AM");
        assert_eq!(format_datetime(Locale::En, at(12)), "Nov 3, 2026, 12:05 PM");
        assert_eq!(format_datetime(Locale::De, at(0)), "03.11.2026, 00:05");
    }

    #[test]
    fn clocks_read_as_clock_time() {
        assert_eq!(format_clock(0), "00:00");
        assert_eq!(format_clock(65), "01:05");
        assert_eq!(format_clock(3600 + 61), "1:01:01");
        assert_eq!(format_clock(-3), "00:00");
    }

    #[test]
    fn durations_in_words_per_locale() {
        assert_eq!(format_duration(Locale::En, 42), "42 s");
        assert_eq!(format_duration(Locale::En, 185), "3 min 5 s");
        assert_eq!(format_duration(Locale::De, 185), "3 Min. 5 Sek.");
        assert_eq!(format_duration(Locale::Fr, 185), "3 min 5 s");
        assert_eq!(format_duration(Locale::En, 3720 + 9), "1 h 2 min");
        assert_eq!(format_duration(Locale::De, 3720), "1 Std. 2 Min.");
    }

    #[test]
    fn ages_are_rounded_down_and_worded_per_locale() {
        let now = 10_000_000_000;
        let ago = |locale, ms| format_ago(locale, Timestamp(now - ms), now);
        assert_eq!(ago(Locale::En, 5_000), "just now");
        assert_eq!(ago(Locale::En, 125_000), "2 min ago");
        assert_eq!(ago(Locale::En, 7_200_000), "2 h ago");
        assert_eq!(ago(Locale::En, 90_000_000), "yesterday");
        assert_eq!(ago(Locale::En, 3 * 86_400_000), "3 days ago");
        assert_eq!(ago(Locale::De, 125_000), "vor 2 Min.");
        assert_eq!(ago(Locale::De, 3 * 86_400_000), "vor 3 Tagen");
        assert_eq!(ago(Locale::Fr, 125_000), "il y a 2 min");
        assert_eq!(ago(Locale::Fr, 86_400_000 * 2), "il y a 2 jours");
    }
}
