//! Curves: the standard scenarios repeated along one axis (connected sockets, offered relay
//! rate, relay pairs, REST concurrency), each point measured as the single-point scenario
//! measures it, collected into [`Curve`]s (README "Benchmarks", docs/bench/).

use std::time::Duration;

use anyhow::{anyhow, bail, Result};

use crate::{
    client::{Account, Api},
    holder::{Holder, Holding},
    idle::ProcStat,
    plot::Curve,
    relay,
    report::Report,
    rest, setup,
};

/// How each point of a socket curve is measured.
pub struct SocketPlan {
    /// Cumulative user sockets, one per user, spread evenly over the instances: 1000, 5000, ...
    pub steps: Vec<usize>,
    /// The idle window for the CPU figure.
    pub idle: Duration,
    /// Pairs calling each other at `call_rate` calls/s for `calls_for` while the sockets are held.
    pub pairs: usize,
    pub call_rate: f64,
    pub calls_for: Duration,
}

/// The servers measured: their addresses and process ids, in the same order.
pub struct Instances {
    pub addrs: Vec<String>,
    pub pids: Vec<u32>,
}

impl Instances {
    /// Resident KiB and CPU seconds of all instances together.
    fn read(&self) -> Result<(u64, f64)> {
        let (mut rss, mut cpu) = (0, 0.0);
        for &pid in &self.pids {
            let stat = ProcStat::read(pid).ok_or_else(|| anyhow!("cannot read /proc/{pid}"))?;
            rss += stat.rss_kib;
            cpu += stat.cpu_secs();
        }
        Ok((rss, cpu))
    }
}

/// Resident memory, idle CPU and call-incoming latency against connected user sockets, held by
/// one child process per instance. The calls go from the first instance to the last (the same
/// one when there is one). `accounts`: 2 x pairs callers, then one account per socket.
pub async fn sockets(
    name: &'static str,
    instances: &Instances,
    accounts: &[Account],
    plan: &SocketPlan,
) -> Result<Vec<Curve>> {
    let (callers, people) = accounts.split_at(2 * plan.pairs);
    let most = plan.steps.iter().copied().max().unwrap_or(0);
    if people.len() < most {
        bail!("{most} sockets need {most} accounts, have {}", people.len());
    }
    let (Some(first), Some(last)) = (instances.addrs.first(), instances.addrs.last()) else {
        bail!("no instance to measure");
    };
    let sides = setup::Sides {
        caller: Api::new(first)?,
        receiver: Api::new(last)?,
    };
    let mut holders = instances
        .addrs
        .iter()
        .map(|addr| Holder::spawn(addr))
        .collect::<Result<Vec<_>>>()?;
    let (before, _) = instances.read()?;
    let mut columns: [Vec<f64>; 6] = Default::default();
    let [rss, per_socket, cpu, p50, p99, broken] = &mut columns;
    let mut given = 0;
    for &step in &plan.steps {
        // Each holder gets an equal share of the new sockets.
        let share = (step - given).div_ceil(holders.len());
        let mut held = Holding::default();
        for (holder, chunk) in holders
            .iter_mut()
            .zip(people[given..step].chunks(share.max(1)))
        {
            let holding = holder.open(chunk).await?;
            held.open += holding.open;
            held.failed += holding.failed;
        }
        given = step;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (at, cpu_at) = instances.read()?;
        tokio::time::sleep(plan.idle).await;
        let (_, cpu_after) = instances.read()?;
        rss.push(at as f64 / 1024.0);
        per_socket.push(at.saturating_sub(before) as f64 / held.open.max(1) as f64);
        cpu.push((cpu_after - cpu_at) * 100.0 / plan.idle.as_secs_f64());
        broken.push(held.failed as f64);
        let mut calls = Report::default();
        let period = Duration::from_secs_f64(plan.pairs as f64 / plan.call_rate);
        let rounds = (plan.calls_for.as_secs_f64() * plan.call_rate / plan.pairs as f64).ceil();
        setup::run(
            &sides,
            callers,
            plan.pairs,
            rounds as usize,
            period,
            "curve",
            &mut calls,
        )
        .await?;
        let ms = |key: &str| calls.value(key).map_or(f64::NAN, |us| us / 1000.0);
        p50.push(ms("curve.call_incoming.p50"));
        p99.push(ms("curve.call_incoming.p99"));
        eprintln!("{name}: {} sockets open, {} failed", held.open, held.failed);
    }
    for holder in holders {
        holder.stop().await?;
    }
    let x: Vec<f64> = plan.steps.iter().map(|&step| step as f64).collect();
    let [rss, per_socket, cpu, p50, p99, broken] = columns;
    let servers = match instances.pids.len() {
        1 => "one instance".to_owned(),
        n => format!("{n} instances behind the Redis bus"),
    };
    Ok(vec![
        Curve {
            name: format!("{name}-memory"),
            title: format!("Server memory against connected user sockets ({servers})"),
            x_label: "user sockets",
            y_label: "MiB (all instances)",
            log_x: false,
            log_y: false,
            x: x.clone(),
            series: vec![("resident memory, MiB", rss)],
            extra: vec![
                ("KiB per socket", per_socket),
                ("idle CPU %", cpu),
                ("failed sockets", broken),
            ],
        },
        Curve {
            name: format!("{name}-call-incoming"),
            title: format!(
                "call-incoming at {} calls/s while the sockets are connected ({servers})",
                plan.call_rate
            ),
            x_label: "user sockets",
            y_label: "ms",
            log_x: false,
            log_y: false,
            x,
            series: vec![("call-incoming p50", p50), ("call-incoming p99", p99)],
            extra: Vec::new(),
        },
    ])
}

