//! Where a scenario's time went outside the server: MariaDB's own counters (`SHOW GLOBAL STATUS`)
//! and the CPU of the MariaDB, server and bench processes, read before and after and reported per
//! unit of work (a call cycle). SQLite runs inside the server, so only its CPU is told there.

use std::collections::HashMap;

use anyhow::{Context, Result};
use sqlx::{Connection, MySqlConnection, Row};

use crate::{idle::ProcStat, report::Report};

/// MariaDB's counters, as it names them, and the name they are reported under.
const COUNTERS: [(&str, &str); 8] = [
    // Statements from every client (the two status reads of the bench included, negligible).
    ("Questions", "statements"),
    ("Com_select", "selects"),
    ("Com_insert", "inserts"),
    ("Com_update", "updates"),
    // File flushes, the redo log's included: with innodb_flush_log_at_trx_commit=1 each commit
    // waits for one (commits arriving together share one).
    ("Innodb_data_fsyncs", "fsyncs"),
    ("Innodb_log_writes", "log_writes"),
    ("Innodb_row_lock_waits", "row_lock_waits"),
    ("Bytes_received", "bytes_received"),
];

/// The processes and the database measured.
pub struct Probe {
    mariadb: Option<MySqlConnection>,
    pids: Vec<(&'static str, u32)>,
}

/// One reading of everything a [`Probe`] measures.
pub struct Snapshot {
    counters: HashMap<&'static str, f64>,
    /// MariaDB's `innodb_flush_log_at_trx_commit`: a setting, told beside the counters.
    flush_log_at_trx_commit: Option<u64>,
    cpu_secs: HashMap<&'static str, f64>,
}

impl Probe {
    /// Reads MariaDB too when `database_url` is a `mysql://` one (the server's).
    pub async fn new(database_url: Option<&str>, server_pid: Option<u32>) -> Result<Self> {
        let mut pids = vec![("bench", std::process::id())];
        pids.extend(server_pid.map(|pid| ("server", pid)));
        let mut mariadb = None;
        if let Some(url) = database_url.filter(|url| url.starts_with("mysql:")) {
            let connection = MySqlConnection::connect(url)
                .await
                .context("connecting to MariaDB for its counters")?;
            mariadb = Some(connection);
            pids.extend(process_named("mariadbd").map(|pid| ("mariadb", pid)));
        }
        Ok(Self { mariadb, pids })
    }

    pub async fn snapshot(&mut self) -> Result<Snapshot> {
        let mut counters = HashMap::new();
        let mut flush_log_at_trx_commit = None;
        if let Some(connection) = &mut self.mariadb {
            for row in sqlx::query("SHOW GLOBAL STATUS")
                .fetch_all(&mut *connection)
                .await?
            {
                let name: String = row.try_get(0)?;
                if let Some((_, key)) = COUNTERS.iter().find(|(counter, _)| *counter == name) {
                    let value: String = row.try_get(1)?;
                    counters.insert(*key, value.parse().unwrap_or(0.0));
                }
            }
            flush_log_at_trx_commit = Some(
                sqlx::query_scalar("SELECT @@innodb_flush_log_at_trx_commit")
                    .fetch_one(&mut *connection)
                    .await?,
            );
        }
        let cpu_secs = self
            .pids
            .iter()
            .filter_map(|(name, pid)| Some((*name, ProcStat::read(*pid)?.cpu_secs())))
            .collect();
        Ok(Snapshot {
            counters,
            flush_log_at_trx_commit,
            cpu_secs,
        })
    }
}

/// Adds what happened between `before` and `after` per one of `units` (`prefix.per_{unit}.*`).
pub fn report_per(
    report: &mut Report,
    prefix: &str,
    unit: &str,
    units: f64,
    before: &Snapshot,
    after: &Snapshot,
) {
    if units <= 0.0 {
        return;
    }
    for (name, secs) in &after.cpu_secs {
        if let Some(was) = before.cpu_secs.get(name) {
            report.add(
                format!("{prefix}.per_{unit}.{name}_cpu_us"),
                (secs - was) * 1e6 / units,
                "us",
            );
        }
    }
    if let Some(flush) = after.flush_log_at_trx_commit {
        report.add(
            format!("{prefix}.mariadb.flush_log_at_trx_commit"),
            flush as f64,
            "",
        );
    }
    for (_, key) in COUNTERS {
        if let (Some(was), Some(is)) = (before.counters.get(key), after.counters.get(key)) {
            report.add(format!("{prefix}.per_{unit}.{key}"), (is - was) / units, "");
        }
    }
}

/// The first process whose command name is `name`.
fn process_named(name: &str) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let comm = std::fs::read_to_string(entry.path().join("comm")).ok()?;
            (comm.trim() == name).then_some(pid)
        })
}
