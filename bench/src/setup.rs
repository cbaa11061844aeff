//! Call setup: the time from `POST /api/calls/` to the receiver's `call-incoming` on its user
//! socket, and the offer -> answer round trip through the call room once both parties joined.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use futures_util::{Stream, StreamExt};
use hdrhistogram::Histogram;
use serde_json::json;
use tokio_tungstenite::tungstenite::{self, Message};

use app::protocol::{CallId, ServerMsg};

use crate::{
    client::{self, Account, Api},
    report::{self, Report},
};

const WAIT: Duration = Duration::from_secs(10);

struct Samples {
    incoming: Histogram<u64>,
    start: Histogram<u64>,
    offer_answer: Histogram<u64>,
    errors: u64,
}

/// The instances the two parties use: the same one, or two behind the bus.
#[derive(Clone)]
pub struct Sides {
    pub caller: Api,
    pub receiver: Api,
}

impl Sides {
    pub fn one(api: &Api) -> Self {
        Self {
            caller: api.clone(),
            receiver: api.clone(),
        }
    }
}

/// `pairs` pairs concurrently, `rounds` calls each, one after another: a new one every `period`
/// (pairs staggered evenly over it), or at once if `period` is zero; figures under `label`.
pub async fn run(
    sides: &Sides,
    accounts: &[Account],
    pairs: usize,
    rounds: usize,
    period: Duration,
    label: &str,
    report: &mut Report,
) -> Result<()> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, pair) in accounts.chunks_exact(2).take(pairs).enumerate() {
        let (sides, caller, receiver) = (sides.clone(), pair[0].clone(), pair[1].clone());
        let first = tokio::time::Instant::now() + period.mul_f64(i as f64 / pairs as f64);
        tasks.push(tokio::spawn(async move {
            pair_rounds(sides, caller, receiver, rounds, first, period).await
        }));
    }
    let mut incoming = report::histogram();
    let mut start = report::histogram();
    let mut offer_answer = report::histogram();
    let mut errors = 0;
    for task in tasks {
        let samples = task.await??;
        incoming.add(&samples.incoming)?;
        start.add(&samples.start)?;
        offer_answer.add(&samples.offer_answer)?;
        errors += samples.errors;
    }
    let key = |name: &str| format!("{label}.{name}");
    report.add(key("pairs"), pairs as f64, "");
    report.add(
        key("calls_per_s"),
        incoming.len() as f64 / started.elapsed().as_secs_f64(),
        "/s",
    );
    report.latencies(&key("call_incoming"), &incoming, false);
    if !incoming.is_empty() {
        report.set_target(&key("call_incoming.p99"), "<=", 10_000.0);
    }
    report.latencies(&key("post_calls"), &start, false);
    report.latencies(&key("offer_answer_rtt"), &offer_answer, false);
    report.add(key("errors"), errors as f64, "");
    Ok(())
}

async fn pair_rounds(
    sides: Sides,
    caller: Account,
    receiver: Account,
    rounds: usize,
    first: tokio::time::Instant,
    period: Duration,
) -> Result<Samples> {
    let mut samples = Samples {
        incoming: report::histogram(),
        start: report::histogram(),
        offer_answer: report::histogram(),
        errors: 0,
    };
    let (_user_sink, mut user_stream) = sides.receiver.user_socket(&receiver).await?.split();
    for round_index in 0..rounds {
        if !period.is_zero() {
            tokio::time::sleep_until(first + period.mul_f64(round_index as f64)).await;
        }
        if let Err(error) = round(&sides, &caller, &receiver, &mut user_stream, &mut samples).await
        {
            eprintln!("setup: {error:#}");
            samples.errors += 1;
        }
    }
    Ok(samples)
}

async fn round<S>(
    sides: &Sides,
    caller: &Account,
    receiver: &Account,
    user_stream: &mut S,
    samples: &mut Samples,
) -> Result<()>
where
    S: Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
{
    let sent = Instant::now();
    let (call, rung) = tokio::join!(
        async {
            let call = sides.caller.start_call(caller, receiver.id).await;
            (call, sent.elapsed())
        },
        next_matching(user_stream, |message| matches!(
            message,
            ServerMsg::CallIncoming { .. }
        ))
    );
    let (call, start_latency) = (call.0?, call.1);
    let (rung_at, incoming) = rung?;
    let ServerMsg::CallIncoming { call: incoming } = incoming else {
        unreachable!()
    };
    if incoming.id != call.id {
        bail!(
            "call-incoming for call {} instead of {}",
            incoming.id,
            call.id
        );
    }
    report::record(&mut samples.start, start_latency.as_micros() as u64);
    report::record(&mut samples.incoming, (rung_at - sent).as_micros() as u64);

    let result = offer_answer(sides, caller, receiver, call.id, &call.room_id).await;
    let _ = sides.caller.call_action(caller, call.id, "end").await;
    report::record(&mut samples.offer_answer, result?.as_micros() as u64);
    Ok(())
}

/// Both join the room; the caller sends an offer, the receiver answers as soon as it has it.
async fn offer_answer(
    sides: &Sides,
    caller: &Account,
    receiver: &Account,
    call_id: CallId,
    room: &str,
) -> Result<Duration> {
    sides
        .receiver
        .call_action(receiver, call_id, "accept")
        .await?;
    let (mut caller_sink, mut caller_stream) =
        sides.caller.room_socket(caller, room).await?.split();
    let (mut receiver_sink, mut receiver_stream) =
        sides.receiver.room_socket(receiver, room).await?.split();
    let sdp =
        json!({"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"});
    let sent = Instant::now();
    client::send_json(
        &mut caller_sink,
        &json!({"type": "call-offer", "call_id": call_id, "offer": sdp, "call_type": "audio"}),
    )
    .await?;
    next_matching(&mut receiver_stream, |message| {
        matches!(message, ServerMsg::CallOffer { .. })
    })
    .await?;
    let answer = json!({"type": "answer", "sdp": "v=0\r\n"});
    client::send_json(
        &mut receiver_sink,
        &json!({"type": "call-answer", "call_id": call_id, "answer": answer}),
    )
    .await?;
    let (answered, _) = next_matching(&mut caller_stream, |message| {
        matches!(message, ServerMsg::CallAnswer { .. })
    })
    .await?;
    Ok(answered - sent)
}

/// The next server message `wanted` accepts, and when it arrived.
async fn next_matching<S>(
    stream: &mut S,
    wanted: impl Fn(&ServerMsg) -> bool,
) -> Result<(Instant, ServerMsg)>
where
    S: Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let message = tokio::time::timeout_at(deadline, stream.next())
            .await
            .map_err(|_| anyhow!("nothing within {WAIT:?}"))?
            .ok_or_else(|| anyhow!("socket closed"))??;
        let at = Instant::now();
        if let Message::Text(text) = message {
            if let Ok(message) = serde_json::from_str::<ServerMsg>(&text) {
                if wanted(&message) {
                    return Ok((at, message));
                }
            }
        }
    }
}