/// Relay latency against the offered rate over `pairs` pairs.
pub async fn relay_rate(
    api: &Api,
    accounts: &[Account],
    pairs: usize,
    rates: &[f64],
    duration: Duration,
    server_pid: Option<u32>,
) -> Result<Curve> {
    let mut points = RelayPoints::default();
    for &rate in rates {
        eprintln!("relay curve: {pairs} pairs at {rate} msg/s");
        points
            .measure(api, accounts, pairs, rate, duration, server_pid)
            .await?;
    }
    Ok(points.curve(
        "relay-rate",
        format!("Relay latency against offered rate ({pairs} pairs)"),
        "offered msgs/s",
        rates.to_vec(),
    ))
}

/// Relay latency against the number of pairs at one offered rate.
pub async fn relay_pairs(
    api: &Api,
    accounts: &[Account],
    steps: &[usize],
    rate: f64,
    duration: Duration,
    server_pid: Option<u32>,
) -> Result<Curve> {
    let mut points = RelayPoints::default();
    for &pairs in steps {
        eprintln!("relay curve: {pairs} pairs at {rate} msg/s");
        points
            .measure(api, accounts, pairs, rate, duration, server_pid)
            .await?;
    }
    Ok(points.curve(
        "relay-pairs",
        format!("Relay latency against call pairs ({rate} msgs/s)"),
        "pairs",
        steps.iter().map(|&pairs| pairs as f64).collect(),
    ))
}

#[derive(Default)]
struct RelayPoints {
    p50: Vec<f64>,
    p99: Vec<f64>,
    throughput: Vec<f64>,
    lost: Vec<f64>,
    server_cpu: Vec<f64>,
}

impl RelayPoints {
    async fn measure(
        &mut self,
        api: &Api,
        accounts: &[Account],
        pairs: usize,
        rate: f64,
        duration: Duration,
        server_pid: Option<u32>,
    ) -> Result<()> {
        if accounts.len() < 2 * pairs {
            bail!("{pairs} pairs need {} accounts", 2 * pairs);
        }
        let mut run = Report::default();
        relay::run(
            api, accounts, pairs, rate, duration, "curve", server_pid, &mut run,
        )
        .await?;
        let value = |key: &str| run.value(key).unwrap_or(f64::NAN);
        self.p50.push(value("relay.curve.latency.p50"));
        self.p99.push(value("relay.curve.latency.p99"));
        self.throughput.push(value("relay.curve.throughput"));
        self.lost.push(value("relay.curve.lost"));
        self.server_cpu.push(value("relay.curve.server_cpu_cores"));
        Ok(())
    }

    fn curve(self, name: &'static str, title: String, x_label: &'static str, x: Vec<f64>) -> Curve {
        Curve {
            name: name.into(),
            title,
            x_label,
            y_label: "microseconds",
            log_x: true,
            log_y: true,
            x,
            series: vec![("p50", self.p50), ("p99", self.p99)],
            extra: vec![
                ("delivered msgs/s", self.throughput),
                ("lost", self.lost),
                ("server cores", self.server_cpu),
            ],
        }
    }
}

/// `GET /api/users/me/` throughput and latency against concurrent keep-alive clients.
pub async fn me(
    api: &Api,
    accounts: &[Account],
    levels: &[usize],
    duration: Duration,
) -> Result<Vec<Curve>> {
    let (mut rps, mut p50, mut p99) = (Vec::new(), Vec::new(), Vec::new());
    for &concurrency in levels {
        eprintln!("me curve: {concurrency} clients");
        let mut run = Report::default();
        rest::me(api, accounts, concurrency, duration, &mut run).await?;
        let value = |key: &str| run.value(key).unwrap_or(f64::NAN);
        rps.push(value("rest.me.rps"));
        p50.push(value("rest.me.latency.p50"));
        p99.push(value("rest.me.latency.p99"));
    }
    let x: Vec<f64> = levels.iter().map(|&level| level as f64).collect();
    Ok(vec![
        Curve {
            name: "me-throughput".into(),
            title: "GET /api/users/me/ throughput against concurrent clients".into(),
            x_label: "clients",
            y_label: "requests/s",
            log_x: true,
            log_y: false,
            x: x.clone(),
            series: vec![("requests/s", rps)],
            extra: Vec::new(),
        },
        Curve {
            name: "me-latency".into(),
            title: "GET /api/users/me/ latency against concurrent clients".into(),
            x_label: "clients",
            y_label: "microseconds",
            log_x: true,
            log_y: true,
            x,
            series: vec![("p50", p50), ("p99", p99)],
            extra: Vec::new(),
        },
    ])
}
