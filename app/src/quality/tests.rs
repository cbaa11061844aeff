use super::*;

/// A read at `seconds` after a start where everything was zero.
fn read(seconds: f64) -> Counters {
    Counters {
        at_ms: seconds * 1000.0,
        ..Counters::default()
    }
}

fn healthy() -> Sample {
    Sample {
        rtt_ms: Some(20.0),
        jitter_ms: Some(5.0),
        loss: Some(0.0),
        video_kbps: Some(1200.0),
        bandwidth_limited: false,
    }
}

#[test]
fn a_healthy_interval_is_good() {
    assert_eq!(grade(&healthy()), Grade::Good);
    assert_eq!(grade(&Sample::default()), Grade::Good, "nothing measured");
}

#[test]
fn each_figure_alone_can_make_it_fair_or_poor() {
    let cases: [(Sample, Grade); 10] = [
        (
            Sample {
                rtt_ms: Some(RTT_FAIR_MS),
                ..healthy()
            },
            Grade::Fair,
        ),
        (
            Sample {
                rtt_ms: Some(RTT_POOR_MS + 1.0),
                ..healthy()
            },
            Grade::Poor,
        ),
        (
            Sample {
                loss: Some(0.03),
                ..healthy()
            },
            Grade::Fair,
        ),
        (
            Sample {
                loss: Some(LOSS_POOR),
                ..healthy()
            },
            Grade::Poor,
        ),
        (
            Sample {
                jitter_ms: Some(40.0),
                ..healthy()
            },
            Grade::Fair,
        ),
        (
            Sample {
                jitter_ms: Some(80.0),
                ..healthy()
            },
            Grade::Poor,
        ),
        (
            Sample {
                video_kbps: Some(200.0),
                ..healthy()
            },
            Grade::Fair,
        ),
        (
            Sample {
                video_kbps: Some(40.0),
                ..healthy()
            },
            Grade::Poor,
        ),
        (
            Sample {
                bandwidth_limited: true,
                ..healthy()
            },
            Grade::Fair,
        ),
        // Audio call or camera off: no video bitrate to judge.
        (
            Sample {
                video_kbps: None,
                ..healthy()
            },
            Grade::Good,
        ),
    ];
    for (sample, expected) in cases {
        assert_eq!(grade(&sample), expected, "{sample:?}");
    }
}

#[test]
fn the_worst_figure_decides() {
    let sample = Sample {
        rtt_ms: Some(300.0),
        loss: Some(0.2),
        ..healthy()
    };
    assert_eq!(grade(&sample), Grade::Poor);
}

#[test]
fn an_interval_is_the_difference_of_two_reads() {
    let before = Counters {
        packets_received: 1000.0,
        packets_lost: 10.0,
        video_bytes_sent: 100_000.0,
        ..read(10.0)
    };
    let now = Counters {
        rtt_ms: Some(42.0),
        jitter_ms: Some(3.0),
        packets_received: 1090.0,
        packets_lost: 20.0,
        video_bytes_sent: 150_000.0,
        bandwidth_limited: true,
        ..read(12.0)
    };
    let sample = Sample::between(&before, &now, true).unwrap();
    assert_eq!(sample.loss, Some(0.1), "10 lost of 100 expected");
    assert_eq!(sample.video_kbps, Some(200.0), "50 kB in 2 s");
    assert_eq!(sample.rtt_ms, Some(42.0));
    assert!(sample.bandwidth_limited);
    let without_camera = Sample::between(&before, &now, false).unwrap();
    assert_eq!(without_camera.video_kbps, None);
}

#[test]
fn reads_of_different_connections_are_not_compared() {
    let before = Counters {
        packets_received: 5000.0,
        ..read(10.0)
    };
    // A new connection starts its counters at zero.
    assert_eq!(Sample::between(&before, &read(12.0), false), None);
    assert_eq!(
        Sample::between(&read(12.0), &read(12.0), false),
        None,
        "no time passed"
    );
    let quiet = Sample::between(&read(10.0), &read(12.0), false).unwrap();
    assert_eq!(quiet.loss, None, "no packets expected, no loss figure");
}

#[test]
fn the_monitor_reports_changes_only() {
    let mut monitor = Monitor::default();
    let flowing = |seconds: f64, kbps: f64| Counters {
        video_bytes_sent: seconds * kbps * 1000.0 / 8.0,
        ..read(seconds)
    };
    assert_eq!(
        monitor.observe(flowing(0.0, 1000.0), true),
        None,
        "one read"
    );
    assert_eq!(monitor.grade(), None);
    assert_eq!(
        monitor.observe(flowing(2.0, 1000.0), true),
        Some(Grade::Good)
    );
    assert_eq!(
        monitor.observe(flowing(4.0, 1000.0), true),
        None,
        "still good"
    );
    // The sender's bitrate falls to 50 kbit/s from here.
    let capped = |seconds: f64| Counters {
        video_bytes_sent: (4.0 * 1000.0 + (seconds - 4.0) * 50.0) * 1000.0 / 8.0,
        ..read(seconds)
    };
    assert_eq!(monitor.observe(capped(6.0), true), Some(Grade::Poor));
    assert_eq!(monitor.observe(capped(8.0), true), None);
    assert_eq!(monitor.grade(), Some(Grade::Poor));
    // The camera goes off: the low bitrate no longer counts.
    assert_eq!(monitor.observe(capped(10.0), false), Some(Grade::Good));
}

#[test]
fn tones_mark_drops_and_recoveries_only() {
    use LinkState::*;
    assert_eq!(tone_for(Connected, Reconnecting), Some(Tone::Dropped));
    assert_eq!(tone_for(Reconnecting, Connected), Some(Tone::Recovered));
    for (before, now) in [
        (Connecting, Connected),
        (WaitingForPeer, Connected),
        (Connected, Connected),
        (Reconnecting, Reconnecting),
        (Connecting, Reconnecting),
    ] {
        assert_eq!(tone_for(before, now), None, "{before:?} -> {now:?}");
    }
}

#[test]
fn the_page_says_whose_network_is_poor() {
    use Grade::*;
    assert_eq!(notice(Some(Good), Some(Fair), "bob"), None);
    assert_eq!(notice(None, None, "bob"), None);
    assert_eq!(
        notice(Some(Poor), Some(Good), "bob").as_deref(),
        Some("Your connection is poor")
    );
    assert_eq!(
        notice(None, Some(Poor), "bob").as_deref(),
        Some("bob's connection is poor")
    );
    assert_eq!(
        notice(Some(Poor), Some(Poor), "bob").as_deref(),
        Some("Both your and bob's connections are poor")
    );
    assert_eq!(label(None, Some(Fair)), "Your connection: fair");
    assert_eq!(label(Some("bob"), None), "bob's connection: measuring");
    assert_eq!(
        [None, Some(Poor), Some(Fair), Some(Good)].map(bars),
        [0, 1, 2, 3]
    );
}
