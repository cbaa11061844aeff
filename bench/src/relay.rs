//! Relay: `pairs` accepted calls, both parties in their room (`/ws/call/{room_id}/`), each socket
//! sending `ice-candidate` messages at a fixed rate to the other. The candidate carries a
//! sequence number and the send time, so the receiving socket measures one-way latency, loss and
//! reordering.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Result;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::{protocol::frame::coding::CloseCode, Message};

use crate::{
    client::{self, Account, Api, Ws},
    idle::ProcStat,
    report::{self, Report},
};

/// The server's per-socket limit (server/src/ws/limits.rs: 50 messages/s, bursts of 100): going
/// over it closes the socket (1008), so it caps what one socket can relay.
pub const PER_SOCKET_LIMIT: f64 = 50.0;

#[derive(Deserialize)]
struct Relayed {
    #[serde(rename = "type")]
    kind: String,
    candidate: Option<Payload>,
}

#[derive(Deserialize)]
struct Payload {
    seq: u64,
    t: u64,
}

struct SocketResult {
    sent: u64,
    received: u64,
    reordered: u64,
    closed_by_server: Option<u16>,
    histogram: hdrhistogram::Histogram<u64>,
}

/// One relay run at `total_rate` messages/s spread evenly over every socket.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    api: &Api,
    accounts: &[Account],
    pairs: usize,
    total_rate: f64,
    duration: Duration,
    label: &str,
    server_pid: Option<u32>,
    report: &mut Report,
) -> Result<()> {
    let setup = Instant::now();
    let calls = client::start_calls(api, accounts, pairs, 32).await?;
    // Both parties of every call join its room.
    let permits = Arc::new(Semaphore::new(100));
    let mut joins = Vec::new();
    for (pair, call) in accounts.chunks_exact(2).zip(&calls) {
        for account in pair {
            let (api, account, room, permits) = (
                api.clone(),
                account.clone(),
                call.room_id.clone(),
                permits.clone(),
            );
            joins.push(tokio::spawn(async move {
                let _permit = permits.acquire_owned().await?;
                api.room_socket(&account, &room).await
            }));
        }
    }
    let mut sockets: Vec<(Ws, app::protocol::CallId)> = Vec::new();
    for (i, join) in joins.into_iter().enumerate() {
        sockets.push((join.await??, calls[i / 2].id));
    }
    let setup_secs = setup.elapsed().as_secs_f64();
    let count = sockets.len();
    let per_socket = total_rate / count as f64;
    if per_socket > PER_SOCKET_LIMIT {
        report.note(format!(
            "relay.{label}: {total_rate} msg/s over {count} sockets is {per_socket:.1}/s each, above the server's per-socket limit of {PER_SOCKET_LIMIT}/s"
        ));
    }
    let period = Duration::from_secs_f64(1.0 / per_socket);

    let epoch = Instant::now();
    let start = epoch + Duration::from_millis(200);
    let stop = start + duration;
    let drain = stop + Duration::from_secs(2);
    let server_before = server_pid.and_then(ProcStat::read);
    let me_before = ProcStat::read(std::process::id());

    let mut tasks = Vec::with_capacity(count);
    for (i, (ws, call_id)) in sockets.into_iter().enumerate() {
        // Staggered so that the sockets do not all send in the same instant.
        let first = start + period.mul_f64(i as f64 / count as f64);
        tasks.push(tokio::spawn(socket(
            ws, call_id.0, first, period, stop, drain, epoch,
        )));
    }
    let mut histogram = report::histogram();
    let (mut sent, mut received, mut reordered, mut closed) = (0u64, 0u64, 0u64, 0u64);
    let mut close_codes = std::collections::BTreeMap::new();
    for task in tasks {
        let result = task.await?;
        sent += result.sent;
        received += result.received;
        reordered += result.reordered;
        if let Some(code) = result.closed_by_server {
            closed += 1;
            *close_codes.entry(code).or_insert(0u64) += 1;
        }
        histogram.add(&result.histogram)?;
    }
    let window = (stop - start).as_secs_f64();
    let server_cpu = match (server_before, server_pid.and_then(ProcStat::read)) {
        (Some(before), Some(after)) => Some(after.cpu_secs() - before.cpu_secs()),
        _ => None,
    };
    let me_cpu = match (me_before, ProcStat::read(std::process::id())) {
        (Some(before), Some(after)) => Some(after.cpu_secs() - before.cpu_secs()),
        _ => None,
    };
    // Every socket stays in its room until all have finished, then the calls end.
    client::end_calls(api, accounts, &calls, 32).await;

    let key = |name: &str| format!("relay.{label}.{name}");
    report.add(key("pairs"), pairs as f64, "");
    report.add(key("setup_secs"), setup_secs, "s");
    report.add(key("offered_rate"), total_rate, "msg/s");
    report.add(key("per_socket_rate"), per_socket, "msg/s");
    report.add(key("throughput"), received as f64 / window, "msg/s");
    report.latencies(&key("latency"), &histogram, true);
    report.add(key("sent"), sent as f64, "");
    report.add(key("lost"), sent.saturating_sub(received) as f64, "");
    report.add(key("reordered"), reordered as f64, "");
    report.add(key("sockets_closed_by_server"), closed as f64, "");
    if !close_codes.is_empty() {
        report.note(format!("relay.{label}: server close codes {close_codes:?}"));
    }
    if let Some(cpu) = server_cpu {
        let busy = cpu / (drain - start).as_secs_f64();
        report.add(key("server_cpu_cores"), busy, "cores");
        if received > 0 {
            report.add(
                key("server_cpu_us_per_msg"),
                cpu * 1e6 / received as f64,
                "us",
            );
        }
    }
    if let Some(cpu) = me_cpu {
        report.add(
            key("bench_cpu_cores"),
            cpu / (drain - start).as_secs_f64(),
            "cores",
        );
    }
    Ok(())
}

