//! Light or dark. The palette is CSS (`style/main.css`: every colour is a `light-dark()` pair,
//! picked by the `color-scheme` of `<html>`), so with no choice the page follows the system's
//! `prefers-color-scheme` without any script. A choice made on the profile (per browser, in
//! localStorage) puts `data-theme` on `<html>`: before first paint by [`pre_paint_script`] in
//! the shell's head (no flash of the other theme), and at once by [`apply`] when switched.

use crate::storage::{storage_get, storage_set};

const THEME_KEY: &str = "callhub.theme";

/// What the user picked on the profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Follow the system's light or dark preference (the default).
    #[default]
    System,
    Light,
    Dark,
}

/// What the page looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Appearance {
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    /// The stored value and the `data-theme` attribute (`None`: follow the system).
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            ThemeChoice::System => None,
            ThemeChoice::Light => Some("light"),
            ThemeChoice::Dark => Some("dark"),
        }
    }

    /// A stored value; anything unknown (another version, a hand edit) follows the system.
    pub fn parse(stored: Option<&str>) -> Self {
        match stored {
            Some("light") => ThemeChoice::Light,
            Some("dark") => ThemeChoice::Dark,
            _ => ThemeChoice::System,
        }
    }

    /// The catalogue key of its label.
    pub fn label_key(self) -> &'static str {
        match self {
            ThemeChoice::System => "theme-system",
            ThemeChoice::Light => "theme-light",
            ThemeChoice::Dark => "theme-dark",
        }
    }

    /// The form value and test id suffix.
    pub fn key(self) -> &'static str {
        self.attribute().unwrap_or("system")
    }
}

/// What the page shows for `choice` while the system prefers dark (`system_dark`) or not.
pub fn appearance(choice: ThemeChoice, system_dark: bool) -> Appearance {
    match choice {
        ThemeChoice::Light => Appearance::Light,
        ThemeChoice::Dark => Appearance::Dark,
        ThemeChoice::System if system_dark => Appearance::Dark,
        ThemeChoice::System => Appearance::Light,
    }
}

/// The choice stored on this browser.
pub fn stored_choice() -> ThemeChoice {
    ThemeChoice::parse(storage_get(THEME_KEY).as_deref())
}

/// Remembers `choice` on this browser and shows it now.
pub fn choose(choice: ThemeChoice) {
    storage_set(THEME_KEY, choice.attribute());
    apply(choice);
}

#[cfg(feature = "hydrate")]
fn apply(choice: ThemeChoice) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match choice.attribute() {
        Some(theme) => root.set_attribute("data-theme", theme),
        None => root.remove_attribute("data-theme"),
    };
}

#[cfg(not(feature = "hydrate"))]
fn apply(_choice: ThemeChoice) {}

/// Whether the system prefers dark now (`prefers-color-scheme`); light on the server.
pub fn system_prefers_dark() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches())
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// The inline script in the shell's head: puts the stored choice on `<html>` before the body is
/// parsed. It only copies a known value (the same two [`ThemeChoice::parse`] accepts).
pub fn pre_paint_script() -> String {
    format!(
        "try{{var t=localStorage.getItem('{THEME_KEY}');\
         if(t==='light'||t==='dark')document.documentElement.setAttribute('data-theme',t)}}catch(e){{}}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_choice_reads_back_and_anything_else_follows_the_system() {
        for choice in ThemeChoice::ALL {
            assert_eq!(ThemeChoice::parse(choice.attribute()), choice);
        }
        assert_eq!(ThemeChoice::parse(Some("Dark")), ThemeChoice::System);
        assert_eq!(ThemeChoice::parse(Some("")), ThemeChoice::System);
        assert_eq!(ThemeChoice::parse(None), ThemeChoice::System);
    }

    #[test]
    fn an_explicit_choice_wins_over_the_system_preference() {
        for system_dark in [false, true] {
            assert_eq!(
                appearance(ThemeChoice::Light, system_dark),
                Appearance::Light
            );
            assert_eq!(appearance(ThemeChoice::Dark, system_dark), Appearance::Dark);
        }
        assert_eq!(appearance(ThemeChoice::System, true), Appearance::Dark);
        assert_eq!(appearance(ThemeChoice::System, false), Appearance::Light);
    }

    #[test]
    fn following_the_system_sets_no_attribute_so_css_decides() {
        assert_eq!(ThemeChoice::System.attribute(), None);
        assert_eq!(ThemeChoice::default(), ThemeChoice::System);
    }

    #[test]
    fn the_pre_paint_script_reads_our_key_and_applies_only_known_values() {
        let script = pre_paint_script();
        assert!(script.contains("localStorage.getItem('callhub.theme')"));
        for value in ["'light'", "'dark'", "data-theme"] {
            assert!(script.contains(value), "{value} missing from {script}");
        }
        // Inline in the head: nothing HTML would read as markup.
        assert!(!script.contains('<') && !script.contains('&'));
    }
}
