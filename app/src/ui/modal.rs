//! A modal dialog on the browser's own `<dialog>`, opened with `showModal()`: the page behind
//! it is inert (no pointer, no Tab, no screen-reader cursor reaches it), Tab and Shift+Tab go
//! round the dialog's own fields and buttons, Escape cancels it, and when it goes, the focus
//! goes back to where it was before, the button that opened it.

use leptos::ev::KeyboardEvent;
use leptos::html::Dialog;
use leptos::prelude::*;

use super::browser;

/// A modal dialog named by the element `labelled_by` (its heading); Escape runs `on_cancel`,
/// whose caller then takes the dialog away, as it does after any answer.
#[component]
pub fn Modal(
    /// The id of the dialog's heading.
    #[prop(into)]
    labelled_by: String,
    on_cancel: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    // Read as the dialog is made, before it takes the focus.
    let opener = StoredValue::new_local(browser::focused());
    // True once the caller took the dialog away (then its closing is no cancel).
    let gone = StoredValue::new(false);
    dialog.on_load(|dialog| {
        let _ = dialog.show_modal();
    });
    on_cleanup(move || {
        gone.set_value(true);
        // Closed first, so the page is no longer inert and the opener can take the focus,
        // unless the person has already put it elsewhere (the browser gives it back itself
        // when Escape closes the dialog, and the person may have moved on since).
        let unclaimed = match dialog.get_untracked() {
            Some(dialog) => {
                let unclaimed = browser::focus_unclaimed(&dialog);
                dialog.close();
                unclaimed
            }
            None => true,
        };
        if unclaimed {
            opener.try_with_value(browser::refocus);
        }
    });
    let keep_tab_inside = move |ev: KeyboardEvent| {
        if let Some(dialog) = dialog.get_untracked() {
            if ev.key() == "Tab" && browser::cycle_focus(&dialog, ev.shift_key()) {
                ev.prevent_default();
            }
        }
    };

    view! {
        // The browser closes it on Escape (or a phone's Back): that is a cancel.
        <dialog
            class="dialog"
            node_ref=dialog
            aria-labelledby=labelled_by
            on:close=move |_| {
                if gone.try_get_value() == Some(false) {
                    on_cancel.run(());
                }
            }
            on:keydown=keep_tab_inside
        >
            {children()}
        </dialog>
    }
}
