//! The sweepers: once a second, calls unanswered for longer than the ring timeout become missed
//! (reason timeout), do-not-disturb past its time ends (each user's tabs are told) and "tell me
//! when they are free" requests fire or expire; once an hour, the signaling log and the
//! messages older than their retention are deleted. Time
//! comes from the service's clock, so tests move a `ManualClock` and call [`Calls::sweep_once`]
//! or [`Calls::purge_signals`] instead of waiting.

use std::time::Duration;

use tokio::sync::watch;

use super::Calls;
use crate::people::People;

const SWEEP_INTERVAL: Duration = Duration::from_secs(1);
const PURGE_INTERVAL: Duration = Duration::from_secs(3600);

/// Sweeps until `stop` changes (or its sender is dropped).
pub async fn run(
    calls: Calls,
    people: People,
    retention_days: u64,
    mut stop: watch::Receiver<bool>,
) {
    let mut purge = tokio::time::interval(PURGE_INTERVAL);
    purge.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tick = tokio::time::interval(SWEEP_INTERVAL);
    // After a stall (a slow database), one sweep catches up: no burst of back-to-back sweeps.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = purge.tick() => {
                match calls.purge_signals(retention_days).await {
                    Ok(0) => {}
                    Ok(rows) => tracing::info!(rows, retention_days, "old call signals and messages deleted"),
                    Err(error) => tracing::warn!(%error, "call signal purge failed"),
                }
                continue;
            }
            _ = stop.changed() => break,
        }
        if let Err(error) = calls.sweep_once().await {
            // A database hiccup: the next tick retries; nothing is lost, the state is in the rows.
            tracing::warn!(error = %error, "ring-timeout sweep failed");
        }
        if let Err(error) = people.expire_do_not_disturb().await {
            tracing::warn!(error = %error, "do-not-disturb sweep failed");
        }
        // After do-not-disturb: a request fires in the same sweep as the setting ends.
        if let Err(error) = people.sweep_availability().await {
            tracing::warn!(error = %error, "availability sweep failed");
        }
    }
}
