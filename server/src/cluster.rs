//! Several instances behind one database (`REDIS_URL`): Redis pub/sub carries what one instance
//! must deliver to sockets connected to another (user events, call room signaling, presence
//! changes), and a few Redis hashes count each instance's open user sockets for presence. The
//! state stays in the database; losing Redis loses only cross-instance delivery, never a call.
//!
//! Every message is signed with a key derived from SECRET_KEY and checked on receipt: whoever
//! can publish on the Redis channel without the key cannot inject an offer into a call room or
//! ring anyone, and a relay is delivered only from a party of the room's call.
//!
//! Every instance publishes on one channel (`{group}:bus`) and ignores its own messages. Two
//! background tasks own the Redis connections: one publishes from a bounded queue (so a publish
//! never waits), writes this instance's socket counts and refreshes its liveness; the other
//! listens. Each reconnects with exponential backoff and logs the loss and the recovery once,
//! not once per message.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use redis::{aio::MultiplexedConnection, AsyncConnectionConfig};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::{sync::mpsc, task::AbortHandle};

use app::protocol::{UserEvent, UserId};

use crate::{
    bus::{Bus, BusFuture, BusMessage},
    clock::{Clock, SystemClock},
    hub::{Hub, LocalHub},
    people::People,
    users::Users,
    ws::{presence::Presence, rooms::Rooms},
};

/// Messages waiting for the publisher; past this a message is dropped (and counted) rather than
/// making a socket or a request wait for Redis.
const OUTGOING_QUEUE: usize = 4096;
/// At most this many queued messages go to Redis in one pipeline (one round trip): a mass
/// connect or disconnect (every socket of a restarted instance) produces presence changes far
/// faster than one PUBLISH per round trip drains them.
const PUBLISH_BATCH: usize = 256;
/// At most this many users' socket counts go to Redis in one pipeline.
const COUNT_BATCH: usize = 1024;
/// Reconnection delays double from the first to the cap.
const BACKOFF_FIRST: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(5);
/// A Redis command slower than this counts as Redis being unavailable.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(1);
/// How often an instance says it is alive; its socket counts expire after [`ALIVE_TTL_SECS`]
/// without it, so the users of a crashed instance do not stay online forever. The heartbeat
/// only renews the expiry: rewriting every count (about 17,000 per instance at 100,000 sockets
/// over six) held Redis, and every `call-incoming` published meanwhile, for milliseconds.
const HEARTBEAT: Duration = Duration::from_secs(5);
const ALIVE_TTL_SECS: i64 = 15;
/// At most one warning per this period for the same kind of failure.
const WARN_EVERY: Duration = Duration::from_secs(30);

#[derive(Serialize, Deserialize)]
struct Envelope {
    from: u64,
    message: BusMessage,
    /// When it was published (epoch milliseconds): the receivers' `callhub_bus_lag_seconds`.
    /// Absent from an older instance's messages.
    #[serde(default)]
    sent_at: i64,
}

/// The bus's signing key: SECRET_KEY's HMAC of a fixed label, so the bus never uses the token
/// key itself.
#[derive(Clone)]
struct BusKey(Hmac<Sha256>);

/// Hex of a SHA-256 MAC, then a dot, then the JSON envelope.
const MAC_HEX_LEN: usize = 64;

impl BusKey {
    fn derive(secret: &[u8]) -> Self {
        let mut label = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
        label.update(b"callhub bus v1");
        let key = label.finalize().into_bytes();
        Self(Hmac::new_from_slice(&key).expect("HMAC takes any key"))
    }

    fn sign(&self, json: &str) -> String {
        let mut mac = self.0.clone();
        mac.update(json.as_bytes());
        format!("{}.{json}", hex::encode(mac.finalize().into_bytes()))
    }

    /// The JSON of a payload whose MAC is right; None for anything else.
    fn open<'a>(&self, payload: &'a [u8]) -> Option<&'a [u8]> {
        let (tag, json) = payload.split_at_checked(MAC_HEX_LEN)?;
        let json = json.strip_prefix(b".")?;
        let tag = hex::decode(tag).ok()?;
        let mut mac = self.0.clone();
        mac.update(json);
        // Constant time.
        mac.verify_slice(&tag).ok()?;
        Some(json)
    }
}

/// This process's handle on the instance group. Cheap to clone.
#[derive(Clone)]
pub struct Cluster {
    inner: Arc<Inner>,
}

