//! Connection quality, as plain Rust that `cargo test` runs: [`Counters`] are what one
//! `getStats()` read gives (`app::rtc::stats` reads them every [`SAMPLE_INTERVAL_MS`] while the
//! connection is up), [`Sample::between`] turns two reads into one interval's figures,
//! [`grade`] grades those, and [`Monitor`] says when the grade changes and gathers the call's
//! report ([`report`]). Also here: which tone marks a change of the media path ([`tone_for`]).
//!
//! Each side grades what its own network does to the call: the round trip, the loss and jitter
//! of what it receives, and whether its own video gets out at a usable bitrate. Each side sends
//! its grade to the other over the data channel, so both see whose network is poor.

use crate::i18n::{t, t_with};
use crate::negotiation::LinkState;
pub use crate::protocol::Grade;

pub mod report;

/// How often the engine reads the statistics while the connection is up.
pub const SAMPLE_INTERVAL_MS: u32 = 2_000;

/// Round trip of the selected candidate pair, milliseconds: up to `FAIR` good, up to `POOR` fair,
/// beyond poor (conversation starts to feel delayed past ~300 ms one way).
pub const RTT_FAIR_MS: f64 = 200.0;
pub const RTT_POOR_MS: f64 = 500.0;
/// Share of inbound packets lost in the interval (audio stays intelligible up to a few percent).
pub const LOSS_FAIR: f64 = 0.02;
pub const LOSS_POOR: f64 = 0.08;
/// Inbound jitter, milliseconds.
pub const JITTER_FAIR_MS: f64 = 30.0;
pub const JITTER_POOR_MS: f64 = 75.0;
/// Outgoing video bitrate, kbit/s, while the camera sends: below `FAIR` the picture gets coarse,
/// below `POOR` it is a slide show.
pub const VIDEO_KBPS_FAIR: f64 = 250.0;
pub const VIDEO_KBPS_POOR: f64 = 100.0;

/// Cumulative figures of one getStats() read of one connection.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counters {
    /// When it was read, milliseconds (any clock that only goes forward).
    pub at_ms: f64,
    /// `currentRoundTripTime` of the selected candidate pair, milliseconds.
    pub rtt_ms: Option<f64>,
    /// The largest `jitter` among the inbound streams, milliseconds.
    pub jitter_ms: Option<f64>,
    /// Inbound `packetsReceived` and `packetsLost`, summed over the streams.
    pub packets_received: f64,
    pub packets_lost: f64,
    /// Outbound video `bytesSent`.
    pub video_bytes_sent: f64,
    /// Outbound video `qualityLimitationReason` is "bandwidth": the sender cut resolution or
    /// frame rate for want of bandwidth ("cpu" is this machine, not the network: ignored).
    pub bandwidth_limited: bool,
    /// The selected candidate pair goes through a TURN relay (a `relay` candidate on either
    /// end); None until a pair is selected.
    pub relayed: Option<bool>,
}

/// One interval's figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    pub rtt_ms: Option<f64>,
    pub jitter_ms: Option<f64>,
    /// Lost / (lost + received) inbound packets in the interval; None when none were expected.
    pub loss: Option<f64>,
    /// Outgoing video kbit/s; None when this side sends no camera picture (audio call, camera
    /// off: a disabled track's black frames say nothing about the network).
    pub video_kbps: Option<f64>,
    pub bandwidth_limited: bool,
}

impl Sample {
    /// The interval from `before` to `now`; None when they cannot be two reads of the same
    /// connection (time or a counter went backwards: the connection was replaced).
    pub fn between(before: &Counters, now: &Counters, sending_video: bool) -> Option<Self> {
        let seconds = (now.at_ms - before.at_ms) / 1000.0;
        let received = now.packets_received - before.packets_received;
        let lost = now.packets_lost - before.packets_lost;
        let sent = now.video_bytes_sent - before.video_bytes_sent;
        if seconds <= 0.0 || received < 0.0 || sent < 0.0 {
            return None;
        }
        // packetsLost can go down (late packets count as received after all): clamp at zero.
        let lost = lost.max(0.0);
        let expected = received + lost;
        Some(Self {
            rtt_ms: now.rtt_ms,
            jitter_ms: now.jitter_ms,
            loss: (expected > 0.0).then(|| lost / expected),
            video_kbps: sending_video.then(|| sent * 8.0 / 1000.0 / seconds),
            bandwidth_limited: now.bandwidth_limited,
        })
    }
}

/// Whether a candidate pair of these candidate types (`host`, `srflx`, `prflx`, `relay`)
/// sends media through a TURN relay: when either end is a relay candidate. None of the types
/// known (the pair's candidates not in the read) counts as direct.
pub fn relayed(local_type: &str, remote_type: &str) -> bool {
    local_type == "relay" || remote_type == "relay"
}

