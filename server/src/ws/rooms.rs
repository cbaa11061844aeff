//! The call rooms of this process: room id -> the connected parties' outboxes, the grace timers
//! of parties whose connection dropped, and the signals sent before the other party arrived. It
//! only delivers; whether a user may join, and what a call's status becomes, is decided by the
//! call service.
//!
//! With several instances (a [`Bus`] between them), the two parties may be connected to
//! different ones. Each instance then also remembers which users of its rooms have sockets on
//! which other instances (learned from `Joined`/`Here`/`Left` bus messages), relays to them over
//! the bus, and keeps a signal pending only while no other party is known anywhere.

use std::{
    collections::{HashMap, HashSet},
    future::Future,
    hash::{BuildHasher, RandomState},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
    time::Duration,
};

use tokio::task::AbortHandle;

use app::protocol::{ServerMsg, UserId};

use crate::bus::{Bus, BusMessage, NoBus};

use super::outbox::{Encoded, Outbox};

/// Messages kept for a party that has not joined yet. A caller sends its offer and first ICE
/// candidates right after connecting (the reference README does), usually before the receiver
/// has even seen the call ring; without this they would be lost. The joiner's outgoing queue
/// takes them at once, so it is as long as the default `WS_OUTGOING_QUEUE`.
const PENDING_LIMIT: usize = 64;

/// Rooms are spread over this many independently locked maps: an operation locks only its own
/// room's shard, so the relays of different calls do not queue behind each other.
const SHARDS: usize = 64;

/// A user already has as many sockets in a room as allowed.
#[derive(Debug)]
pub struct RoomFull;

/// One socket in a room.
#[derive(Clone)]
pub struct Party {
    pub user: UserId,
    /// The other party of the room's call: the only user whose signals this socket receives,
    /// so a message with another sender (e.g. injected on the bus) reaches no one.
    pub peer: UserId,
    pub username: String,
    /// Tells this socket from another of the same user (a second tab, a reconnect).
    pub conn: u64,
    pub outbox: Outbox,
}

/// A relayed message waiting for its receiver: encoded for a socket here, and as it is for the bus.
struct Pending {
    sender: UserId,
    message: ServerMsg,
    encoded: Encoded,
}

#[derive(Default)]
struct Room {
    parties: Vec<Party>,
    /// Pending connection-lost timers, by user: (timer id, task).
    grace: HashMap<UserId, (u64, AbortHandle)>,
    /// Relayed while no one else was in the room, oldest first.
    pending: Vec<Pending>,
    /// Users with sockets in this room on other instances: user -> those instances.
    remote: HashMap<UserId, HashSet<u64>>,
}

impl Room {
    fn is_here(&self, user: UserId) -> bool {
        self.parties.iter().any(|p| p.user == user)
    }

    fn is_elsewhere(&self, user: UserId) -> bool {
        self.remote.contains_key(&user)
    }

    fn has_remote_other(&self, user: UserId) -> bool {
        self.remote.keys().any(|u| *u != user)
    }

    /// To this instance's sockets of `sender`'s peer.
    fn send_local(&self, sender: UserId, message: &ServerMsg) {
        if let Some(encoded) = Encoded::new(message) {
            self.send_encoded(sender, &encoded);
        }
    }

    fn send_encoded(&self, sender: UserId, message: &Encoded) {
        for other in self.parties.iter().filter(|p| p.peer == sender) {
            other.outbox.send_encoded(message);
        }
    }
}

#[derive(Clone)]
pub struct Rooms {
    shards: Arc<[Mutex<HashMap<String, Room>>]>,
    /// Picks a room's shard.
    hasher: RandomState,
    next_id: Arc<AtomicU64>,
    /// The other instances of the group ([`NoBus`] when there are none).
    bus: Arc<dyn Bus>,
}

impl Default for Rooms {
    fn default() -> Self {
        Self::with_bus(Arc::new(NoBus))
    }
}