struct Inner {
    /// Random per process: tells our own messages and socket counts from other instances'.
    id: u64,
    /// Prefixes every channel and key, so groups (and tests) sharing a Redis do not meet.
    group: String,
    key: BusKey,
    client: redis::Client,
    outgoing: mpsc::Sender<BusMessage>,
    /// Taken by the publisher task.
    queue: Mutex<Option<mpsc::Receiver<BusMessage>>>,
    /// The command connection while Redis is reachable.
    conn: Mutex<Option<MultiplexedConnection>>,
    subscribed: AtomicBool,
    /// Signalled when the subscription drops: the command connection to the same Redis is
    /// most likely dead too, and would only tell at its next command.
    lost: tokio::sync::Notify,
    dropped: AtomicU64,
    warned: Mutex<HashMap<&'static str, Instant>>,
    counts: CountWrites,
}

/// This instance's socket counts on their way to Redis. A change marks the user; one task
/// writes the marked users' current counts and says how far it got. Writing the count rather
/// than an increment, read when it is written, is what keeps Redis equal to this instance
/// however changes, failures and a full rewrite interleave: a later write of the same user
/// carries every earlier change.
struct CountWrites {
    pending: Mutex<PendingCounts>,
    wake: tokio::sync::Notify,
    /// The generation of the last mark written.
    written: tokio::sync::watch::Sender<u64>,
}

#[derive(Default)]
struct PendingCounts {
    /// Marked users in the order they were first marked, with that mark's generation (a user
    /// marked again keeps their place: the write reads the latest count).
    queue: VecDeque<(UserId, u64)>,
    queued: HashSet<UserId>,
    /// Counts the marks, so a waiter knows when its own has been written.
    generation: u64,
}

impl CountWrites {
    fn new() -> Self {
        Self {
            pending: Mutex::default(),
            wake: tokio::sync::Notify::new(),
            written: tokio::sync::watch::Sender::new(0),
        }
    }

    /// Marks `users` for the writer; returns the generation that covers them.
    fn mark(&self, users: impl IntoIterator<Item = UserId>) -> u64 {
        let generation = {
            let mut pending = lock(&self.pending);
            pending.generation += 1;
            let generation = pending.generation;
            for user in users {
                if pending.queued.insert(user) {
                    pending.queue.push_back((user, generation));
                }
            }
            generation
        };
        self.wake.notify_one();
        generation
    }

    /// The first `most` marked users, unmarked, and the generation written once they are:
    /// every mark before the first one left (so a waiter is never held up by marks made after
    /// its own, however busy the writer).
    fn take(&self, most: usize) -> (Vec<UserId>, u64) {
        let mut pending = lock(&self.pending);
        let count = most.min(pending.queue.len());
        let users: Vec<UserId> = pending.queue.drain(..count).map(|(user, _)| user).collect();
        for user in &users {
            pending.queued.remove(user);
        }
        let written = match pending.queue.front() {
            Some((_, first_left)) => first_left - 1,
            None => pending.generation,
        };
        (users, written)
    }

    /// Unmarks everyone (a full rewrite is about to cover them); the generation it covers.
    fn clear(&self) -> u64 {
        let mut pending = lock(&self.pending);
        pending.queue.clear();
        pending.queued.clear();
        pending.generation
    }

    fn has_written(&self, generation: u64) {
        self.written.send_if_modified(|written| {
            let newer = generation > *written;
            if newer {
                *written = generation;
            }
            newer
        });
    }

    /// Waits until `generation` is written, at most [`COMMAND_TIMEOUT`] (beyond that the
    /// publisher is reconnecting, and its full rewrite will cover it).
    async fn until_written(&self, generation: u64) {
        let mut written = self.written.subscribe();
        let _ = tokio::time::timeout(
            COMMAND_TIMEOUT,
            written.wait_for(|written| *written >= generation),
        )
        .await;
    }
}

/// What the instance group needs to know of presence: this instance's open user sockets.
pub trait OpenCounts: Send + Sync {
    fn open_count(&self, user: UserId) -> usize;
    fn open_counts(&self) -> Vec<(UserId, usize)>;
}

impl OpenCounts for Presence {
    fn open_count(&self, user: UserId) -> usize {
        Presence::open_count(self, user)
    }

    fn open_counts(&self) -> Vec<(UserId, usize)> {
        Presence::open_counts(self)
    }
}

