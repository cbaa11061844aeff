//! Property test of the call state machine: random sequences of starts, answers, hang-ups, ring
//! events and timeouts by random parties keep the invariants, whatever the order.
//! - a user is in at most one live call;
//! - a finished call never changes again;
//! - timestamps are ordered, and duration is ended - accepted;
//! - no operation fails with anything but a client error (no 5xx).

mod common;

use std::collections::HashMap;

use app::protocol::{Call, CallId, CallType, StartCall, UserId};
use common::{Backend, TestApp};
use proptest::prelude::*;
use server::{
    calls::{CallError, Paging},
    clock::ManualClock,
    db::calls::CallFilter,
};

const USERS: usize = 4;

#[derive(Debug, Clone)]
enum Op {
    Start {
        caller: usize,
        receiver: usize,
        video: bool,
    },
    Ringing {
        actor: usize,
        call: usize,
    },
    Accept {
        actor: usize,
        call: usize,
    },
    Reject {
        actor: usize,
        call: usize,
    },
    Cancel {
        actor: usize,
        call: usize,
    },
    End {
        actor: usize,
        call: usize,
    },
    /// Seconds pass, then the sweeper runs.
    Wait {
        secs: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let user = 0..USERS;
    let call = 0..8usize;
    prop_oneof![
        3 => (user.clone(), user.clone(), any::<bool>())
            .prop_map(|(caller, receiver, video)| Op::Start { caller, receiver, video }),
        1 => (user.clone(), call.clone()).prop_map(|(actor, call)| Op::Ringing { actor, call }),
        2 => (user.clone(), call.clone()).prop_map(|(actor, call)| Op::Accept { actor, call }),
        1 => (user.clone(), call.clone()).prop_map(|(actor, call)| Op::Reject { actor, call }),
        1 => (user.clone(), call.clone()).prop_map(|(actor, call)| Op::Cancel { actor, call }),
        2 => (user.clone(), call.clone()).prop_map(|(actor, call)| Op::End { actor, call }),
        1 => (1i64..60).prop_map(|secs| Op::Wait { secs }),
    ]
}

fn acceptable(result: Result<(), CallError>) -> Result<(), TestCaseError> {
    match result {
        Ok(())
        | Err(
            CallError::Field { .. }
            | CallError::NotFound
            | CallError::Forbidden(_)
            | CallError::Conflict { .. }
            | CallError::Busy(_),
        ) => Ok(()),
        Err(other) => Err(TestCaseError::fail(format!("unexpected error: {other:?}"))),
    }
}

async fn all_calls(app: &TestApp, users: &[UserId]) -> HashMap<CallId, Call> {
    let mut calls = HashMap::new();
    for user in users {
        let paging = Paging {
            limit: Some(200),
            before: None,
        };
        for call in app
            .calls
            .list(*user, CallFilter::All, paging)
            .await
            .expect("list")
        {
            calls.insert(call.id, call);
        }
    }
    calls
}

fn check(
    calls: &HashMap<CallId, Call>,
    finished: &HashMap<CallId, Call>,
) -> Result<(), TestCaseError> {
    let mut live_per_user: HashMap<UserId, usize> = HashMap::new();
    for call in calls.values() {
        if call.status.is_live() {
            *live_per_user.entry(call.caller.id).or_default() += 1;
            *live_per_user.entry(call.receiver.id).or_default() += 1;
        }
        let stamps = [
            Some(call.initiated_at),
            call.ringing_at,
            call.accepted_at,
            call.ended_at,
        ];
        let present: Vec<i64> = stamps.iter().flatten().map(|t| t.millis()).collect();
        prop_assert!(
            present.windows(2).all(|w| w[0] <= w[1]),
            "timestamps out of order: {call:?}"
        );
        if let (Some(accepted), Some(ended)) = (call.accepted_at, call.ended_at) {
            prop_assert_eq!(
                call.duration,
                Some((ended.millis() - accepted.millis()) / 1000)
            );
        }
        prop_assert_eq!(call.status.is_live(), call.ended_at.is_none(), "{:?}", call);
    }
    prop_assert!(live_per_user.values().all(|n| *n <= 1), "{live_per_user:?}");
    for (id, before) in finished {
        prop_assert_eq!(calls.get(id), Some(before), "a finished call changed");
    }
    Ok(())
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let clock = ManualClock::new();
    let app = TestApp::spawn_with_clock(Backend::Sqlite, clock.clone()).await;
    let mut users = Vec::new();
    for i in 0..USERS {
        users.push(app.register(&format!("user{i}")).await.id);
    }
    let mut started: Vec<CallId> = Vec::new();
    let mut finished: HashMap<CallId, Call> = HashMap::new();
    for op in ops {
        let call_at = |i: usize| started.get(i % started.len().max(1)).copied();
        let result = match op {
            Op::Start {
                caller,
                receiver,
                video,
            } => {
                let request = StartCall {
                    receiver: users[receiver],
                    call_type: if video {
                        CallType::Video
                    } else {
                        CallType::Audio
                    },
                };
                match app.calls.start(users[caller], request).await {
                    Ok(server::calls::Started::Created(call)) => {
                        started.push(call.id);
                        Ok(())
                    }
                    Ok(server::calls::Started::Existing(_)) => Ok(()),
                    Err(CallError::Busy(call) | CallError::Conflict { call, .. }) => {
                        // Busy attempts are recorded too.
                        started.push(call.id);
                        Ok(())
                    }
                    Err(other) => Err(other),
                }
            }
            Op::Wait { secs } => {
                clock.advance_secs(secs);
                app.calls.sweep_once().await.map(|_| ())
            }
            Op::Ringing { actor, call }
            | Op::Accept { actor, call }
            | Op::Reject { actor, call }
            | Op::Cancel { actor, call }
            | Op::End { actor, call } => {
                let Some(id) = call_at(call) else { continue };
                let user = users[actor];
                let calls = &app.calls;
                match op {
                    Op::Ringing { .. } => calls.ringing(user, id).await,
                    Op::Accept { .. } => calls.accept(user, id).await,
                    Op::Reject { .. } => calls.reject(user, id).await,
                    Op::Cancel { .. } => calls.cancel(user, id).await,
                    _ => calls.end(user, id).await,
                }
                .map(|_| ())
            }
        };
        acceptable(result)?;
        // Time moves a little between operations, as it does between requests.
        clock.advance_secs(1);
        let calls = all_calls(&app, &users).await;
        check(&calls, &finished)?;
        for call in calls.into_values() {
            if !call.status.is_live() {
                finished.entry(call.id).or_insert(call);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_operation_sequences_keep_the_invariants(ops in proptest::collection::vec(op(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(run(ops))?;
    }
}
