//! Languages: every text the app shows comes from a Fluent catalogue (`locales/<tag>/main.ftl`,
//! compiled into the binary with `include_str!`), looked up by key for the current [`Locale`].
//!
//! - [`text`] / [`text_with`]: a key in a given locale (plain Rust, unit-tested).
//! - [`t`] / [`t_with`]: the same in the current locale; inside a view's closure they re-run when
//!   the language is switched (the locale is a signal in the [`I18n`] context).
//! - The locale: chosen on the profile (kept per browser, [`LanguageChoice`] in localStorage), else
//!   the first of the browser's `navigator.languages` we have ([`negotiate`]), else English. The
//!   language shown is also kept in a cookie ([`LANGUAGE_COOKIE`]) that the server renders in and
//!   the browser hydrates in, so both agree; on a first visit (no cookie) the server renders
//!   English and the browser switches right after hydration.
//! - Dates, times and durations per locale: [`format`].
//!
//! A missing key falls back to English, then to the key itself; `tests` fail when a catalogue
//! lacks a key English has, or when code asks for a key English lacks.

pub mod format;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use leptos::prelude::*;

use crate::storage::{storage_get, storage_set};

/// A language the app has a complete catalogue for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    #[default]
    En,
    De,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::De, Locale::Fr];

    /// The BCP 47 primary language subtag: the stored value, `<html lang>` and the catalogue's
    /// directory under `locales/`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
        }
    }

    /// The language's own name, shown as such in every language (a German reader looks for
    /// "Deutsch", not "German").
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
            Locale::Fr => "Français",
        }
    }

    /// A browser language tag (`de-DE`, `fr`, `en-US`, any case) to the locale of its primary
    /// subtag, if we have it.
    pub fn from_language_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// The catalogue key of its name (the same native name in every catalogue).
    pub fn name_key(self) -> &'static str {
        match self {
            Locale::En => "language-name-en",
            Locale::De => "language-name-de",
            Locale::Fr => "language-name-fr",
        }
    }

    fn catalogue(self) -> &'static str {
        match self {
            Locale::En => include_str!("../../locales/en/main.ftl"),
            Locale::De => include_str!("../../locales/de/main.ftl"),
            Locale::Fr => include_str!("../../locales/fr/main.ftl"),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The first of the browser's preferred languages (`navigator.languages`, best first) that we
/// have a catalogue for; English when none is.
pub fn negotiate<S: AsRef<str>>(languages: &[S]) -> Locale {
    languages
        .iter()
        .find_map(|tag| Locale::from_language_tag(tag.as_ref()))
        .unwrap_or_default()
}

/// What the user picked on the profile: follow the browser, or one language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LanguageChoice {
    #[default]
    Browser,
    Fixed(Locale),
}

impl LanguageChoice {
    pub fn all() -> Vec<LanguageChoice> {
        std::iter::once(LanguageChoice::Browser)
            .chain(Locale::ALL.map(LanguageChoice::Fixed))
            .collect()
    }

    /// A stored value (a locale's tag); anything else follows the browser.
    pub fn parse(stored: Option<&str>) -> Self {
        Locale::ALL
            .into_iter()
            .find(|l| Some(l.tag()) == stored)
            .map_or(LanguageChoice::Browser, LanguageChoice::Fixed)
    }

    /// The stored value and the form value / test id suffix.
    pub fn key(self) -> &'static str {
        match self {
            LanguageChoice::Browser => "browser",
            LanguageChoice::Fixed(locale) => locale.tag(),
        }
    }

    /// The locale this choice gives with the browser's `languages`.
    pub fn resolve<S: AsRef<str>>(self, languages: &[S]) -> Locale {
        match self {
            LanguageChoice::Browser => negotiate(languages),
            LanguageChoice::Fixed(locale) => locale,
        }
    }
}

const LANGUAGE_KEY: &str = "callhub.language";

/// The choice stored on this browser.
pub fn stored_choice() -> LanguageChoice {
    LanguageChoice::parse(storage_get(LANGUAGE_KEY).as_deref())
}

fn store_choice(choice: LanguageChoice) {
    storage_set(
        LANGUAGE_KEY,
        match choice {
            LanguageChoice::Browser => None,
            LanguageChoice::Fixed(locale) => Some(locale.tag()),
        },
    );
}

static BUNDLES: LazyLock<Vec<FluentBundle<FluentResource>>> =
    LazyLock::new(|| Locale::ALL.iter().map(|&l| bundle(l)).collect());

fn bundle(locale: Locale) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = locale.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around placeables: every language here is left-to-right, and
    // the marks would sit invisibly inside names and numbers that tests and screen readers read.
    bundle.set_use_isolating(false);
    // A catalogue with a syntax error keeps the messages that parsed; `tests` reject any error.
    let resource = FluentResource::try_new(locale.catalogue().to_owned())
        .unwrap_or_else(|(partial, _errors)| partial);
    // Keys are unique per catalogue (tested), so adding cannot clash.
    let _ = bundle.add_resource(resource);
    bundle
}

/// Arguments of a message: `("name", value)` pairs.
pub type Args<'a> = [(&'a str, FluentValue<'a>)];