/// What bus messages from other instances are delivered to.
pub struct Local {
    pub hub: LocalHub,
    pub rooms: Rooms,
    pub presence: Presence,
    pub users: Users,
    pub people: People,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Cluster {
    /// A handle for `url` whose messages are signed with a key derived from `secret` (every
    /// instance of the group has the same SECRET_KEY); nothing connects before
    /// [`Cluster::start`].
    pub fn new(url: &str, group: &str, secret: &[u8]) -> anyhow::Result<Self> {
        // The error would quote the URL, password included.
        let client = redis::Client::open(url)
            .map_err(|error| anyhow::anyhow!("invalid REDIS_URL ({:?})", error.kind()))?;
        let (outgoing, queue) = mpsc::channel(OUTGOING_QUEUE);
        Ok(Self {
            inner: Arc::new(Inner {
                id: rand::random(),
                group: group.to_owned(),
                key: BusKey::derive(secret),
                client,
                outgoing,
                queue: Mutex::new(Some(queue)),
                conn: Mutex::new(None),
                subscribed: AtomicBool::new(false),
                lost: tokio::sync::Notify::new(),
                dropped: AtomicU64::new(0),
                warned: Mutex::new(HashMap::new()),
                counts: CountWrites::new(),
            }),
        })
    }

    pub fn id(&self) -> u64 {
        self.inner.id
    }

    fn channel(&self) -> String {
        format!("{}:bus", self.inner.group)
    }

    fn instances_key(&self) -> String {
        format!("{}:instances", self.inner.group)
    }

    fn open_key(&self, instance: u64) -> String {
        format!("{}:open:{instance}", self.inner.group)
    }

    /// True while the subscription is up: other instances' messages reach this one.
    pub fn is_subscribed(&self) -> bool {
        self.inner.subscribed.load(Ordering::Relaxed)
    }

    /// True while both connections are up (for /api/health/).
    pub fn is_connected(&self) -> bool {
        self.inner.subscribed.load(Ordering::Relaxed) && lock(&self.inner.conn).is_some()
    }

    /// Starts the publisher and the listener, waiting (briefly) for the first subscription so
    /// that an instance is reachable once it serves. Redis being down is not fatal: the tasks
    /// keep trying. Returns the tasks, to stop them at shutdown.
    pub async fn start(&self, local: Local) -> Vec<AbortHandle> {
        let local = Arc::new(local);
        let (ready, is_ready) = tokio::sync::oneshot::channel();
        let listener = tokio::spawn(self.clone().listen(local.clone(), ready));
        let publisher = tokio::spawn(self.clone().publish_loop(local));
        match tokio::time::timeout(Duration::from_secs(3), is_ready).await {
            Ok(_) => tracing::info!(
                instance = self.id(),
                group = %self.inner.group,
                "joined the instance group through Redis"
            ),
            Err(_) => {
                tracing::warn!("Redis is not reachable yet; serving this instance's users only")
            }
        }
        vec![listener.abort_handle(), publisher.abort_handle()]
    }

    /// Logs a warning unless one of the same `kind` was logged within [`WARN_EVERY`]; true if
    /// it did.
    fn warn_limited(&self, kind: &'static str, message: std::fmt::Arguments<'_>) -> bool {
        let now = Instant::now();
        let mut warned = lock(&self.inner.warned);
        if warned
            .get(kind)
            .is_some_and(|last| now.duration_since(*last) < WARN_EVERY)
        {
            return false;
        }
        warned.insert(kind, now);
        tracing::warn!("{message}");
        true
    }

    async fn connect(&self) -> redis::RedisResult<MultiplexedConnection> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT));
        self.inner
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
    }

    /// Owns the command connection: publishes the queue, refreshes liveness, reconnects.
    async fn publish_loop(self, local: Arc<Local>) {
        let Some(mut queue) = lock(&self.inner.queue).take() else {
            return;
        };
        let mut backoff = BACKOFF_FIRST;
        let mut lost_at: Option<Instant> = None;
        loop {
            let error = match self.connect().await {
                Ok(mut conn) => match self.register(&mut conn, &local.presence).await {
                    Ok(()) => {
                        if let Some(since) = lost_at.take() {
                            tracing::info!(
                                down_secs = since.elapsed().as_secs(),
                                dropped_total = self.inner.dropped.load(Ordering::Relaxed),
                                "Redis publisher reconnected"
                            );
                        }
                        backoff = BACKOFF_FIRST;
                        *lock(&self.inner.conn) = Some(conn.clone());
                        // Three tasks share the multiplexed connection, none holding up another.
                        let mut beat = conn.clone();
                        let mut counts = conn.clone();
                        let error = tokio::select! {
                            error = self.serve_queue(&mut conn, &mut queue) => error,
                            error = self.keep_alive(&mut beat, &local.presence) => error,
                            error = self.write_counts(&mut counts, &local.presence) => error,
                        };
                        *lock(&self.inner.conn) = None;
                        error
                    }
                    Err(error) => error,
                },
                Err(error) => error,
            };
            if lost_at.is_none() {
                lost_at = Some(Instant::now());
                tracing::warn!(
                    error = %error,
                    "Redis unavailable: other instances miss this one's events until it is back; \
                     retrying with backoff"
                );
            }
            // Stale by the time Redis is back: delivery is best effort, the database has the state.
            let mut stale = 0u64;
            while queue.try_recv().is_ok() {
                stale += 1;
            }
            if stale > 0 {
                crate::metrics::dropped("bus_unavailable", stale);
                self.inner.dropped.fetch_add(stale, Ordering::Relaxed);
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_CAP);
        }
    }

    /// Publishes until a command fails (or the subscription drops); returns that failure. What
    /// is queued goes out in order, up to [`PUBLISH_BATCH`] messages per round trip.
    async fn serve_queue(
        &self,
        conn: &mut MultiplexedConnection,
        queue: &mut mpsc::Receiver<BusMessage>,
    ) -> redis::RedisError {
        let channel = self.channel();
        let mut batch = Vec::with_capacity(PUBLISH_BATCH);
        loop {
            let result = tokio::select! {
                received = queue.recv_many(&mut batch, PUBLISH_BATCH) => {
                    if received == 0 {
                        return redis::RedisError::from((redis::ErrorKind::Io, "stopped"));
                    }
                    self.publish_batch(conn, &channel, batch.drain(..)).await
                }
                () = self.inner.lost.notified() => Err(redis::RedisError::from((
                    redis::ErrorKind::Io,
                    "the subscription dropped",
                ))),
            };
            if let Err(error) = result {
                return error;
            }
        }
    }

    async fn publish_batch(
        &self,
        conn: &mut MultiplexedConnection,
        channel: &str,
        messages: impl Iterator<Item = BusMessage>,
    ) -> redis::RedisResult<()> {
        let sent_at = SystemClock.now_millis();
        let mut pipe = redis::pipe();
        for message in messages {
            let envelope = Envelope {
                from: self.id(),
                message,
                sent_at,
            };
            match serde_json::to_string(&envelope) {
                Ok(json) => {
                    pipe.publish(channel, self.inner.key.sign(&json)).ignore();
                }
                Err(error) => tracing::error!(%error, "cannot encode a bus message"),
            }
        }
        pipe.exec_async(conn).await
    }

    /// Refreshes this instance's liveness every [`HEARTBEAT`] until a command fails.
    async fn keep_alive(
        &self,
        conn: &mut MultiplexedConnection,
        sockets: &dyn OpenCounts,
    ) -> redis::RedisError {
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.tick().await;
        loop {
            heartbeat.tick().await;
            if let Err(error) = self.heartbeat(conn, sockets).await {
                return error;
            }
        }
    }

    /// Writes this instance's socket counts afresh and joins the group: on every
    /// (re)connection, as Redis may have restarted empty or missed a change meanwhile.
    async fn register(
        &self,
        conn: &mut MultiplexedConnection,
        sockets: &dyn OpenCounts,
    ) -> redis::RedisResult<()> {
        let generation = self.inner.counts.clear();
        let key = self.open_key(self.id());
        let mut pipe = redis::pipe();
        pipe.atomic().del(&key);
        let counts = sockets.open_counts();
        if !counts.is_empty() {
            let fields: Vec<(i64, usize)> =
                counts.into_iter().map(|(user, n)| (user.0, n)).collect();
            pipe.hset_multiple(&key, &fields);
        }
        // The group's set expires too once no instance refreshes it (nothing left behind).
        pipe.expire(&key, ALIVE_TTL_SECS)
            .sadd(self.instances_key(), self.id())
            .expire(self.instances_key(), ALIVE_TTL_SECS);
        pipe.exec_async(conn).await?;
        self.inner.counts.has_written(generation);
        Ok(())
    }

    /// Renews this instance's counts and membership, and forgets instances whose counts
    /// expired.
    async fn heartbeat(
        &self,
        conn: &mut MultiplexedConnection,
        sockets: &dyn OpenCounts,
    ) -> redis::RedisResult<()> {
        let (renewed,): (bool,) = redis::pipe()
            .expire(self.open_key(self.id()), ALIVE_TTL_SECS)
            .sadd(self.instances_key(), self.id())
            .ignore()
            .expire(self.instances_key(), ALIVE_TTL_SECS)
            .ignore()
            .query_async(conn)
            .await?;
        if !renewed {
            // No counts in Redis: none to keep, or they expired (a heartbeat came too late).
            self.inner
                .counts
                .mark(sockets.open_counts().into_iter().map(|(user, _)| user));
        }
        let instances: Vec<u64> = redis::cmd("SMEMBERS")
            .arg(self.instances_key())
            .query_async(conn)
            .await?;
        for instance in instances.into_iter().filter(|i| *i != self.id()) {
            let alive: bool = redis::cmd("EXISTS")
                .arg(self.open_key(instance))
                .query_async(conn)
                .await?;
            if !alive {
                redis::cmd("SREM")
                    .arg(self.instances_key())
                    .arg(instance)
                    .exec_async(conn)
                    .await?;
            }
        }
        Ok(())
    }

    /// Writes the marked users' counts until a command fails; returns that failure.
    async fn write_counts(
        &self,
        conn: &mut MultiplexedConnection,
        sockets: &dyn OpenCounts,
    ) -> redis::RedisError {
        let key = self.open_key(self.id());
        loop {
            self.inner.counts.wake.notified().await;
            loop {
                let (users, written) = self.inner.counts.take(COUNT_BATCH);
                if users.is_empty() {
                    self.inner.counts.has_written(written);
                    break;
                }
                let mut pipe = redis::pipe();
                for user in users {
                    match sockets.open_count(user) {
                        0 => pipe.hdel(&key, user.0),
                        open => pipe.hset(&key, user.0, open),
                    }
                    .ignore();
                }
                // A write may create the hash, which must not outlive a crash.
                pipe.expire(&key, ALIVE_TTL_SECS).ignore();
                if let Err(error) = pipe.exec_async(conn).await {
                    return error;
                }
                self.inner.counts.has_written(written);
            }
        }
    }

    /// Tells Redis this instance's new count of `user`'s sockets, waiting for the write while
    /// connected (so the other instances see it before any presence change that follows).
    async fn open_count_changed_in_redis(&self, user: UserId) {
        let generation = self.inner.counts.mark([user]);
        if lock(&self.inner.conn).is_some() {
            self.inner.counts.until_written(generation).await;
        }
    }

    /// Whether `user` has an open user socket on another live instance; None when Redis cannot
    /// tell (the caller then goes by this instance alone).
    async fn open_elsewhere_in_redis(&self, user: UserId) -> Option<bool> {
        let Some(mut conn) = lock(&self.inner.conn).clone() else {
            self.warn_limited(
                "presence",
                format_args!("Redis unavailable: presence reflects this instance's sockets only"),
            );
            return None;
        };
        let result: redis::RedisResult<bool> = async {
            let instances: Vec<u64> = redis::cmd("SMEMBERS")
                .arg(self.instances_key())
                .query_async(&mut conn)
                .await?;
            let mut pipe = redis::pipe();
            let others: Vec<u64> = instances.into_iter().filter(|i| *i != self.id()).collect();
            if others.is_empty() {
                return Ok(false);
            }
            for instance in &others {
                pipe.hget(self.open_key(*instance), user.0);
            }
            let counts: Vec<Option<i64>> = pipe.query_async(&mut conn).await?;
            Ok(counts.into_iter().flatten().any(|n| n > 0))
        }
        .await;
        match result {
            Ok(open) => Some(open),
            Err(error) => {
                self.warn_limited(
                    "presence",
                    format_args!(
                        "Redis unavailable ({error}): presence reflects this instance's sockets only"
                    ),
                );
                None
            }
        }
    }

    /// Listens to the bus, resubscribing with backoff whenever the connection drops.
    async fn listen(self, local: Arc<Local>, ready: tokio::sync::oneshot::Sender<()>) {
        let mut ready = Some(ready);
        let mut backoff = BACKOFF_FIRST;
        let mut lost_at: Option<Instant> = None;
        loop {
            let subscribed = async {
                let mut pubsub =
                    tokio::time::timeout(COMMAND_TIMEOUT, self.inner.client.get_async_pubsub())
                        .await
                        .map_err(|_| {
                            redis::RedisError::from((redis::ErrorKind::Io, "connect timed out"))
                        })??;
                pubsub.subscribe(self.channel()).await?;
                Ok::<_, redis::RedisError>(pubsub)
            }
            .await;
            match subscribed {
                Ok(pubsub) => {
                    self.inner.subscribed.store(true, Ordering::Relaxed);
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(());
                    }
                    if let Some(since) = lost_at.take() {
                        tracing::info!(
                            down_secs = since.elapsed().as_secs(),
                            "Redis subscription restored: cross-instance delivery resumes"
                        );
                    }
                    backoff = BACKOFF_FIRST;
                    let mut messages = pubsub.into_on_message();
                    while let Some(message) = messages.next().await {
                        self.deliver(&local, message.get_payload_bytes());
                    }
                    self.inner.subscribed.store(false, Ordering::Relaxed);
                    self.inner.lost.notify_waiters();
                    lost_at = Some(Instant::now());
                    tracing::warn!(
                        "Redis subscription lost: this instance misses other instances' events \
                         until it is back; retrying with backoff"
                    );
                }
                Err(error) => {
                    if lost_at.is_none() {
                        lost_at = Some(Instant::now());
                        tracing::warn!(%error, "cannot subscribe to Redis; retrying with backoff");
                    }
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_CAP);
        }
    }

    /// Hands one message from another instance to this one's sockets.
    fn deliver(&self, local: &Local, payload: &[u8]) {
        let Some(json) = self.inner.key.open(payload) else {
            self.warn_limited(
                "forged",
                format_args!(
                    "ignoring an unsigned or wrongly signed bus message (an instance with \
                     another SECRET_KEY, or someone else publishing on the channel)"
                ),
            );
            return;
        };
        let envelope: Envelope = match serde_json::from_slice(json) {
            Ok(envelope) => envelope,
            Err(error) => {
                self.warn_limited(
                    "decode",
                    format_args!("ignoring a bad bus message: {error}"),
                );
                return;
            }
        };
        if envelope.from == self.id() {
            return;
        }
        if envelope.sent_at > 0 {
            let lag = SystemClock
                .now_millis()
                .saturating_sub(envelope.sent_at)
                .max(0);
            crate::metrics::bus_lag(Duration::from_millis(lag.unsigned_abs()));
        }
        let from = envelope.from;
        match envelope.message {
            BusMessage::Event { recipients, event } => local.hub.publish(&recipients, event),
            BusMessage::Relay {
                room,
                sender,
                message,
            } => local.rooms.remote_relay(&room, sender, &message),
            BusMessage::Joined {
                room,
                user,
                username,
            } => local.rooms.remote_joined(&room, from, user, username),
            BusMessage::Here { room, users } => local.rooms.remote_here(&room, from, &users),
            BusMessage::Probe { room } => local.rooms.remote_probe(&room),
            BusMessage::Left {
                room,
                user,
                username,
            } => local.rooms.remote_left(&room, from, user, username),
            BusMessage::Presence { event } => local.presence.tell_watchers(event),
            BusMessage::UserChanged { user } => local.users.changed_elsewhere(user),
            BusMessage::AudienceChanged { user } => local.people.audience_changed_elsewhere(user),
        }
    }
}

