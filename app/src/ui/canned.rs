//! Canned replies: typing "/" in the reply box lists the team's replies in the customer's
//! language, the arrow keys move through the list, Enter or Tab puts the chosen text (the
//! names filled in) into the box and Escape closes the list. The replies are fetched once per
//! dashboard and again each time the list opens, so a supervisor's change reaches agents
//! without a reload. The key handling is a pure function, tested here without a browser.

use leptos::prelude::*;

use crate::api::canned::list_canned;
use crate::domain::canned::{matching, CannedReply};
use crate::domain::Locale;
use crate::error::ApiError;

/// The team's canned replies as last fetched, for every reply box of the dashboard.
#[derive(Clone, Copy)]
pub struct CannedList(LocalResource<Result<Vec<CannedReply>, ApiError>>);

impl CannedList {
    /// Fetches the replies and provides them to the components below the caller. A refresh
    /// that fails (the network, a busy server) keeps the replies last fetched: the list an
    /// agent is looking at never empties under their Enter, which would send the shortcut.
    pub fn provide() {
        let last = StoredValue::new(None::<Vec<CannedReply>>);
        provide_context(CannedList(LocalResource::new(move || async move {
            match list_canned().await {
                Ok(replies) => {
                    last.set_value(Some(replies.clone()));
                    Ok(replies)
                }
                Err(err) => last.get_value().ok_or(err),
            }
        })));
    }

    /// The list [`CannedList::provide`] provided.
    pub fn get() -> Self {
        expect_context()
    }

    /// The replies in `language` that `draft` asks for (see [`matching`]); none until the
    /// first fetch answers.
    pub fn matching(self, draft: &str, language: Locale) -> Vec<CannedReply> {
        self.0.with(|fetched| match fetched {
            Some(Ok(replies)) => matching(replies, draft, language)
                .into_iter()
                .cloned()
                .collect(),
            _ => Vec::new(),
        })
    }

    /// Fetches the replies again (the list is opening); what was fetched shows meanwhile.
    pub fn refresh(self) {
        self.0.refetch();
    }
}

/// What a key pressed in the reply box does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    /// Let the browser handle it (typing, a new line with Shift+Enter).
    Type,
    /// Highlight this entry of the canned list.
    Highlight(usize),
    /// Put this entry's text into the reply box.
    Insert(usize),
    /// Hide the canned list until the draft changes.
    Dismiss,
    /// Send the draft.
    Send,
}

/// Decides what `key` does, given how many canned replies are on show (`shown`, 0 when the
/// list is hidden) and the highlighted one.
pub fn on_key(key: &str, shift: bool, shown: usize, highlighted: usize) -> KeyAction {
    if shown == 0 {
        return match key {
            "Enter" if !shift => KeyAction::Send,
            _ => KeyAction::Type,
        };
    }
    let last = shown - 1;
    let current = highlighted.min(last);
    match key {
        "ArrowDown" => KeyAction::Highlight(if current == last { 0 } else { current + 1 }),
        "ArrowUp" => KeyAction::Highlight(if current == 0 { last } else { current - 1 }),
        "Enter" | "Tab" if !shift => KeyAction::Insert(current),
        "Escape" => KeyAction::Dismiss,
        _ => KeyAction::Type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_or_tab_on_a_shown_list_inserts_the_highlighted_reply_instead_of_sending() {
        assert_eq!(on_key("Enter", false, 1, 0), KeyAction::Insert(0));
        assert_eq!(on_key("Tab", false, 3, 2), KeyAction::Insert(2));
    }

    #[test]
    fn the_arrow_keys_move_through_the_list_and_wrap_around() {
        assert_eq!(on_key("ArrowDown", false, 5, 0), KeyAction::Highlight(1));
        assert_eq!(on_key("ArrowDown", false, 5, 4), KeyAction::Highlight(0));
        assert_eq!(on_key("ArrowUp", false, 5, 0), KeyAction::Highlight(4));
        assert_eq!(on_key("ArrowUp", false, 5, 3), KeyAction::Highlight(2));
    }

    #[test]
    fn a_highlight_past_a_shrunk_list_picks_its_last_entry() {
        assert_eq!(on_key("Tab", false, 2, 4), KeyAction::Insert(1));
    }

    #[test]
    fn escape_closes_the_list_and_enter_then_sends() {
        assert_eq!(on_key("Escape", false, 2, 0), KeyAction::Dismiss);
        assert_eq!(on_key("Enter", false, 0, 0), KeyAction::Send);
    }

    #[test]
    fn shift_enter_is_a_new_line_with_or_without_the_list() {
        assert_eq!(on_key("Enter", true, 0, 0), KeyAction::Type);
        assert_eq!(on_key("Enter", true, 5, 0), KeyAction::Type);
        assert_eq!(on_key("a", false, 5, 0), KeyAction::Type);
    }
}
