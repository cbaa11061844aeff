//! Keeping keyboard focus inside a modal (the ringing overlay): which of its focusable elements
//! Tab should land on. Plain logic; `components::a11y` performs it.

/// The element (an index into the modal's focusable elements, in document order) that Tab
/// (`backwards`: Shift+Tab) must focus instead of the browser's next one, or `None` when the
/// browser's own move stays inside. Focus outside the modal (`current` `None`) comes back in.
pub fn trapped_tab(count: usize, current: Option<usize>, backwards: bool) -> Option<usize> {
    let last = count.checked_sub(1)?;
    match (current, backwards) {
        (None, false) => Some(0),
        (None, true) => Some(last),
        (Some(i), false) if i >= last => Some(0),
        (Some(0), true) => Some(last),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::trapped_tab;

    #[test]
    fn tab_on_the_last_element_wraps_to_the_first_and_back() {
        assert_eq!(trapped_tab(3, Some(2), false), Some(0));
        assert_eq!(trapped_tab(3, Some(0), true), Some(2));
    }

    #[test]
    fn moves_inside_are_the_browsers() {
        assert_eq!(trapped_tab(3, Some(0), false), None);
        assert_eq!(trapped_tab(3, Some(1), false), None);
        assert_eq!(trapped_tab(3, Some(2), true), None);
    }

    #[test]
    fn focus_outside_comes_back_in_at_the_near_end() {
        assert_eq!(trapped_tab(3, None, false), Some(0));
        assert_eq!(trapped_tab(3, None, true), Some(2));
    }

    #[test]
    fn one_element_keeps_the_focus_and_none_leaves_it_alone() {
        assert_eq!(trapped_tab(1, Some(0), false), Some(0));
        assert_eq!(trapped_tab(1, Some(0), true), Some(0));
        assert_eq!(trapped_tab(0, None, false), None);
    }
}
