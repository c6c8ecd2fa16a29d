//! The dashboard's keyboard shortcuts: next and previous conversation, take over, focus the
//! reply box, transfer, hand over, and `?` for the list of them. They never fire while the
//! agent types (in a text field, a select, or with Ctrl, Alt or Meta held). Which key does
//! what is a pure function, tested here; the chat panel's commands listen for the requests.

use leptos::ev;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use super::board::use_board;
use super::modal::Modal;
use crate::domain::ConversationId;
use crate::i18n::{t, td_string, use_i18n, Locale};

/// What a shortcut asks of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    Next,
    Previous,
    TakeOver,
    FocusReply,
    Transfer,
    HandOver,
    Help,
}

impl Shortcut {
    /// Every shortcut with its key, in the order the help lists them.
    pub const ALL: [(Shortcut, &'static str); 7] = [
        (Shortcut::Next, "j"),
        (Shortcut::Previous, "k"),
        (Shortcut::TakeOver, "t"),
        (Shortcut::FocusReply, "r"),
        (Shortcut::Transfer, "x"),
        (Shortcut::HandOver, "h"),
        (Shortcut::Help, "?"),
    ];

    /// What the help says the shortcut does, in `l`.
    pub fn describe(self, l: Locale) -> &'static str {
        match self {
            Shortcut::Next => td_string!(l, shortcuts.next),
            Shortcut::Previous => td_string!(l, shortcuts.previous),
            Shortcut::TakeOver => td_string!(l, shortcuts.take_over),
            Shortcut::FocusReply => td_string!(l, shortcuts.reply),
            Shortcut::Transfer => td_string!(l, shortcuts.transfer),
            Shortcut::HandOver => td_string!(l, shortcuts.hand_over),
            Shortcut::Help => td_string!(l, shortcuts.help),
        }
    }
}

/// The shortcut `key` stands for, if any; `None` while the agent types (`typing`: the key
/// went to a text field or select) or holds a modifier other than Shift.
pub fn shortcut_for(key: &str, modified: bool, typing: bool) -> Option<Shortcut> {
    if modified || typing {
        return None;
    }
    match key {
        "ArrowDown" => Some(Shortcut::Next),
        "ArrowUp" => Some(Shortcut::Previous),
        _ => Shortcut::ALL
            .iter()
            .find(|(_, k)| key.eq_ignore_ascii_case(k))
            .map(|(shortcut, _)| *shortcut),
    }
}

/// The conversation `step` places after `current` in `list` (wrapping); the first (or last)
/// when none is open.
pub fn step_from<T: PartialEq + Copy>(list: &[T], current: Option<T>, step: isize) -> Option<T> {
    let len = list.len() as isize;
    if len == 0 {
        return None;
    }
    let at = current.and_then(|c| list.iter().position(|x| *x == c));
    let next = match at {
        Some(at) => (at as isize + step).rem_euclid(len),
        None if step < 0 => len - 1,
        None => 0,
    };
    Some(list[next as usize])
}

/// The last command a shortcut asked the chat panel for, numbered so the same key twice
/// asks twice.
#[derive(Clone, Copy)]
pub struct Requested(pub RwSignal<Option<(u64, Shortcut)>>);

/// The panel's side: runs `on` for each shortcut asked of it from now on.
pub fn on_shortcut(on: impl Fn(Shortcut) + 'static) {
    let Some(Requested(requested)) = use_context::<Requested>() else {
        return;
    };
    let seen = requested.get_untracked().map(|(n, _)| n);
    Effect::new(move |last: Option<Option<u64>>| {
        let now = requested.get();
        let last = last.unwrap_or(seen);
        if let Some((n, shortcut)) = now {
            if Some(n) != last {
                on(shortcut);
            }
        }
        now.map(|(n, _)| n).or(last)
    });
}

/// True when a key went to something the agent types in.
fn typing_in(event: &ev::KeyboardEvent) -> bool {
    let Some(target) = event
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
    else {
        return false;
    };
    matches!(
        target.tag_name().to_ascii_lowercase().as_str(),
        "input" | "textarea" | "select"
    ) || target.closest("[contenteditable]").ok().flatten().is_some()
}

/// Provides what [`Shortcuts`] and [`on_shortcut`] share, for the whole dashboard.
pub fn provide_shortcuts() {
    provide_context(Requested(RwSignal::new(None)));
}

/// The conversations the list shows, in its order (after its search and filter).
fn listed() -> Vec<ConversationId> {
    let Ok(rows) = document().query_selector_all("[data-conversation-id]") else {
        return Vec::new();
    };
    (0..rows.length())
        .filter_map(|at| rows.item(at)?.dyn_into::<leptos::web_sys::Element>().ok())
        .filter_map(|row| ConversationId::parse(&row.get_attribute("data-conversation-id")?).ok())
        .collect()
}

