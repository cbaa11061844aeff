//! The in-call chat panel's state, as plain Rust that `cargo test` runs: the lines of this call
//! (kept in the page only, at most [`MAX_CHAT_LINES`]) and the unread count on the panel's
//! button. The messages themselves cross the call's data channel, browser to browser
//! (`ChannelMsg::Chat`, at most `MAX_CHAT_CHARS` each): the server never sees them.

use std::collections::VecDeque;

use crate::i18n::{t, t_with};

/// Lines kept in the panel; older ones scroll away for good (nothing is stored).
pub const MAX_CHAT_LINES: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Sent from this side.
    pub mine: bool,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chat {
    pub lines: VecDeque<Line>,
    /// Messages from the other side that came while the panel was closed.
    pub unread: u32,
    pub open: bool,
}

impl Chat {
    pub fn add(&mut self, line: Line) {
        if !line.mine && !self.open {
            self.unread += 1;
        }
        self.lines.push_back(line);
        while self.lines.len() > MAX_CHAT_LINES {
            self.lines.pop_front();
        }
    }

    /// Opening the panel reads everything.
    pub fn set_open(&mut self, open: bool) {
        self.open = open;
        if open {
            self.unread = 0;
        }
    }

    /// The panel button's accessible name: "Chat, 2 unread".
    pub fn button_label(&self) -> String {
        match self.unread {
            0 => t("chat"),
            n => t_with("chat-unread", &[("count", n.into())]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(mine: bool, text: &str) -> Line {
        Line {
            mine,
            text: text.into(),
        }
    }

    #[test]
    fn unread_counts_the_other_sides_messages_while_closed() {
        let mut chat = Chat::default();
        chat.add(line(false, "hello"));
        chat.add(line(true, "mine do not count"));
        chat.add(line(false, "there?"));
        assert_eq!(chat.unread, 2);
        assert_eq!(chat.button_label(), "Chat, 2 unread");
        chat.set_open(true);
        assert_eq!(chat.unread, 0);
        chat.add(line(false, "read at once"));
        assert_eq!(chat.unread, 0, "the panel is open");
        assert_eq!(chat.button_label(), "Chat");
        chat.set_open(false);
        chat.add(line(false, "later"));
        assert_eq!(chat.unread, 1);
    }

    #[test]
    fn the_panel_keeps_the_latest_lines() {
        let mut chat = Chat::default();
        for i in 0..MAX_CHAT_LINES + 5 {
            chat.add(line(true, &i.to_string()));
        }
        assert_eq!(chat.lines.len(), MAX_CHAT_LINES);
        assert_eq!(chat.lines.front().unwrap().text, "5");
    }
}
