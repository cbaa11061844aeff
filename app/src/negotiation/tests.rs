//! One test (at least) per rule of the module docs.

use serde_json::{json, Value};

use super::*;
use crate::protocol::UserId;

const CALL: CallId = CallId(7);

fn config(is_caller: bool, accepted: bool) -> Config {
    Config {
        call_id: CALL,
        call_type: CallType::Video,
        is_caller,
        accepted,
        relay_only: false,
        session_prefix: "page".into(),
    }
}

fn server(message: ServerMsg) -> Input {
    Input::Server(Box::new(message))
}

fn auth_ok() -> Input {
    server(ServerMsg::AuthOk { user_id: UserId(1) })
}

fn joined() -> Input {
    server(ServerMsg::UserJoined {
        user_id: UserId(2),
        username: "bob".into(),
    })
}

fn left() -> Input {
    server(ServerMsg::UserLeft {
        user_id: UserId(2),
        username: "bob".into(),
    })
}

fn with(kind: &str, session: Option<&str>) -> Value {
    let mut value = json!({ "type": kind, "sdp": format!("{kind} sdp") });
    if let Some(session) = session {
        value["session"] = json!(session);
    }
    value
}

fn candidate(n: u32, session: Option<&str>) -> Value {
    let mut value = json!({ "candidate": format!("candidate:{n}"), "sdpMid": "0" });
    if let Some(session) = session {
        value["session"] = json!(session);
    }
    value
}

fn offer_in(session: Option<&str>) -> Input {
    server(ServerMsg::CallOffer {
        offer: with("offer", session),
        call_id: CALL,
        sender_id: UserId(1),
        call_type: Some(CallType::Video),
    })
}

fn answer_in(session: Option<&str>) -> Input {
    server(ServerMsg::CallAnswer {
        answer: with("answer", session),
        call_id: CALL,
        sender_id: UserId(2),
    })
}

fn candidate_in(n: u32, session: Option<&str>) -> Input {
    server(ServerMsg::IceCandidate {
        candidate: candidate(n, session),
        call_id: CALL,
        sender_id: UserId(2),
    })
}

fn peer(session: &str, event: PeerEvent) -> Input {
    Input::Peer {
        session: Some(session.into()),
        event,
    }
}

fn offers(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::MakeOffer { .. }))
        .count()
}

fn new_peers(actions: &[Action]) -> Vec<Option<String>> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::NewPeer { session } => Some(session.clone()),
            _ => None,
        })
        .collect()
}

