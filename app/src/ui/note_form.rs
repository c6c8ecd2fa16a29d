//! The private note box under the reply: any agent writes to the team inside the
//! conversation (the customer and the AI never see it); `@name` notifies a colleague.

use leptos::prelude::*;

use crate::api::conversations::add_note;
use crate::domain::ConversationId;
use crate::i18n::{t, t_string, use_i18n};

/// A folded "Private note" form for conversation `id`.
#[component]
pub fn NoteForm(id: ConversationId) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let add = Action::new_local(move |note: &String| {
        let note = note.clone();
        async move {
            let added = add_note(id, note.clone()).await;
            if added.is_ok() {
                text.maybe_update(|now| {
                    let unchanged = now.trim() == note;
                    if unchanged {
                        now.clear();
                    }
                    unchanged
                });
            }
            added
        }
    });
    let (adding, added) = (add.pending(), add.value());
    let submit = move || {
        let note = text.get_untracked().trim().to_owned();
        if !note.is_empty() && !adding.get_untracked() {
            add.dispatch(note);
        }
    };

    view! {
        <details class="note-form">
            <summary>{t!(i18n, dash.note_summary)}</summary>
            <form on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }>
                <label for="private-note" class="sr-only">
                    {t!(i18n, dash.private_label)}
                </label>
                <textarea
                    id="private-note"
                    rows="2"
                    placeholder=move || t_string!(i18n, dash.private_placeholder)
                    prop:value=text
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
                <button
                    class="button"
                    type="submit"
                    disabled=move || adding.get() || text.read().trim().is_empty()
                >
                    {t!(i18n, dash.add_note)}
                </button>
            </form>
            {move || {
                added
                    .get()
                    .and_then(Result::err)
                    .map(|err| {
                        view! {
                            <p class="banner error" role="alert">
                                {err.to_string()}
                            </p>
                        }
                    })
            }}
        </details>
    }
}
