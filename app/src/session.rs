//! Who is signed in. Tokens live in the browser's localStorage (survive reloads, shared by the
//! user's tabs); the signed-in user is a reactive context every page reads.

use leptos::prelude::*;

use crate::protocol::{TokenPair, User};
use crate::storage::{storage_get, storage_set};

const ACCESS_KEY: &str = "callhub.access";
const REFRESH_KEY: &str = "callhub.refresh";

/// The session context, provided once by [`crate::App`].
#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in user, or `None`.
    pub user: RwSignal<Option<User>>,
    /// False until the browser has checked the stored tokens (SSR and first paint know nothing).
    pub checked: RwSignal<bool>,
}

impl Session {
    pub fn signed_in(&self) -> bool {
        self.user.with(Option::is_some)
    }
}

pub fn provide_session() -> Session {
    let session = Session {
        user: RwSignal::new(None),
        checked: RwSignal::new(false),
    };
    provide_context(session);
    session
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The stored access token (browser only; `None` on the server).
pub fn access_token() -> Option<String> {
    storage_get(ACCESS_KEY)
}

pub fn refresh_token() -> Option<String> {
    storage_get(REFRESH_KEY)
}

pub fn store_tokens(tokens: &TokenPair) {
    storage_set(ACCESS_KEY, Some(&tokens.access));
    storage_set(REFRESH_KEY, Some(&tokens.refresh));
}

pub fn clear_tokens() {
    storage_set(ACCESS_KEY, None);
    storage_set(REFRESH_KEY, None);
}