fn added(actions: &[Action]) -> Vec<Value> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::AddCandidate(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

fn link(actions: &[Action]) -> Option<LinkState> {
    actions.iter().rev().find_map(|a| match a {
        Action::Emit(Notice::Link(state)) => Some(*state),
        _ => None,
    })
}

/// The caller of an accepted call, in the room, with its first offer out; and that session.
fn offering_caller() -> (Negotiation, String) {
    let mut core = Negotiation::new(config(true, true));
    let actions = core.handle(auth_ok());
    let session = new_peers(&actions)[0].clone().unwrap();
    (core, session)
}

/// The receiver of an accepted call, in the room, having answered the caller's session "s1".
fn answered_receiver() -> Negotiation {
    let mut core = Negotiation::new(config(false, true));
    core.handle(auth_ok());
    core.handle(offer_in(Some("s1")));
    core.handle(Input::AnswerCreated(with("answer", None)));
    core
}

#[test]
fn start_fetches_servers_and_media_then_opens_the_room() {
    let mut core = Negotiation::new(config(true, true));
    assert_eq!(
        core.handle(Input::Start),
        [
            Action::Emit(Notice::Link(LinkState::Connecting)),
            Action::FetchIceServers,
            Action::AcquireMedia,
        ]
    );
    assert_eq!(
        core.handle(Input::MediaSettled),
        [
            Action::EnableTracks {
                audio: true,
                video: true
            },
            Action::OpenSocket,
        ]
    );
}

#[test]
fn caller_offers_once_accepted_and_in_the_room() {
    let mut core = Negotiation::new(config(true, false));
    let actions = core.handle(auth_ok());
    assert_eq!(offers(&actions), 0, "no offer before the call is accepted");
    assert_eq!(link(&actions), Some(LinkState::WaitingForPeer));

    let actions = core.handle(Input::Accepted);
    assert_eq!(
        actions,
        [
            Action::NewPeer {
                session: Some("page-1".into())
            },
            Action::Emit(Notice::Link(LinkState::Connecting)),
            Action::MakeOffer { ice_restart: false },
        ]
    );
    let sent = core.handle(Input::OfferCreated(with("offer", None)));
    assert_eq!(
        sent,
        [Action::Send(ClientMsg::CallOffer {
            offer: with("offer", Some("page-1")),
            call_id: CALL,
            call_type: Some(CallType::Video),
        })]
    );
    assert!(
        core.handle(Input::Accepted).is_empty(),
        "accepted twice offers once"
    );
}

#[test]
fn caller_waits_for_the_room_before_offering() {
    let mut core = Negotiation::new(config(true, false));
    assert!(
        core.handle(Input::Accepted).is_empty(),
        "not in the room yet"
    );
    assert_eq!(offers(&core.handle(auth_ok())), 1);
}

#[test]
fn receiver_never_offers() {
    let mut core = Negotiation::new(config(false, false));
    let mut actions = core.handle(auth_ok());
    actions.extend(core.handle(Input::Accepted));
    actions.extend(core.handle(joined()));
    actions.extend(core.handle(auth_ok()));
    actions.extend(core.handle(offer_in(Some("s1"))));
    actions.extend(core.handle(peer("s1", PeerEvent::State(ConnectionState::Failed))));
    assert_eq!(offers(&actions), 0, "{actions:?}");
}

#[test]
fn caller_ignores_offers() {
    let (mut core, _) = offering_caller();
    assert!(core.handle(offer_in(Some("theirs"))).is_empty());
}

#[test]
fn answer_of_the_current_session_is_applied_and_sets_the_remote_description() {
    let (mut core, session) = offering_caller();
    core.handle(candidate_in(1, Some(&session)));
    let answer = with("answer", Some(&session));
    assert_eq!(
        core.handle(answer_in(Some(&session))),
        [Action::ApplyAnswer(answer)]
    );
    assert_eq!(
        core.handle(Input::AnswerApplied),
        [Action::AddCandidate(candidate(1, Some(&session)))]
    );
}

#[test]
fn answer_of_a_stale_session_is_ignored() {
    let (mut core, _) = offering_caller();
    assert!(core.handle(answer_in(Some("an-old-session"))).is_empty());
}

#[test]
fn answer_without_a_session_is_taken_as_current() {
    let (mut core, _) = offering_caller();
    assert_eq!(
        core.handle(answer_in(None)),
        [Action::ApplyAnswer(with("answer", None))]
    );
}

#[test]
fn a_second_answer_to_the_same_offer_is_ignored() {
    let (mut core, session) = offering_caller();
    core.handle(answer_in(Some(&session)));
    core.handle(Input::AnswerApplied);
    assert!(core.handle(answer_in(Some(&session))).is_empty());
}

#[test]
fn caller_reoffers_in_a_new_session_when_the_receiver_rejoins() {
    let (mut core, first) = offering_caller();
    core.handle(answer_in(Some(&first)));
    core.handle(Input::AnswerApplied);
    core.handle(left());
    let actions = core.handle(joined());
    assert_eq!(offers(&actions), 1);
    let second = new_peers(&actions)[0].clone().unwrap();
    assert_ne!(second, first);
    // The old session's answer, delivered late, cannot touch the new connection.
    assert!(core.handle(answer_in(Some(&first))).is_empty());
}

#[test]
fn caller_does_not_reoffer_while_its_offer_is_pending() {
    // The receiver was away: the server delivers the queued offer when it joins.
    let (mut core, _) = offering_caller();
    assert!(core.handle(joined()).is_empty());
}

#[test]
fn caller_reoffers_when_it_rejoins_the_room() {
    let (mut core, first) = offering_caller();
    core.handle(answer_in(Some(&first)));
    core.handle(Input::AnswerApplied);
    core.handle(Input::SocketClosed(CloseCode::Abnormal));
    core.handle(Input::ReconnectDue);
    let actions = core.handle(auth_ok());
    assert_eq!(actions[0], Action::ClosePeer, "the old connection is stale");
    assert_eq!(offers(&actions), 1);
    assert_ne!(new_peers(&actions)[0].as_deref(), Some(first.as_str()));
}

#[test]
fn both_sides_drop_the_connection_when_the_other_leaves() {
    let (mut caller, _) = offering_caller();
    let actions = caller.handle(left());
    assert_eq!(actions[0], Action::ClosePeer);
    assert_eq!(link(&actions), Some(LinkState::WaitingForPeer));

    let mut receiver = answered_receiver();
    let actions = receiver.handle(left());
    assert_eq!(actions[0], Action::ClosePeer);
    assert_eq!(link(&actions), Some(LinkState::WaitingForPeer));
}

#[test]
fn receiver_drops_the_connection_when_the_caller_rejoins() {
    let mut core = answered_receiver();
    let actions = core.handle(joined());
    assert_eq!(
        actions,
        [
            Action::ClosePeer,
            Action::Emit(Notice::Link(LinkState::Connecting))
        ]
    );
}

#[test]
fn receiver_answers_a_new_session_on_a_new_connection() {
    let mut core = answered_receiver();
    let actions = core.handle(offer_in(Some("s2")));
    assert_eq!(new_peers(&actions), [Some("s2".to_owned())]);
    assert_eq!(
        actions.last(),
        Some(&Action::AnswerOffer(with("offer", Some("s2"))))
    );
    let sent = core.handle(Input::AnswerCreated(with("answer", None)));
    assert_eq!(
        sent,
        [Action::Send(ClientMsg::CallAnswer {
            answer: with("answer", Some("s2")),
            call_id: CALL,
        })]
    );
}

#[test]
fn receiver_answers_an_ice_restart_on_the_same_connection_with_fresh_servers() {
    let mut core = answered_receiver();
    assert_eq!(
        core.handle(offer_in(Some("s1"))),
        [
            Action::RefreshIceServers,
            Action::AnswerOffer(with("offer", Some("s1")))
        ]
    );
}

#[test]
fn remote_candidates_wait_for_the_remote_description() {
    let (mut core, session) = offering_caller();
    assert!(core.handle(candidate_in(1, Some(&session))).is_empty());
    assert!(core.handle(candidate_in(2, None)).is_empty());
    core.handle(answer_in(Some(&session)));
    assert_eq!(
        added(&core.handle(Input::AnswerApplied)),
        [candidate(1, Some(&session)), candidate(2, None)]
    );
    // Once described, a candidate goes straight in.
    assert_eq!(
        core.handle(candidate_in(3, Some(&session))),
        [Action::AddCandidate(candidate(3, Some(&session)))]
    );
}

#[test]
fn receiver_keeps_candidates_that_overtake_their_offer() {
    let mut core = Negotiation::new(config(false, true));
    core.handle(auth_ok());
    assert!(core.handle(candidate_in(1, Some("s1"))).is_empty());
    assert!(core.handle(candidate_in(2, Some("s0"))).is_empty());
    core.handle(offer_in(Some("s1")));
    let actions = core.handle(Input::AnswerCreated(with("answer", None)));
    assert_eq!(
        added(&actions),
        [candidate(1, Some("s1"))],
        "only the offer's session"
    );
}

#[test]
fn candidates_of_another_session_are_dropped() {
    let (mut core, session) = offering_caller();
    core.handle(candidate_in(1, Some("stale")));
    core.handle(answer_in(Some(&session)));
    assert!(added(&core.handle(Input::AnswerApplied)).is_empty());
    assert!(core.handle(candidate_in(2, Some("stale"))).is_empty());
}

#[test]
fn local_candidates_carry_the_session() {
    let (mut core, session) = offering_caller();
    assert_eq!(
        core.handle(peer(&session, PeerEvent::Candidate(candidate(1, None)))),
        [Action::Send(ClientMsg::IceCandidate {
            candidate: candidate(1, Some(&session)),
            call_id: CALL,
        })]
    );
}

#[test]
fn events_of_a_replaced_connection_are_ignored() {
    let (mut core, first) = offering_caller();
    core.handle(left());
    core.handle(joined());
    for event in [
        PeerEvent::State(ConnectionState::Connected),
        PeerEvent::Candidate(candidate(1, None)),
        PeerEvent::Track,
        PeerEvent::ChannelOpen,
    ] {
        assert!(core.handle(peer(&first, event)).is_empty());
    }
}

#[test]
fn caller_restarts_ice_with_fresh_servers_when_the_connection_fails() {
    let (mut core, session) = offering_caller();
    core.handle(answer_in(Some(&session)));
    core.handle(Input::AnswerApplied);
    let actions = core.handle(peer(&session, PeerEvent::State(ConnectionState::Failed)));
    assert_eq!(link(&actions), Some(LinkState::Reconnecting));
    assert!(new_peers(&actions).is_empty(), "the same connection");
    let tail = &actions[actions.len() - 3..];
    assert_eq!(
        tail,
        [
            Action::RefreshIceServers,
            Action::MakeOffer { ice_restart: true },
            restart_timer(&session, RESTART_RETRY_MS),
        ]
    );
    // The restart's offer stays in the session, and its answer is applied.
    let sent = core.handle(Input::OfferCreated(with("offer", None)));
    assert_eq!(
        sent,
        [Action::Send(ClientMsg::CallOffer {
            offer: with("offer", Some(&session)),
            call_id: CALL,
            call_type: Some(CallType::Video),
        })]
    );
    assert_eq!(core.handle(answer_in(Some(&session))).len(), 1);
}

fn restart_timer(session: &str, delay_ms: u64) -> Action {
    Action::StartTimer {
        session: Some(session.into()),
        timer: Timer::Restart,
        delay_ms,
    }
}

fn due(session: &str, timer: Timer) -> Input {
    Input::TimerDue {
        session: Some(session.into()),
        timer,
    }
}

/// The caller with its connection up (answer applied, connected).
fn connected_caller(relay_only: bool) -> (Negotiation, String) {
    let mut core = Negotiation::new(Config {
        relay_only,
        ..config(true, true)
    });
    let session = new_peers(&core.handle(auth_ok()))[0].clone().unwrap();
    core.handle(peer(&session, PeerEvent::Candidate(candidate(1, None))));
    core.handle(answer_in(Some(&session)));
    core.handle(Input::AnswerApplied);
    core.handle(peer(&session, PeerEvent::State(ConnectionState::Connected)));
    (core, session)
}

#[test]
fn a_connection_that_stays_disconnected_is_restarted_by_the_caller() {
    let (mut core, session) = connected_caller(false);
    let state = |s| peer(&session, PeerEvent::State(s));
    let actions = core.handle(state(ConnectionState::Disconnected));
    assert_eq!(link(&actions), Some(LinkState::Reconnecting));
    assert_eq!(
        actions.last(),
        Some(&restart_timer(&session, RESTART_AFTER_DISCONNECT_MS))
    );
    assert_eq!(
        offers(&actions),
        0,
        "not at once: it may come back by itself"
    );
    // Back by itself: the timer does nothing.
    core.handle(state(ConnectionState::Connected));
    assert!(core.handle(due(&session, Timer::Restart)).is_empty());
    // Still down when the timer is due: a restart with fresh servers, checked again later.
    core.handle(state(ConnectionState::Disconnected));
    let actions = core.handle(due(&session, Timer::Restart));
    assert_eq!(
        actions[1..],
        [
            Action::RefreshIceServers,
            Action::MakeOffer { ice_restart: true },
            restart_timer(&session, RESTART_RETRY_MS),
        ]
    );
    // A failure meanwhile starts no second restart or timer.
    assert_eq!(
        core.handle(state(ConnectionState::Failed)),
        [Action::Emit(Notice::Link(LinkState::Reconnecting))]
    );
}

#[test]
fn the_caller_restarts_again_while_the_connection_is_not_back() {
    let (mut core, session) = connected_caller(false);
    core.handle(peer(&session, PeerEvent::State(ConnectionState::Failed)));
    // The answer to the restart is still out: wait for it.
    assert_eq!(
        core.handle(due(&session, Timer::Restart)),
        [restart_timer(&session, RESTART_RETRY_MS)]
    );
    core.handle(answer_in(Some(&session)));
    core.handle(Input::AnswerApplied);
    // Answered but the path is still down (the relay is away): restart again.
    let actions = core.handle(due(&session, Timer::Restart));
    assert_eq!(offers(&actions), 1);
    assert!(actions.contains(&Action::RefreshIceServers));
    // Timers of a replaced connection are ignored.
    core.handle(left());
    core.handle(joined());
    assert!(core.handle(due(&session, Timer::Restart)).is_empty());
}

#[test]
fn the_receiver_never_restarts() {
    let mut core = answered_receiver();
    for state in [ConnectionState::Disconnected, ConnectionState::Failed] {
        let actions = core.handle(peer("s1", PeerEvent::State(state)));
        assert_eq!(
            actions,
            [Action::Emit(Notice::Link(LinkState::Reconnecting))]
        );
    }
    assert!(core.handle(due("s1", Timer::Restart)).is_empty());
}

#[test]
fn relay_only_says_when_the_relay_gives_no_address() {
    let relay_check = |session: &str| Action::StartTimer {
        session: Some(session.into()),
        timer: Timer::RelayCheck,
        delay_ms: RELAY_CHECK_MS,
    };
    // The caller's connection gathers nothing: the relay cannot be reached.
    let mut core = Negotiation::new(Config {
        relay_only: true,
        ..config(true, true)
    });
    let actions = core.handle(auth_ok());
    let session = new_peers(&actions)[0].clone().unwrap();
    assert_eq!(actions.last(), Some(&relay_check(&session)));
    core.handle(answer_in(Some(&session)));
    core.handle(Input::AnswerApplied);
    assert_eq!(
        core.handle(due(&session, Timer::RelayCheck)),
        [
            Action::Emit(Notice::RelayUnreachable),
            restart_timer(&session, RESTART_RETRY_MS),
        ]
    );
    // It never failed, yet the caller restarts until the relay answers.
    let actions = core.handle(due(&session, Timer::Restart));
    assert_eq!(offers(&actions), 1);
    // A relay address came: nothing to say.
    let (mut core, session) = connected_caller(true);
    assert!(core.handle(due(&session, Timer::RelayCheck)).is_empty());
    // An ICE restart gathers anew, and is checked anew.
    let actions = core.handle(peer(&session, PeerEvent::State(ConnectionState::Failed)));
    assert!(actions.contains(&relay_check(&session)));
    assert_eq!(
        core.handle(due(&session, Timer::RelayCheck))[0],
        Action::Emit(Notice::RelayUnreachable)
    );
    // The receiver watches its own gathering.
    let mut receiver = Negotiation::new(Config {
        relay_only: true,
        ..config(false, true)
    });
    receiver.handle(auth_ok());
    assert!(receiver
        .handle(offer_in(Some("s1")))
        .contains(&relay_check("s1")));
    receiver.handle(peer("s1", PeerEvent::Candidate(candidate(1, None))));
    assert!(receiver.handle(due("s1", Timer::RelayCheck)).is_empty());
    // Without relay-only, no check.
    let (mut direct, session) = connected_caller(false);
    assert!(!direct
        .handle(peer(&session, PeerEvent::State(ConnectionState::Failed)))
        .iter()
        .any(|a| matches!(
            a,
            Action::StartTimer {
                timer: Timer::RelayCheck,
                ..
            }
        )));
}

#[test]
fn no_ice_restart_while_an_offer_is_pending() {
    let (mut core, session) = offering_caller();
    let actions = core.handle(peer(&session, PeerEvent::State(ConnectionState::Failed)));
    assert_eq!(offers(&actions), 0);
}

#[test]
fn a_failed_offer_is_no_longer_pending() {
    let (mut core, _) = offering_caller();
    core.handle(Input::OfferFailed);
    assert_eq!(
        offers(&core.handle(joined())),
        1,
        "the rejoin gets a fresh offer"
    );
}

#[test]
fn connection_states_reach_the_page() {
    let (mut core, session) = offering_caller();
    let mut state = |s| link(&core.handle(peer(&session, PeerEvent::State(s))));
    assert_eq!(
        state(ConnectionState::Connected),
        Some(LinkState::Connected)
    );
    assert_eq!(
        state(ConnectionState::Disconnected),
        Some(LinkState::Reconnecting)
    );
    assert_eq!(state(ConnectionState::Other), None);
}

#[test]
fn socket_reopens_with_a_fresh_token_after_4001() {
    let (mut core, _) = offering_caller();
    let actions = core.handle(Input::SocketClosed(CloseCode::from(4001)));
    assert!(actions.contains(&Action::ScheduleReconnect { delay_ms: 1_000 }));
    assert_eq!(
        core.handle(Input::ReconnectDue),
        [Action::RefreshToken, Action::OpenSocket]
    );
    // Any other close reopens with the token as it is.
    core.handle(Input::SocketClosed(CloseCode::ServiceRestart));
    assert_eq!(core.handle(Input::ReconnectDue), [Action::OpenSocket]);
}

#[test]
fn socket_closed_with_4003_or_4004_ends_the_call() {
    for code in [4003, 4004] {
        let (mut core, _) = offering_caller();
        assert_eq!(
            core.handle(Input::SocketClosed(CloseCode::from(code))),
            [Action::Emit(Notice::CallOver)],
            "no reconnect after {code}"
        );
    }
}

#[test]
fn socket_reconnects_back_off_and_reset_when_authenticated() {
    let mut core = Negotiation::new(config(true, false));
    let mut delays = || {
        core.handle(Input::SocketClosed(CloseCode::Abnormal))
            .into_iter()
            .find_map(|a| match a {
                Action::ScheduleReconnect { delay_ms } => Some(delay_ms),
                _ => None,
            })
    };
    let first: Vec<_> = (0..5).filter_map(|_| delays()).collect();
    assert_eq!(first, [1_000, 2_000, 4_000, 5_000, 5_000]);
    core.handle(auth_ok());
    let after = core.handle(Input::SocketClosed(CloseCode::Abnormal));
    assert!(after.contains(&Action::ScheduleReconnect { delay_ms: 1_000 }));
}

#[test]
fn media_state_goes_on_the_data_channel() {
    let (mut core, session) = offering_caller();
    assert_eq!(
        core.handle(Input::SetMuted(true)),
        [
            Action::EnableTracks {
                audio: false,
                video: true
            },
            Action::SendChannel(ChannelMsg::MediaState(MediaState {
                muted: true,
                ..MediaState::default()
            })),
        ]
    );
    core.handle(Input::SetCameraOff(true));
    // A channel that opens later gets the whole state.
    assert_eq!(
        core.handle(peer(&session, PeerEvent::ChannelOpen)),
        [Action::SendChannel(ChannelMsg::MediaState(MediaState {
            muted: true,
            camera_off: true,
            sharing: false,
            video: false,
        }))]
    );
}

#[test]
fn mute_before_media_is_applied_once_media_is_ready() {
    let mut core = Negotiation::new(config(false, true));
    assert_eq!(
        core.handle(Input::SetCameraOff(true)),
        [Action::EnableTracks {
            audio: true,
            video: false
        }],
        "no connection: nothing to tell"
    );
    assert_eq!(
        core.handle(Input::MediaSettled)[0],
        Action::EnableTracks {
            audio: true,
            video: false
        }
    );
}

#[test]
fn remote_media_state_reaches_the_page() {
    let (mut core, session) = offering_caller();
    let text = r#"{"type":"media-state","muted":true,"camera_off":false}"#.to_owned();
    assert_eq!(
        core.handle(peer(&session, PeerEvent::ChannelMessage(text))),
        [Action::Emit(Notice::RemoteMedia(MediaState {
            muted: true,
            ..MediaState::default()
        }))]
    );
    assert!(core
        .handle(peer(&session, PeerEvent::ChannelMessage("garbage".into())))
        .is_empty());
}

#[test]
fn relay_only_without_turn_is_explained() {
    let mut core = Negotiation::new(Config {
        relay_only: true,
        ..config(true, true)
    });
    assert_eq!(
        core.handle(Input::IceServers { has_relay: false }),
        [Action::Emit(Notice::NoRelay)]
    );
    assert!(core
        .handle(Input::IceServers { has_relay: true })
        .is_empty());
    let mut direct = Negotiation::new(config(true, true));
    assert!(direct
        .handle(Input::IceServers { has_relay: false })
        .is_empty());
}

#[test]
fn call_end_in_the_room_is_a_remote_hang_up() {
    let mut core = answered_receiver();
    let actions = core.handle(server(ServerMsg::CallEnd {
        call_id: CALL,
        sender_id: UserId(1),
        reason: Some("hangup".into()),
    }));
    assert_eq!(actions, [Action::Emit(Notice::RemoteHangUp)]);
}

#[test]
fn a_peer_that_cannot_be_created_leaves_no_connection() {
    let (mut core, session) = offering_caller();
    core.handle(Input::PeerUnavailable);
    assert!(core
        .handle(Input::OfferCreated(with("offer", None)))
        .is_empty());
    assert!(core
        .handle(peer(&session, PeerEvent::ChannelOpen))
        .is_empty());
}

/// A statistics read at `seconds` with the video sent so far at `kbps`.
fn stats_at(seconds: f64, kbps: f64) -> Input {
    Input::Stats(crate::quality::Counters {
        at_ms: seconds * 1000.0,
        video_bytes_sent: seconds * kbps * 1000.0 / 8.0,
        ..Default::default()
    })
}

#[test]
fn the_connection_grade_goes_to_the_page_and_the_other_side() {
    let (mut core, session) = offering_caller();
    assert!(
        core.handle(stats_at(0.0, 50.0)).is_empty(),
        "one read: no grade"
    );
    assert_eq!(
        core.handle(stats_at(2.0, 50.0)),
        [
            Action::Emit(Notice::LocalQuality(Grade::Poor)),
            Action::SendChannel(ChannelMsg::Quality { grade: Grade::Poor }),
        ]
    );
    assert!(core.handle(stats_at(4.0, 50.0)).is_empty(), "unchanged");
    // A channel that opens later hears the grade after the media state.
    assert_eq!(
        core.handle(peer(&session, PeerEvent::ChannelOpen)),
        [
            Action::SendChannel(ChannelMsg::MediaState(MediaState::default())),
            Action::SendChannel(ChannelMsg::Quality { grade: Grade::Poor }),
        ]
    );
    // With the camera off the low bitrate says nothing about the network.
    core.handle(Input::SetCameraOff(true));
    assert_eq!(
        core.handle(stats_at(6.0, 50.0))[0],
        Action::Emit(Notice::LocalQuality(Grade::Good))
    );
}

#[test]
fn the_other_sides_grade_reaches_the_page() {
    let (mut core, session) = offering_caller();
    let text = r#"{"type":"quality","grade":"poor"}"#.to_owned();
    assert_eq!(
        core.handle(peer(&session, PeerEvent::ChannelMessage(text))),
        [Action::Emit(Notice::RemoteQuality(Grade::Poor))]
    );
    let newer = r#"{"type":"whiteboard","muted":true}"#.to_owned();
    assert!(
        core.handle(peer(&session, PeerEvent::ChannelMessage(newer)))
            .is_empty(),
        "a newer peer's message type is ignored, not read as a media state"
    );
}

#[test]
fn a_device_switch_replaces_the_track_and_keeps_the_mute() {
    let mut core = Negotiation::new(config(true, true));
    let switch = || Input::SwitchDevice {
        kind: crate::devices::DeviceKind::Camera,
        device: Some("usb".into()),
    };
    assert!(core.handle(switch()).is_empty(), "no local media yet");
    core.handle(Input::MediaSettled);
    core.handle(auth_ok());
    core.handle(Input::SetMuted(true));
    let actions = core.handle(switch());
    assert_eq!(
        actions,
        [Action::SwitchDevice {
            kind: crate::devices::DeviceKind::Camera,
            device: Some("usb".into())
        }]
    );
    assert_eq!(offers(&actions), 0, "no renegotiation");
    assert_eq!(
        core.handle(Input::DeviceSwitched),
        [Action::EnableTracks {
            audio: false,
            video: true
        }]
    );
}

#[test]
fn screen_sharing_replaces_the_camera_and_is_told() {
    let mut core = Negotiation::new(config(true, true));
    assert!(
        core.handle(Input::ShareScreen(true)).is_empty(),
        "no local media yet"
    );
    core.handle(Input::MediaSettled);
    core.handle(auth_ok());
    core.handle(Input::SetCameraOff(true));
    let actions = core.handle(Input::ShareScreen(true));
    assert_eq!(actions, [Action::ShareScreen]);
    assert_eq!(offers(&actions), 0, "no renegotiation");
    let sharing = MediaState {
        camera_off: true,
        sharing: true,
        ..MediaState::default()
    };
    assert_eq!(
        core.handle(Input::SharingChanged(true)),
        [
            Action::Emit(Notice::Sharing(true)),
            Action::EnableTracks {
                audio: true,
                video: true
            },
            Action::SendChannel(ChannelMsg::MediaState(sharing)),
        ],
        "the screen is sent even with the camera off, and the other side knows"
    );
    assert!(
        core.handle(Input::ShareScreen(true)).is_empty(),
        "already sharing"
    );
    // The browser's own "stop sharing" ends the track: the camera comes back (still off).
    assert_eq!(
        core.handle(Input::ShareScreen(false)),
        [Action::StopSharing { camera: true }]
    );
    assert_eq!(
        core.handle(Input::SharingChanged(false))[1],
        Action::EnableTracks {
            audio: true,
            video: false
        }
    );
    assert!(
        core.handle(Input::ShareScreen(false)).is_empty(),
        "not sharing"
    );
}

fn audio_call() -> Negotiation {
    Negotiation::new(Config {
        call_type: CallType::Audio,
        ..config(true, true)
    })
}

#[test]
fn an_audio_call_turns_the_camera_on_and_off_without_a_new_offer() {
    let mut core = audio_call();
    assert!(
        core.handle(Input::SetVideo(true)).is_empty(),
        "no local media yet"
    );
    core.handle(Input::MediaSettled);
    core.handle(auth_ok());
    let actions = core.handle(Input::SetVideo(true));
    assert_eq!(actions, [Action::StartCamera]);
    assert_eq!(offers(&actions), 0, "no renegotiation");
    let camera = MediaState {
        video: true,
        ..MediaState::default()
    };
    assert_eq!(
        core.handle(Input::VideoChanged(true)),
        [
            Action::Emit(Notice::Video(true)),
            Action::EnableTracks {
                audio: true,
                video: true
            },
            Action::SendChannel(ChannelMsg::MediaState(camera)),
        ],
        "the other side is told, so it shows the video stage"
    );
    assert!(core.handle(Input::SetVideo(true)).is_empty(), "already on");
    assert_eq!(core.handle(Input::SetVideo(false)), [Action::StopCamera]);
    assert_eq!(
        core.handle(Input::VideoChanged(false))[2],
        Action::SendChannel(ChannelMsg::MediaState(MediaState::default()))
    );
}

#[test]
fn an_audio_call_shares_the_screen_and_stopping_puts_back_what_was_sent() {
    let mut core = audio_call();
    core.handle(Input::MediaSettled);
    core.handle(auth_ok());
    let actions = core.handle(Input::ShareScreen(true));
    assert_eq!(actions, [Action::ShareScreen]);
    assert_eq!(offers(&actions), 0, "no renegotiation");
    core.handle(Input::SharingChanged(true));
    assert!(
        core.handle(Input::SetVideo(true)).is_empty(),
        "the screen has the video transceiver"
    );
    assert_eq!(
        core.handle(Input::ShareScreen(false)),
        [Action::StopSharing { camera: false }],
        "the camera was off: nothing goes back on"
    );
    core.handle(Input::SharingChanged(false));
    core.handle(Input::SetVideo(true));
    core.handle(Input::VideoChanged(true));
    core.handle(Input::ShareScreen(true));
    core.handle(Input::SharingChanged(true));
    assert_eq!(
        core.handle(Input::ShareScreen(false)),
        [Action::StopSharing { camera: true }],
        "the camera was on: it comes back"
    );
}

#[test]
fn an_audio_call_switches_its_camera_only_while_it_is_on() {
    let mut core = audio_call();
    core.handle(Input::MediaSettled);
    core.handle(auth_ok());
    let switch = || Input::SwitchDevice {
        kind: DeviceKind::Camera,
        device: Some("cam-2".into()),
    };
    assert!(
        core.handle(switch()).is_empty(),
        "camera off: only remembered by the page"
    );
    core.handle(Input::SetVideo(true));
    core.handle(Input::VideoChanged(true));
    assert_eq!(
        core.handle(switch()),
        [Action::SwitchDevice {
            kind: DeviceKind::Camera,
            device: Some("cam-2".into())
        }]
    );
}

#[test]
fn a_video_call_has_no_camera_upgrade() {
    let mut core = Negotiation::new(config(true, true));
    core.handle(Input::MediaSettled);
    assert!(core.handle(Input::SetVideo(true)).is_empty());
}

#[test]
fn chat_goes_only_over_an_open_channel_and_within_bounds() {
    let (mut core, session) = offering_caller();
    assert!(
        core.handle(Input::SendChat("early".into())).is_empty(),
        "the channel is not open yet"
    );
    core.handle(peer(&session, PeerEvent::ChannelOpen));
    assert_eq!(
        core.handle(Input::SendChat("hi".into())),
        [
            Action::SendChannel(ChannelMsg::Chat { text: "hi".into() }),
            Action::Emit(Notice::Chat {
                mine: true,
                text: "hi".into()
            }),
        ]
    );
    let long = "a".repeat(crate::protocol::MAX_CHAT_CHARS + 1);
    assert!(core.handle(Input::SendChat(long)).is_empty());
    assert!(core.handle(Input::SendChat("   ".into())).is_empty());
    let text = r#"{"type":"chat","text":"hello"}"#.to_owned();
    assert_eq!(
        core.handle(peer(&session, PeerEvent::ChannelMessage(text))),
        [Action::Emit(Notice::Chat {
            mine: false,
            text: "hello".into()
        })]
    );
}

#[test]
fn the_report_counts_the_link_coming_back_and_only_an_answered_call_has_one() {
    // Not answered yet: nothing to report.
    let mut ringing = Negotiation::new(config(true, false));
    ringing.handle(Input::Start);
    assert_eq!(ringing.report(), None);

    let (mut core, session) = offering_caller();
    let connected = || peer(&session, PeerEvent::State(ConnectionState::Connected));
    core.handle(connected());
    core.handle(peer(
        &session,
        PeerEvent::State(ConnectionState::Disconnected),
    ));
    core.handle(connected());
    core.handle(stats_at(0.0, 500.0));
    core.handle(stats_at(2.0, 500.0));
    let report = core.report().expect("an answered call has a report");
    assert_eq!(report.reconnects, 1);
    assert_eq!(report.samples, 1);
    assert_eq!(report.connected_secs, 2);
    assert!(!report.ip_hidden);
}