// Every operation is one short critical section that cannot leave the map inconsistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Rooms {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rooms whose parties may be connected to the other instances on `bus`.
    pub fn with_bus(bus: Arc<dyn Bus>) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: RandomState::new(),
            next_id: Arc::default(),
            bus,
        }
    }

    /// The locked shard that holds `room_id`.
    fn shard(&self, room_id: &str) -> MutexGuard<'_, HashMap<String, Room>> {
        // The modulo keeps the value below SHARDS, so the cast back cannot truncate.
        let index = (self.hasher.hash_one(room_id) % SHARDS as u64) as usize;
        lock(&self.shards[index])
    }

    fn broadcast(&self, message: BusMessage) {
        self.bus.send(message);
    }

    /// A fresh id for a connection or a timer.
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Adds a socket and greets it with `auth-ok`, then with what the other party relayed before
    /// it arrived. A pending grace timer of the same user is cancelled (they are back). The
    /// others hear `user-joined` for every new socket, even when the user's previous one has not
    /// left yet: after a page reload the new page is a new peer that needs a fresh offer, and
    /// the old socket's close may arrive after the new one joined. Returns whether a grace timer
    /// was cancelled; `Err` (and nothing changed) if the user has `most` sockets here already.
    pub fn join(&self, room_id: &str, party: Party, most: usize) -> Result<bool, RoomFull> {
        let mut rooms = self.shard(room_id);
        let room = rooms.entry(room_id.to_owned()).or_default();
        if room.parties.iter().filter(|p| p.user == party.user).count() >= most {
            return Err(RoomFull);
        }
        let resumed = match room.grace.remove(&party.user) {
            Some((_, timer)) => {
                timer.abort();
                true
            }
            None => false,
        };
        let joined = ServerMsg::UserJoined {
            user_id: party.user,
            username: party.username.clone(),
        };
        room.send_local(party.user, &joined);
        // Under the lock: nothing relayed meanwhile can overtake the greeting or the backlog.
        party.outbox.send(&ServerMsg::AuthOk {
            user_id: party.user,
        });
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut room.pending)
            .into_iter()
            .partition(|pending| pending.sender == party.user);
        for pending in others.iter().filter(|p| p.sender == party.peer) {
            party.outbox.send_encoded(&pending.encoded);
        }
        room.pending = mine;
        // Under the lock too: the other instances learn of joins in the order they happen here.
        self.broadcast(BusMessage::Joined {
            room: room_id.to_owned(),
            user: party.user,
            username: party.username.clone(),
        });
        room.parties.push(party);
        Ok(resumed)
    }

    /// Sends `message` to every socket in the room that is not `sender`'s: never an echo. With
    /// no one else there yet, it waits (bounded) for the next party to join.
    pub fn relay(&self, room_id: &str, sender: UserId, message: &ServerMsg) {
        // Serialized once, before the lock: the lock only covers queueing the shared text.
        let Some(encoded) = Encoded::new(message) else {
            return;
        };
        let remote = {
            let mut rooms = self.shard(room_id);
            let Some(room) = rooms.get_mut(room_id) else {
                return;
            };
            let local = room.parties.iter().any(|p| p.user != sender);
            let remote = room.has_remote_other(sender);
            if !local && !remote {
                if room.pending.len() < PENDING_LIMIT {
                    room.pending.push(Pending {
                        sender,
                        message: message.clone(),
                        encoded,
                    });
                }
                return;
            }
            room.send_encoded(sender, &encoded);
            remote
        };
        // Outside the lock: one sender's relays come from its one reader task, in order.
        if remote {
            self.broadcast(BusMessage::Relay {
                room: room_id.to_owned(),
                sender,
                message: message.clone(),
            });
        }
    }

    /// Removes a socket. When it was the user's last one in the room, the others hear
    /// `user-left` and true is returned.
    pub fn leave(&self, room_id: &str, user: UserId, conn: u64) -> bool {
        let mut rooms = self.shard(room_id);
        let Some(room) = rooms.get_mut(room_id) else {
            return false;
        };
        let Some(index) = room.parties.iter().position(|p| p.conn == conn) else {
            return false;
        };
        let party = room.parties.remove(index);
        let last_here = !room.is_here(user);
        if last_here {
            self.broadcast(BusMessage::Left {
                room: room_id.to_owned(),
                user,
                username: party.username.clone(),
            });
        }
        let last = last_here && !room.is_elsewhere(user);
        if last {
            room.send_local(
                user,
                &ServerMsg::UserLeft {
                    user_id: party.user,
                    username: party.username,
                },
            );
        }
        if room.parties.is_empty() && room.grace.is_empty() {
            rooms.remove(room_id);
        }
        last
    }

    /// Signaling relayed by another instance: to this instance's parties other than the sender.
    /// Never kept pending: the sending instance keeps what no one was there to receive.
    pub fn remote_relay(&self, room_id: &str, sender: UserId, message: &ServerMsg) {
        let Some(encoded) = Encoded::new(message) else {
            return;
        };
        if let Some(room) = self.shard(room_id).get(room_id) {
            room.send_encoded(sender, &encoded);
        }
    }

    /// A socket of `user` joined the room on instance `from`: the parties here hear
    /// `user-joined`, the user's grace timer here is cancelled (they came back elsewhere), the
    /// joiner's instance learns who is here, and what waited for them is relayed.
    pub fn remote_joined(&self, room_id: &str, from: u64, user: UserId, username: String) {
        let mut rooms = self.shard(room_id);
        // Rooms with no one here are not tracked: their parties learn who is elsewhere on joining.
        let Some(room) = rooms.get_mut(room_id) else {
            return;
        };
        room.remote.entry(user).or_default().insert(from);
        if let Some((_, timer)) = room.grace.remove(&user) {
            timer.abort();
        }
        room.send_local(
            user,
            &ServerMsg::UserJoined {
                user_id: user,
                username,
            },
        );
        self.announce_here(room_id, room);
        self.flush_pending(room_id, room);
        if room.parties.is_empty() && room.grace.is_empty() {
            rooms.remove(room_id);
        }
    }

    /// Tells the other instances which users have sockets in the room here, if any.
    fn announce_here(&self, room_id: &str, room: &Room) {
        let users: HashSet<UserId> = room.parties.iter().map(|p| p.user).collect();
        if !users.is_empty() {
            self.broadcast(BusMessage::Here {
                room: room_id.to_owned(),
                users: users.into_iter().collect(),
            });
        }
    }

    /// Another instance asks who is in the room.
    pub fn remote_probe(&self, room_id: &str) {
        if let Some(room) = self.shard(room_id).get(room_id) {
            self.announce_here(room_id, room);
        }
    }

    /// Asks the other instances who is in the room: their answers cancel the grace timers of the
    /// users they serve.
    pub fn probe(&self, room_id: &str) {
        self.broadcast(BusMessage::Probe {
            room: room_id.to_owned(),
        });
    }

    /// Instance `from` has sockets of `users` in the room (its answer to a join or a probe):
    /// they are connected, so any grace timer of theirs here is moot.
    pub fn remote_here(&self, room_id: &str, from: u64, users: &[UserId]) {
        let mut rooms = self.shard(room_id);
        let Some(room) = rooms.get_mut(room_id) else {
            return;
        };
        for user in users {
            room.remote.entry(*user).or_default().insert(from);
            if let Some((_, timer)) = room.grace.remove(user) {
                timer.abort();
            }
        }
        self.flush_pending(room_id, room);
        if room.parties.is_empty() && room.grace.is_empty() {
            rooms.remove(room_id);
        }
    }

    /// The last socket of `user` in the room on instance `from` left.
    pub fn remote_left(&self, room_id: &str, from: u64, user: UserId, username: String) {
        let mut rooms = self.shard(room_id);
        let Some(room) = rooms.get_mut(room_id) else {
            return;
        };
        if let Some(instances) = room.remote.get_mut(&user) {
            instances.remove(&from);
            if instances.is_empty() {
                room.remote.remove(&user);
            }
        }
        if !room.is_here(user) && !room.is_elsewhere(user) {
            room.send_local(
                user,
                &ServerMsg::UserLeft {
                    user_id: user,
                    username,
                },
            );
        }
    }

    /// Relays, oldest first, the pending signals someone on another instance can now receive.
    fn flush_pending(&self, room_id: &str, room: &mut Room) {
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut room.pending)
            .into_iter()
            .partition(|pending| room.has_remote_other(pending.sender));
        room.pending = waiting;
        for pending in ready {
            self.broadcast(BusMessage::Relay {
                room: room_id.to_owned(),
                sender: pending.sender,
                message: pending.message,
            });
        }
    }

    /// Runs `expired` after `grace` unless `user` rejoins the room first. Returns false, doing
    /// nothing, if they already have: the socket that dropped is noticed after a reconnect at
    /// times.
    pub fn start_grace<F>(&self, room_id: &str, user: UserId, grace: Duration, expired: F) -> bool
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let id = self.next_id();
        let rooms = self.clone();
        let room_key = room_id.to_owned();
        // Spawned under the lock, so the timer cannot look for its entry before it exists.
        let mut map = self.shard(room_id);
        if map
            .get(room_id)
            .is_some_and(|room| room.is_here(user) || room.is_elsewhere(user))
        {
            return false;
        }
        let task = tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            if rooms.take_grace(&room_key, user, id) {
                expired.await;
            }
        });
        let room = map.entry(room_id.to_owned()).or_default();
        if let Some((_, previous)) = room.grace.insert(user, (id, task.abort_handle())) {
            previous.abort();
        }
        true
    }

    /// Removes timer `id` if it is still the pending one; true means it is due to fire.
    fn take_grace(&self, room_id: &str, user: UserId, id: u64) -> bool {
        let mut rooms = self.shard(room_id);
        let Some(room) = rooms.get_mut(room_id) else {
            return false;
        };
        if room
            .grace
            .get(&user)
            .is_none_or(|(pending, _)| *pending != id)
        {
            return false;
        }
        room.grace.remove(&user);
        if room.parties.is_empty() && room.grace.is_empty() {
            rooms.remove(room_id);
        }
        true
    }

    /// Rooms with at least one socket or timer.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|shard| lock(shard).len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::protocol::CallId;
    use axum::extract::ws::Message;
    use tokio::sync::mpsc;

    use crate::bus::RecordingBus;

    fn party(rooms: &Rooms, user: i64) -> (Party, flume::Receiver<Message>) {
        let (outbox, received) = Outbox::detached(PENDING_LIMIT + 1);
        let party = Party {
            user: UserId(user),
            peer: UserId(3 - user),
            username: format!("u{user}"),
            conn: rooms.next_id(),
            outbox,
        };
        (party, received)
    }

    fn types(received: &mut flume::Receiver<Message>) -> Vec<String> {
        let mut types = Vec::new();
        while let Ok(Message::Text(text)) = received.try_recv() {
            let value: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
            types.push(value["type"].as_str().unwrap().to_owned());
        }
        types
    }

    /// Sockets per user the tests allow.
    const MOST: usize = 2;

    #[tokio::test]
    async fn only_the_peer_of_a_party_reaches_it() {
        let rooms = Rooms::new();
        let (a, mut a_rx) = party(&rooms, 1);
        rooms.join("r", a, MOST).unwrap();
        let (b, _) = party(&rooms, 2);
        rooms.join("r", b, MOST).unwrap();
        types(&mut a_rx);
        // A sender who is not user 1's peer (as a forged bus message would be).
        rooms.remote_relay("r", UserId(9), &hang_up(9));
        rooms.relay("r", UserId(9), &hang_up(9));
        assert!(types(&mut a_rx).is_empty());
        rooms.remote_relay("r", UserId(2), &hang_up(2));
        assert_eq!(types(&mut a_rx), ["call-end"]);
    }

    #[tokio::test]
    async fn a_user_may_hold_at_most_so_many_sockets_in_a_room() {
        let rooms = Rooms::new();
        for _ in 0..MOST {
            let (a, _) = party(&rooms, 1);
            rooms.join("r", a, MOST).unwrap();
        }
        let (third, mut third_rx) = party(&rooms, 1);
        assert!(rooms.join("r", third, MOST).is_err());
        assert!(types(&mut third_rx).is_empty(), "refused before auth-ok");
        // The other party is not affected.
        let (b, _) = party(&rooms, 2);
        rooms.join("r", b, MOST).unwrap();
    }

    fn hang_up(sender: i64) -> ServerMsg {
        ServerMsg::CallEnd {
            call_id: CallId(1),
            sender_id: UserId(sender),
            reason: None,
        }
    }

    #[tokio::test]
    async fn relays_to_others_only_and_keeps_early_signals_for_the_next_party() {
        let rooms = Rooms::new();
        let (a, mut a_rx) = party(&rooms, 1);
        rooms.join("r", a, MOST).unwrap();
        rooms.relay("r", UserId(1), &hang_up(1));
        assert_eq!(types(&mut a_rx), ["auth-ok"], "no echo");

        let (b, mut b_rx) = party(&rooms, 2);
        let b_conn = b.conn;
        rooms.join("r", b, MOST).unwrap();
        assert_eq!(types(&mut b_rx), ["auth-ok", "call-end"]);
        assert_eq!(types(&mut a_rx), ["user-joined"]);

        rooms.relay("r", UserId(2), &hang_up(2));
        assert_eq!(types(&mut a_rx), ["call-end"]);
        assert!(types(&mut b_rx).is_empty());

        assert!(rooms.leave("r", UserId(2), b_conn));
        assert_eq!(types(&mut a_rx), ["user-left"]);
    }

    #[tokio::test]
    async fn a_rejoin_cancels_the_grace_timer() {
        let rooms = Rooms::new();
        let (a, _a_rx) = party(&rooms, 1);
        rooms.join("r", a, MOST).unwrap();
        let (b, _b_rx) = party(&rooms, 2);
        let b_conn = b.conn;
        rooms.join("r", b, MOST).unwrap();
        // b is still in the room: no timer.
        assert!(!rooms.start_grace("r", UserId(2), Duration::ZERO, async {}));

        rooms.leave("r", UserId(2), b_conn);
        let (fired, mut fired_rx) = mpsc::channel(1);
        assert!(
            rooms.start_grace("r", UserId(2), Duration::from_millis(50), async move {
                let _ = fired.send(()).await;
            })
        );
        let (b, _b_rx) = party(&rooms, 2);
        assert!(rooms.join("r", b, MOST).unwrap(), "the timer was cancelled");
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(fired_rx.try_recv().is_err());
    }

    /// Rooms of an instance in a group, and what they publish on the bus.
    fn clustered() -> (Rooms, Arc<RecordingBus>) {
        let bus = Arc::new(RecordingBus::default());
        (Rooms::with_bus(bus.clone()), bus)
    }

    fn published(bus: &RecordingBus) -> Vec<BusMessage> {
        bus.take()
    }

    const ELSEWHERE: u64 = 7;

    #[tokio::test]
    async fn early_signals_wait_for_a_party_on_another_instance_then_go_once_in_order() {
        let (rooms, bus) = clustered();
        let (a, mut a_rx) = party(&rooms, 1);
        rooms.join("r", a, MOST).unwrap();
        assert!(matches!(
            &published(&bus)[..],
            [BusMessage::Joined {
                user: UserId(1),
                ..
            }]
        ));
        rooms.relay("r", UserId(1), &hang_up(1));
        rooms.relay("r", UserId(1), &hang_up(11));
        assert!(published(&bus).is_empty(), "no one anywhere: kept");

        rooms.remote_joined("r", ELSEWHERE, UserId(2), "u2".into());
        assert_eq!(types(&mut a_rx), ["auth-ok", "user-joined"]);
        let sent = published(&bus);
        assert!(matches!(&sent[0], BusMessage::Here { users, .. } if users == &[UserId(1)]));
        assert_eq!(
            sent[1..],
            [hang_up(1), hang_up(11)].map(|message| BusMessage::Relay {
                room: "r".into(),
                sender: UserId(1),
                message,
            })
        );
        // A second join elsewhere finds nothing pending any more: exactly once.
        rooms.remote_joined("r", ELSEWHERE + 1, UserId(2), "u2".into());
        assert!(published(&bus)
            .iter()
            .all(|m| !matches!(m, BusMessage::Relay { .. })));

        // From now on relays go straight to the bus, and relays from there to the local party.
        rooms.relay("r", UserId(1), &hang_up(1));
        assert!(matches!(&published(&bus)[..], [BusMessage::Relay { .. }]));
        rooms.remote_relay("r", UserId(2), &hang_up(2));
        assert_eq!(types(&mut a_rx), ["user-joined", "call-end"]);
    }

    #[tokio::test]
    async fn a_joiner_learns_who_is_elsewhere_from_here_answers() {
        let (rooms, bus) = clustered();
        let (a, _a_rx) = party(&rooms, 1);
        rooms.join("r", a, MOST).unwrap();
        rooms.relay("r", UserId(1), &hang_up(1));
        published(&bus);
        rooms.remote_here("r", ELSEWHERE, &[UserId(2)]);
        assert!(matches!(
            &published(&bus)[..],
            [BusMessage::Relay {
                sender: UserId(1),
                ..
            }]
        ));
        // Rooms with no one here are not tracked.
        rooms.remote_here("other", ELSEWHERE, &[UserId(2)]);
        rooms.remote_joined("other", ELSEWHERE, UserId(2), "u2".into());
        assert_eq!(rooms.len(), 1);
    }

    #[tokio::test]
    async fn user_left_is_told_when_the_user_has_no_socket_anywhere() {
        let (rooms, bus) = clustered();
        let (a, mut a_rx) = party(&rooms, 1);
        rooms.join("r", a, MOST).unwrap();
        let (b, _b_rx) = party(&rooms, 2);
        let b_conn = b.conn;
        rooms.join("r", b, MOST).unwrap();
        rooms.remote_joined("r", ELSEWHERE, UserId(2), "u2".into());
        types(&mut a_rx);
        published(&bus);

        assert!(
            !rooms.leave("r", UserId(2), b_conn),
            "still there elsewhere"
        );
        assert!(matches!(
            &published(&bus)[..],
            [BusMessage::Left {
                user: UserId(2),
                ..
            }]
        ));
        assert!(types(&mut a_rx).is_empty());
        assert!(!rooms.start_grace("r", UserId(2), Duration::ZERO, async {}));

        rooms.remote_left("r", ELSEWHERE, UserId(2), "u2".into());
        assert_eq!(types(&mut a_rx), ["user-left"]);
    }

    #[tokio::test]
    async fn a_join_on_another_instance_cancels_the_grace_timer() {
        let (rooms, _bus) = clustered();
        let (a, _a_rx) = party(&rooms, 1);
        rooms.join("r", a, MOST).unwrap();
        let (fired, mut fired_rx) = mpsc::channel(1);
        assert!(
            rooms.start_grace("r", UserId(2), Duration::from_millis(50), async move {
                let _ = fired.send(()).await;
            })
        );
        rooms.remote_joined("r", ELSEWHERE, UserId(2), "u2".into());
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(fired_rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn probes_are_answered_and_an_answer_cancels_the_grace_timer() {
        let (rooms, bus) = clustered();
        let (a, _a_rx) = party(&rooms, 1);
        rooms.join("r", a, MOST).unwrap();
        published(&bus);
        rooms.remote_probe("r");
        rooms.remote_probe("nobody-here");
        assert!(matches!(&published(&bus)[..],
            [BusMessage::Here { room, users }] if room == "r" && users == &[UserId(1)]));

        // A starting instance waits for the parties of a call it does not serve.
        let (fired, mut fired_rx) = mpsc::channel(1);
        rooms.start_grace("s", UserId(2), Duration::from_millis(50), async move {
            let _ = fired.send(()).await;
        });
        rooms.probe("s");
        assert!(matches!(&published(&bus)[..], [BusMessage::Probe { .. }]));
        rooms.remote_here("s", ELSEWHERE, &[UserId(2)]);
        assert_eq!(rooms.len(), 1, "nothing left to track in s");
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(fired_rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn an_expired_timer_fires_once_and_the_room_is_forgotten() {
        let rooms = Rooms::new();
        let (a, _a_rx) = party(&rooms, 1);
        let conn = a.conn;
        rooms.join("r", a, MOST).unwrap();
        rooms.leave("r", UserId(1), conn);
        assert!(rooms.is_empty());
        let (fired, mut fired_rx) = mpsc::channel(2);
        rooms.start_grace("r", UserId(1), Duration::from_millis(10), async move {
            let _ = fired.send(()).await;
        });
        assert_eq!(rooms.len(), 1);
        assert_eq!(fired_rx.recv().await, Some(()));
        assert!(rooms.is_empty());
    }
}
