//! The per-call report (issue 19), as plain Rust that `cargo test` runs: [`Tally`] gathers what
//! [`super::Monitor`] sees through a call (each interval's figures, the media path, the link
//! coming and going), [`summary`] turns it into the [`ReportBody`] the page posts at hang-up,
//! and [`compact`] / [`details`] put a report into words for the history.

use crate::i18n::{t, t_with};
use crate::negotiation::LinkState;
use crate::protocol::{
    Grade, MediaPath, ReportBody, MAX_CONNECTED_SECS, MAX_LOSS_BASIS_POINTS, MAX_RECONNECTS,
    MAX_REPORT_MS, MAX_SAMPLES,
};

use super::{Counters, Sample, SAMPLE_INTERVAL_MS};

/// What one side saw of its connection during the call.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub samples: u32,
    pub rtt_sum_ms: f64,
    pub rtt_count: u32,
    pub jitter_sum_ms: f64,
    pub jitter_count: u32,
    /// Inbound packets expected (received + lost) and lost, summed over the intervals.
    pub packets_expected: f64,
    pub packets_lost: f64,
    pub worst: Option<Grade>,
    /// Time measured while connected, milliseconds.
    pub connected_ms: f64,
    /// The last selected candidate pair went through a relay (None: none selected yet).
    pub relayed: Option<bool>,
    /// Times the link became connected.
    pub connections: u32,
    /// The link is connected now.
    connected: bool,
}

impl Tally {
    /// One interval from `before` to `now` (two reads of one connection), graded `grade`.
    /// An interval longer than two sampling periods spans an outage: it counts as two periods.
    pub fn add(&mut self, before: &Counters, now: &Counters, sample: &Sample, grade: Grade) {
        self.samples = self.samples.saturating_add(1);
        if let Some(rtt) = sample.rtt_ms {
            self.rtt_sum_ms += rtt;
            self.rtt_count += 1;
        }
        if let Some(jitter) = sample.jitter_ms {
            self.jitter_sum_ms += jitter;
            self.jitter_count += 1;
        }
        let received = (now.packets_received - before.packets_received).max(0.0);
        let lost = (now.packets_lost - before.packets_lost).max(0.0);
        self.packets_expected += received + lost;
        self.packets_lost += lost;
        self.worst = self.worst.max(Some(grade));
        let longest = f64::from(2 * SAMPLE_INTERVAL_MS);
        self.connected_ms += (now.at_ms - before.at_ms).clamp(0.0, longest);
    }

    /// The media path as the latest read names it.
    pub fn path_seen(&mut self, relayed: Option<bool>) {
        if relayed.is_some() {
            self.relayed = relayed;
        }
    }

    /// The link state the page is told.
    pub fn link(&mut self, state: LinkState) {
        let connected = state == LinkState::Connected;
        if connected && !self.connected {
            self.connections = self.connections.saturating_add(1);
        }
        self.connected = connected;
    }
}

/// The report of a call `tally` describes; `relay_only` is the setting the call ran with (only
/// relay candidates were gathered, so the other side never learnt this side's addresses).
/// Always within the bounds the server checks ([`ReportBody::check`]).
pub fn summary(tally: &Tally, relay_only: bool) -> ReportBody {
    let path = match tally.relayed {
        Some(true) => MediaPath::Relayed,
        Some(false) => MediaPath::Direct,
        None => MediaPath::Unknown,
    };
    let average = |sum: f64, count: u32| {
        (count > 0).then(|| round_within(sum / f64::from(count), MAX_REPORT_MS))
    };
    let loss = (tally.packets_expected > 0.0).then(|| {
        round_within(
            tally.packets_lost / tally.packets_expected * 10_000.0,
            MAX_LOSS_BASIS_POINTS,
        )
    });
    ReportBody {
        path,
        ip_hidden: relay_only && path == MediaPath::Relayed,
        avg_rtt_ms: average(tally.rtt_sum_ms, tally.rtt_count),
        avg_jitter_ms: average(tally.jitter_sum_ms, tally.jitter_count),
        loss_basis_points: loss,
        worst_grade: tally.worst,
        reconnects: i64::from(tally.connections.saturating_sub(1)).min(MAX_RECONNECTS),
        connected_secs: round_within(tally.connected_ms / 1000.0, MAX_CONNECTED_SECS),
        samples: i64::from(tally.samples).min(MAX_SAMPLES),
    }
}

/// `value` rounded into `0..=max` (NaN as 0).
fn round_within(value: f64, max: i64) -> i64 {
    if value.is_nan() {
        return 0;
    }
    // In range before the cast: `as` saturates, and `max` fits an f64 exactly.
    value.round().clamp(0.0, max as f64) as i64
}

/// How media went, in words.
pub fn path_words(report: &ReportBody) -> String {
    t(match (report.path, report.ip_hidden) {
        (MediaPath::Direct, _) => "report-path-direct",
        (MediaPath::Relayed, true) => "report-path-relayed-hidden",
        (MediaPath::Relayed, false) => "report-path-relayed",
        (MediaPath::Unknown, _) => "report-path-none",
    })
}

/// Loss in percent with one decimal: 12 basis points are "0.1%".
pub fn loss_words(basis_points: i64) -> String {
    format!("{:.1}%", basis_points as f64 / 100.0)
}

fn ms_words(ms: i64) -> String {
    t_with("report-ms", &[("ms", ms.into())])
}

fn grade_words(grade: Grade) -> String {
    t(super::grade_key(Some(grade)))
}

/// One line for a history row: "Direct · 42 ms · 0.1% loss · worst: fair".
pub fn compact(report: &ReportBody) -> String {
    let mut parts = vec![path_words(report)];
    if let Some(rtt) = report.avg_rtt_ms {
        parts.push(ms_words(rtt));
    }
    if let Some(loss) = report.loss_basis_points {
        parts.push(t_with(
            "report-loss",
            &[("percent", loss_words(loss).into())],
        ));
    }
    if let Some(grade) = report.worst_grade {
        parts.push(t_with(
            "report-worst",
            &[("grade", grade_words(grade).into())],
        ));
    }
    if report.reconnects > 0 {
        parts.push(t_with(
            "report-reconnects",
            &[("count", report.reconnects.into())],
        ));
    }
    parts.join(" · ")
}

/// Every figure of a report, labelled, for the call's detail view.
pub fn details(report: &ReportBody) -> Vec<(String, String)> {
    let or_dash = |value: Option<String>| value.unwrap_or_else(|| "–".to_owned());
    let secs = report.connected_secs;
    [
        ("report-label-path", path_words(report)),
        (
            "report-label-ip-hidden",
            t(if report.ip_hidden {
                "report-yes"
            } else {
                "report-no"
            }),
        ),
        ("report-label-rtt", or_dash(report.avg_rtt_ms.map(ms_words))),
        (
            "report-label-jitter",
            or_dash(report.avg_jitter_ms.map(ms_words)),
        ),
        (
            "report-label-loss",
            or_dash(report.loss_basis_points.map(loss_words)),
        ),
        (
            "report-label-worst",
            or_dash(report.worst_grade.map(grade_words)),
        ),
        ("report-label-reconnects", report.reconnects.to_string()),
        (
            "report-label-connected",
            format!("{:02}:{:02}", secs / 60, secs % 60),
        ),
        ("report-label-samples", report.samples.to_string()),
    ]
    .into_iter()
    .map(|(label, value)| (t(label), value))
    .collect()
}

#[cfg(test)]
mod tests;
