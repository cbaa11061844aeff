//! The user socket (`/ws/`, one per tab): what makes this tab ring. It connects while someone is
//! signed in, authenticates with the stored access token, reconnects with exponential backoff
//! (1 s doubling to 30 s) and, after every (re)connect, resynchronizes from REST what it may have
//! missed (`/api/calls/active/`, `/api/calls/missed/count/`, `/api/users/me/privacy/`).
//!
//! Pages read the [`UserEvents`] context; on the server its signals simply never change.

use leptos::prelude::*;

use crate::protocol::{Call, CallId, CallMessage, PrivacySettings, Timestamp, User, UserId};
use crate::session::Session;

/// The user's live events, provided once by [`crate::App`].
#[derive(Clone, Copy)]
pub struct UserEvents {
    /// A call ringing for me (this tab shows the incoming-call overlay while it is `Some`).
    pub incoming: RwSignal<Option<Call>>,
    /// The call of the latest `call-status` event (any call of mine, as it is now). Also set after
    /// a reconnect for calls whose state may have changed meanwhile, and by this app's own call
    /// actions (start, accept) with the server's answer.
    pub last_call_update: RwSignal<Option<Call>>,
    /// Unseen missed calls (the badge in the nav).
    pub missed_count: RwSignal<i64>,
    /// The socket is open and authenticated.
    pub connected: RwSignal<bool>,
    /// Users whose presence a page shows: the server pushes their changes to this tab.
    pub watched: RwSignal<Vec<UserId>>,
    /// The latest presence change of a watched user.
    pub presence: RwSignal<Option<PresenceChange>>,
    /// My privacy and do-not-disturb settings as the server has them: loaded on every connect,
    /// then followed through `privacy-changed` (other tabs, DND ending by itself) and this tab's
    /// own saves. `None` until loaded.
    pub privacy: RwSignal<Option<PrivacySettings>>,
    /// The latest message left on a missed call of mine (`call-message`).
    pub message_left: RwSignal<Option<CallMessage>>,
    /// People I asked about who are free now (`user-available`), until I call or dismiss them.
    pub available: RwSignal<Vec<User>>,
}

/// A watched user came online or went offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresenceChange {
    pub user_id: UserId,
    pub is_online: bool,
    pub last_seen: Option<Timestamp>,
}

impl UserEvents {
    /// Publishes a call as it is now, as a `call-status` event would: updates `last_call_update`,
    /// and clears `incoming` when that call no longer rings.
    pub fn apply_update(&self, call: Call) {
        let ringing_here = self
            .incoming
            .with_untracked(|c| c.as_ref().map(|c| c.id) == Some(call.id));
        if ringing_here {
            if call.status.is_unanswered() {
                self.incoming.set(Some(call.clone()));
            } else {
                self.incoming.set(None);
            }
        }
        self.last_call_update.set(Some(call));
    }

    /// Stops ringing for this call in this tab (accepted or declined here).
    pub fn dismiss(&self, id: CallId) {
        if self
            .incoming
            .with_untracked(|c| c.as_ref().map(|c| c.id) == Some(id))
        {
            self.incoming.set(None);
        }
    }

    /// Reloads the missed-calls badge.
    pub fn refresh_missed_count(&self) {
        let missed = self.missed_count;
        leptos::task::spawn_local(async move {
            if let Ok(count) = crate::api::calls::missed_count().await {
                missed.set(count.count);
            }
        });
    }
}

