//! When nobody answers (issue 23), the decisions of the browser side as plain Rust that
//! `cargo test -p app` runs: the message recorder's states (record up to 30 s with a countdown,
//! re-record, send), and what the pages say about messages. `components::voicemail` performs
//! the actions with web-sys (MediaRecorder) and the REST API.

use crate::i18n::{t, t_with};
use crate::protocol::{Call, CallType, EndReason, User, UserId, MAX_MESSAGE_MS};
use crate::util::duration_text;

/// The recorder of a message on the call page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Recorder {
    /// Nothing recorded yet.
    #[default]
    Idle,
    /// The devices are being opened.
    Starting,
    Recording {
        started_at: i64,
    },
    /// Stopped: waiting for the recorder's last data.
    Stopping {
        duration_ms: i64,
    },
    /// A recording to play back, send or record again.
    Recorded {
        duration_ms: i64,
    },
    Sending {
        duration_ms: i64,
    },
    Sent,
    /// The devices could not be opened, or sending failed; the sentence says which.
    Failed(String),
}

/// What happened to the recorder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecorderInput {
    /// The Record (or Record again) button.
    Record,
    /// The devices are open and the recorder runs, from `now`.
    Started {
        now: i64,
    },
    /// A timer tick while recording.
    Tick {
        now: i64,
    },
    /// The Stop button.
    Stop {
        now: i64,
    },
    /// The recorder delivered its last data.
    Finished,
    /// The Send button.
    Send,
    Delivered,
    Failed(String),
}

/// What the page does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecorderAction {
    /// Open the microphone (and camera) and start a recorder; drop any earlier recording.
    Open,
    /// Stop the recorder (its last data follows as `Finished`) and the devices.
    StopRecorder,
    /// Upload the recording with this duration.
    Upload { duration_ms: i64 },
}

impl Recorder {
    /// The next state and what to do, for `input`. Inputs that mean nothing now change nothing.
    pub fn step(&mut self, input: RecorderInput) -> Vec<RecorderAction> {
        use RecorderInput as In;
        let (next, actions) = match (&*self, input) {
            (Self::Idle | Self::Recorded { .. } | Self::Failed(_), In::Record) => {
                (Self::Starting, vec![RecorderAction::Open])
            }
            (Self::Starting, In::Started { now }) => (Self::Recording { started_at: now }, vec![]),
            (Self::Recording { started_at }, In::Stop { now }) => (
                Self::Stopping {
                    duration_ms: elapsed(*started_at, now),
                },
                vec![RecorderAction::StopRecorder],
            ),
            // At 30 s the recording stops by itself.
            (Self::Recording { started_at }, In::Tick { now })
                if now - started_at >= MAX_MESSAGE_MS =>
            {
                (
                    Self::Stopping {
                        duration_ms: MAX_MESSAGE_MS,
                    },
                    vec![RecorderAction::StopRecorder],
                )
            }
            (Self::Stopping { duration_ms }, In::Finished) => (
                Self::Recorded {
                    duration_ms: *duration_ms,
                },
                vec![],
            ),
            (Self::Recorded { duration_ms }, In::Send) => (
                Self::Sending {
                    duration_ms: *duration_ms,
                },
                vec![RecorderAction::Upload {
                    duration_ms: *duration_ms,
                }],
            ),
            (Self::Sending { .. }, In::Delivered) => (Self::Sent, vec![]),
            (Self::Starting | Self::Sending { .. }, In::Failed(message)) => {
                (Self::Failed(message), vec![])
            }
            _ => return vec![],
        };
        *self = next;
        actions
    }

    /// Seconds left while recording, counting down from 30.
    pub fn seconds_left(&self, now: i64) -> Option<i64> {
        match self {
            Self::Recording { started_at } => {
                let left = MAX_MESSAGE_MS - elapsed(*started_at, now);
                Some((left.max(0) + 999) / 1000)
            }
            _ => None,
        }
    }
}

/// Milliseconds from `from` to `to`, within 1 ms and the longest message.
fn elapsed(from: i64, to: i64) -> i64 {
    (to - from).clamp(1, MAX_MESSAGE_MS)
}

/// A message's length as the pages show it (`00:05`), to the nearest second as a player shows
/// it, and never 0 for a message that has sound.
pub fn message_length(duration_ms: i64) -> String {
    let seconds = (duration_ms.max(0) + 500) / 1000;
    duration_text(if duration_ms > 0 { seconds.max(1) } else { 0 })
}

/// Whether the call page offers `me` to leave a message: the caller of a call that went
/// unanswered (no answer, declined, busy, do-not-disturb).
pub fn offers_message(call: &Call, me: UserId) -> bool {
    call.caller.id == me && call.status.went_unanswered()
}

/// Whether the call page offers `me` to be told when the other person is free: the caller, when
/// they were busy or on do-not-disturb, or looked offline.
pub fn offers_availability(call: &Call, me: UserId) -> bool {
    offers_message(call, me)
        && (matches!(
            call.end_reason,
            Some(EndReason::Busy | EndReason::DoNotDisturb)
        ) || !call.receiver.is_online)
}

/// The media a message of this call records: the camera too for a video call.
pub fn records_video(call: &Call) -> bool {
    call.call_type == CallType::Video
}

/// The system notification that someone asked about is free now (when the page is hidden).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeNotice {
    pub user: UserId,
    /// One per person: a second notice replaces the first.
    pub tag: String,
    pub title: String,
    pub body: String,
    pub icon: String,
}

