//! The Callhub server: REST API, WebSockets and the server-rendered app, on one axum router.
//!
//! Data flows one way: `http` handlers parse and authorize, services decide, `db` persists and
//! the hub delivers.

// The app's views, monomorphised into the server's render path, nest deeper than rustc's default
// query depth in a release build without `--cfg erase_components` ("queries overflow the depth
// limit", seen 2026-11-30 in `cargo build --release`), as in the app crate.
#![recursion_limit = "256"]

pub mod auth;
pub mod bus;
pub mod calls;
pub mod cli;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod cpu;
pub mod db;
pub mod error;
pub mod http;
pub mod hub;
pub mod ice;
pub mod memory;
pub mod metrics;
pub mod people;
pub mod privacy;
pub mod rate;
pub mod shutdown;
pub mod telemetry;
pub mod users;
pub mod ws;

use std::{future::Future, net::SocketAddr, sync::Arc};

use anyhow::Context;
use axum::serve::ListenerExt;
use tokio::{net::TcpListener, sync::watch};

use crate::{
    auth::{jwt::TokenKeys, password::Passwords},
    bus::{Bus, NoBus},
    calls::{signals::SIGNAL_QUEUE, CallLimits, Calls, SignalLog, SignalWriter},
    clock::{Clock, SystemClock},
    cluster::{Cluster, Local, RedisHub},
    config::Config,
    db::Db,
    hub::{Hub, LocalHub},
    people::{People, PeopleLimits},
    users::{UserLimits, Users},
    ws::{presence::Presence, rooms::Rooms},
};

/// How often idle throttle entries are forgotten.
const THROTTLE_PRUNE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// How often histogram samples are folded into their buckets (`metrics::upkeep`).
const METRICS_UPKEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// How long a stopping server waits for its WebSockets to send their close frames.
const SOCKET_DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// State shared by every handler: one pointer, since every extractor of every request clones it.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

pub struct Services {
    pub config: Arc<Config>,
    pub db: Db,
    pub leptos: leptos::config::LeptosOptions,
    pub clock: Arc<dyn Clock>,
    pub users: Users,
    pub hub: Arc<dyn Hub>,
    pub calls: Calls,
    /// Contacts, blocks and privacy settings.
    pub people: People,
    /// The call rooms whose sockets are connected to this process.
    pub rooms: Rooms,
    /// Open user sockets per user, for presence.
    pub presence: Presence,
    pub ice: ice::Ice,
    /// Whose forwarding headers name the client (`TRUSTED_PROXIES`).
    pub proxies: http::TrustedProxies,
    /// The other instances, when REDIS_URL is set.
    pub cluster: Option<Cluster>,
    /// Closes the WebSockets when the server stops.
    pub drain: shutdown::Drain,
}

