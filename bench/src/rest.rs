//! REST: `GET /api/users/me/` and the call cycle `POST /api/calls/` + accept + end, each from
//! `concurrency` clients for a fixed time; the cycle also with what each one cost the server,
//! the bench and MariaDB (`dbstats`).

use std::time::{Duration, Instant};

use anyhow::Result;
use hdrhistogram::Histogram;

use crate::{
    client::{Account, Api, Connection},
    dbstats::{self, Probe},
    report::{self, Report},
};

const ME: &str = "/api/users/me/";

/// `GET /api/users/me/` from `concurrency` keep-alive connections, each signed in as one of
/// `accounts`, for `duration`.
pub async fn me(
    api: &Api,
    accounts: &[Account],
    concurrency: usize,
    duration: Duration,
    report: &mut Report,
) -> Result<()> {
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let addr = api.addr.clone();
        let account = accounts[worker % accounts.len()].clone();
        tasks.push(tokio::spawn(async move {
            let mut histogram = report::histogram();
            let mut errors = 0u64;
            let mut connection: Option<Connection> = None;
            while Instant::now() < deadline {
                let open = match &mut connection {
                    Some(open) => open,
                    None => match Connection::open(&addr).await {
                        Ok(opened) => connection.insert(opened),
                        Err(_) => {
                            errors += 1;
                            continue;
                        }
                    },
                };
                let sent = Instant::now();
                match open.get(ME, &account.token).await {
                    Ok(()) => report::record(&mut histogram, sent.elapsed().as_micros() as u64),
                    Err(_) => {
                        errors += 1;
                        // A refused request may have closed the connection: open a new one.
                        connection = None;
                    }
                }
            }
            (histogram, errors)
        }));
    }
    let (histogram, errors) = merge(tasks).await?;
    let elapsed = started.elapsed().as_secs_f64();
    report.add("rest.me.concurrency", concurrency as f64, "");
    report.target(
        "rest.me.rps",
        histogram.len() as f64 / elapsed,
        "req/s",
        ">=",
        30_000.0,
    );
    report.latencies("rest.me.latency", &histogram, false);
    report.add("rest.me.errors", errors as f64, "");
    Ok(())
}

/// Start + accept + end, each worker on its own pair of users (one live call per user).
pub async fn calls(
    api: &Api,
    accounts: &[Account],
    concurrency: usize,
    duration: Duration,
    probe: &mut Probe,
    report: &mut Report,
) -> Result<()> {
    let pairs: Vec<(Account, Account)> = accounts
        .chunks_exact(2)
        .take(concurrency)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect();
    let before = probe.snapshot().await?;
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (caller, receiver) in pairs.clone() {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            let mut histogram = report::histogram();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let call = match api.start_call(&caller, receiver.id).await {
                    Ok(call) => call,
                    Err(_) => {
                        errors += 1;
                        continue;
                    }
                };
                report::record(&mut histogram, sent.elapsed().as_micros() as u64);
                for (who, action) in [(&receiver, "accept"), (&caller, "end")] {
                    let sent = Instant::now();
                    match api.call_action(who, call.id, action).await {
                        Ok(()) => report::record(&mut histogram, sent.elapsed().as_micros() as u64),
                        Err(_) => errors += 1,
                    }
                }
            }
            (histogram, errors)
        }));
    }
    let workers = tasks.len();
    let (histogram, errors) = merge(tasks).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let after = probe.snapshot().await?;
    let cycles = histogram.len() as f64 / 3.0;
    report.add("rest.calls.concurrency", workers as f64, "");
    report.add("rest.calls.rps", histogram.len() as f64 / elapsed, "req/s");
    report.add("rest.calls.cycles_per_s", cycles / elapsed, "/s");
    dbstats::report_per(report, "rest.calls", "cycle", cycles, &before, &after);
    report.latencies("rest.calls.latency", &histogram, false);
    report.add("rest.calls.errors", errors as f64, "");
    Ok(())
}

async fn merge(
    tasks: Vec<tokio::task::JoinHandle<(Histogram<u64>, u64)>>,
) -> Result<(Histogram<u64>, u64)> {
    let mut all = report::histogram();
    let mut errors = 0;
    for task in tasks {
        let (histogram, e) = task.await?;
        all.add(&histogram)?;
        errors += e;
    }
    Ok((all, errors))
}
