use super::*;
use crate::protocol::test_report_body;
use crate::quality::Monitor;

/// A read at `seconds` of a connection that has received `received` packets and lost `lost`,
/// with a round trip of `rtt_ms`, over a direct (false) or relayed path.
fn read(seconds: f64, received: f64, lost: f64, rtt_ms: f64, relayed: bool) -> Counters {
    Counters {
        at_ms: seconds * 1000.0,
        rtt_ms: Some(rtt_ms),
        jitter_ms: Some(4.0),
        packets_received: received,
        packets_lost: lost,
        relayed: Some(relayed),
        ..Counters::default()
    }
}

/// A monitor that saw a connection come up and `reads`.
fn monitored(reads: impl IntoIterator<Item = Counters>) -> Monitor {
    let mut monitor = Monitor::default();
    monitor.link(LinkState::Connecting);
    monitor.link(LinkState::Connected);
    for counters in reads {
        monitor.observe(counters, false);
    }
    monitor
}

#[test]
fn a_direct_call_averages_its_round_trips_and_sums_its_loss() {
    // Three reads, two intervals: 2 lost of 1000 expected, then 8 of 1000.
    let monitor = monitored([
        read(0.0, 0.0, 0.0, 99.0, false),
        read(2.0, 998.0, 2.0, 40.0, false),
        read(4.0, 1990.0, 10.0, 45.0, false),
    ]);
    let report = summary(monitor.tally(), false);
    assert_eq!(report.path, MediaPath::Direct);
    assert!(!report.ip_hidden);
    // The first read only starts the first interval: its round trip is not averaged.
    assert_eq!(report.avg_rtt_ms, Some(43), "(40 + 45) / 2 rounded");
    assert_eq!(report.avg_jitter_ms, Some(4));
    assert_eq!(report.loss_basis_points, Some(50), "10 of 2000 = 0.5 %");
    assert_eq!(report.worst_grade, Some(Grade::Good));
    assert_eq!(report.reconnects, 0);
    assert_eq!(report.connected_secs, 4);
    assert_eq!(report.samples, 2);
    assert_eq!(report.check(), Ok(()));
}

#[test]
fn a_relayed_call_hides_the_address_only_with_relay_only_on() {
    let reads = || {
        [
            read(0.0, 0.0, 0.0, 80.0, true),
            read(2.0, 100.0, 0.0, 80.0, true),
        ]
    };
    let relay_only = summary(monitored(reads()).tally(), true);
    assert_eq!(relay_only.path, MediaPath::Relayed);
    assert!(relay_only.ip_hidden);
    // Relayed because the other side's relay was used: our host candidates went out anyway.
    let relayed = summary(monitored(reads()).tally(), false);
    assert_eq!(relayed.path, MediaPath::Relayed);
    assert!(!relayed.ip_hidden);
    // Relay-only and yet direct cannot happen; if it did, nothing would be hidden.
    let direct = summary(
        monitored([
            read(0.0, 0.0, 0.0, 10.0, false),
            read(2.0, 1.0, 0.0, 10.0, false),
        ])
        .tally(),
        true,
    );
    assert!(!direct.ip_hidden);
}

#[test]
fn the_latest_path_counts_when_an_ice_restart_changes_it() {
    let report = summary(
        monitored([
            read(0.0, 0.0, 0.0, 10.0, false),
            read(2.0, 10.0, 0.0, 10.0, true),
            // A read between pairs names none: the path seen stays.
            Counters {
                relayed: None,
                ..read(4.0, 20.0, 0.0, 10.0, true)
            },
        ])
        .tally(),
        false,
    );
    assert_eq!(report.path, MediaPath::Relayed);
}

