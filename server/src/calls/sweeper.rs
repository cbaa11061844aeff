//! The ring-timeout sweeper: once a second, calls unanswered for longer than the ring timeout
//! become missed (reason timeout). Time comes from the service's clock, so tests move a
//! `ManualClock` and call [`Calls::sweep_once`] instead of waiting.

use std::time::Duration;

use tokio::sync::watch;

use super::Calls;

const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

/// Sweeps until `stop` changes (or its sender is dropped).
pub async fn run(calls: Calls, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(SWEEP_INTERVAL);
    // After a stall (a slow database), one sweep catches up: no burst of back-to-back sweeps.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        if let Err(error) = calls.sweep_once().await {
            // A database hiccup: the next tick retries; nothing is lost, the state is in the rows.
            tracing::warn!(error = %error, "ring-timeout sweep failed");
        }
    }
}
