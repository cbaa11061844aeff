//! The app's one client edge: every REST call as a typed function ([`calls`], [`users`],
//! [`people`], [`missed`], [`ice_servers`]), so no page spells an `/api/...` path, and the WebSocket client
//! ([`socket`]).
//!
//! REST is JSON over `fetch` (gloo-net) with the stored access token, refreshed silently once
//! when it has expired. On the server every call fails with [`ApiFailure::Unavailable`]: pages
//! only call the API from the browser.

pub mod calls;
pub mod missed;
pub mod people;
pub mod socket;
pub mod users;

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use crate::i18n::{self, Locale};
use crate::protocol::{ErrorCode, IceServers};

/// Why a request failed, with a message fit for the user (in their language).
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// No network, or the server did not answer.
    Network(String),
    /// The server answered with an error status and a DRF-shaped body.
    Status { status: u16, body: Value },
    /// The session ended (refresh token rejected): sign in again.
    SignedOut,
    /// Called outside the browser.
    Unavailable,
}

impl ApiFailure {
    /// What went wrong, in the current language ([`crate::i18n`]).
    pub fn message(&self) -> String {
        self.message_in(i18n::locale())
    }

    /// What went wrong in `locale`: the catalogue's text for the body's `code` (or the first
    /// field's), never the server's English `detail`; a translated generic text when there is no
    /// code this app knows.
    pub fn message_in(&self, locale: Locale) -> String {
        match self {
            Self::Network(_) => i18n::text(locale, "error-network"),
            Self::SignedOut => i18n::text(locale, "error-signed-out"),
            Self::Unavailable => i18n::text(locale, "error-not-here"),
            Self::Status { status, .. } => match self.code() {
                Some(code) if code != ErrorCode::Unknown => i18n::text(locale, code.message_key()),
                _ => i18n::text_with(
                    locale,
                    "error-status",
                    &[("status", i64::from(*status).into())],
                ),
            },
        }
    }

    /// The failure's code: the body's `code`, else the first code of the first field with
    /// codes, else what the status says (an answer from something other than our API).
    pub fn code(&self) -> Option<ErrorCode> {
        let Self::Status { status, body } = self else {
            return None;
        };
        let parse = |v: &Value| serde_json::from_value::<ErrorCode>(v.clone()).ok();
        if let Some(code) = body.get("code").and_then(parse) {
            return Some(code);
        }
        if let Some(code) = body
            .get("codes")
            .and_then(Value::as_object)
            .and_then(|fields| fields.values().find_map(|c| c.get(0).and_then(parse)))
        {
            return Some(code);
        }
        match status {
            401 => Some(ErrorCode::NotAuthenticated),
            404 => Some(ErrorCode::NotFound),
            413 => Some(ErrorCode::PayloadTooLarge),
            429 => Some(ErrorCode::RateLimited),
            502..=504 => Some(ErrorCode::Unavailable),
            500 => Some(ErrorCode::Internal),
            _ => None,
        }
    }

    /// The first error of field `name`, in the current language, for showing beside the field.
    pub fn field(&self, name: &str) -> Option<String> {
        self.field_in(i18n::locale(), name)
    }

    pub fn field_in(&self, locale: Locale, name: &str) -> Option<String> {
        let Self::Status { body, .. } = self else {
            return None;
        };
        // The field has messages; its code says which text (generic without one).
        body.get(name)?.as_array()?.first()?;
        let code = body
            .get("codes")
            .and_then(|codes| codes.get(name)?.get(0))
            .and_then(|code| serde_json::from_value::<ErrorCode>(code.clone()).ok())
            .unwrap_or(ErrorCode::Invalid);
        let code = if code == ErrorCode::Unknown {
            ErrorCode::Invalid
        } else {
            code
        };
        Some(i18n::text(locale, code.message_key()))
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the stored tokens are worth nothing any more: the server refused the session.
    /// A failure to answer (no network, a restart's 503, a 429) keeps them for the next try.
    pub fn ends_session(&self) -> bool {
        matches!(self, Self::SignedOut | Self::Status { status: 401, .. })
    }
}

/// STUN and TURN servers (with credentials) for a new connection.
pub async fn ice_servers() -> Result<IceServers, ApiFailure> {
    get("/api/ice-servers/").await
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
    send::<(), T>("GET", path, None).await
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiFailure> {
    send("POST", path, Some(body)).await
}

/// A POST without a body (the call actions, presence).
async fn post_empty<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
    send::<(), T>("POST", path, None).await
}

async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiFailure> {
    send("PATCH", path, Some(body)).await
}

/// A DELETE without a body (removing the profile picture; `T = ()` for a 204 answer).
async fn delete<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
    send::<(), T>("DELETE", path, None).await
}