/// Good below `fair`, fair below `poor`, poor from there; nothing measured counts as good.
fn above(value: Option<f64>, fair: f64, poor: f64) -> Grade {
    match value {
        Some(v) if v >= poor => Grade::Poor,
        Some(v) if v >= fair => Grade::Fair,
        _ => Grade::Good,
    }
}

/// The grade of one interval: the worst of its figures.
pub fn grade(sample: &Sample) -> Grade {
    let bitrate = match sample.video_kbps {
        Some(kbps) if kbps < VIDEO_KBPS_POOR => Grade::Poor,
        Some(kbps) if kbps < VIDEO_KBPS_FAIR => Grade::Fair,
        _ => Grade::Good,
    };
    let limited = if sample.bandwidth_limited {
        Grade::Fair
    } else {
        Grade::Good
    };
    [
        above(sample.rtt_ms, RTT_FAIR_MS, RTT_POOR_MS),
        above(sample.loss, LOSS_FAIR, LOSS_POOR),
        above(sample.jitter_ms, JITTER_FAIR_MS, JITTER_POOR_MS),
        bitrate,
        limited,
    ]
    .into_iter()
    .max()
    .unwrap_or(Grade::Good)
}

/// Follows one side's reads through a call and says when its grade changes; keeps the
/// [`report::Tally`] the call's report is made of.
#[derive(Debug, Default)]
pub struct Monitor {
    last: Option<Counters>,
    grade: Option<Grade>,
    tally: report::Tally,
}

impl Monitor {
    /// The grade so far (None until two reads of one connection were compared).
    pub fn grade(&self) -> Option<Grade> {
        self.grade
    }

    /// Takes a read; the new grade when it differs from the one before.
    pub fn observe(&mut self, now: Counters, sending_video: bool) -> Option<Grade> {
        self.tally.path_seen(now.relayed);
        let before = self.last.replace(now.clone())?;
        let sample = Sample::between(&before, &now, sending_video)?;
        let grade = grade(&sample);
        self.tally.add(&before, &now, &sample, grade);
        (self.grade.replace(grade) != Some(grade)).then_some(grade)
    }

    /// The link state the page was told (counts the reconnections).
    pub fn link(&mut self, state: LinkState) {
        self.tally.link(state);
    }

    /// What the call's report is made of so far.
    pub fn tally(&self) -> &report::Tally {
        &self.tally
    }
}

/// Bars lit out of three for a grade (none until measured).
pub fn bars(grade: Option<Grade>) -> u8 {
    match grade {
        None => 0,
        Some(Grade::Poor) => 1,
        Some(Grade::Fair) => 2,
        Some(Grade::Good) => 3,
    }
}

/// The catalogue key of a grade in words ("measuring" before the first).
pub fn grade_key(grade: Option<Grade>) -> &'static str {
    match grade {
        None => "quality-measuring",
        Some(Grade::Good) => "quality-good",
        Some(Grade::Fair) => "quality-fair",
        Some(Grade::Poor) => "quality-poor",
    }
}

/// The grade in words, for the bars' accessible label: "Your connection: good" (`other`: None),
/// "Bob's connection: poor".
pub fn label(other: Option<&str>, grade: Option<Grade>) -> String {
    let grade = t(grade_key(grade));
    match other {
        None => t_with("quality-label-yours", &[("grade", grade.into())]),
        Some(name) => t_with(
            "quality-label-other",
            &[("name", name.into()), ("grade", grade.into())],
        ),
    }
}

/// What the call page says when a network is poor, naming whose; None while neither is.
pub fn notice(local: Option<Grade>, remote: Option<Grade>, other: &str) -> Option<String> {
    let poor = |grade| grade == Some(Grade::Poor);
    match (poor(local), poor(remote)) {
        (true, true) => Some(t_with("quality-poor-both", &[("name", other.into())])),
        (true, false) => Some(t("quality-poor-yours")),
        (false, true) => Some(t_with("quality-poor-other", &[("name", other.into())])),
        (false, false) => None,
    }
}

/// A short sound that marks a change of the media path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Media stopped flowing (falling pitch).
    Dropped,
    /// It flows again (rising pitch).
    Recovered,
}

/// The tone for the path going from `before` to `now`: only a call that was connected drops,
/// and only one that was reconnecting recovers (the first connection is silent).
pub fn tone_for(before: LinkState, now: LinkState) -> Option<Tone> {
    match (before, now) {
        (LinkState::Connected, LinkState::Reconnecting) => Some(Tone::Dropped),
        (LinkState::Reconnecting, LinkState::Connected) => Some(Tone::Recovered),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