/// The notice for `user`, if the page should show one: only while it is hidden (the page's
/// own notice is in view otherwise) and notifications are allowed.
pub fn free_notice(user: &User, hidden: bool, allowed: bool) -> Option<FreeNotice> {
    (hidden && allowed).then(|| FreeNotice {
        user: user.id,
        tag: format!("available-{}", user.id),
        title: t_with(
            "voicemail-free-now",
            &[("name", user.username.as_str().into())],
        ),
        body: t("voicemail-free-body"),
        icon: user
            .profile_picture
            .clone()
            .unwrap_or_else(|| crate::attention::APP_ICON.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{test_call, CallStatus};

    fn recording_from(started_at: i64) -> Recorder {
        let mut recorder = Recorder::Idle;
        assert_eq!(
            recorder.step(RecorderInput::Record),
            vec![RecorderAction::Open]
        );
        recorder.step(RecorderInput::Started { now: started_at });
        recorder
    }

    #[test]
    fn records_counts_down_and_sends_what_was_recorded() {
        let mut recorder = recording_from(1_000);
        assert_eq!(recorder.seconds_left(1_000), Some(30));
        assert_eq!(recorder.seconds_left(5_500), Some(26));
        assert_eq!(
            recorder.step(RecorderInput::Stop { now: 6_000 }),
            vec![RecorderAction::StopRecorder]
        );
        assert_eq!(recorder.seconds_left(6_000), None);
        // Send means nothing until the recorder's data is in.
        assert!(recorder.step(RecorderInput::Send).is_empty());
        recorder.step(RecorderInput::Finished);
        assert_eq!(recorder, Recorder::Recorded { duration_ms: 5_000 });
        assert_eq!(
            recorder.step(RecorderInput::Send),
            vec![RecorderAction::Upload { duration_ms: 5_000 }]
        );
        // A second click while sending sends nothing more.
        assert!(recorder.step(RecorderInput::Send).is_empty());
        recorder.step(RecorderInput::Delivered);
        assert_eq!(recorder, Recorder::Sent);
        assert!(recorder.step(RecorderInput::Record).is_empty());
    }

    #[test]
    fn stops_by_itself_at_thirty_seconds() {
        let mut recorder = recording_from(0);
        assert!(recorder
            .step(RecorderInput::Tick { now: 29_999 })
            .is_empty());
        assert_eq!(recorder.seconds_left(29_999), Some(1));
        assert_eq!(
            recorder.step(RecorderInput::Tick { now: 30_000 }),
            vec![RecorderAction::StopRecorder]
        );
        recorder.step(RecorderInput::Finished);
        assert_eq!(
            recorder,
            Recorder::Recorded {
                duration_ms: MAX_MESSAGE_MS
            }
        );
    }

    #[test]
    fn records_again_after_a_recording_or_a_failure() {
        let mut recorder = recording_from(0);
        recorder.step(RecorderInput::Stop { now: 2_000 });
        recorder.step(RecorderInput::Finished);
        assert_eq!(
            recorder.step(RecorderInput::Record),
            vec![RecorderAction::Open]
        );
        recorder.step(RecorderInput::Failed("No microphone".into()));
        assert_eq!(recorder, Recorder::Failed("No microphone".into()));
        assert_eq!(
            recorder.step(RecorderInput::Record),
            vec![RecorderAction::Open]
        );
    }

    fn call(status: CallStatus, reason: Option<EndReason>, receiver_online: bool) -> Call {
        let mut call = test_call(1, status, "u1", "u2");
        call.receiver.is_online = receiver_online;
        call.end_reason = reason;
        call
    }

    #[test]
    fn the_caller_of_an_unanswered_call_is_offered_a_message() {
        let me = UserId(1);
        let missed = call(CallStatus::Missed, Some(EndReason::Timeout), true);
        assert!(offers_message(&missed, me));
        assert!(!offers_message(&missed, UserId(2)), "not the receiver");
        let declined = call(CallStatus::Rejected, Some(EndReason::Rejected), true);
        assert!(offers_message(&declined, me));
        let cancelled = call(CallStatus::Cancelled, Some(EndReason::Cancelled), true);
        assert!(!offers_message(&cancelled, me));
        let ended = call(CallStatus::Ended, Some(EndReason::HangupCaller), true);
        assert!(!offers_message(&ended, me));
    }

    #[test]
    fn being_told_when_free_is_offered_for_busy_do_not_disturb_or_offline() {
        let me = UserId(1);
        assert!(offers_availability(
            &call(CallStatus::Missed, Some(EndReason::Busy), true),
            me
        ));
        assert!(offers_availability(
            &call(CallStatus::Missed, Some(EndReason::DoNotDisturb), true),
            me
        ));
        assert!(offers_availability(
            &call(CallStatus::Missed, Some(EndReason::Timeout), false),
            me
        ));
        assert!(!offers_availability(
            &call(CallStatus::Missed, Some(EndReason::Timeout), true),
            me
        ));
    }

    #[test]
    fn lengths_round_to_the_nearest_second() {
        assert_eq!(message_length(4_200), "00:04");
        assert_eq!(message_length(4_600), "00:05");
        assert_eq!(message_length(300), "00:01");
        assert_eq!(message_length(30_000), "00:30");
        assert_eq!(message_length(0), "00:00");
    }

    #[test]
    fn a_free_notice_only_for_a_hidden_page_that_may_notify() {
        let bob = call(CallStatus::Missed, None, true).receiver;
        assert_eq!(free_notice(&bob, false, true), None);
        assert_eq!(free_notice(&bob, true, false), None);
        let notice = free_notice(&bob, true, true).expect("a notice");
        assert_eq!(notice.title, "u2 is free now");
        assert_eq!(notice.tag, "available-2");
        assert_eq!(notice.user, UserId(2));
        assert_eq!(notice.icon, crate::attention::APP_ICON);
    }
}