/// A PUT whose body is a file or blob, sent with the blob's own content type (profile pictures,
/// call messages). Browser only: the body type exists only there.
#[cfg(feature = "hydrate")]
async fn put_bytes<T: DeserializeOwned>(path: &str, body: &web_sys::Blob) -> Result<T, ApiFailure> {
    use gloo_net::http::{Method, RequestBuilder};

    let content_type = body.type_();
    let response = with_refresh(|| async {
        let mut builder = RequestBuilder::new(path).method(Method::PUT);
        if !content_type.is_empty() {
            builder = builder.header("Content-Type", &content_type);
        }
        if let Some(token) = crate::session::access_token() {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        builder
            .body(body.clone())
            .map_err(|e| ApiFailure::Network(e.to_string()))?
            .send()
            .await
            .map_err(|e| ApiFailure::Network(e.to_string()))
    })
    .await?;
    decode(response).await
}

/// A GET whose answer is a file (a call's message), as a blob of its own content type.
#[cfg(feature = "hydrate")]
async fn get_blob(path: &str) -> Result<web_sys::Blob, ApiFailure> {
    let response = with_refresh(|| attempt::<()>("GET", path, None)).await?;
    if !(200..300).contains(&response.status()) {
        // An error answer is JSON: decoded into its failure.
        let failure = decode::<Value>(response).await.err();
        return Err(failure.unwrap_or(ApiFailure::Unavailable));
    }
    let unreadable = || ApiFailure::Network("unreadable answer".into());
    let content_type = response.headers().get("content-type").unwrap_or_default();
    let bytes = response.binary().await.map_err(|_| unreadable())?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(&content_type);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &bag).map_err(|_| unreadable())
}

/// Sends with `request`, and once more with new tokens when the access token was refused.
#[cfg(feature = "hydrate")]
async fn with_refresh<F, Fut>(request: F) -> Result<gloo_net::http::Response, ApiFailure>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<gloo_net::http::Response, ApiFailure>>,
{
    let sent = crate::session::access_token();
    let first = request().await?;
    if first.status() == 401 && crate::session::refresh_token().is_some() {
        refresh(sent).await?;
        request().await
    } else {
        Ok(first)
    }
}

#[cfg(feature = "hydrate")]
async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&B>,
) -> Result<T, ApiFailure> {
    let response = with_refresh(|| attempt(method, path, body)).await?;
    decode(response).await
}

#[cfg(feature = "hydrate")]
async fn attempt<B: Serialize>(
    method: &str,
    path: &str,
    body: Option<&B>,
) -> Result<gloo_net::http::Response, ApiFailure> {
    use gloo_net::http::{Method, RequestBuilder};

    let method = match method {
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "DELETE" => Method::DELETE,
        "PATCH" => Method::PATCH,
        _ => Method::GET,
    };
    let mut builder = RequestBuilder::new(path).method(method);
    if let Some(token) = crate::session::access_token() {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    }
    .map_err(|e| ApiFailure::Network(e.to_string()))?;
    request
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))
}

#[cfg(feature = "hydrate")]
async fn decode<T: DeserializeOwned>(response: gloo_net::http::Response) -> Result<T, ApiFailure> {
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    if (200..300).contains(&status) {
        // A 204 has no body: it reads as `null`, which `()` accepts.
        let text = if text.is_empty() { "null" } else { &text };
        serde_json::from_str(text).map_err(|e| ApiFailure::Network(e.to_string()))
    } else {
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Err(ApiFailure::Status { status, body })
    }
}

/// New tokens after `sent_access` was refused: one tab of this browser at a time rotates the
/// refresh token, and a tab that waited for another's rotation uses its result
/// ([`crate::tabs`]). When the server refuses the refresh token, the session is over.
#[cfg(feature = "hydrate")]
pub async fn refresh(sent_access: Option<String>) -> Result<(), ApiFailure> {
    crate::tabs::exclusive(crate::tabs::REFRESH_LOCK, rotate(sent_access)).await
}

/// How long the refresh lock is kept after storing new tokens, so the other tabs' view of
/// localStorage has them before one of them takes the lock.
#[cfg(feature = "hydrate")]
const TOKENS_SETTLE_MS: i32 = 500;

