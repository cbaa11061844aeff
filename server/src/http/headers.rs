//! Security headers. Every response: nosniff, a referrer policy, camera and microphone for our
//! own origin only, no framing (the incoming call's Accept button must not be clickjacked), and
//! HSTS when configured. Every page: a Content-Security-Policy whose script nonce is minted per
//! response by Leptos (`leptos::nonce`), which puts it on the hydration scripts it renders.

use axum::{
    http::{header, request::Parts, HeaderName, HeaderValue},
    Router,
};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;

/// Powerful features for this origin only; nothing else may use them, not even in a frame.
const PERMISSIONS_POLICY: &str =
    "camera=(self), microphone=(self), display-capture=(self), geolocation=()";

static PERMISSIONS_POLICY_HEADER: HeaderName = HeaderName::from_static("permissions-policy");

/// Adds the headers every response carries.
pub fn for_every_response<S>(router: Router<S>, config: &Config) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // Full URLs (call ids) stay on our origin; other sites see the origin at most.
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (PERMISSIONS_POLICY_HEADER.clone(), PERMISSIONS_POLICY),
        // For browsers without CSP `frame-ancestors`.
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    let mut router = fixed.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ))
    });
    if config.hsts_max_age > 0 {
        let value = format!("max-age={}", config.hsts_max_age);
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_str(&value).expect("digits and ASCII"),
        ));
    }
    router
}

/// The Content-Security-Policy of the pages, but for the per-response parts (nonce, host).
#[derive(Clone)]
pub struct PagePolicy {
    /// `cargo leptos watch`'s live-reload socket, when it runs (`LEPTOS_WATCH`, as Leptos's
    /// `AutoReload` decides): `ws://*:3001` and its wss form.
    live_reload: Option<String>,
}

impl PagePolicy {
    pub fn new(options: &leptos::config::LeptosOptions) -> Self {
        let live_reload = std::env::var_os("LEPTOS_WATCH").map(|_| {
            let port = options.reload_external_port.unwrap_or(options.reload_port);
            format!("ws://*:{port} wss://*:{port}")
        });
        Self { live_reload }
    }

    /// The policy for a page with script `nonce`, served as `host` (the Host header).
    fn render(&self, nonce: &str, host: Option<&str>) -> String {
        // The sockets (`/ws/...`) go to the page's own host; CSP3 counts them as 'self', older
        // browsers need them spelled out. A Host we would not dare write into the header is
        // left out: the page then relies on 'self'.
        let sockets = host
            .filter(|host| is_plain_host(host))
            .map(|host| format!(" ws://{host} wss://{host}"))
            .unwrap_or_default();
        let live_reload = self
            .live_reload
            .as_ref()
            .map(|sources| format!(" {sources}"))
            .unwrap_or_default();
        [
            "default-src 'self'".to_owned(),
            // The hydration script is inline (nonce); it loads our JS module and instantiates
            // the WebAssembly, which needs 'wasm-unsafe-eval' (not 'unsafe-eval').
            format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
            // Stylesheets only: the app sets no style attributes and has no inline <style>.
            "style-src 'self'".to_owned(),
            // `data:` for the empty favicon; blob: for local previews.
            "img-src 'self' data: blob:".to_owned(),
            "media-src 'self' blob:".to_owned(),
            format!("connect-src 'self'{sockets}{live_reload}"),
            "object-src 'none'".to_owned(),
            "base-uri 'none'".to_owned(),
            "form-action 'self'".to_owned(),
            "frame-ancestors 'none'".to_owned(),
        ]
        .join("; ")
    }

    /// Run in the Leptos context of every rendered page (`leptos_routes_with_context`): sets the
    /// policy with the nonce Leptos put on this page's scripts. Static files have no nonce and
    /// get no policy.
    pub fn apply(&self) {
        let (Some(nonce), Some(response)) =
            (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
        else {
            return;
        };
        let parts = use_context::<Parts>();
        let host = parts
            .as_ref()
            .and_then(|parts| parts.headers.get(header::HOST))
            .and_then(|value| value.to_str().ok());
        if let Ok(value) = HeaderValue::from_str(&self.render(&nonce, host)) {
            response.insert_header(header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// `example.com`, `127.0.0.1:3000`, `[::1]:3000`: nothing that could end a CSP source or
/// directive.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_nonce_and_the_page_host_only() {
        let policy = PagePolicy { live_reload: None };
        let csp = policy.render("abc123", Some("callhub.example.com"));
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(
            csp.contains("connect-src 'self' ws://callhub.example.com wss://callhub.example.com;")
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("3001"));
        // A Host that tries to add a source or a directive is left out.
        let csp = policy.render("n", Some("evil.example; script-src *"));
        assert!(csp.contains("connect-src 'self';") && !csp.contains("evil"));
    }

    #[test]
    fn the_live_reload_socket_is_allowed_when_watching() {
        let policy = PagePolicy {
            live_reload: Some("ws://*:3001 wss://*:3001".into()),
        };
        let csp = policy.render("n", Some("127.0.0.1:3000"));
        assert!(csp.contains(
            "connect-src 'self' ws://127.0.0.1:3000 wss://127.0.0.1:3000 ws://*:3001 wss://*:3001;"
        ));
    }
}
