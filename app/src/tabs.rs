//! The tabs of one browser agree. They share the tokens in localStorage, and refresh tokens are
//! single use (reusing a rotated one revokes the whole sign-in), so two tabs refreshing at once
//! would sign each other out: a refresh runs under one Web Lock for the whole browser, and a
//! tab that waited behind another's refresh uses its result ([`refresh_step`]). What one tab
//! changes that the server does not push to the others (the missed badge cleared, signing out)
//! goes to them over a BroadcastChannel ([`TabMsg`]).
//!
//! [`TabMsg`]: crate::protocol::TabMsg

/// The Web Lock every tab's token refresh takes.
pub const REFRESH_LOCK: &str = "callhub-token-refresh";

/// What a tab does once it holds the refresh lock, after a request sent with `sent_access`
/// was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshStep {
    /// Another tab rotated the tokens while this one waited: retry with the stored access token.
    UseStored,
    /// Rotate this refresh token: no other tab can send it now.
    Rotate(String),
    /// No refresh token left (signed out here or in another tab).
    SignedOut,
}

/// Decides with the tokens as stored now, read under the lock.
pub fn refresh_step(
    sent_access: Option<&str>,
    stored_access: Option<&str>,
    stored_refresh: Option<&str>,
) -> RefreshStep {
    match (stored_access, stored_refresh) {
        (_, None) => RefreshStep::SignedOut,
        (Some(stored), Some(_)) if Some(stored) != sent_access => RefreshStep::UseStored,
        (_, Some(refresh)) => RefreshStep::Rotate(refresh.to_owned()),
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{announce, exclusive, listen};

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;

    use wasm_bindgen::{closure::Closure, prelude::wasm_bindgen, JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{BroadcastChannel, MessageEvent};

    use crate::protocol::{TabMsg, TAB_CHANNEL};

    // web-sys has the Web Locks API only behind `web_sys_unstable_apis`; the one call we need.
    #[wasm_bindgen]
    extern "C" {
        type LockManager;
        #[wasm_bindgen(method)]
        fn request(this: &LockManager, name: &str, callback: &js_sys::Function) -> js_sys::Promise;
    }

    fn lock_manager() -> Option<LockManager> {
        let navigator = web_sys::window()?.navigator();
        let locks = js_sys::Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
        (!locks.is_undefined()).then(|| locks.unchecked_into())
    }

    type Work<T> = Pin<Box<dyn Future<Output = T>>>;

    /// Runs `work` while holding the browser-wide Web Lock `name` (other tabs wait for it); without
    /// Web Locks (older browsers, insecure origins) it runs at once.
    pub async fn exclusive<T: 'static>(name: &str, work: impl Future<Output = T> + 'static) -> T {
        let work: Rc<RefCell<Option<Work<T>>>> = Rc::new(RefCell::new(Some(Box::pin(work))));
        let out: Rc<RefCell<Option<T>>> = Rc::new(RefCell::new(None));
        if let Some(locks) = lock_manager() {
            let (held, slot) = (work.clone(), out.clone());
            // The lock is held until the promise this returns settles.
            let granted: Closure<dyn FnMut(JsValue) -> js_sys::Promise> =
                Closure::once(move |_lock: JsValue| -> js_sys::Promise {
                    let job = held.borrow_mut().take();
                    wasm_bindgen_futures::future_to_promise(async move {
                        if let Some(job) = job {
                            *slot.borrow_mut() = Some(job.await);
                        }
                        Ok(JsValue::UNDEFINED)
                    })
                });
            let _ = JsFuture::from(locks.request(name, granted.as_ref().unchecked_ref())).await;
        }
        if let Some(result) = out.borrow_mut().take() {
            return result;
        }
        // No lock manager, or the request failed before granting: run unlocked.
        let job = work.borrow_mut().take();
        match job {
            Some(job) => job.await,
            None => unreachable!("the lock ran the work and stored its result"),
        }
    }

    /// This tab's end of the channel, and its listener.
    type Joined = (BroadcastChannel, Closure<dyn FnMut(MessageEvent)>);

    thread_local! {
        static CHANNEL: RefCell<Option<Joined>> = const { RefCell::new(None) };
    }

    /// Joins the channel; `on_message` hears what the other tabs announce (never this tab's own).
    pub fn listen(on_message: impl Fn(TabMsg) + 'static) {
        let Ok(channel) = BroadcastChannel::new(TAB_CHANNEL) else {
            return;
        };
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(message) = event
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str(&text).ok())
            {
                on_message(message);
            }
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        CHANNEL.with(|c| *c.borrow_mut() = Some((channel, listener)));
    }

    /// Tells every other tab of this browser.
    pub fn announce(message: &TabMsg) {
        let Ok(text) = serde_json::to_string(message) else {
            return;
        };
        CHANNEL.with(|c| {
            if let Some((channel, _)) = c.borrow().as_ref() {
                let _ = channel.post_message(&JsValue::from_str(&text));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_tab_rotates_the_ones_behind_it_use_its_tokens() {
        // Both tabs sent a1 and were refused; the first to hold the lock rotates r1.
        assert_eq!(
            refresh_step(Some("a1"), Some("a1"), Some("r1")),
            RefreshStep::Rotate("r1".into())
        );
        // The second finds a2 stored: it must not send r1 again (that would revoke the sign-in).
        assert_eq!(
            refresh_step(Some("a1"), Some("a2"), Some("r2")),
            RefreshStep::UseStored
        );
    }

    #[test]
    fn a_request_sent_without_a_token_uses_one_stored_since() {
        assert_eq!(
            refresh_step(None, Some("a2"), Some("r2")),
            RefreshStep::UseStored
        );
        assert_eq!(
            refresh_step(None, None, Some("r2")),
            RefreshStep::Rotate("r2".into())
        );
    }

    #[test]
    fn without_a_refresh_token_the_session_is_over() {
        assert_eq!(refresh_step(Some("a1"), None, None), RefreshStep::SignedOut);
        assert_eq!(
            refresh_step(Some("a1"), Some("a2"), None),
            RefreshStep::SignedOut
        );
    }
}
