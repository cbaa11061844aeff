//! Network chaos: calls set up and torn down while one party's room socket is lost at a random
//! point of the call flow, then the invariants checked against the server's own records.
//!
//! Each round of a pair: the caller starts a call, the receiver accepts, and one of these happens
//! (chosen by a seeded generator, so a failing run can be replayed):
//! - `before-join`: one party's socket drops before it is authenticated, and it never joins;
//! - `after-offer`: one party's socket drops right after the offer went out;
//! - `mid-call`: one party's socket drops after the offer, the answer and some candidates;
//! - `silent`: one party's client stops reading and writing mid-call (the heartbeat's case);
//! - `hang-up`: nothing breaks, the caller sends call-end.
//!
//! The other party stays until it has heard `user-left`, or at most its grace, then leaves.
//! Invariants, checked once every call's grace is over: no call is live; a call whose party was
//! lost ended as `connection_lost`, a hung-up one as `hangup_caller`; the party that stayed was
//! told `user-left`; and the server's open descriptors are back to what they were before (after
//! a clean warm-up call per pair).

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use app::protocol::{CallId, CallStatus, EndReason};

use crate::{
    client::{send_json, Account, Api, Ws},
    report::Report,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    BeforeJoin,
    AfterOffer,
    MidCall,
    Silent,
    HangUp,
}

const FAULTS: [Fault; 5] = [
    Fault::BeforeJoin,
    Fault::AfterOffer,
    Fault::MidCall,
    Fault::Silent,
    Fault::HangUp,
];

/// A small seeded generator (xorshift64*): the same seed replays the same run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

/// What one round left to check.
struct Outcome {
    call: CallId,
    fault: Fault,
    /// The staying party heard `user-left` (faults other than hang-up and before-join).
    told: bool,
}

/// How long a test waits for a message it expects.
const WAIT: Duration = Duration::from_secs(10);

/// What to run.
pub struct Plan {
    pub pairs: usize,
    /// Calls per pair, after the clean one.
    pub rounds: usize,
    /// The server's `WS_GRACE_SECS` (its heartbeat must be short enough for the silent case).
    pub grace: Duration,
    pub seed: u64,
}

pub async fn run(
    api: &Api,
    accounts: &[Account],
    plan: Plan,
    server_pid: Option<u32>,
    report: &mut Report,
) -> Result<()> {
    let Plan {
        pairs,
        rounds,
        grace,
        seed,
    } = plan;
    // A clean call per pair first, so that the descriptors counted before are those of a warm
    // server (its database pool and this client's keep-alive connections grown).
    let mut warm_up = Vec::new();
    for pair in accounts.chunks_exact(2).take(pairs) {
        let (api, caller, receiver) = (api.clone(), pair[0].clone(), pair[1].clone());
        warm_up.push(tokio::spawn(async move {
            let outcome = round(&api, &caller, &receiver, Fault::HangUp, false, grace).await?;
            settle(&api, &caller, outcome.call, grace + WAIT).await
        }));
    }
    for task in warm_up {
        task.await??;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let fds_before = server_pid.map(open_fds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, pair) in accounts.chunks_exact(2).take(pairs).enumerate() {
        let (api, caller, receiver) = (api.clone(), pair[0].clone(), pair[1].clone());
        let mut rng = Rng(seed
            .wrapping_add(i as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            | 1);
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for _ in 0..rounds {
                let fault = FAULTS[rng.below(FAULTS.len())];
                let caller_lost = rng.below(2) == 0;
                let outcome = round(&api, &caller, &receiver, fault, caller_lost, grace).await?;
                // The next call would be refused as busy while this one is live.
                settle(&api, &caller, outcome.call, grace + WAIT).await?;
                outcomes.push(outcome);
            }
            anyhow::Ok((caller, outcomes))
        }));
    }
    let mut checked = Vec::new();
    for task in tasks {
        checked.push(task.await??);
    }
    // Every grace that started is over.
    tokio::time::sleep(grace + Duration::from_secs(2)).await;

    let mut counts = [0usize; FAULTS.len()];
    let mut violations = Vec::new();
    for (caller, outcomes) in &checked {
        for outcome in outcomes {
            counts[FAULTS.iter().position(|f| *f == outcome.fault).unwrap_or(0)] += 1;
            let call = api.call(caller, outcome.call).await?;
            let expected = match outcome.fault {
                Fault::HangUp => EndReason::HangupCaller,
                _ => EndReason::ConnectionLost,
            };
            if call.status != CallStatus::Ended {
                violations.push(format!(
                    "{:?}: call {} is {:?}",
                    outcome.fault, call.id, call.status
                ));
            } else if call.end_reason != Some(expected) {
                violations.push(format!(
                    "{:?}: call {} ended as {:?}, not {expected:?}",
                    outcome.fault, call.id, call.end_reason
                ));
            }
            let must_tell = !matches!(outcome.fault, Fault::HangUp | Fault::BeforeJoin);
            if must_tell && !outcome.told {
                violations.push(format!(
                    "{:?}: call {}: the other party was not told",
                    outcome.fault, outcome.call
                ));
            }
        }
    }
    let calls: usize = counts.iter().sum();
    report.add("chaos.calls", calls as f64, "");
    for (fault, count) in FAULTS.iter().zip(counts) {
        report.add(format!("chaos.{}", name(*fault)), count as f64, "");
    }
    report.add("chaos.secs", started.elapsed().as_secs_f64(), "s");
    report.add("chaos.violations", violations.len() as f64, "");
    if let (Some(pid), Some(before)) = (server_pid, fds_before) {
        // Sockets closed by the server a moment ago may still be in their last state.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = open_fds(pid);
        report.add("chaos.server_fds.before", before as f64, "");
        report.add("chaos.server_fds.after", after as f64, "");
        if after > before + 2 {
            violations.push(format!("open descriptors: {before} before, {after} after"));
        }
        if let Some(stat) = crate::idle::ProcStat::read(pid) {
            report.add("chaos.server_rss", stat.rss_kib as f64 / 1024.0, "MB");
        }
    }
    for violation in &violations {
        report.note(format!("VIOLATION {violation}"));
    }
    if !violations.is_empty() {
        report.print();
        bail!("{} invariant violations", violations.len());
    }
    Ok(())
}

