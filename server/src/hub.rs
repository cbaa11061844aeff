//! The event hub: delivers [`UserEvent`]s to the devices of the users they concern. It only
//! delivers; the call service decides what happens and the database holds the state.
//!
//! [`LocalHub`] serves one process. With several instances, [`crate::cluster::RedisHub`]
//! implements the same trait and hands events that arrive from other instances to a `LocalHub`
//! of its own.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use tokio::sync::broadcast;

use app::protocol::{UserEvent, UserId};

/// Events buffered per user before a slow subscriber starts missing them (it then learns it
/// lagged, and the app reloads its state over REST). Each socket's task takes events as they
/// come, so the buffer only covers a burst published faster than one task wakeup. The channel
/// allocates every slot up front, for every connected user: slots hold an `Arc`, and 16 of them
/// (not 64) took 2 KB off each connected user (bench/: idle, one socket per user).
const PER_USER_CAPACITY: usize = 16;

pub trait Hub: Send + Sync + 'static {
    /// Sends `event` to every current subscriber of each of `recipients`. Never blocks: users
    /// with no open device simply miss it (the database has the state).
    fn publish(&self, recipients: &[UserId], event: UserEvent);

    /// Receives the events published for `user` from now on, until the subscription is dropped.
    fn subscribe(&self, user: UserId) -> Subscription;
}

type Channels = Arc<Mutex<HashMap<UserId, broadcast::Sender<Arc<UserEvent>>>>>;

/// One broadcast channel per user with at least one subscriber: publishing costs a map lookup
/// per recipient, whatever the number of connected users.
#[derive(Clone, Default)]
pub struct LocalHub {
    channels: Channels,
}

impl LocalHub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Users with at least one subscriber.
    pub fn subscribed_users(&self) -> usize {
        lock(&self.channels).len()
    }
}

// A panic while holding the map cannot leave it inconsistent (every operation is one call).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Hub for LocalHub {
    fn publish(&self, recipients: &[UserId], event: UserEvent) {
        let event = Arc::new(event);
        let channels = lock(&self.channels);
        for user in recipients {
            if let Some(sender) = channels.get(user) {
                // Fails only when every receiver is gone, which `Subscription::drop` cleans up.
                let _ = sender.send(event.clone());
            }
        }
    }

    fn subscribe(&self, user: UserId) -> Subscription {
        let receiver = lock(&self.channels)
            .entry(user)
            .or_insert_with(|| broadcast::channel(PER_USER_CAPACITY).0)
            .subscribe();
        Subscription {
            user,
            receiver: Some(receiver),
            channels: self.channels.clone(),
        }
    }
}

/// The events of one user, for one device.
pub struct Subscription {
    user: UserId,
    // An Option only so that `drop` can release it before checking whether it was the last one.
    receiver: Option<broadcast::Receiver<Arc<UserEvent>>>,
    channels: Channels,
}

impl Subscription {
    /// The next event. `Err(Lagged(n))` means `n` events were missed because this subscriber was
    /// too slow; later events still arrive.
    pub async fn recv(&mut self) -> Result<Arc<UserEvent>, broadcast::error::RecvError> {
        match self.receiver.as_mut() {
            Some(receiver) => receiver.recv().await,
            None => Err(broadcast::error::RecvError::Closed),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut channels = lock(&self.channels);
        self.receiver = None;
        // Under the lock no one can subscribe in between: the last one out removes the channel.
        if channels
            .get(&self.user)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            channels.remove(&self.user);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::protocol::{Call, CallId, CallStatus, CallType, Timestamp, User};

    fn event(id: i64) -> UserEvent {
        let user = |id| User {
            id: UserId(id),
            username: format!("u{id}"),
            email: None,
            is_online: false,
            last_seen: None,
            profile_picture: None,
        };
        UserEvent::CallStatus {
            call: Call {
                id: CallId(id),
                caller: user(1),
                receiver: user(2),
                call_type: CallType::Video,
                status: CallStatus::Initiated,
                room_id: "r".into(),
                initiated_at: Timestamp(0),
                ringing_at: None,
                accepted_at: None,
                ended_at: None,
                duration: None,
                end_reason: None,
                reports: Vec::new(),
            },
        }
    }

    #[tokio::test]
    async fn delivers_to_every_device_of_the_recipients_only() {
        let hub = LocalHub::new();
        let mut phone = hub.subscribe(UserId(1));
        let mut laptop = hub.subscribe(UserId(1));
        let mut other = hub.subscribe(UserId(3));
        hub.publish(&[UserId(1), UserId(2)], event(5));
        assert_eq!(
            phone.recv().await.unwrap().call().map(|c| c.id),
            Some(CallId(5))
        );
        assert_eq!(
            laptop.recv().await.unwrap().call().map(|c| c.id),
            Some(CallId(5))
        );
        assert!(other.receiver.as_mut().unwrap().try_recv().is_err());
    }

    #[tokio::test]
    async fn the_last_subscription_dropped_removes_the_channel() {
        let hub = LocalHub::new();
        let first = hub.subscribe(UserId(1));
        let second = hub.subscribe(UserId(1));
        drop(first);
        assert_eq!(hub.subscribed_users(), 1);
        drop(second);
        assert_eq!(hub.subscribed_users(), 0);
        hub.publish(&[UserId(1)], event(1));
    }
}
