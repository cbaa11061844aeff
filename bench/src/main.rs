//! Callhub load generator: drives a running server through its public API (REST and the two
//! WebSockets) on 127.0.0.1 and prints a table and one JSON line. scripts/bench starts a fresh
//! server and runs the standard set; see README.md, "Benchmarks".

mod bulk;
mod chaos;
mod client;
mod curves;
mod dbstats;
mod holder;
mod idle;
mod plot;
mod relay;
mod report;
mod rest;
mod setup;

use std::{
    path::PathBuf,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use anyhow::Result;
use clap::Parser;

use report::Report;

#[derive(Parser, Debug)]
#[command(about = "Load generator for a running Callhub server")]
struct Args {
    /// The server's address.
    #[arg(long, default_value = "127.0.0.1:3000")]
    addr: String,
    /// The server's process id, for its memory and CPU (/proc/<pid>); without it idle is skipped.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Comma-separated: idle, rest, setup, relay; the curves curve-sockets, curve-relay-rate,
    /// curve-relay-pairs, curve-me (or curves for these four), curve-fleet; and chaos (scripts/chaos, not a
    /// benchmark).
    #[arg(long, default_value = "idle,rest,setup,relay")]
    scenarios: String,
    /// Writes the accounts straight into the server's database and signs their tokens
    /// (bench/src/bulk.rs): needs --database-url and --secret-key.
    #[arg(long)]
    bulk_accounts: bool,
    /// The server's DATABASE_URL, for --bulk-accounts.
    #[arg(long, env = "BENCH_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// The server's SECRET_KEY, for --bulk-accounts (from the environment: argv is visible in ps).
    #[arg(long, env = "BENCH_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Writes each curve as an SVG into this directory.
    #[arg(long)]
    plot_dir: Option<PathBuf>,
    /// curve-sockets: cumulative user sockets, one per user (a process may hold 20,000 files).
    #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000,19000")]
    socket_steps: Vec<usize>,
    /// curve-fleet: the instances (scripts/bench --fleet N starts them), addresses and process
    /// ids in the same order.
    #[arg(long, value_delimiter = ',')]
    fleet_addrs: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    fleet_pids: Vec<u32>,
    /// curve-fleet: cumulative user sockets over all instances.
    #[arg(long, value_delimiter = ',', default_value = "20000,50000,100000")]
    fleet_steps: Vec<usize>,
    /// Runs as a socket holder for the curves (bench/src/holder.rs), not a benchmark.
    #[arg(long, hide = true)]
    hold_sockets: bool,
    /// curve-sockets: seconds of idle CPU measured at each step. This and --curve-calls-secs
    /// are a whole number of the server's heartbeat intervals (WS_HEARTBEAT_SECS, 20 s), so
    /// each window holds one ping of every socket however the sockets' openings line up: with
    /// 10 s windows the step's first pings fell inside or outside by chance.
    #[arg(long, default_value_t = 20)]
    curve_idle_secs: u64,
    /// curve-sockets: calls/s between separate pairs while the sockets are held.
    #[arg(long, default_value_t = 50.0)]
    curve_call_rate: f64,
    #[arg(long, default_value_t = 10)]
    curve_call_pairs: usize,
    #[arg(long, default_value_t = 20)]
    curve_calls_secs: u64,
    /// curve-relay-rate: offered msgs/s over --relay-pairs pairs.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1000,2500,5000,10000,20000,40000,50000"
    )]
    relay_rates: Vec<f64>,
    /// curve-relay-pairs: pairs, at --relay-rate.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "100,500,1000,2500,5000,9000"
    )]
    relay_pair_steps: Vec<usize>,
    #[arg(long, default_value_t = 8)]
    curve_relay_secs: u64,
    /// curve-me: concurrent clients.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,2,4,8,16,32,64,128,256,512"
    )]
    me_levels: Vec<usize>,
    #[arg(long, default_value_t = 5)]
    curve_me_secs: u64,
    /// Prefix of the benchmark usernames (default: unique per run).
    #[arg(long)]
    prefix: Option<String>,
    /// Accounts created at once (each costs two argon2 hashes on the server).
    #[arg(long, default_value_t = 8)]
    account_concurrency: usize,
    #[arg(long, default_value_t = 64)]
    rest_concurrency: usize,
    #[arg(long, default_value_t = 10)]
    rest_secs: u64,
    #[arg(long, default_value_t = 1000)]
    relay_pairs: usize,
    /// The target-rate run: messages/s over all relay sockets.
    #[arg(long, default_value_t = 5000.0)]
    relay_rate: f64,
    /// The maximum-rate run offers this (above the 40k target, capped by the server's
    /// per-socket limit); what arrives is the throughput. 45k is about what 2 shared cores
    /// sustain: at 60k the server relays about as much, but queues build up to seconds and
    /// sockets that fall behind are closed (1013).
    #[arg(long, default_value_t = 45_000.0)]
    relay_max_rate: f64,
    #[arg(long, default_value_t = 15)]
    relay_secs: u64,
    #[arg(long, default_value_t = 625)]
    idle_users: usize,
    /// User sockets per idle user (the server allows 16).
    #[arg(long, default_value_t = 16)]
    idle_per_user: usize,
    /// How long the idle sockets are held (the server pings every 20 s).
    #[arg(long, default_value_t = 25)]
    idle_hold_secs: u64,
    #[arg(long, default_value_t = 20)]
    setup_pairs: usize,
    #[arg(long, default_value_t = 25)]
    setup_rounds: usize,
    /// The paced setup run: each pair starts a call this often, the pairs staggered evenly (the
    /// other run starts the next call as soon as one is done: the server saturated by setups).
    #[arg(long, default_value_t = 250)]
    setup_period_ms: u64,
    #[arg(long, default_value_t = 10)]
    chaos_pairs: usize,
    #[arg(long, default_value_t = 10)]
    chaos_rounds: usize,
    /// The server's WS_GRACE_SECS (scripts/chaos sets it short).
    #[arg(long, default_value_t = 2)]
    chaos_grace_secs: u64,
    /// Replays a run: the faults and their victims follow from it.
    #[arg(long, default_value_t = 1)]
    chaos_seed: u64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let began = Instant::now();
    let api = client::Api::new(&args.addr)?;
    if args.hold_sockets {
        return holder::serve(&api).await;
    }
    let scenarios: Vec<&str> = args.scenarios.split(',').map(str::trim).collect();
    let wants = |name: &str| {
        scenarios.contains(&name)
            || (name.starts_with("curve-")
                && name != "curve-fleet"
                && scenarios.contains(&"curves"))
    };
    let mut report = Report::default();

    let mut needed = 0;
    if wants("idle") && args.server_pid.is_some() {
        needed = needed.max(args.idle_users);
    }
    if wants("rest") {
        needed = needed.max(2 * args.rest_concurrency);
    }
    if wants("setup") {
        needed = needed.max(2 * args.setup_pairs);
    }
    if wants("relay") {
        needed = needed.max(2 * args.relay_pairs);
    }
    if wants("chaos") {
        needed = needed.max(2 * args.chaos_pairs);
    }
    let most = |steps: &[usize]| steps.iter().copied().max().unwrap_or(0);
    if wants("curve-sockets") {
        needed = needed.max(2 * args.curve_call_pairs + most(&args.socket_steps));
    }
    if wants("curve-fleet") {
        needed = needed.max(2 * args.curve_call_pairs + most(&args.fleet_steps));
    }
    if wants("curve-relay-rate") {
        needed = needed.max(2 * args.relay_pairs);
    }
    if wants("curve-relay-pairs") {
        needed = needed.max(2 * most(&args.relay_pair_steps));
    }
    if wants("curve-me") {
        needed = needed.max(most(&args.me_levels));
    }
    let prefix = args.prefix.clone().unwrap_or_else(|| {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        format!("b{}_", secs % 1_000_000)
    });
    eprintln!(
        "creating {needed} accounts ({} at a time)",
        args.account_concurrency
    );
    let started = Instant::now();
    let accounts = if args.bulk_accounts {
        let (Some(database_url), Some(secret_key)) = (&args.database_url, &args.secret_key) else {
            anyhow::bail!("--bulk-accounts needs --database-url and --secret-key");
        };
        let direct = bulk::Direct {
            database_url: database_url.clone(),
            secret_key: secret_key.clone(),
        };
        bulk::accounts(&api, &direct, &prefix, needed).await?
    } else {
        api.create_accounts(&prefix, needed, args.account_concurrency)
            .await?
    };
    let secs = started.elapsed().as_secs_f64();
    report.add("accounts.created", accounts.len() as f64, "");
    report.add("accounts.secs", secs, "s");
    report.add(
        "accounts.per_sec",
        accounts.len() as f64 / secs.max(1e-9),
        "/s",
    );

    // First, while the server's heap is still small: freed memory of other scenarios would hide
    // what the sockets cost.
    if wants("idle") {
        match args.server_pid {
            Some(pid) => {
                eprintln!(
                    "idle: {} users x {} sockets",
                    args.idle_users, args.idle_per_user
                );
                idle::run(
                    &api,
                    &accounts[..args.idle_users],
                    args.idle_per_user,
                    Duration::from_secs(args.idle_hold_secs),
                    pid,
                    &mut report,
                )
                .await?;
            }
            None => report.note("idle skipped: no --server-pid"),
        }
    }
    let mut curves = Vec::new();
    let plan = |steps: &[usize]| curves::SocketPlan {
        steps: steps.to_vec(),
        idle: Duration::from_secs(args.curve_idle_secs),
        pairs: args.curve_call_pairs,
        call_rate: args.curve_call_rate,
        calls_for: Duration::from_secs(args.curve_calls_secs),
    };
    if wants("curve-sockets") {
        match args.server_pid {
            Some(pid) => {
                let one = curves::Instances {
                    addrs: vec![args.addr.clone()],
                    pids: vec![pid],
                };
                let plan = plan(&args.socket_steps);
                curves.extend(curves::sockets("sockets", &one, &accounts, &plan).await?);
            }
            None => report.note("curve-sockets skipped: no --server-pid"),
        }
    }
    if wants("curve-fleet") {
        if args.fleet_addrs.len() < 2 || args.fleet_addrs.len() != args.fleet_pids.len() {
            anyhow::bail!("curve-fleet needs --fleet-addrs and --fleet-pids, two or more of each");
        }
        let fleet = curves::Instances {
            addrs: args.fleet_addrs.clone(),
            pids: args.fleet_pids.clone(),
        };
        let plan = plan(&args.fleet_steps);
        curves.extend(curves::sockets("fleet", &fleet, &accounts, &plan).await?);
    }
    if wants("rest") {
        let duration = Duration::from_secs(args.rest_secs);
        eprintln!("rest: GET /api/users/me/ x {}", args.rest_concurrency);
        rest::me(
            &api,
            &accounts,
            args.rest_concurrency,
            duration,
            &mut report,
        )
        .await?;
        eprintln!("rest: start + accept + end x {}", args.rest_concurrency);
        let mut probe = dbstats::Probe::new(args.database_url.as_deref(), args.server_pid).await?;
        rest::calls(
            &api,
            &accounts,
            args.rest_concurrency,
            duration,
            &mut probe,
            &mut report,
        )
        .await?;
    }
    if wants("setup") {
        eprintln!(
            "setup: {} pairs x {} calls",
            args.setup_pairs, args.setup_rounds
        );
        let period = Duration::from_millis(args.setup_period_ms);
        for (label, period) in [("setup", Duration::ZERO), ("setup_paced", period)] {
            setup::run(
                &setup::Sides::one(&api),
                &accounts,
                args.setup_pairs,
                args.setup_rounds,
                period,
                label,
                &mut report,
            )
            .await?;
        }
    }
    if wants("relay") {
        let duration = Duration::from_secs(args.relay_secs);
        let pairs = args.relay_pairs;
        eprintln!("relay: {pairs} pairs at {} msg/s", args.relay_rate);
        relay::run(
            &api,
            &accounts,
            pairs,
            args.relay_rate,
            duration,
            "target",
            args.server_pid,
            &mut report,
        )
        .await?;
        report.set_target("relay.target.latency.p50", "<=", 100.0);
        report.set_target("relay.target.latency.p99", "<=", 1000.0);
        let limit = relay::PER_SOCKET_LIMIT * (2 * pairs) as f64;
        let max = args.relay_max_rate.min(limit);
        report.note(format!(
            "relay.max: offered {max} msg/s over {} sockets (the server's per-socket limit allows {limit})",
            2 * pairs
        ));
        eprintln!("relay: {pairs} pairs at {max} msg/s");
        relay::run(
            &api,
            &accounts,
            pairs,
            max,
            duration,
            "max",
            args.server_pid,
            &mut report,
        )
        .await?;
        report.set_target("relay.max.throughput", ">=", 40_000.0);
    }
    let relay_secs = Duration::from_secs(args.curve_relay_secs);
    if wants("curve-relay-rate") {
        curves.push(
            curves::relay_rate(
                &api,
                &accounts,
                args.relay_pairs,
                &args.relay_rates,
                relay_secs,
                args.server_pid,
            )
            .await?,
        );
    }
    if wants("curve-relay-pairs") {
        curves.push(
            curves::relay_pairs(
                &api,
                &accounts,
                &args.relay_pair_steps,
                args.relay_rate,
                relay_secs,
                args.server_pid,
            )
            .await?,
        );
    }
    if wants("curve-me") {
        let duration = Duration::from_secs(args.curve_me_secs);
        curves.extend(curves::me(&api, &accounts, &args.me_levels, duration).await?);
    }
    if wants("chaos") {
        eprintln!(
            "chaos: {} pairs x {} calls, seed {}",
            args.chaos_pairs, args.chaos_rounds, args.chaos_seed
        );
        chaos::run(
            &api,
            &accounts,
            chaos::Plan {
                pairs: args.chaos_pairs,
                rounds: args.chaos_rounds,
                grace: Duration::from_secs(args.chaos_grace_secs),
                seed: args.chaos_seed,
            },
            args.server_pid,
            &mut report,
        )
        .await?;
    }
    report.add("total_secs", began.elapsed().as_secs_f64(), "s");
    for curve in &curves {
        curve.print();
        if let Some(dir) = &args.plot_dir {
            curve.draw(dir)?;
        }
    }
    report.print();
    Ok(())
}
