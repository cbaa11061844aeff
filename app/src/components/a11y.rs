//! Accessibility pieces shared by the pages: one polite live region that screen readers read
//! out (call state changes, incoming calls), and keyboard focus kept inside a modal.

use leptos::prelude::*;

/// What the live region says; the latest sentence replaces the one before.
#[derive(Clone, Copy)]
pub struct Announcer(RwSignal<String>);

impl Announcer {
    pub fn say(&self, text: impl Into<String>) {
        self.0.set(text.into());
    }
}

pub fn provide_announcer() -> Announcer {
    let announcer = Announcer(RwSignal::new(String::new()));
    provide_context(announcer);
    announcer
}

pub fn use_announcer() -> Announcer {
    expect_context::<Announcer>()
}

/// The live region itself: always in the page (a region added with its text is often not read).
#[component]
pub fn LiveRegion() -> impl IntoView {
    let announcer = use_announcer();
    view! {
        <div class="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
            {move || announcer.0.get()}
        </div>
    }
}

/// The elements Tab can reach inside a modal.
#[cfg(feature = "hydrate")]
const FOCUSABLE: &str =
    "button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), \
    textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// Tab and Shift+Tab anywhere in the page while `modal` is open: keeps the focus inside it,
/// cycling (the decision is [`crate::focus::trapped_tab`]'s).
#[cfg(feature = "hydrate")]
pub fn keep_tab_inside(modal: &web_sys::Element, event: &web_sys::KeyboardEvent) {
    use wasm_bindgen::JsCast;

    // A closed modal may still be held by its node reference: it traps nothing.
    if event.key() != "Tab" || !modal.is_connected() {
        return;
    }
    let Ok(nodes) = modal.query_selector_all(FOCUSABLE) else {
        return;
    };
    let elements: Vec<web_sys::HtmlElement> = (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.dyn_into().ok())
        .collect();
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let current = active.and_then(|active| {
        elements.iter().position(|e| {
            let e: &web_sys::Element = e;
            *e == active
        })
    });
    if let Some(next) = crate::focus::trapped_tab(elements.len(), current, event.shift_key())
        .and_then(|i| elements.get(i))
    {
        event.prevent_default();
        let _ = next.focus();
    }
}

/// The element that has the focus now, to give it back when a modal closes.
#[cfg(feature = "hydrate")]
pub fn focused_element() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;

    web_sys::window()?
        .document()?
        .active_element()?
        .dyn_into()
        .ok()
}
