//! Idle: `users` x `per_user` open user sockets (`/ws/`) held for a while; the server's resident
//! memory per socket (VmRSS before and after) and its CPU while they idle (utime + stime).

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Result};
use futures_util::StreamExt;
use tokio::{
    sync::{watch, Semaphore},
    task::JoinHandle,
};

use crate::{
    client::{Account, Api},
    report::Report,
};

/// What `/proc/<pid>/{stat,status}` says about a process.
#[derive(Debug, Clone, Copy)]
pub struct ProcStat {
    /// utime + stime, in clock ticks.
    pub ticks: u64,
    pub rss_kib: u64,
}

impl ProcStat {
    pub fn read(pid: u32) -> Option<Self> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 here (0-based 11, 12).
        let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let rss_kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())?;
        Some(Self { ticks, rss_kib })
    }

    pub fn cpu_secs(&self) -> f64 {
        self.ticks as f64 / clock_ticks_per_sec()
    }
}

/// `getconf CLK_TCK`: 100 on every Linux this runs on, asked anyway.
fn clock_ticks_per_sec() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// User sockets held open until released, each answering the server's pings.
pub struct Held {
    pub tasks: Vec<JoinHandle<Result<()>>>,
    /// Sockets open (or failed to).
    settled: Arc<AtomicUsize>,
}

impl Held {
    /// Opens a user socket for each account (an account may come more than once), 200 at once.
    pub fn open(
        api: &Api,
        accounts: impl IntoIterator<Item = Account>,
        released: &watch::Receiver<bool>,
    ) -> Self {
        let permits = Arc::new(Semaphore::new(200));
        let settled = Arc::new(AtomicUsize::new(0));
        let tasks = accounts
            .into_iter()
            .map(|account| {
                let (api, permits, mut released) = (api.clone(), permits.clone(), released.clone());
                let settled = settled.clone();
                tokio::spawn(async move {
                    let ws = {
                        let _permit = permits.acquire_owned().await?;
                        let ws = api.user_socket(&account).await;
                        settled.fetch_add(1, Ordering::Relaxed);
                        ws?
                    };
                    let (_sink, mut stream) = ws.split();
                    // Reading keeps answering the server's pings; stops when released.
                    tokio::select! {
                        _ = async { while let Some(Ok(_)) = stream.next().await {} } => bail!("socket closed while idle"),
                        _ = released.wait_for(|done| *done) => Ok(()),
                    }
                })
            })
            .collect();
        Self { tasks, settled }
    }

    /// Waits until `count` sockets are open or failed (at most 120 s).
    pub async fn settled(&self, count: usize) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.settled.load(Ordering::Relaxed) < count {
            if Instant::now() > deadline {
                bail!("sockets still opening after 120 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Sockets that already ended: failed to open or closed by the server.
    pub fn failed(&self) -> usize {
        self.tasks.iter().filter(|task| task.is_finished()).count()
    }

    /// After the release: how many sockets did not last.
    pub async fn errors(self) -> usize {
        let mut errors = 0;
        for task in self.tasks {
            if !matches!(task.await, Ok(Ok(()))) {
                errors += 1;
            }
        }
        errors
    }
}

pub async fn run(
    api: &Api,
    accounts: &[Account],
    per_user: usize,
    hold: Duration,
    server_pid: u32,
    report: &mut Report,
) -> Result<()> {
    let Some(before) = ProcStat::read(server_pid) else {
        bail!("cannot read /proc/{server_pid}");
    };
    let opening = Instant::now();
    let (release, released) = watch::channel(false);
    let sockets = accounts
        .iter()
        .flat_map(|account| std::iter::repeat_n(account.clone(), per_user));
    let open_sockets = Held::open(api, sockets, &released);
    open_sockets.settled(open_sockets.tasks.len()).await?;
    let open_secs = opening.elapsed().as_secs_f64();
    let failed_early = open_sockets.failed();
    // Settle, then measure memory and CPU across the hold (at least one 20 s server heartbeat).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let Some(open) = ProcStat::read(server_pid) else {
        bail!("cannot read /proc/{server_pid}");
    };
    let me_open = ProcStat::read(std::process::id());
    tokio::time::sleep(hold).await;
    let Some(held) = ProcStat::read(server_pid) else {
        bail!("cannot read /proc/{server_pid}");
    };
    let me_held = ProcStat::read(std::process::id());
    let _ = release.send(true);
    let total = open_sockets.tasks.len();
    let errors = open_sockets.errors().await;
    let sockets = total - errors;
    let per_socket =
        (open.rss_kib.saturating_sub(before.rss_kib) as f64 * 1024.0) / sockets.max(1) as f64;
    report.add("idle.sockets", sockets as f64, "");
    report.add("idle.users", accounts.len() as f64, "");
    report.add("idle.errors", errors as f64, "");
    if failed_early > 0 {
        report.note(format!("idle: {failed_early} sockets failed while opening"));
    }
    report.add("idle.open_secs", open_secs, "s");
    report.add("idle.server_rss_before_kib", before.rss_kib as f64, "KiB");
    report.add("idle.server_rss_open_kib", open.rss_kib as f64, "KiB");
    report.add("idle.server_rss_held_kib", held.rss_kib as f64, "KiB");
    report.target(
        "idle.server_bytes_per_socket",
        per_socket,
        "B",
        "<=",
        8.0 * 1024.0,
    );
    let hold_secs = hold.as_secs_f64();
    report.add("idle.hold_secs", hold_secs, "s");
    report.add(
        "idle.server_cpu_percent",
        (held.cpu_secs() - open.cpu_secs()) * 100.0 / hold_secs,
        "%",
    );
    if let (Some(a), Some(b)) = (me_open, me_held) {
        report.add(
            "idle.bench_cpu_percent",
            (b.cpu_secs() - a.cpu_secs()) * 100.0 / hold_secs,
            "%",
        );
    }
    Ok(())
}
