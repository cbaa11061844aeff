use std::collections::BTreeSet;
use std::path::Path;

use fluent_syntax::ast::Entry;

use super::*;
use crate::protocol::ErrorCode;

/// The message ids of a catalogue; panics on any syntax error or duplicate.
fn keys(locale: Locale) -> BTreeSet<String> {
    let resource = fluent_syntax::parser::parse(locale.catalogue())
        .unwrap_or_else(|(_, errors)| panic!("{}: syntax errors {errors:?}", locale.tag()));
    let mut keys = BTreeSet::new();
    for entry in resource.body {
        match entry {
            Entry::Message(message) => {
                let id = message.id.name.to_owned();
                assert!(
                    message.value.is_some(),
                    "{}: {id} has no value",
                    locale.tag()
                );
                assert!(keys.insert(id.clone()), "{}: {id} twice", locale.tag());
            }
            Entry::Junk { content } => panic!("{}: junk {content:?}", locale.tag()),
            _ => {}
        }
    }
    keys
}

#[test]
fn every_catalogue_has_exactly_the_keys_of_english() {
    let english = keys(Locale::En);
    assert!(
        english.len() > 100,
        "English has only {} keys",
        english.len()
    );
    for locale in Locale::ALL {
        let other = keys(locale);
        let missing: Vec<_> = english.difference(&other).collect();
        let extra: Vec<_> = other.difference(&english).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: missing {missing:?}, not in English {extra:?}",
            locale.tag()
        );
    }
}

/// Every `t("key"`, `t_with("key"` and `text(…, "key"` in the app's source names a key English
/// has. Keys built at run time (error codes, end reasons…) are checked by their own tests.
#[test]
fn every_key_the_code_asks_for_exists() {
    let english = keys(Locale::En);
    let mut used = Vec::new();
    collect_keys(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut used,
    );
    assert!(
        used.len() > 100,
        "found only {} keys in the source",
        used.len()
    );
    let unknown: Vec<_> = used.iter().filter(|(_, k)| !english.contains(k)).collect();
    assert!(unknown.is_empty(), "keys not in locales/en: {unknown:?}");
}

fn collect_keys(dir: &Path, used: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_keys(&path, used);
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n/tests.rs") {
            let source = std::fs::read_to_string(&path).unwrap_or_default();
            for key in keys_in(&source) {
                used.push((path.display().to_string(), key));
            }
        }
    }
}

/// The string literal after each `t("`, `t_with("`, and `tr("` (not part of a longer name).
fn keys_in(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for call in ["t(\"", "t_with(\"", "tr(\"", "_key=\""] {
        let mut rest = source;
        while let Some(at) = rest.find(call) {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + call.len()..];
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                let key: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                    .collect();
                if after[key.len()..].starts_with('"') && !key.is_empty() {
                    keys.push(key);
                }
            }
            rest = after;
        }
    }
    keys
}

#[test]
fn the_key_scanner_finds_calls_and_skips_longer_names() {
    let source = r#"t("a-b") + t_with("c", &[]) + tr("e") + split("x") + alt("y")"#;
    assert_eq!(keys_in(source), ["a-b", "c", "e"]);
}

#[test]
fn every_error_code_and_generic_failure_has_a_text() {
    let english = keys(Locale::En);
    for code in ErrorCode::ALL {
        let key = code.message_key();
        assert!(english.contains(key), "{key} missing for {code:?}");
    }
}

#[test]
fn a_missing_key_falls_back_to_the_key_itself() {
    assert_eq!(text(Locale::De, "no-such-key"), "no-such-key");
}

#[test]
fn arguments_are_filled_in_without_isolation_marks() {
    let text = text_with(Locale::En, "ago-minutes", &[("count", 5.into())]);
    assert_eq!(text, "5 min ago");
    let de = text_with(Locale::De, "notice-calling", &[("name", "Ana".into())]);
    assert!(de.contains("Ana") && !de.contains('\u{2068}'), "{de}");
}

#[test]
fn browser_languages_pick_the_first_we_have() {
    assert_eq!(negotiate(&["de-DE", "en-US"]), Locale::De);
    assert_eq!(negotiate(&["ja", "FR-ca", "de"]), Locale::Fr);
    assert_eq!(negotiate(&["en-GB", "de"]), Locale::En);
    assert_eq!(negotiate(&["ja", "zh-Hant"]), Locale::En);
    assert_eq!(negotiate::<&str>(&[]), Locale::En);
    assert_eq!(Locale::from_language_tag("de_AT"), Some(Locale::De));
}

#[test]
fn a_stored_choice_reads_back_and_anything_else_follows_the_browser() {
    for choice in LanguageChoice::all() {
        let stored = match choice {
            LanguageChoice::Browser => None,
            LanguageChoice::Fixed(l) => Some(l.tag()),
        };
        assert_eq!(LanguageChoice::parse(stored), choice);
    }
    assert_eq!(LanguageChoice::parse(Some("DE")), LanguageChoice::Browser);
    assert_eq!(LanguageChoice::parse(Some("xx")), LanguageChoice::Browser);
    let german = ["de-DE"];
    assert_eq!(LanguageChoice::Browser.resolve(&german), Locale::De);
    assert_eq!(
        LanguageChoice::Fixed(Locale::Fr).resolve(&german),
        Locale::Fr
    );
}

#[test]
fn the_language_cookie_reads_back_and_anything_else_is_none() {
    for locale in Locale::ALL {
        let cookie = language_cookie(locale);
        let pair = cookie.split(';').next().unwrap_or_default();
        assert_eq!(locale_from_cookies(pair), Some(locale), "{cookie}");
        let header = format!("callhub.x=1; {pair}; other=2");
        assert_eq!(locale_from_cookies(&header), Some(locale));
    }
    assert_eq!(locale_from_cookies("callhub_lang=xx"), None);
    assert_eq!(locale_from_cookies("other_callhub_lang=de"), None);
    assert_eq!(locale_from_cookies(""), None);
}