/// The bus over Redis: what [`Bus::send`] queues, the publisher task signs and publishes.
impl Bus for Cluster {
    /// Queues `message` for the other instances; never waits.
    fn send(&self, message: BusMessage) {
        if self.inner.outgoing.try_send(message).is_err() {
            crate::metrics::dropped("bus_queue_full", 1);
            let dropped = self.inner.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            self.warn_limited(
                "queue",
                format_args!("Redis publish queue full: {dropped} messages dropped so far"),
            );
        }
    }

    fn open_count_changed(&self, user: UserId) -> BusFuture<'_, ()> {
        Box::pin(self.open_count_changed_in_redis(user))
    }

    fn open_elsewhere(&self, user: UserId) -> BusFuture<'_, Option<bool>> {
        Box::pin(self.open_elsewhere_in_redis(user))
    }
}

/// The [`Hub`] of an instance in a group: delivers locally and to the other instances.
pub struct RedisHub {
    local: LocalHub,
    cluster: Cluster,
}

impl RedisHub {
    pub fn new(local: LocalHub, cluster: Cluster) -> Self {
        Self { local, cluster }
    }
}

impl Hub for RedisHub {
    fn publish(&self, recipients: &[UserId], event: UserEvent) {
        self.local.publish(recipients, event.clone());
        self.cluster.send(BusMessage::Event {
            recipients: recipients.to_vec(),
            event,
        });
    }