/// Sends every `period` from `first` until `stop`, receives until `drain`.
async fn socket(
    ws: Ws,
    call_id: i64,
    first: Instant,
    period: Duration,
    stop: Instant,
    drain: Instant,
    epoch: Instant,
) -> SocketResult {
    let (mut sink, mut stream) = ws.split();
    let sender = tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(first.into(), period);
        let mut seq = 0u64;
        loop {
            ticks.tick().await;
            if Instant::now() >= stop {
                break;
            }
            let text = format!(
                r#"{{"type":"ice-candidate","call_id":{call_id},"candidate":{{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0,"seq":{seq},"t":{}}}}}"#,
                client::micros_since(epoch)
            );
            if sink.send(Message::text(text)).await.is_err() {
                break;
            }
            seq += 1;
        }
        (seq, sink)
    });
    let mut result = SocketResult {
        sent: 0,
        received: 0,
        reordered: 0,
        closed_by_server: None,
        histogram: report::histogram(),
    };
    let mut highest: Option<u64> = None;
    while let Ok(Some(message)) = tokio::time::timeout_at(drain.into(), stream.next()).await {
        match message {
            Ok(Message::Text(text)) => {
                let now = client::micros_since(epoch);
                let Ok(relayed) = serde_json::from_str::<Relayed>(&text) else {
                    continue;
                };
                if relayed.kind != "ice-candidate" {
                    continue;
                }
                if let Some(payload) = relayed.candidate {
                    result.received += 1;
                    report::record(&mut result.histogram, now.saturating_sub(payload.t));
                    match highest {
                        Some(h) if payload.seq < h => result.reordered += 1,
                        _ => highest = Some(payload.seq),
                    }
                }
            }
            Ok(Message::Close(frame)) => {
                result.closed_by_server = Some(frame.map(|f| u16::from(f.code)).unwrap_or(1005));
                break;
            }
            Ok(_) => {}
            Err(_) => {
                result.closed_by_server = Some(u16::from(CloseCode::Abnormal));
                break;
            }
        }
    }
    if let Ok((sent, mut sink)) = sender.await {
        result.sent = sent;
        let _ = sink.close().await;
    }
    result
}
