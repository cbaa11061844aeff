//! Property test of the call state machine: random sequences of starts, answers, hang-ups, ring
//! events, timeouts, blocks, contacts, contacts-only and do-not-disturb by random parties keep
//! the invariants, whatever the order.
//! - a user is in at most one live call they know of (a screened call is its caller's only);
//! - a screened call never shows to its receiver;
//! - a finished call never changes again;
//! - timestamps are ordered, and duration is ended - accepted;
//! - no operation fails with anything but a client error (no 5xx);
//! - a call an operation answers with is the call as stored (the service builds its answers
//!   without reading the row back).

mod common;

use std::collections::HashMap;

use app::protocol::{
    AddContact, BlockUser, Call, CallId, CallPermission, CallType, StartCall, Timestamp,
    UpdatePrivacy, UserId,
};
use common::{Backend, TestApp};
use proptest::prelude::*;
use server::{
    calls::{CallError, Paging},
    clock::{Clock, ManualClock},
    db::calls::CallFilter,
    people::PeopleError,
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
    /// Seconds pass, then the sweepers run.
    Wait {
        secs: i64,
    },
    /// Blocks `target`, or unblocks them if blocked.
    Block {
        actor: usize,
        target: usize,
    },
    AddContact {
        actor: usize,
        target: usize,
    },
    /// Who may ring `actor`: contacts only, or everyone.
    ContactsOnly {
        actor: usize,
        on: bool,
    },
    /// Do-not-disturb on (until turned off, or for `secs`) or off.
    DoNotDisturb {
        actor: usize,
        on: bool,
        secs: Option<i64>,
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
        1 => (user.clone(), user.clone()).prop_map(|(actor, target)| Op::Block { actor, target }),
        1 => (user.clone(), user.clone())
            .prop_map(|(actor, target)| Op::AddContact { actor, target }),
        1 => (user.clone(), any::<bool>()).prop_map(|(actor, on)| Op::ContactsOnly { actor, on }),
        1 => (user, any::<bool>(), proptest::option::of(1i64..90))
            .prop_map(|(actor, on, secs)| Op::DoNotDisturb { actor, on, secs }),
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
            | CallError::Busy { .. },
        ) => Ok(()),
        Err(other) => Err(TestCaseError::fail(format!("unexpected error: {other:?}"))),
    }
}

fn acceptable_people<T>(result: Result<T, PeopleError>) -> Result<(), TestCaseError> {
    match result {
        Ok(_) | Err(PeopleError::Field { .. } | PeopleError::NotFound) => Ok(()),
        Err(other) => Err(TestCaseError::fail(format!("unexpected error: {other:?}"))),
    }
}

/// Each user's calls as they list them.
type Listings = HashMap<UserId, Vec<Call>>;

async fn all_calls(app: &TestApp, users: &[UserId]) -> (HashMap<CallId, Call>, Listings) {
    let mut calls = HashMap::new();
    let mut listings = Listings::new();
    for user in users {
        let paging = Paging {
            limit: Some(200),
            before: None,
        };
        let listed = app
            .calls
            .list(*user, CallFilter::All, paging)
            .await
            .expect("list");
        for call in &listed {
            calls.insert(call.id, call.clone());
        }
        listings.insert(*user, listed);
    }
    (calls, listings)
}

async fn screened_calls(app: &TestApp) -> Vec<CallId> {
    sqlx::query_scalar("SELECT id FROM calls WHERE screened = 1")
        .fetch_all(app.db.pool())
        .await
        .expect("screened")
        .into_iter()
        .map(CallId)
        .collect()
}

fn check(
    calls: &HashMap<CallId, Call>,
    listings: &Listings,
    screened: &[CallId],
    finished: &HashMap<CallId, Call>,
) -> Result<(), TestCaseError> {
    for (user, listed) in listings {
        let live = listed.iter().filter(|c| c.status.is_live()).count();
        prop_assert!(live <= 1, "{user} knows of {live} live calls: {listed:?}");
        for call in listed {
            prop_assert!(
                !(call.receiver.id == *user && screened.contains(&call.id)),
                "the receiver sees screened call {}",
                call.id
            );
        }
    }
    for call in calls.values() {
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
        // The call the operation answered with, and to whom.
        let mut answered: Option<(UserId, Call)> = None;
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
                        answered = Some((users[caller], call));
                        Ok(())
                    }
                    Ok(server::calls::Started::Existing(call)) => {
                        answered = Some((users[caller], call));
                        Ok(())
                    }
                    Err(CallError::Busy { call, .. } | CallError::Conflict { call, .. }) => {
                        // Busy attempts are recorded too.
                        started.push(call.id);
                        answered = Some((users[caller], *call));
                        Ok(())
                    }
                    Err(other) => Err(other),
                }
            }
            Op::Wait { secs } => {
                clock.advance_secs(secs);
                acceptable_people(app.people.expire_do_not_disturb().await)?;
                app.calls.sweep_once().await.map(|_| ())
            }
            Op::Block { actor, target } => {
                let (actor, target) = (users[actor], users[target]);
                let result = match app.people.unblock(actor, target).await {
                    Err(PeopleError::NotFound) => app
                        .people
                        .block(actor, BlockUser { user_id: target })
                        .await
                        .map(|_| ()),
                    other => other,
                };
                acceptable_people(result)?;
                Ok(())
            }
            Op::AddContact { actor, target } => {
                let request = AddContact {
                    user_id: users[target],
                    is_favourite: false,
                };
                acceptable_people(app.people.add_contact(users[actor], request).await)?;
                Ok(())
            }
            Op::ContactsOnly { actor, on } => {
                let update = UpdatePrivacy {
                    who_can_call: Some(if on {
                        CallPermission::Contacts
                    } else {
                        CallPermission::Everyone
                    }),
                    ..UpdatePrivacy::default()
                };
                acceptable_people(app.people.update_privacy(users[actor], update).await)?;
                Ok(())
            }
            Op::DoNotDisturb { actor, on, secs } => {
                let update = UpdatePrivacy {
                    do_not_disturb: Some(on),
                    do_not_disturb_until: secs
                        .filter(|_| on)
                        .map(|secs| Timestamp(clock.now_millis() + secs * 1000)),
                    ..UpdatePrivacy::default()
                };
                acceptable_people(app.people.update_privacy(users[actor], update).await)?;
                Ok(())
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
                .map(|call| answered = Some((user, call)))
            }
        };
        acceptable(result)?;
        if let Some((user, call)) = answered {
            let stored = app
                .calls
                .get(user, call.id)
                .await
                .expect("the answered call");
            prop_assert_eq!(call, stored, "an answer differs from the call as stored");
        }
        // Time moves a little between operations, as it does between requests.
        clock.advance_secs(1);
        let (calls, listings) = all_calls(&app, &users).await;
        let screened = screened_calls(&app).await;
        check(&calls, &listings, &screened, &finished)?;
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
