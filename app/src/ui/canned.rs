//! Canned replies: typing "/" in the reply box lists them, the arrow keys move through the
//! list, Enter or Tab puts the chosen text into the box and Escape closes the list. The key
//! handling is a pure function, so what each key does is tested here without a browser.

use crate::domain::Locale;

/// The canned replies, by shortcut (in English).
pub const CANNED: &[(&str, &str)] = &[
    (
        "/greet",
        "Hi! I'm here to help. Could you tell me a little more about what happened?",
    ),
    (
        "/order",
        "Could you share your order number so I can look it up?",
    ),
    (
        "/sorry",
        "I'm sorry for the trouble. Let me sort this out for you right away.",
    ),
    (
        "/refund",
        "Your refund is approved. It reaches you within 3–10 business days, depending on how you paid.",
    ),
    (
        "/thanks",
        "Thank you for your patience! Is there anything else I can help you with?",
    ),
];

/// The same replies in Indonesian, by the same shortcuts.
pub const CANNED_ID: &[(&str, &str)] = &[
    (
        "/greet",
        "Halo! Saya siap membantu. Boleh ceritakan sedikit lebih lanjut apa yang terjadi?",
    ),
    (
        "/order",
        "Boleh minta nomor pesanan Anda supaya saya bisa memeriksanya?",
    ),
    (
        "/sorry",
        "Mohon maaf atas ketidaknyamanannya. Saya akan segera membantu menyelesaikannya.",
    ),
    (
        "/refund",
        "Refund Anda sudah disetujui. Dana akan masuk dalam 3–10 hari kerja, tergantung metode pembayaran Anda.",
    ),
    (
        "/thanks",
        "Terima kasih atas kesabaran Anda! Ada lagi yang bisa saya bantu?",
    ),
];

/// The canned replies in the customer's language `locale` whose shortcut starts with what
/// the agent typed after "/".
pub fn canned_matching(draft: &str, locale: Locale) -> Vec<(&'static str, &'static str)> {
    let typed = draft.trim_start();
    if !typed.starts_with('/') || typed.contains(char::is_whitespace) {
        return Vec::new();
    }
    let replies = match locale {
        Locale::id => CANNED_ID,
        _ => CANNED,
    };
    replies
        .iter()
        .filter(|(shortcut, _)| shortcut.starts_with(typed))
        .copied()
        .collect()
}

/// What a key pressed in the reply box does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    /// Let the browser handle it (typing, a new line with Shift+Enter).
    Type,
    /// Highlight this entry of the canned list.
    Highlight(usize),
    /// Put this text into the reply box.
    Insert(&'static str),
    /// Hide the canned list until the draft changes.
    Dismiss,
    /// Send the draft.
    Send,
}

/// Decides what `key` does, given the canned replies on show (`shown`, empty when the list is
/// hidden) and the highlighted one.
pub fn on_key(
    key: &str,
    shift: bool,
    shown: &[(&'static str, &'static str)],
    highlighted: usize,
) -> KeyAction {
    if shown.is_empty() {
        return match key {
            "Enter" if !shift => KeyAction::Send,
            _ => KeyAction::Type,
        };
    }
    let last = shown.len() - 1;
    let current = highlighted.min(last);
    match key {
        "ArrowDown" => KeyAction::Highlight(if current == last { 0 } else { current + 1 }),
        "ArrowUp" => KeyAction::Highlight(if current == 0 { last } else { current - 1 }),
        "Enter" | "Tab" if !shift => KeyAction::Insert(shown[current].1),
        "Escape" => KeyAction::Dismiss,
        _ => KeyAction::Type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slash_lists_canned_replies_by_prefix() {
        assert_eq!(canned_matching("/", Locale::en).len(), CANNED.len());
        assert_eq!(canned_matching("/re", Locale::en)[0].0, "/refund");
        assert!(canned_matching("hello", Locale::en).is_empty());
        assert!(canned_matching("/refund approved", Locale::en).is_empty());
    }

    #[test]
    fn enter_on_a_typed_shortcut_inserts_its_text_instead_of_sending_the_shortcut() {
        let shown = canned_matching("/sorry", Locale::en);
        assert_eq!(
            on_key("Enter", false, &shown, 0),
            KeyAction::Insert(
                "I'm sorry for the trouble. Let me sort this out for you right away."
            )
        );
    }

    #[test]
    fn the_arrow_keys_move_through_the_list_and_wrap_around() {
        let shown = canned_matching("/", Locale::en);
        assert_eq!(
            on_key("ArrowDown", false, &shown, 0),
            KeyAction::Highlight(1)
        );
        assert_eq!(
            on_key("ArrowDown", false, &shown, CANNED.len() - 1),
            KeyAction::Highlight(0)
        );
        assert_eq!(
            on_key("ArrowUp", false, &shown, 0),
            KeyAction::Highlight(CANNED.len() - 1)
        );
        assert_eq!(
            on_key("Enter", false, &shown, 2),
            KeyAction::Insert(CANNED[2].1)
        );
    }

    #[test]
    fn a_highlight_past_a_shrunk_list_picks_its_last_entry() {
        let shown = canned_matching("/re", Locale::en);
        assert_eq!(
            on_key("Tab", false, &shown, 4),
            KeyAction::Insert(shown[0].1)
        );
    }

    #[test]
    fn escape_closes_the_list_and_enter_then_sends() {
        let shown = canned_matching("/gr", Locale::en);
        assert_eq!(on_key("Escape", false, &shown, 0), KeyAction::Dismiss);
        assert_eq!(on_key("Enter", false, &[], 0), KeyAction::Send);
    }

    #[test]
    fn an_indonesian_customer_gets_the_same_shortcuts_in_indonesian() {
        let shortcuts = |replies: &[(&'static str, &'static str)]| {
            replies.iter().map(|r| r.0).collect::<Vec<&'static str>>()
        };
        assert_eq!(shortcuts(CANNED), shortcuts(CANNED_ID));
        let sorry = canned_matching("/sorry", Locale::id);
        assert_eq!(sorry.len(), 1);
        assert!(sorry[0].1.starts_with("Mohon maaf"), "{}", sorry[0].1);
    }

    #[test]
    fn shift_enter_is_a_new_line_with_or_without_the_list() {
        assert_eq!(on_key("Enter", true, &[], 0), KeyAction::Type);
        assert_eq!(
            on_key("Enter", true, &canned_matching("/", Locale::en), 0),
            KeyAction::Type
        );
        assert_eq!(
            on_key("a", false, &canned_matching("/", Locale::en), 0),
            KeyAction::Type
        );
    }
}