impl axum::extract::FromRef<AppState> for leptos::config::LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Wires the services of this process; reads, writes and binds nothing. Also returns the
/// signal writer (run with the server) and the hub of this instance's own sockets (what the
/// other instances' events are delivered to).
fn build_services(
    config: Config,
    db: Db,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(AppState, SignalWriter, LocalHub)> {
    let leptos = config.leptos_options()?;
    let proxies = http::TrustedProxies::new(config.trusted_proxies()?);
    let secret = auth::secret::load(&config)?;
    let tokens = Arc::new(TokenKeys::new(
        &secret,
        config.access_ttl,
        config.refresh_ttl,
    ));
    let cluster = config
        .redis_url()
        .map(|url| Cluster::new(url, &config.redis_prefix, &secret))
        .transpose()?;
    let bus: Arc<dyn Bus> = match &cluster {
        Some(cluster) => Arc::new(cluster.clone()),
        None => Arc::new(NoBus),
    };
    let users = Users::new(
        db.clone(),
        Passwords::new()?,
        tokens,
        UserLimits::from_config(&config),
        clock.clone(),
        config.media_dir(),
        bus.clone(),
    );
    let local_hub = LocalHub::new();
    let hub: Arc<dyn Hub> = match &cluster {
        Some(cluster) => Arc::new(RedisHub::new(local_hub.clone(), cluster.clone())),
        None => Arc::new(local_hub.clone()),
    };
    let (signals, signal_writer) = SignalLog::new(db.clone(), SIGNAL_QUEUE);
    let calls = Calls::new(
        db.clone(),
        clock.clone(),
        hub.clone(),
        config.ring_timeout_secs,
        signals,
        CallLimits::from_config(&config),
    );
    let people = People::new(
        db.clone(),
        clock.clone(),
        hub.clone(),
        bus.clone(),
        calls.clone(),
        PeopleLimits::from_config(&config),
    );
    let ice = ice::Ice::from_config(&config).context("invalid ICE/TURN settings")?;
    let presence_grace = std::time::Duration::from_secs(config.presence_grace_secs);
    let presence = Presence::new(
        users.clone(),
        people.clone(),
        Arc::new(local_hub.clone()),
        presence_grace,
        bus.clone(),
    );
    let rooms = Rooms::with_bus(bus);
    let state = AppState(Arc::new(Services {
        ice,
        proxies,
        config: Arc::new(config),
        db,
        leptos,
        clock,
        presence,
        users,
        hub,
        calls,
        people,
        rooms,
        cluster,
        drain: shutdown::Drain::new(),
    }));
    Ok((state, signal_writer, local_hub))
}

/// The listening socket; nothing is accepted before [`Application::run_until_stopped`].
async fn bind(leptos: &leptos::config::LeptosOptions) -> anyhow::Result<TcpListener> {
    TcpListener::bind(leptos.site_addr)
        .await
        .with_context(|| format!("cannot listen on {}", leptos.site_addr))
}

/// Before serving: what the last run left. Alone, no one rings on a call the last run left
/// unanswered, and no socket of the last run keeps anyone online; the parties of a call in
/// progress get the grace period to rejoin its room (their media did not stop with us). With
/// several instances, a live call or an online user may be another instance's (unanswered calls
/// expire through the sweeper, the calls in progress are checked with the other instances,
/// presence counts expire with their instance in Redis). Returns the Redis tasks of a group
/// member.
async fn recover_state(
    state: &AppState,
    local_hub: LocalHub,
) -> anyhow::Result<Vec<tokio::task::AbortHandle>> {
    let Some(cluster) = &state.cluster else {
        state
            .calls
            .close_left_unanswered()
            .await
            .context("cannot close calls left ringing")?;
        ws::room_socket::adopt_calls_in_progress(state)
            .await
            .context("cannot check the calls in progress")?;
        state
            .users
            .reset_presence()
            .await
            .context("cannot reset presence")?;
        return Ok(Vec::new());
    };
    let tasks = cluster
        .start(Local {
            hub: local_hub,
            rooms: state.rooms.clone(),
            presence: state.presence.clone(),
            users: state.users.clone(),
            people: state.people.clone(),
        })
        .await;
    // Without the other instances' answers, calls they serve would be ended: leave them all as
    // they are instead.
    if cluster.is_subscribed() {
        let count = ws::room_socket::adopt_calls_in_progress(state)
            .await
            .context("cannot check the calls in progress")?;
        tracing::info!(
            count,
            "checking that other instances serve the calls in progress"
        );
    } else {
        tracing::warn!("Redis unreachable at startup: calls in progress left unchecked");
    }
    Ok(tasks)
}

/// A bound, migrated, ready-to-serve server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    signal_writer: SignalWriter,
    /// `METRICS_ADDR`'s own listener, if set.
    metrics_listener: Option<TcpListener>,
    /// The Redis tasks of a cluster member, stopped with the server.
    cluster_tasks: Vec<tokio::task::AbortHandle>,
}