    fn subscribe(&self, user: UserId) -> crate::hub::Subscription {
        self.local.subscribe(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_of_one_kind_are_rate_limited() {
        let cluster = Cluster::new("redis://127.0.0.1:1", "test", b"secret").unwrap();
        assert!(cluster.warn_limited("presence", format_args!("first")));
        assert!(!cluster.warn_limited("presence", format_args!("again")));
        assert!(cluster.warn_limited("queue", format_args!("another kind")));
    }

    #[tokio::test]
    async fn a_full_queue_drops_and_counts_instead_of_waiting() {
        let cluster = Cluster::new("redis://127.0.0.1:1", "test", b"secret").unwrap();
        for _ in 0..OUTGOING_QUEUE + 3 {
            cluster.send(BusMessage::Probe { room: "r".into() });
        }
        assert_eq!(cluster.inner.dropped.load(Ordering::Relaxed), 3);
    }

    /// The shared Redis of the test machine (override with `TEST_REDIS_URL`).
    fn redis_url() -> String {
        std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
    }

    /// A TCP proxy to `upstream` that holds every chunk it forwards for `delay` in each
    /// direction: a Redis a few milliseconds away. Also counts the bytes sent to Redis.
    async fn distant(upstream: &str, delay: Duration) -> (String, Arc<AtomicU64>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        async fn pump(
            mut from: tokio::net::tcp::OwnedReadHalf,
            mut to: tokio::net::tcp::OwnedWriteHalf,
            delay: Duration,
            counted: Option<Arc<AtomicU64>>,
        ) {
            let mut buf = vec![0; 64 * 1024];
            while let Ok(n @ 1..) = from.read(&mut buf).await {
                tokio::time::sleep(delay).await;
                if let Some(counted) = &counted {
                    counted.fetch_add(n as u64, Ordering::Relaxed);
                }
                if to.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
        let sent = Arc::new(AtomicU64::new(0));
        let counted = sent.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let upstream = upstream.to_owned();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pump(
                    client_read,
                    server_write,
                    delay,
                    Some(counted.clone()),
                ));
                tokio::spawn(pump(server_read, client_write, delay, None));
            }
        });
        (format!("redis://{address}"), sent)
    }