fn name(fault: Fault) -> &'static str {
    match fault {
        Fault::BeforeJoin => "before_join",
        Fault::AfterOffer => "after_offer",
        Fault::MidCall => "mid_call",
        Fault::Silent => "silent",
        Fault::HangUp => "hang_up",
    }
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |dir| dir.count())
}

async fn round(
    api: &Api,
    caller: &Account,
    receiver: &Account,
    fault: Fault,
    caller_lost: bool,
    grace: Duration,
) -> Result<Outcome> {
    let call = api.start_call(caller, receiver.id).await?;
    api.call_action(receiver, call.id, "accept").await?;
    let (lost, stays) = if caller_lost {
        (caller, receiver)
    } else {
        (receiver, caller)
    };
    let mut staying = api.room_socket(stays, &call.room_id).await?;
    if fault == Fault::BeforeJoin {
        // Connected, then gone before its auth-ok: it never joined.
        let url = format!("{}/ws/call/{}/", api.ws_base, call.room_id);
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .context("connect")?;
        drop(socket);
        drop(staying);
        return Ok(Outcome {
            call: call.id,
            fault,
            told: false,
        });
    }
    let mut other = api.room_socket(lost, &call.room_id).await?;
    let (caller_ws, receiver_ws) = if caller_lost {
        (&mut other, &mut staying)
    } else {
        (&mut staying, &mut other)
    };
    let id = call.id;
    if fault == Fault::HangUp {
        send_json(caller_ws, &json!({"type": "call-end", "call_id": id})).await?;
        expect(receiver_ws, "call-end").await?;
        return Ok(Outcome {
            call: id,
            fault,
            told: false,
        });
    }
    send_json(
        caller_ws,
        &json!({"type": "call-offer", "call_id": id, "offer": {"type": "offer", "sdp": "v=0"}}),
    )
    .await?;
    if fault != Fault::AfterOffer {
        expect(receiver_ws, "call-offer").await?;
        send_json(receiver_ws, &json!({"type": "call-answer", "call_id": id, "answer": {"type": "answer", "sdp": "v=0"}})).await?;
        expect(caller_ws, "call-answer").await?;
        for n in 0..3 {
            let candidate = json!({"type": "ice-candidate", "call_id": id, "candidate": {"candidate": format!("c{n}")}});
            send_json(caller_ws, &candidate).await?;
            send_json(receiver_ws, &candidate).await?;
        }
    }
    // The loss: a dropped connection, or a client that goes silent and is left to the heartbeat.
    let silent = match fault {
        Fault::Silent => Some(other),
        _ => {
            drop(other);
            None
        }
    };
    // The heartbeat takes two to three intervals, then the grace runs: wait for both at most.
    let told = tokio::time::timeout(grace + 2 * WAIT, wait_for(&mut staying, "user-left"))
        .await
        .is_ok_and(|heard| heard.is_ok());
    drop(silent);
    drop(staying);
    Ok(Outcome {
        call: id,
        fault,
        told,
    })
}

/// Waits until call `id` is no longer live, for at most `bound`.
async fn settle(api: &Api, who: &Account, id: CallId, bound: Duration) -> Result<()> {
    let deadline = Instant::now() + bound;
    while api.call(who, id).await?.status.is_live() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Waits for a message of type `kind` (answering pings as it reads).
async fn wait_for(socket: &mut Ws, kind: &str) -> Result<()> {
    while let Some(message) = socket.next().await {
        if let Message::Text(text) = message? {
            let value: serde_json::Value = serde_json::from_str(&text)?;
            if value["type"] == kind {
                return Ok(());
            }
        }
    }
    bail!("closed before {kind}")
}

async fn expect(socket: &mut Ws, kind: &str) -> Result<()> {
    tokio::time::timeout(WAIT, wait_for(socket, kind))
        .await
        .with_context(|| format!("no {kind} within {WAIT:?}"))?
}