impl Application {
    /// Connects to the database, applies migrations and binds the listening socket.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = Db::connect(&config.database_url()).await?;
        db.migrate().await?;
        Self::with_db(config, db).await
    }

    /// Like [`Application::build`] on a database the caller prepared (tests use a fresh one each).
    pub async fn with_db(config: Config, db: Db) -> anyhow::Result<Self> {
        Self::with_clock(config, db, Arc::new(SystemClock)).await
    }

    /// Like [`Application::with_db`] with a clock the caller controls.
    pub async fn with_clock(config: Config, db: Db, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        // Before anything is counted: events before a recorder exists are lost.
        metrics::handle();
        let (state, signal_writer, local_hub) = build_services(config, db, clock)?;
        state
            .users
            .import_picture_files()
            .await
            .context("cannot move profile pictures into the database")?;
        let listener = bind(&state.leptos).await?;
        let metrics_listener = match state.config.metrics_addr {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("METRICS_ADDR: cannot listen on {addr}"))?,
            ),
            None => None,
        };
        let cluster_tasks = recover_state(&state, local_hub).await?;
        Ok(Self {
            listener,
            state,
            signal_writer,
            metrics_listener,
            cluster_tasks,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Where `/metrics` is served on its own listener (`METRICS_ADDR`), if anywhere.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|listener| listener.local_addr().ok())
    }

    /// The call service (tests drive the sweeper through it).
    pub fn calls(&self) -> &Calls {
        &self.state.calls
    }

    /// The people service (tests drive the do-not-disturb sweep through it).
    pub fn people(&self) -> &People {
        &self.state.people
    }

    /// The event hub (tests and the WebSocket layer subscribe to it).
    pub fn hub(&self) -> &Arc<dyn Hub> {
        &self.state.hub
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish and closes every
    /// WebSocket with 1012 (clients reconnect to the next instance).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let addr = self.local_addr();
        let router = http::router(self.state.clone());
        let (users, calls, people) = (
            self.state.users.clone(),
            self.state.calls.clone(),
            self.state.people.clone(),
        );
        let pruner = tokio::spawn(async move {
            let mut tick = tokio::time::interval(THROTTLE_PRUNE_INTERVAL);
            loop {
                tick.tick().await;
                users.limits().prune();
                calls.limits().prune();
                people.limits().prune();
            }
        });
        let metrics_upkeep = tokio::spawn(async {
            let mut tick = tokio::time::interval(METRICS_UPKEEP_INTERVAL);
            loop {
                tick.tick().await;
                metrics::upkeep();
            }
        });
        let metrics_server = self.metrics_listener.map(|listener| {
            if let Ok(addr) = listener.local_addr() {
                tracing::info!(url = %format!("http://{addr}/metrics"), "metrics listening");
            }
            let router = http::metrics_router(self.state.clone());
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "the metrics listener failed");
                }
            })
        });
        let (stop, stopped) = watch::channel(false);
        let sweeper = tokio::spawn(calls::sweeper::run(
            self.state.calls.clone(),
            self.state.people.clone(),
            self.state.config.signal_retention_days,
            stopped.clone(),
        ));
        let signal_writer = tokio::spawn(self.signal_writer.run(stopped));
        tracing::info!(
            url = %format!("http://{addr}"),
            backend = self.state.db.backend().name(),
            "listening"
        );
        // Signaling is many small messages: Nagle's algorithm meeting delayed ACKs added 40 ms
        // to offer -> answer round trips (bench/: setup).
        let listener = self.listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY");
            }
        });
        let drain = self.state.drain.clone();
        let shutdown = {
            let drain = drain.clone();
            async move {
                shutdown.await;
                drain.start();
            }
        };
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        // The sockets were told when the shutdown began; give their close frames time to go out.
        if !drain.finished(SOCKET_DRAIN_TIMEOUT).await {
            tracing::warn!("WebSockets still open after the drain timeout");
        }
        pruner.abort();
        metrics_upkeep.abort();
        if let Some(server) = metrics_server {
            server.abort();
        }
        for task in &self.cluster_tasks {
            task.abort();
        }
        let _ = stop.send(true);
        // The writer flushes the signals still queued before the pool closes.
        let _ = sweeper.await;
        let _ = signal_writer.await;
        self.state.db.close().await;
        served?;
        tracing::info!("stopped");
        Ok(())
    }
}