    fn host_of(url: &str) -> &str {
        url.trim_start_matches("redis://").trim_end_matches('/')
    }

    /// Open user sockets per user, as a test sets them.
    #[derive(Default)]
    struct Sockets(Mutex<HashMap<UserId, usize>>);

    impl OpenCounts for Sockets {
        fn open_count(&self, user: UserId) -> usize {
            lock(&self.0).get(&user).copied().unwrap_or(0)
        }

        fn open_counts(&self) -> Vec<(UserId, usize)> {
            lock(&self.0).iter().map(|(user, n)| (*user, *n)).collect()
        }
    }

    /// The counts Redis holds for `cluster`'s instance.
    async fn stored_counts(cluster: &Cluster) -> HashMap<UserId, usize> {
        let mut conn = cluster.connect().await.unwrap();
        let stored: HashMap<i64, usize> = redis::cmd("HGETALL")
            .arg(cluster.open_key(cluster.id()))
            .query_async(&mut conn)
            .await
            .unwrap();
        stored
            .into_iter()
            .map(|(user, n)| (UserId(user), n))
            .collect()
    }

    /// The heartbeat renews the counts' expiry without sending them again: rewriting 17,000
    /// counts per instance every 5 s held Redis (and every `call-incoming` published on it)
    /// for milliseconds each time.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_heartbeat_renews_the_counts_without_writing_them_again() {
        const USERS: i64 = 20_000;
        let (far, sent) = distant(host_of(&redis_url()), Duration::ZERO).await;
        let cluster = Cluster::new(&far, &format!("beat-{}", rand::random::<u32>()), b"k").unwrap();
        let sockets = Arc::new(Sockets::default());
        lock(&sockets.0).extend((1..=USERS).map(|user| (UserId(user), 1)));
        let mut conn = cluster.connect().await.unwrap();
        cluster.register(&mut conn, &*sockets).await.unwrap();
        let key = cluster.open_key(cluster.id());
        redis::cmd("EXPIRE")
            .arg(&key)
            .arg(1)
            .exec_async(&mut conn)
            .await
            .unwrap();

