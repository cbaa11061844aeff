//! The call_signals log: offers, answers and ICE candidates are recorded without putting a
//! database write on the relay path. The relay hands each signal to a bounded queue (never
//! waiting) and a background task writes them in batches. When the queue is full the signal is
//! dropped from the log (the relay itself is unaffected) and counted.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use tokio::sync::{mpsc, watch};

use crate::db::{
    calls::{NewSignal, SIGNAL_BATCH},
    Db,
};

/// Signals queued before the log starts dropping them.
pub const SIGNAL_QUEUE: usize = 10_000;

/// How long the writer waits for a batch to fill once a signal arrives. One INSERT per signal
/// made the SQLite writer thread 40% of the server's CPU while relaying 5k messages/s
/// (bench/: relay, perf); nobody reads the log within this delay.
const LINGER: Duration = Duration::from_millis(50);

/// The sending side, cheap to clone into every socket task.
#[derive(Clone)]
pub struct SignalLog {
    sender: mpsc::Sender<NewSignal>,
    dropped: Arc<AtomicU64>,
}

/// The receiving side; [`SignalWriter::run`] drains it into the database.
pub struct SignalWriter {
    receiver: mpsc::Receiver<NewSignal>,
    db: Db,
}

impl SignalLog {
    pub fn new(db: Db, capacity: usize) -> (Self, SignalWriter) {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let log = Self {
            sender,
            dropped: Arc::new(AtomicU64::new(0)),
        };
        (log, SignalWriter { receiver, db })
    }

    /// Queues a signal for the log; false if it was dropped (queue full or writer stopped).
    pub fn record(&self, signal: NewSignal) -> bool {
        match self.sender.try_send(signal) {
            Ok(()) => true,
            Err(_) => {
                crate::metrics::dropped("signal_log_full", 1);
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                // Logged at powers of two so a flood does not become a flood of logs too.
                if dropped.is_power_of_two() {
                    tracing::warn!(dropped, "call_signals queue full: signals not logged");
                }
                false
            }
        }
    }

    /// Signals dropped from the log so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl SignalWriter {
    /// Writes queued signals in batches until `stop` changes, then flushes what is queued.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let mut batch = Vec::with_capacity(SIGNAL_BATCH);
        loop {
            tokio::select! {
                received = self.receiver.recv_many(&mut batch, SIGNAL_BATCH) => {
                    if received == 0 {
                        break; // every sender is gone
                    }
                    if batch.len() < SIGNAL_BATCH {
                        self.fill(&mut batch).await;
                    }
                    self.write(&mut batch).await;
                }
                _ = stop.changed() => break,
            }
        }
        self.receiver.close();
        while self.receiver.recv_many(&mut batch, SIGNAL_BATCH).await > 0 {
            self.write(&mut batch).await;
        }
    }

    /// Adds what arrives within [`LINGER`], up to a full batch. (Shutdown waits at most that.)
    async fn fill(&mut self, batch: &mut Vec<NewSignal>) {
        let deadline = tokio::time::sleep(LINGER);
        tokio::pin!(deadline);
        while batch.len() < SIGNAL_BATCH {
            let room = SIGNAL_BATCH - batch.len();
            tokio::select! {
                received = self.receiver.recv_many(batch, room) => {
                    if received == 0 {
                        return;
                    }
                }
                () = &mut deadline => return,
            }
        }
    }

    async fn write(&self, batch: &mut Vec<NewSignal>) {
        if let Err(error) = self.db.insert_call_signals(batch).await {
            // One bad row (a call id that does not exist) must not lose its neighbours.
            tracing::warn!(%error, rows = batch.len(), "call_signals batch failed; row by row");
            for signal in batch.iter() {
                if let Err(error) = self
                    .db
                    .insert_call_signals(std::slice::from_ref(signal))
                    .await
                {
                    tracing::warn!(%error, call_id = %signal.call_id, "call signal not logged");
                }
            }
        }
        batch.clear();
    }
}
