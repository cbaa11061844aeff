//! The per-call report (issue 19): at hang-up each side posts what its own connection did
//! (`POST /api/calls/{id}/report/`), and the call JSON of the listings and of
//! `GET /api/calls/{id}/` carries both sides' reports in `reports`. Extensions beyond the
//! reference API, in its style. The bounds are here so that the browser's summary
//! (`app::quality::report`) and the server's check use the same numbers.

use serde::{Deserialize, Serialize};

use super::{Grade, Timestamp, UserId};

/// The largest report body. A report is a dozen small numbers (about 250 bytes).
pub const MAX_REPORT_BYTES: usize = 1024;

/// How long after a call ended its parties may still post their reports: a page that loses
/// its network at hang-up retries for a while, but the history is not rewritten later.
pub const REPORT_WINDOW_MS: i64 = 10 * 60 * 1000;

/// Average round trip and jitter, milliseconds: beyond a minute is no call.
pub const MAX_REPORT_MS: i64 = 60_000;
/// Loss in basis points (hundredths of a percent): 10,000 is everything lost.
pub const MAX_LOSS_BASIS_POINTS: i64 = 10_000;
/// Times the media path came back: one every two seconds for a week would be far more.
pub const MAX_RECONNECTS: i64 = 10_000;
/// Seconds connected, and statistics reads: a week.
pub const MAX_CONNECTED_SECS: i64 = 7 * 86_400;
pub const MAX_SAMPLES: i64 = MAX_CONNECTED_SECS;

/// How media went between the two browsers, from this side's selected candidate pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MediaPath {
    /// Browser to browser (host, srflx or prflx candidates on both ends).
    Direct,
    /// Through a TURN relay (a `relay` candidate on either end).
    Relayed,
    /// Never connected: no candidate pair was selected.
    Unknown,
}

impl MediaPath {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Relayed => "relayed",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Direct, Self::Relayed, Self::Unknown]
            .into_iter()
            .find(|path| path.as_str() == text)
    }
}

/// `POST /api/calls/{id}/report/`: one side's summary of its connection during the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportBody {
    pub path: MediaPath,
    /// The other person never learnt this side's addresses: relay-only was on (only relay
    /// candidates were gathered and sent) and media went through the relay.
    pub ip_hidden: bool,
    /// Average round trip of the selected pair over the call, milliseconds (0 to 60,000).
    pub avg_rtt_ms: Option<i64>,
    /// Average inbound jitter, milliseconds (0 to 60,000).
    pub avg_jitter_ms: Option<i64>,
    /// Inbound packets lost over the call, in basis points: 12 = 0.12 % (0 to 10,000).
    pub loss_basis_points: Option<i64>,
    /// The worst connection grade of any interval; null when nothing was measured.
    pub worst_grade: Option<Grade>,
    /// Times the media path connected again after it had been connected (0 to 10,000).
    pub reconnects: i64,
    /// Seconds the media path was connected and measured (0 to a week).
    pub connected_secs: i64,
    /// Statistics reads compared (one every 2 s while connected; 0 to 604,800).
    pub samples: i64,
}

impl ReportBody {
    /// The first field out of bounds, with the message for the client (DRF's field error).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let within = |field: &'static str, value: i64, max: i64| {
            if (0..=max).contains(&value) {
                Ok(())
            } else {
                Err((field, format!("Must be between 0 and {max}.")))
            }
        };
        within("avg_rtt_ms", self.avg_rtt_ms.unwrap_or(0), MAX_REPORT_MS)?;
        within(
            "avg_jitter_ms",
            self.avg_jitter_ms.unwrap_or(0),
            MAX_REPORT_MS,
        )?;
        within(
            "loss_basis_points",
            self.loss_basis_points.unwrap_or(0),
            MAX_LOSS_BASIS_POINTS,
        )?;
        within("reconnects", self.reconnects, MAX_RECONNECTS)?;
        within("connected_secs", self.connected_secs, MAX_CONNECTED_SECS)?;
        within("samples", self.samples, MAX_SAMPLES)?;
        if self.ip_hidden && self.path != MediaPath::Relayed {
            return Err((
                "ip_hidden",
                "Only a relayed call hides the address.".to_owned(),
            ));
        }
        Ok(())
    }
}

/// One party's report, as the call JSON carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallReport {
    /// Whose connection it describes (the caller or the receiver).
    pub user_id: UserId,
    #[serde(flatten)]
    pub body: ReportBody,
    pub created_at: Timestamp,
}

/// A direct report for unit tests; tests change what they look at with struct update syntax.
#[cfg(test)]
pub(crate) fn test_report_body() -> ReportBody {
    ReportBody {
        path: MediaPath::Direct,
        ip_hidden: false,
        avg_rtt_ms: Some(42),
        avg_jitter_ms: Some(3),
        loss_basis_points: Some(10),
        worst_grade: Some(Grade::Good),
        reconnects: 0,
        connected_secs: 60,
        samples: 30,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> ReportBody {
        test_report_body()
    }

    #[test]
    fn a_report_within_bounds_passes() {
        assert_eq!(body().check(), Ok(()));
        let edges = ReportBody {
            avg_rtt_ms: Some(MAX_REPORT_MS),
            avg_jitter_ms: None,
            loss_basis_points: Some(MAX_LOSS_BASIS_POINTS),
            reconnects: MAX_RECONNECTS,
            connected_secs: MAX_CONNECTED_SECS,
            samples: 0,
            ..body()
        };
        assert_eq!(edges.check(), Ok(()));
    }

    #[test]
    fn each_field_out_of_bounds_is_named() {
        let cases = [
            (
                "avg_rtt_ms",
                ReportBody {
                    avg_rtt_ms: Some(-1),
                    ..body()
                },
            ),
            (
                "avg_rtt_ms",
                ReportBody {
                    avg_rtt_ms: Some(MAX_REPORT_MS + 1),
                    ..body()
                },
            ),
            (
                "avg_jitter_ms",
                ReportBody {
                    avg_jitter_ms: Some(MAX_REPORT_MS + 1),
                    ..body()
                },
            ),
            (
                "loss_basis_points",
                ReportBody {
                    loss_basis_points: Some(MAX_LOSS_BASIS_POINTS + 1),
                    ..body()
                },
            ),
            (
                "reconnects",
                ReportBody {
                    reconnects: -1,
                    ..body()
                },
            ),
            (
                "connected_secs",
                ReportBody {
                    connected_secs: MAX_CONNECTED_SECS + 1,
                    ..body()
                },
            ),
            (
                "samples",
                ReportBody {
                    samples: MAX_SAMPLES + 1,
                    ..body()
                },
            ),
            (
                "ip_hidden",
                ReportBody {
                    ip_hidden: true,
                    ..body()
                },
            ),
        ];
        for (field, report) in cases {
            assert_eq!(report.check().map_err(|(f, _)| f), Err(field), "{report:?}");
        }
    }

    #[test]
    fn the_report_json_is_flat() {
        let report = CallReport {
            user_id: UserId(7),
            body: body(),
            created_at: Timestamp(0),
        };
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["user_id"], 7);
        assert_eq!(json["path"], "direct");
        assert_eq!(json["worst_grade"], "good");
        assert_eq!(json["loss_basis_points"], 10);
        let back: CallReport = serde_json::from_value(json).unwrap();
        assert_eq!(back, report);
        for path in [MediaPath::Direct, MediaPath::Relayed, MediaPath::Unknown] {
            assert_eq!(MediaPath::parse(path.as_str()), Some(path));
        }
    }
}