        let before = sent.load(Ordering::Relaxed);
        cluster.heartbeat(&mut conn, &*sockets).await.unwrap();
        let beat = sent.load(Ordering::Relaxed) - before;
        assert!(beat < 1024, "a heartbeat sent {beat} bytes to Redis");
        let ttl: i64 = redis::cmd("TTL")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(
            ttl > 1,
            "the heartbeat did not renew the counts (TTL {ttl})"
        );
        assert_eq!(stored_counts(&cluster).await.len(), USERS as usize);

        // Counts that expired all the same (a heartbeat too late) are written again.
        redis::cmd("DEL")
            .arg(&key)
            .exec_async(&mut conn)
            .await
            .unwrap();
        let writer = {
            let (cluster, sockets, mut conn) = (cluster.clone(), sockets.clone(), conn.clone());
            tokio::spawn(async move { cluster.write_counts(&mut conn, &*sockets).await })
        };
        cluster.heartbeat(&mut conn, &*sockets).await.unwrap();
        let generation = cluster.inner.counts.mark([]);
        let mut written = cluster.inner.counts.written.subscribe();
        tokio::time::timeout(
            Duration::from_secs(10),
            written.wait_for(|w| *w >= generation),
        )
        .await
        .expect("the counts were not written again within 10 s")
        .unwrap();
        assert_eq!(stored_counts(&cluster).await.len(), USERS as usize);
        writer.abort();
    }

    /// A steady stream of new marks does not hold up a waiter whose mark is already written.
    #[test]
    fn a_written_mark_is_not_held_up_by_later_ones() {
        let counts = CountWrites::new();
        let first = counts.mark([UserId(1)]);
        for user in 2..=3_000 {
            counts.mark([UserId(user)]);
        }
        counts.mark([UserId(1)]); // marked again: keeps its place
        let (users, written) = counts.take(2);
        assert_eq!(users, [UserId(1), UserId(2)]);
        assert_eq!(written, first + 1);
        let (users, written) = counts.take(usize::MAX);
        assert_eq!(users.len(), 2_998);
        assert_eq!(written, counts.clear());
    }

    /// Sockets opening and closing at once on many tasks: once each change has been waited
    /// for, Redis holds exactly this instance's counts (none lost, none counted twice, users
    /// with no socket left removed).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn counts_in_redis_follow_concurrent_changes() {
        const USERS: i64 = 20;
        let cluster = Cluster::new(
            &redis_url(),
            &format!("counts-{}", rand::random::<u32>()),
            b"k",
        )
        .unwrap();
        let sockets = Arc::new(Sockets::default());
        let mut conn = cluster.connect().await.unwrap();
        cluster.register(&mut conn, &*sockets).await.unwrap();
        *lock(&cluster.inner.conn) = Some(conn.clone());
        let writer = {
            let (cluster, sockets, mut conn) = (cluster.clone(), sockets.clone(), conn.clone());
            tokio::spawn(async move { cluster.write_counts(&mut conn, &*sockets).await })
        };

        let changers: Vec<_> = (0..8)
            .map(|task| {
                let (cluster, sockets) = (cluster.clone(), sockets.clone());
                tokio::spawn(async move {
                    for step in 0..300 {
                        let user = UserId((task * 7 + step) % USERS + 1);
                        {
                            let mut open = lock(&sockets.0);
                            let count = open.entry(user).or_default();
                            if (task + step) % 3 == 0 && *count > 0 {
                                *count -= 1;
                            } else {
                                *count += 1;
                            }
                            if *count == 0 {
                                open.remove(&user);
                            }
                        }
                        cluster.open_count_changed_in_redis(user).await;
                    }
                })
            })
            .collect();
        for changer in changers {
            changer.await.unwrap();
        }
        assert_eq!(stored_counts(&cluster).await, *lock(&sockets.0));

        // Every socket closes: nothing is left in Redis.
        let users: Vec<UserId> = lock(&sockets.0).keys().copied().collect();
        lock(&sockets.0).clear();
        for user in users {
            cluster.open_count_changed_in_redis(user).await;
        }
        assert!(stored_counts(&cluster).await.is_empty());
        writer.abort();
    }

    /// A burst of presence changes (a restarted instance's sockets all reconnecting) reaches
    /// the other instances within a few round trips, not one round trip per message: with
    /// Redis 5 ms away, 3,000 messages one PUBLISH at a time would take 30 s.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_is_published_in_pipelines_not_one_round_trip_each() {
        const BURST: usize = 3_000;
        let redis = redis_url();
        let group = format!("burst-{}", rand::random::<u32>());
        let (far, _) = distant(host_of(&redis), Duration::from_millis(5)).await;
        let cluster = Cluster::new(&far, &group, b"secret").unwrap();

        let mut listener = redis::Client::open(redis.as_str())
            .unwrap()
            .get_async_pubsub()
            .await
            .unwrap();
        listener.subscribe(cluster.channel()).await.unwrap();
        let mut received = listener.on_message();

        for n in 0..BURST {
            cluster.send(BusMessage::Probe {
                room: n.to_string(),
            });
        }
        assert_eq!(cluster.inner.dropped.load(Ordering::Relaxed), 0);
        let mut queue = lock(&cluster.inner.queue).take().unwrap();
        let mut conn = cluster.connect().await.unwrap();
        let publisher = cluster.clone();
        let publishing =
            tokio::spawn(async move { publisher.serve_queue(&mut conn, &mut queue).await });

        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        for n in 0..BURST {
            let message = tokio::time::timeout_at(deadline, received.next())
                .await
                .unwrap_or_else(|_| panic!("only {n} of {BURST} arrived within 3 s"))
                .unwrap();
            let payload: Vec<u8> = message.get_payload().unwrap();
            let json = cluster.inner.key.open(&payload).unwrap();
            let envelope: Envelope = serde_json::from_slice(json).unwrap();
            // In the order they were queued.
            assert!(
                matches!(&envelope.message, BusMessage::Probe { room } if *room == n.to_string())
            );
        }
        println!(
            "{BURST} messages through a 5 ms link in {:?}",
            started.elapsed()
        );
        publishing.abort();
    }

    #[test]
    fn only_messages_signed_with_the_groups_key_are_opened() {
        let key = BusKey::derive(b"the group's SECRET_KEY");
        let signed = key.sign(r#"{"from":1}"#);
        assert_eq!(key.open(signed.as_bytes()), Some(&br#"{"from":1}"#[..]));
        // The same message with another key, altered, unsigned, or cut short.
        let other = BusKey::derive(b"another SECRET_KEY").sign(r#"{"from":1}"#);
        assert_eq!(key.open(other.as_bytes()), None);
        let altered = signed.replace("1}", "2}");
        assert_eq!(key.open(altered.as_bytes()), None);
        assert_eq!(key.open(br#"{"from":1}"#), None);
        assert_eq!(key.open(&signed.as_bytes()[..40]), None);
        assert_eq!(key.open("é".repeat(40).as_bytes()), None);
    }

    #[test]
    fn a_url_with_a_password_is_not_quoted_in_errors() {
        let error = Cluster::new("redis://:hunter2@host:notaport", "test", b"secret")
            .err()
            .map(|e| e.to_string());
        assert!(error.is_some_and(|e| !e.contains("hunter2")));
    }
}