/// Creates the context and, in the browser, keeps a socket open while `session` has a user.
pub fn provide_user_events(session: Session) -> UserEvents {
    let events = UserEvents {
        incoming: RwSignal::new(None),
        last_call_update: RwSignal::new(None),
        missed_count: RwSignal::new(0),
        connected: RwSignal::new(false),
        watched: RwSignal::new(Vec::new()),
        presence: RwSignal::new(None),
        privacy: RwSignal::new(None),
        message_left: RwSignal::new(None),
        available: RwSignal::new(Vec::new()),
    };
    provide_context(events);

    // Tell the server whenever the watched users change (and after every connect, below).
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let watched = events.watched.get();
        client::watch(watched);
    });

    #[cfg(feature = "hydrate")]
    Effect::new(move |previous: Option<Option<crate::protocol::UserId>>| {
        let me = session.user.with(|u| u.as_ref().map(|u| u.id));
        if previous.flatten() != me {
            match me {
                Some(me) => client::start(events, session, me),
                None => client::stop(events),
            }
        }
        me
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = session;

    events
}

pub fn use_user_events() -> UserEvents {
    expect_context::<UserEvents>()
}

/// The longest wait between two reconnect attempts of the user socket.
#[cfg(feature = "hydrate")]
const MAX_BACKOFF_MS: u64 = 30_000;

#[cfg(feature = "hydrate")]
mod client {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use std::time::Duration;

    use leptos::prelude::*;
    use leptos::task::spawn_local;

    use super::{PresenceChange, UserEvents, MAX_BACKOFF_MS};
    use crate::api::socket::{backoff_ms, Socket, SocketEvent};
    use crate::api::{self, ApiFailure};
    use crate::protocol::{Call, ClientMsg, ServerMsg, UserId};
    use crate::session::{self, Session};

    thread_local! {
        /// The open socket; replacing or taking it closes the old one.
        static LIVE: RefCell<Option<Socket>> = const { RefCell::new(None) };
        /// Bumped by every start and stop: timers and tasks of an older generation give up.
        static GENERATION: Cell<u64> = const { Cell::new(0) };
    }

    #[derive(Clone, Copy)]
    struct Ctx {
        events: UserEvents,
        session: Session,
        me: UserId,
        generation: u64,
    }

    impl Ctx {
        fn current(&self) -> bool {
            GENERATION.with(Cell::get) == self.generation
        }
    }

    fn next_generation() -> u64 {
        GENERATION.with(|g| {
            g.set(g.get() + 1);
            g.get()
        })
    }

    fn take_live() {
        drop(LIVE.with(|l| l.borrow_mut().take()));
    }

    pub fn start(events: UserEvents, session: Session, me: UserId) {
        let generation = next_generation();
        take_live();
        connect(
            Ctx {
                events,
                session,
                me,
                generation,
            },
            Rc::new(Cell::new(0)),
        );
    }

    pub fn stop(events: UserEvents) {
        next_generation();
        take_live();
        events.connected.set(false);
        events.incoming.set(None);
        events.missed_count.set(0);
        events.privacy.set(None);
        events.available.set(Vec::new());
    }

    fn retry(ctx: Ctx, attempts: Rc<Cell<u32>>) {
        if !ctx.current() {
            return;
        }
        let delay = backoff_ms(attempts.get(), MAX_BACKOFF_MS);
        attempts.set(attempts.get().saturating_add(1));
        set_timeout(move || connect(ctx, attempts), Duration::from_millis(delay));
    }

    /// One attempt: a REST call first (it refreshes an expired access token and loads the badge),
    /// then the socket.
    fn connect(ctx: Ctx, attempts: Rc<Cell<u32>>) {
        if !ctx.current() {
            return;
        }
        spawn_local(async move {
            match api::calls::missed_count().await {
                Ok(count) => ctx.events.missed_count.set(count.count),
                Err(ApiFailure::SignedOut) => {
                    if ctx.current() {
                        ctx.session.user.set(None);
                    }
                    return;
                }
                Err(_) => return retry(ctx, attempts),
            }
            if !ctx.current() {
                return;
            }
            let Some(token) = session::access_token() else {
                ctx.session.user.set(None);
                return;
            };
            if open(ctx, attempts.clone(), token).is_err() {
                retry(ctx, attempts);
            }
        });
    }

    fn open(ctx: Ctx, attempts: Rc<Cell<u32>>, token: String) -> Result<(), String> {
        let on_event = Rc::new(move |event: SocketEvent| {
            if !ctx.current() {
                return;
            }
            match event {
                SocketEvent::Message(message) => handle(ctx, &attempts, *message),
                SocketEvent::Closed(_) => {
                    ctx.events.connected.set(false);
                    // The next attempt replaces (and drops) this socket's callbacks: never from here.
                    retry(ctx, attempts.clone());
                }
            }
        });
        let socket = Socket::open("/ws/", token, on_event)?;
        drop(LIVE.with(|l| l.borrow_mut().replace(socket)));
        Ok(())
    }

    /// Sends `subscribe-presence` for `users` if the socket is open (else the next auth-ok will).
    pub fn watch(users: Vec<UserId>) {
        LIVE.with(|live| {
            if let Some(socket) = live.borrow().as_ref() {
                socket.send(&ClientMsg::SubscribePresence { user_ids: users });
            }
        });
    }

    fn handle(ctx: Ctx, attempts: &Rc<Cell<u32>>, message: ServerMsg) {
        let events = ctx.events;
        match message {
            ServerMsg::AuthOk { .. } => {
                attempts.set(0);
                events.connected.set(true);
                watch(events.watched.get_untracked());
                resync(ctx);
            }
            ServerMsg::Presence {
                user_id,
                is_online,
                last_seen,
            } => events.presence.set(Some(PresenceChange {
                user_id,
                is_online,
                last_seen,
            })),
            ServerMsg::CallIncoming { call } => ring(ctx, call),
            ServerMsg::PrivacyChanged { settings } => events.privacy.set(Some(settings)),
            ServerMsg::CallMessage { message } => events.message_left.set(Some(message)),
            ServerMsg::UserAvailable { user } => events.available.update(|free| {
                free.retain(|u| u.id != user.id);
                free.push(user);
            }),
            ServerMsg::CallStatus { call } => {
                let missed_for_me = call.receiver.id == ctx.me
                    && call.status == crate::protocol::CallStatus::Missed;
                events.apply_update(call);
                if missed_for_me {
                    events.refresh_missed_count();
                }
            }
            ServerMsg::Error { code, .. } if code.as_deref() == Some("lagged") => resync(ctx),
            _ => {}
        }
    }

    /// Shows the overlay for a call ringing for me and confirms to the server that it rings.
    fn ring(ctx: Ctx, call: Call) {
        if call.receiver.id != ctx.me || !call.status.is_unanswered() {
            return;
        }
        let id = call.id;
        ctx.events.incoming.set(Some(call));
        spawn_local(async move {
            // 409: the call moved on meanwhile; its status event follows.
            let _ = api::calls::ringing(id).await;
        });
    }

    /// After a (re)connect: what rings or changed while the socket was down.
    fn resync(ctx: Ctx) {
        spawn_local(async move {
            if let Ok(settings) = api::people::privacy().await {
                if ctx.current() {
                    ctx.events.privacy.set(Some(settings));
                }
            }
        });
        spawn_local(async move {
            let Ok(active) = api::calls::active().await else {
                return;
            };
            if !ctx.current() {
                return;
            }
            let events = ctx.events;
            // Calls this tab knew as live but that are not any more: fetch how they ended.
            let known: Vec<_> = [
                events.incoming.get_untracked(),
                events.last_call_update.get_untracked(),
            ]
            .into_iter()
            .flatten()
            .filter(|c| c.status.is_live() && !active.iter().any(|a| a.id == c.id))
            .map(|c| c.id)
            .collect();
            for call in active {
                if call.receiver.id == ctx.me
                    && call.status.is_unanswered()
                    && events.incoming.with_untracked(Option::is_none)
                {
                    ring(ctx, call.clone());
                }
                events.apply_update(call);
            }
            for id in known {
                if let Ok(call) = api::calls::get(id).await {
                    if ctx.current() {
                        events.apply_update(call);
                    }
                }
            }
        });
    }
}
