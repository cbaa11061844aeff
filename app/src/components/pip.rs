//! Picture-in-picture for the remote video (issue 19): a button, shown only where the browser
//! allows it (`document.pictureInPictureEnabled`), that floats the other person's video above
//! other windows and brings it back. Whether and how the button shows is [`button_label`]
//! (unit-tested); the browser calls are `requestPictureInPicture` / `exitPictureInPicture`.

use leptos::prelude::*;

/// The button's text (its catalogue key): None (no button) where picture-in-picture is not
/// enabled, else what a click does.
pub fn button_label(enabled: bool, active: bool) -> Option<&'static str> {
    match (enabled, active) {
        (false, _) => None,
        (true, false) => Some("pip-open"),
        (true, true) => Some("pip-close"),
    }
}

/// The button for the call's remote `video`.
#[component]
pub fn PipButton(video: NodeRef<leptos::html::Video>) -> impl IntoView {
    let enabled = RwSignal::new(false);
    let active = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(element) = video.get() {
            enabled.set(browser::enabled());
            browser::follow(&element, active);
        }
    });
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        browser::toggle(video, active);
    };
    #[cfg(not(feature = "hydrate"))]
    let _ = video;
    move || {
        button_label(enabled.get(), active.get()).map(|key| {
            view! {
                <button
                    class="call-btn"
                    data-testid="pip-button"
                    aria-pressed=move || active.get().to_string()
                    on:click=toggle
                >
                    {crate::i18n::t(key)}
                </button>
            }
        })
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn document() -> Option<web_sys::Document> {
        web_sys::window()?.document()
    }

    /// `document.pictureInPictureEnabled` (false where the browser has no such thing).
    pub fn enabled() -> bool {
        document()
            .and_then(|d| {
                js_sys::Reflect::get(&d, &JsValue::from_str("pictureInPictureEnabled")).ok()
            })
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// Keeps `active` in step with the element's picture-in-picture window, however it opens
    /// or closes (the browser's own close button too).
    pub fn follow(element: &web_sys::HtmlVideoElement, active: RwSignal<bool>) {
        for (event, on) in [
            ("enterpictureinpicture", true),
            ("leavepictureinpicture", false),
        ] {
            let handler = Closure::<dyn FnMut()>::new(move || {
                let _ = active.try_set(on);
            });
            let _ =
                element.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
            // Lives as long as the element (the call page).
            handler.forget();
        }
    }

    /// Opens the window for `video`, or closes it.
    pub fn toggle(video: NodeRef<leptos::html::Video>, active: RwSignal<bool>) {
        let Some(element) = video.get_untracked() else {
            return;
        };
        let (target, method): (JsValue, &str) = if active.get_untracked() {
            match document() {
                Some(document) => (document.into(), "exitPictureInPicture"),
                None => return,
            }
        } else {
            (element.into(), "requestPictureInPicture")
        };
        leptos::task::spawn_local(async move {
            let call = js_sys::Reflect::get(&target, &JsValue::from_str(method))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .and_then(|f| f.call0(&target).ok());
            if let Some(promise) = call {
                if let Err(error) = JsFuture::from(js_sys::Promise::from(promise)).await {
                    crate::rtc::log(&format!("{method}: {}", crate::rtc::error_text(&error)));
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_button_shows_only_where_the_browser_allows_it() {
        assert_eq!(button_label(false, false), None);
        assert_eq!(button_label(false, true), None);
        assert_eq!(button_label(true, false), Some("pip-open"));
        assert_eq!(button_label(true, true), Some("pip-close"));
    }
}
