//! The call page's keyboard shortcuts, as plain Rust that `cargo test` runs: M mutes, V turns
//! the camera off or on, S shares the screen or stops, ? shows the list. Keys typed into a
//! field (the chat) or pressed with Ctrl, Alt or Meta (the browser's own shortcuts) are not
//! shortcuts.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    ToggleMute,
    ToggleCamera,
    ToggleShare,
    Help,
}

/// One key press as the page sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyPress {
    /// `KeyboardEvent.key`.
    pub key: String,
    pub ctrl: bool,
    pub alt: bool,
    pub meta: bool,
    /// The focus is in a text field, a select or an editable element.
    pub typing: bool,
}

/// The list the help shows: key and the catalogue key of what it does.
pub const HELP: [(&str, &str); 4] = [
    ("M", "shortcut-mute"),
    ("V", "shortcut-camera"),
    ("S", "shortcut-share"),
    ("?", "shortcut-help"),
];

/// The shortcut `press` means, if any.
pub fn shortcut(press: &KeyPress) -> Option<Shortcut> {
    if press.typing || press.ctrl || press.alt || press.meta {
        return None;
    }
    match press.key.as_str() {
        "m" | "M" => Some(Shortcut::ToggleMute),
        "v" | "V" => Some(Shortcut::ToggleCamera),
        "s" | "S" => Some(Shortcut::ToggleShare),
        "?" => Some(Shortcut::Help),
        _ => None,
    }
}

/// Whether an element with this tag (upper or lower case) and `contenteditable` takes typing.
pub fn takes_typing(tag: &str, editable: bool) -> bool {
    editable
        || matches!(
            tag.to_ascii_lowercase().as_str(),
            "input" | "textarea" | "select"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: &str) -> KeyPress {
        KeyPress {
            key: key.into(),
            ..KeyPress::default()
        }
    }

    #[test]
    fn letters_either_case_and_the_question_mark() {
        assert_eq!(shortcut(&key("m")), Some(Shortcut::ToggleMute));
        assert_eq!(shortcut(&key("M")), Some(Shortcut::ToggleMute));
        assert_eq!(shortcut(&key("v")), Some(Shortcut::ToggleCamera));
        assert_eq!(shortcut(&key("s")), Some(Shortcut::ToggleShare));
        assert_eq!(shortcut(&key("?")), Some(Shortcut::Help));
        assert_eq!(shortcut(&key("x")), None);
        assert_eq!(shortcut(&key("Enter")), None);
    }

    #[test]
    fn ignored_while_typing_or_with_modifiers() {
        let typing = KeyPress {
            typing: true,
            ..key("m")
        };
        assert_eq!(shortcut(&typing), None);
        for press in [
            KeyPress {
                ctrl: true,
                ..key("s")
            },
            KeyPress {
                alt: true,
                ..key("m")
            },
            KeyPress {
                meta: true,
                ..key("v")
            },
        ] {
            assert_eq!(shortcut(&press), None, "{press:?}");
        }
        assert!(takes_typing("INPUT", false));
        assert!(takes_typing("textarea", false));
        assert!(takes_typing("div", true));
        assert!(!takes_typing("BUTTON", false));
    }
}