/// Listens for the shortcuts while the dashboard is up; shows their help on `?`.
#[component]
pub fn Shortcuts() -> impl IntoView {
    let board = use_board();
    let i18n = use_i18n();
    let Requested(requested) = expect_context::<Requested>();
    let help = RwSignal::new(false);
    let handle = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Escape" && help.get_untracked() {
            help.set(false);
            return;
        }
        let modified = event.ctrl_key() || event.alt_key() || event.meta_key();
        let Some(shortcut) = shortcut_for(&event.key(), modified, typing_in(&event)) else {
            return;
        };
        // With the list of shortcuts open, only `?` (which closes it) counts.
        if help.get_untracked() && shortcut != Shortcut::Help {
            return;
        }
        event.prevent_default();
        match shortcut {
            Shortcut::Help => help.update(|shown| *shown = !*shown),
            Shortcut::Next | Shortcut::Previous => {
                let ids = listed();
                let step = if shortcut == Shortcut::Next { 1 } else { -1 };
                if let Some(id) = step_from(&ids, board.selected.get_untracked(), step) {
                    board.select(id);
                }
            }
            Shortcut::FocusReply => {
                if let Some(reply) = document()
                    .get_element_by_id("reply")
                    .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
                {
                    let _ = reply.focus();
                }
            }
            Shortcut::TakeOver | Shortcut::Transfer | Shortcut::HandOver => {
                let n = requested.get_untracked().map_or(1, |(n, _)| n + 1);
                requested.set(Some((n, shortcut)));
            }
        }
    });
    on_cleanup(move || handle.remove());

    view! {
        <Show when=move || help.get()>
            <Modal
                labelled_by="shortcut-help-title"
                on_cancel=Callback::new(move |()| help.set(false))
            >
                <h3 id="shortcut-help-title">{t!(i18n, shortcuts.title)}</h3>
                <dl class="shortcut-list">
                    {Shortcut::ALL
                        .iter()
                        .map(|&(shortcut, key)| {
                            view! {
                                <dt>
                                    <kbd>{key}</kbd>
                                </dt>
                                <dd>{move || shortcut.describe(i18n.get_locale())}</dd>
                            }
                        })
                        .collect_view()}
                </dl>
                <p class="muted">{t!(i18n, shortcuts.typing)}</p>
                <div class="dialog-actions">
                    <button class="button" on:click=move |_| help.set(false)>
                        {t!(i18n, shortcuts.close)}
                    </button>
                </div>
            </Modal>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_asks_for_its_command_and_never_while_typing() {
        assert_eq!(shortcut_for("j", false, false), Some(Shortcut::Next));
        assert_eq!(
            shortcut_for("ArrowDown", false, false),
            Some(Shortcut::Next)
        );
        assert_eq!(shortcut_for("k", false, false), Some(Shortcut::Previous));
        assert_eq!(shortcut_for("T", false, false), Some(Shortcut::TakeOver));
        assert_eq!(shortcut_for("r", false, false), Some(Shortcut::FocusReply));
        assert_eq!(shortcut_for("x", false, false), Some(Shortcut::Transfer));
        assert_eq!(shortcut_for("h", false, false), Some(Shortcut::HandOver));
        assert_eq!(shortcut_for("?", false, false), Some(Shortcut::Help));
        assert_eq!(shortcut_for("q", false, false), None);
        assert_eq!(shortcut_for("t", false, true), None, "typing in a field");
        assert_eq!(
            shortcut_for("t", true, false),
            None,
            "Ctrl+T is the browser's"
        );
    }

    #[test]
    fn next_and_previous_wrap_around_the_list() {
        let list = [1, 2, 3];
        assert_eq!(step_from(&list, None, 1), Some(1));
        assert_eq!(step_from(&list, None, -1), Some(3));
        assert_eq!(step_from(&list, Some(3), 1), Some(1));
        assert_eq!(step_from(&list, Some(1), -1), Some(3));
        assert_eq!(
            step_from(&list, Some(9), 1),
            Some(1),
            "open one filtered out"
        );
        assert_eq!(step_from::<u8>(&[], Some(1), 1), None);
    }

    #[test]
    fn every_shortcut_is_described_in_every_language() {
        use leptos_i18n::Locale as _;
        for &locale in Locale::get_all() {
            for (shortcut, _) in Shortcut::ALL {
                assert!(!shortcut.describe(locale).is_empty());
            }
        }
    }
}
