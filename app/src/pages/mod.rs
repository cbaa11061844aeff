//! Pages, one component each.

use leptos::prelude::*;

/// Landing page. Its counter only works once the WASM bundle has hydrated the server-rendered
/// HTML, which is what the end-to-end smoke test relies on.
#[component]
pub fn Home() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects never run during server rendering, so this flips only in the browser.
    Effect::new(move |_| hydrated.set(true));
    let clicks = RwSignal::new(0u32);

    view! {
        <section class="hero">
            <h1>"Callhub"</h1>
            <p>"Audio and video calls with your contacts, right in the browser."</p>
            <p class="status" data-testid="hydration">
                {move || if hydrated.get() { "ready" } else { "loading" }}
            </p>
            <button data-testid="counter" on:click=move |_| clicks.update(|n| *n += 1)>
                "Clicked " {clicks} " times"
            </button>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Page not found"</h1>
            <a href="/">"Back to the start page"</a>
        </section>
    }
}
