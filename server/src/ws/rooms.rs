//! The call rooms of this process: room id -> the connected parties' outboxes, the grace timers
//! of parties whose connection dropped, and the signals sent before the other party arrived. It only delivers; whether a user may join, and
//! what a call's status becomes, is decided by the call service.

use std::{
    collections::HashMap,
    future::Future,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
    time::Duration,
};

use tokio::task::AbortHandle;

use app::protocol::{ServerMsg, UserId};

use super::{limits::OUTGOING_QUEUE, outbox::Outbox};

/// Messages kept for a party that has not joined yet. A caller sends its offer and first ICE
/// candidates right after connecting (the reference README does), usually before the receiver
/// has even seen the call ring; without this they would be lost.
const PENDING_LIMIT: usize = OUTGOING_QUEUE;

/// One socket in a room.
#[derive(Clone)]
pub struct Party {
    pub user: UserId,
    pub username: String,
    /// Tells this socket from another of the same user (a second tab, a reconnect).
    pub conn: u64,
    pub outbox: Outbox,
}

#[derive(Default)]
struct Room {
    parties: Vec<Party>,
    /// Pending connection-lost timers, by user: (timer id, task).
    grace: HashMap<UserId, (u64, AbortHandle)>,
    /// Relayed while no one else was in the room: (sender, message), oldest first.
    pending: Vec<(UserId, ServerMsg)>,
}

#[derive(Clone, Default)]
pub struct Rooms {
    rooms: Arc<Mutex<HashMap<String, Room>>>,
    next_id: Arc<AtomicU64>,
}

// Every operation is one short critical section that cannot leave the map inconsistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Rooms {
    pub fn new() -> Self {
        Self::default()
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
    /// was cancelled.
    pub fn join(&self, room_id: &str, party: Party) -> bool {
        let mut rooms = lock(&self.rooms);
        let room = rooms.entry(room_id.to_owned()).or_default();
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
        for other in room.parties.iter().filter(|p| p.user != party.user) {
            other.outbox.send(&joined);
        }
        // Under the lock: nothing relayed meanwhile can overtake the greeting or the backlog.
        party.outbox.send(&ServerMsg::AuthOk {
            user_id: party.user,
        });
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut room.pending)
            .into_iter()
            .partition(|(sender, _)| *sender == party.user);
        for (_, message) in &others {
            party.outbox.send(message);
        }
        room.pending = mine;
        room.parties.push(party);
        resumed
    }

    /// Sends `message` to every socket in the room that is not `sender`'s: never an echo. With
    /// no one else there yet, it waits (bounded) for the next party to join.
    pub fn relay(&self, room_id: &str, sender: UserId, message: &ServerMsg) {
        let mut rooms = lock(&self.rooms);
        let Some(room) = rooms.get_mut(room_id) else {
            return;
        };
        let mut others = room.parties.iter().filter(|p| p.user != sender).peekable();
        if others.peek().is_none() {
            if room.pending.len() < PENDING_LIMIT {
                room.pending.push((sender, message.clone()));
            }
            return;
        }
        for other in others {
            other.outbox.send(message);
        }
    }

    /// Removes a socket. When it was the user's last one in the room, the others hear
    /// `user-left` and true is returned.
    pub fn leave(&self, room_id: &str, user: UserId, conn: u64) -> bool {
        let mut rooms = lock(&self.rooms);
        let Some(room) = rooms.get_mut(room_id) else {
            return false;
        };
        let Some(index) = room.parties.iter().position(|p| p.conn == conn) else {
            return false;
        };
        let party = room.parties.remove(index);
        let last = !room.parties.iter().any(|p| p.user == user);
        if last {
            let left = ServerMsg::UserLeft {
                user_id: party.user,
                username: party.username,
            };
            for other in &room.parties {
                other.outbox.send(&left);
            }
        }
        if room.parties.is_empty() && room.grace.is_empty() {
            rooms.remove(room_id);
        }
        last
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
        let mut map = lock(&self.rooms);
        if map
            .get(room_id)
            .is_some_and(|room| room.parties.iter().any(|p| p.user == user))
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
        let mut rooms = lock(&self.rooms);
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
        lock(&self.rooms).len()
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

    fn party(rooms: &Rooms, user: i64) -> (Party, mpsc::Receiver<Message>) {
        let (outbox, received) = Outbox::detached();
        let party = Party {
            user: UserId(user),
            username: format!("u{user}"),
            conn: rooms.next_id(),
            outbox,
        };
        (party, received)
    }

    fn types(received: &mut mpsc::Receiver<Message>) -> Vec<String> {
        let mut types = Vec::new();
        while let Ok(Message::Text(text)) = received.try_recv() {
            let value: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
            types.push(value["type"].as_str().unwrap().to_owned());
        }
        types
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
        rooms.join("r", a);
        rooms.relay("r", UserId(1), &hang_up(1));
        assert_eq!(types(&mut a_rx), ["auth-ok"], "no echo");

        let (b, mut b_rx) = party(&rooms, 2);
        let b_conn = b.conn;
        rooms.join("r", b);
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
        rooms.join("r", a);
        let (b, _b_rx) = party(&rooms, 2);
        let b_conn = b.conn;
        rooms.join("r", b);
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
        assert!(rooms.join("r", b), "the timer was cancelled");
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(fired_rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn an_expired_timer_fires_once_and_the_room_is_forgotten() {
        let rooms = Rooms::new();
        let (a, _a_rx) = party(&rooms, 1);
        let conn = a.conn;
        rooms.join("r", a);
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