fn lookup(locale: Locale, key: &str, args: Option<&FluentArgs>) -> Option<String> {
    let bundle = &BUNDLES[locale.index()];
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned(),
    )
}

/// `key` in `locale` with `args`; English when that catalogue lacks it, the key itself when
/// English does too (a missing key is visible, never a blank).
pub fn text_with(locale: Locale, key: &str, args: &Args) -> String {
    let fluent: FluentArgs = args.iter().cloned().collect();
    let fluent = (!args.is_empty()).then_some(&fluent);
    lookup(locale, key, fluent)
        .or_else(|| lookup(Locale::En, key, fluent))
        .unwrap_or_else(|| key.to_owned())
}

/// `key` in `locale`.
pub fn text(locale: Locale, key: &str) -> String {
    text_with(locale, key, &[])
}

/// The locale of this page, for code outside a reactive owner (event handlers, tasks, the API
/// client). The browser has one page per wasm instance: a global mirrors the signal.
static CURRENT: AtomicU8 = AtomicU8::new(0);

fn set_current(locale: Locale) {
    CURRENT.store(locale as u8, Ordering::Relaxed);
}

fn current_global() -> Locale {
    Locale::ALL
        .get(usize::from(CURRENT.load(Ordering::Relaxed)))
        .copied()
        .unwrap_or_default()
}

/// The language context, provided once by [`crate::App`].
#[derive(Clone, Copy)]
pub struct I18n {
    pub locale: RwSignal<Locale>,
    /// What the profile shows as chosen (`None` until the browser has read it).
    pub choice: RwSignal<Option<LanguageChoice>>,
}

/// The cookie that tells the server which language the browser shows (its tag).
pub const LANGUAGE_COOKIE: &str = "callhub_lang";

/// The language a `Cookie` header names, if one we have.
pub fn locale_from_cookies(header: &str) -> Option<Locale> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == LANGUAGE_COOKIE)
            .then(|| Locale::ALL.into_iter().find(|l| l.tag() == value))
            .flatten()
    })
}

/// The language the page is rendered in (server) and hydrated in (browser): the cookie's, else
/// English. Both read the same cookie, so the hydration matches what the server sent.
pub fn rendered_locale() -> Locale {
    #[cfg(feature = "ssr")]
    let cookies = use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get(http::header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    #[cfg(feature = "hydrate")]
    let cookies = {
        use wasm_bindgen::JsCast;
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            .and_then(|d| d.cookie().ok())
    };
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let cookies: Option<String> = None;
    cookies
        .as_deref()
        .and_then(locale_from_cookies)
        .unwrap_or_default()
}

/// Provides the context in the language the page is rendered in ([`rendered_locale`]); the
/// browser then applies its choice in [`I18n::follow_browser`].
pub fn provide_i18n() -> I18n {
    let rendered = rendered_locale();
    #[cfg(feature = "hydrate")]
    set_current(rendered);
    let i18n = I18n {
        locale: RwSignal::new(rendered),
        choice: RwSignal::new(None),
    };
    provide_context(i18n);
    i18n
}

impl I18n {
    /// Shows `locale` now: every `t` in a view re-runs, `<html lang>` follows, and the cookie
    /// tells the server for the next page it renders.
    fn show(self, locale: Locale) {
        set_current(locale);
        self.locale.set(locale);
        set_document_language(locale);
    }

    /// Once hydrated: the stored choice or the browser's languages.
    pub fn follow_browser(self) {
        let choice = stored_choice();
        self.choice.set(Some(choice));
        self.show(choice.resolve(&browser_languages()));
    }

    /// The profile's switch: remembered on this browser and shown at once.
    pub fn choose(self, choice: LanguageChoice) {
        store_choice(choice);
        self.choice.set(Some(choice));
        self.show(choice.resolve(&browser_languages()));
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// The current locale: tracked inside a reactive closure, the page's global elsewhere.
pub fn locale() -> Locale {
    match use_context::<I18n>() {
        Some(i18n) => i18n.locale.get(),
        None => current_global(),
    }
}

/// `key` in the current locale (see [`locale`]).
pub fn t(key: &str) -> String {
    text(locale(), key)
}

/// `key` with `args` in the current locale.
pub fn t_with(key: &str, args: &Args) -> String {
    text_with(locale(), key, args)
}

/// `navigator.languages`, best first (empty on the server).
fn browser_languages() -> Vec<String> {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .map(|w| {
                w.navigator()
                    .languages()
                    .iter()
                    .filter_map(|v| v.as_string())
                    .collect()
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

/// `<html lang>` and the language cookie (a year, this site only, sent on same-site requests).
fn set_document_language(locale: Locale) {
    #[cfg(feature = "hydrate")]
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        use wasm_bindgen::JsCast;
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("lang", locale.tag());
        }
        if let Ok(html) = document.dyn_into::<web_sys::HtmlDocument>() {
            let _ = html.set_cookie(&language_cookie(locale));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = locale;
}

/// The `document.cookie` assignment for `locale`.
pub fn language_cookie(locale: Locale) -> String {
    format!(
        "{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        locale.tag()
    )
}

#[cfg(test)]
mod tests;