/// Runs under the refresh lock.
#[cfg(feature = "hydrate")]
async fn rotate(sent_access: Option<String>) -> Result<(), ApiFailure> {
    use crate::protocol::{RefreshRequest, TokenPair};
    use crate::session::{access_token, refresh_token};
    use crate::tabs::{refresh_step, RefreshStep};

    let refresh = match refresh_step(
        sent_access.as_deref(),
        access_token().as_deref(),
        refresh_token().as_deref(),
    ) {
        RefreshStep::UseStored => return Ok(()),
        RefreshStep::SignedOut => return Err(ApiFailure::SignedOut),
        RefreshStep::Rotate(refresh) => refresh,
    };
    let response = attempt(
        "POST",
        "/api/token/refresh/",
        Some(&RefreshRequest { refresh }),
    )
    .await?;
    match decode::<TokenPair>(response).await {
        Ok(tokens) => {
            crate::session::store_tokens(&tokens);
            // Another tab's copy of localStorage learns of this write on its own time, not
            // before the lock passes to it: one that read the old tokens would send the rotated
            // refresh token again and revoke the sign-in (seen in notify.spec under load).
            crate::rtc::sleep(TOKENS_SETTLE_MS).await;
            Ok(())
        }
        Err(ApiFailure::Status { .. }) => {
            crate::session::clear_tokens();
            Err(ApiFailure::SignedOut)
        }
        Err(other) => Err(other),
    }
}

#[cfg(not(feature = "hydrate"))]
async fn send<B: Serialize, T: DeserializeOwned>(
    _method: &str,
    _path: &str,
    _body: Option<&B>,
) -> Result<T, ApiFailure> {
    Err(ApiFailure::Unavailable)
}

#[cfg(not(feature = "hydrate"))]
pub async fn refresh(_sent_access: Option<String>) -> Result<(), ApiFailure> {
    Err(ApiFailure::Unavailable)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::ApiFailure;
    use crate::i18n::Locale;

    #[test]
    fn only_a_refused_session_ends_it() {
        let status = |status| ApiFailure::Status {
            status,
            body: json!({"detail": "x"}),
        };
        assert!(ApiFailure::SignedOut.ends_session());
        assert!(status(401).ends_session());
        for kept in [
            status(500),
            status(502),
            status(503),
            status(429),
            status(400),
        ] {
            assert!(!kept.ends_session(), "{kept:?}");
        }
        assert!(!ApiFailure::Network("down".into()).ends_session());
        assert!(!ApiFailure::Unavailable.ends_session());
    }

    #[test]
    fn a_coded_error_shows_the_catalogues_text_not_the_servers_detail() {
        let busy = ApiFailure::Status {
            status: 409,
            body: json!({"detail": "busy", "code": "busy", "call": {}}),
        };
        assert_eq!(busy.message_in(Locale::En), "They are in another call.");
        assert_eq!(
            busy.message_in(Locale::De),
            "Die Person ist in einem anderen Anruf."
        );
        let wrong = ApiFailure::Status {
            status: 401,
            body: json!({"detail": "No active account found with the given credentials",
                         "code": "invalid_credentials"}),
        };
        assert_eq!(
            wrong.message_in(Locale::Fr),
            "Nom d’utilisateur ou mot de passe incorrect."
        );
    }

    #[test]
    fn field_errors_show_their_codes_text_and_unknown_codes_a_generic_one() {
        let taken = ApiFailure::Status {
            status: 400,
            body: json!({
                "email": ["Enter a valid email address."],
                "username": ["A user with that username already exists."],
                "codes": {"email": ["invalid_email"], "username": ["username_taken"]},
            }),
        };
        assert_eq!(
            taken.field_in(Locale::En, "username").as_deref(),
            Some("That username is taken.")
        );
        assert_eq!(
            taken.field_in(Locale::De, "email").as_deref(),
            Some("Bitte eine gültige E-Mail-Adresse eingeben.")
        );
        assert_eq!(taken.field_in(Locale::En, "password"), None);
        // The first field with codes decides the summary.
        assert_eq!(taken.code(), Some(crate::protocol::ErrorCode::InvalidEmail));
        let newer = ApiFailure::Status {
            status: 400,
            body: json!({"detail": "Something new.", "code": "from_the_future"}),
        };
        assert_eq!(newer.message_in(Locale::En), "Something went wrong (400).");
        let uncoded = ApiFailure::Status {
            status: 400,
            body: json!({"username": ["Raw English."]}),
        };
        assert_eq!(
            uncoded.field_in(Locale::En, "username").as_deref(),
            Some("This value is not valid.")
        );
    }

    #[test]
    fn failures_without_a_body_code_are_told_by_status_then_generically() {
        let throttled = ApiFailure::Status {
            status: 429,
            body: serde_json::Value::Null,
        };
        assert_eq!(
            throttled.message_in(Locale::En),
            "Too many attempts. Please wait a moment and try again."
        );
        assert_eq!(
            ApiFailure::Network("x".into()).message_in(Locale::De),
            "Der Server ist nicht erreichbar. Bitte die Verbindung prüfen."
        );
    }
}