#[test]
fn reconnects_count_the_link_coming_back_and_outages_are_not_connected_time() {
    let mut monitor = monitored([
        read(0.0, 0.0, 0.0, 10.0, false),
        read(2.0, 100.0, 0.0, 10.0, false),
    ]);
    for state in [
        LinkState::Reconnecting,
        LinkState::Connected,
        // Told twice: still one reconnection.
        LinkState::Connected,
        LinkState::WaitingForPeer,
        LinkState::Connecting,
        LinkState::Connected,
    ] {
        monitor.link(state);
    }
    // A minute without a read (the outage), then one more interval.
    monitor.observe(read(62.0, 200.0, 0.0, 10.0, false), false);
    monitor.observe(read(64.0, 300.0, 0.0, 10.0, false), false);
    let report = summary(monitor.tally(), false);
    assert_eq!(report.reconnects, 2);
    assert_eq!(
        report.connected_secs,
        2 + 4 + 2,
        "the outage counts as two periods"
    );
}

#[test]
fn the_worst_grade_of_any_interval_is_kept() {
    let report = summary(
        monitored([
            read(0.0, 0.0, 0.0, 10.0, false),
            read(2.0, 100.0, 0.0, 600.0, false),
            read(4.0, 200.0, 0.0, 10.0, false),
        ])
        .tally(),
        false,
    );
    assert_eq!(report.worst_grade, Some(Grade::Poor));
}

#[test]
fn a_call_that_never_connected_reports_nothing_measured() {
    let report = summary(&Tally::default(), true);
    assert_eq!(
        report,
        ReportBody {
            path: MediaPath::Unknown,
            ip_hidden: false,
            avg_rtt_ms: None,
            avg_jitter_ms: None,
            loss_basis_points: None,
            worst_grade: None,
            reconnects: 0,
            connected_secs: 0,
            samples: 0,
        }
    );
    assert_eq!(report.check(), Ok(()));
}

#[test]
fn extreme_figures_stay_within_the_server_bounds() {
    let tally = Tally {
        samples: u32::MAX,
        rtt_sum_ms: 1e12,
        rtt_count: 1,
        jitter_sum_ms: f64::NAN,
        jitter_count: 1,
        packets_expected: 1.0,
        packets_lost: 5.0,
        worst: Some(Grade::Poor),
        connected_ms: 1e15,
        relayed: Some(true),
        connections: u32::MAX,
        ..Tally::default()
    };
    let report = summary(&tally, false);
    assert_eq!(report.check(), Ok(()));
    assert_eq!(report.avg_rtt_ms, Some(MAX_REPORT_MS));
    assert_eq!(report.avg_jitter_ms, Some(0));
    assert_eq!(report.loss_basis_points, Some(MAX_LOSS_BASIS_POINTS));
    assert_eq!(report.connected_secs, MAX_CONNECTED_SECS);
}

#[test]
fn a_report_in_words() {
    let direct = test_report_body();
    assert_eq!(compact(&direct), "Direct · 42 ms · 0.1% loss · worst: good");
    let hidden = ReportBody {
        path: MediaPath::Relayed,
        ip_hidden: true,
        avg_rtt_ms: None,
        loss_basis_points: None,
        worst_grade: Some(Grade::Fair),
        reconnects: 2,
        ..test_report_body()
    };
    assert_eq!(
        compact(&hidden),
        "Relayed (IP hidden) · worst: fair · 2 reconnects"
    );
    let never = ReportBody {
        path: MediaPath::Unknown,
        avg_rtt_ms: None,
        loss_basis_points: None,
        worst_grade: None,
        ..test_report_body()
    };
    assert_eq!(compact(&never), "Never connected");
    assert_eq!(loss_words(1234), "12.3%");

    let rows = details(&hidden);
    let row = |label: &str| {
        rows.iter()
            .find(|(l, _)| *l == label)
            .map(|(_, value)| value.clone())
    };
    assert_eq!(row("Media path").as_deref(), Some("Relayed (IP hidden)"));
    assert_eq!(
        row("IP address hidden from the other person").as_deref(),
        Some("Yes")
    );
    assert_eq!(row("Average round trip").as_deref(), Some("–"));
    assert_eq!(row("Connected").as_deref(), Some("01:00"));
    assert_eq!(row("Reconnects").as_deref(), Some("2"));
}

#[test]
fn a_relay_candidate_on_either_end_relays() {
    use crate::quality::relayed;
    assert!(relayed("relay", "host"));
    assert!(relayed("srflx", "relay"));
    assert!(!relayed("host", "host"));
    assert!(!relayed("prflx", "srflx"));
}
