//! The box a message is written in and its Send button, the same for agents and customers:
//! Enter sends, Shift+Enter starts a new line, and the caller may take keys first (the
//! agent's canned replies do).

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::attachments::{AttachButton, PickedFile};
use crate::i18n::{t, use_i18n};

/// A message box labelled `label` (for screen readers), holding `text`.
#[component]
pub fn MessageForm(
    /// The text field's id.
    field: &'static str,
    /// The text field's label.
    #[prop(into)]
    label: Signal<String>,
    /// How many lines the box shows.
    rows: &'static str,
    #[prop(into)] text: Signal<String>,
    #[prop(into)] placeholder: Signal<String>,
    /// True while nothing may be sent (the box is disabled too).
    #[prop(into)]
    disabled: Signal<bool>,
    /// True while a message is on its way.
    #[prop(into)]
    busy: Signal<bool>,
    on_input: Callback<String>,
    on_send: Callback<()>,
    /// Takes a key (name, Shift held) before Enter sends; true when it used the key.
    #[prop(optional)]
    on_key: Option<Callback<(String, bool), bool>>,
    /// The list the box's keys move in, and its highlighted option.
    #[prop(optional)]
    controls: Option<&'static str>,
    #[prop(optional, into)] active_option: Option<Signal<Option<String>>>,
    /// Sends a chosen file (with the box's words as its caption); without it, no attach
    /// button.
    #[prop(optional)]
    on_file: Option<Callback<PickedFile>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let send = move || {
        if !disabled.get_untracked() && !busy.get_untracked() {
            on_send.run(());
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        let (key, shift) = (ev.key(), ev.shift_key());
        if on_key.is_some_and(|taken| taken.run((key.clone(), shift))) {
            ev.prevent_default();
        } else if key == "Enter" && !shift {
            ev.prevent_default();
            send();
        }
    };

    view! {
        <form
            class="composer"
            on:submit=move |ev| {
                ev.prevent_default();
                send();
            }
        >
            <label for=field class="sr-only">
                {label}
            </label>
            {on_file
                .map(|on_file| {
                    view! {
                        <AttachButton
                            disabled=Signal::derive(move || disabled.get() || busy.get())
                            on_file=on_file
                        />
                    }
                })}
            <textarea
                id=field
                rows=rows
                // Only while the list is there: an id that names nothing is invalid ARIA.
                aria-controls=move || {
                    active_option.and_then(|option| option.get()).and(controls)
                }
                aria-activedescendant=move || active_option.and_then(|option| option.get())
                placeholder=placeholder
                disabled=disabled
                prop:value=text
                on:input=move |ev| on_input.run(event_target_value(&ev))
                on:keydown=on_keydown
            ></textarea>
            <button
                class="button primary"
                type="submit"
                disabled=move || disabled.get() || busy.get() || text.read().trim().is_empty()
            >
                {t!(i18n, chat.send)}
            </button>
        </form>
    }
}
