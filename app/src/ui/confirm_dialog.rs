//! The one confirmation dialog of the chat panel: a question, an optional explanation,
//! whatever fields the caller adds, one text field (a brief, a reason, a note) and
//! Cancel / Confirm. Hand-over, forced takeover and transfer all use it.

use leptos::prelude::*;

use super::modal::Modal;
use crate::i18n::{td_string, use_i18n};

/// Text that says something, or nothing at all.
fn given(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

/// A box to tick under the text field, saying what may be done with the text (e.g. "the AI
/// may tell the customer this"); usable once there is text.
#[derive(Clone, Copy)]
pub struct Consent {
    pub label: &'static str,
    pub given: RwSignal<bool>,
}

/// A modal dialog named by `title` that asks for a confirmation and a text. `on_confirm`
/// receives the text (`None` when left blank); a `required` text must be given first, and so
/// must whatever `ready` says.
#[component]
pub fn ConfirmDialog(
    /// The question, and the dialog's accessible name.
    title: &'static str,
    /// What confirming does, in a sentence.
    #[prop(optional)]
    explanation: Option<&'static str>,
    /// The text field's id (also the prefix of the dialog's ids).
    field: &'static str,
    /// The text field's label.
    label: &'static str,
    /// An example of what goes into the text field.
    #[prop(optional)]
    placeholder: Option<&'static str>,
    /// True when the text may not be blank.
    #[prop(optional)]
    required: bool,
    /// The confirm button's label.
    confirm: &'static str,
    /// Whatever else must hold before confirming (e.g. an agent chosen).
    #[prop(optional, into)]
    ready: Option<Signal<bool>>,
    on_confirm: Callback<Option<String>>,
    on_cancel: Callback<()>,
    /// A box to tick about the text, under it.
    #[prop(optional)]
    consent: Option<Consent>,
    /// Fields shown above the text field.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let cancel = td_string!(use_i18n().get_locale_untracked(), dash.cancel);
    let text = RwSignal::new(String::new());
    let title_id = format!("{field}-title");
    let labelled_by = title_id.clone();
    let can_confirm =
        move || ready.is_none_or(|ready| ready.get()) && (!required || given(text.get()).is_some());

    view! {
        <Modal labelled_by=labelled_by on_cancel=on_cancel>
            <h3 id=title_id>{title}</h3>
            {explanation.map(|text| view! { <p class="muted">{text}</p> })}
            {children.map(|children| children())}
            <label for=field>{label}</label>
            <textarea
                id=field
                rows="2"
                required=required
                placeholder=placeholder
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            {consent
                .map(|Consent { label, given: ticked }| {
                    let id = format!("{field}-consent");
                    let label_for = id.clone();
                    view! {
                        <label class="check" for=label_for>
                            <input
                                id=id
                                type="checkbox"
                                disabled=move || given(text.get()).is_none()
                                prop:checked=move || ticked.get()
                                on:change=move |ev| ticked.set(event_target_checked(&ev))
                            />
                            {label}
                        </label>
                    }
                })}
            <div class="dialog-actions">
                <button class="button ghost" on:click=move |_| on_cancel.run(())>
                    {cancel}
                </button>
                <button
                    class="button primary"
                    disabled=move || !can_confirm()
                    on:click=move |_| on_confirm.run(given(text.get_untracked()))
                >
                    {confirm}
                </button>
            </div>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::given;

    #[test]
    fn a_blank_text_counts_as_none_and_any_other_is_kept_as_typed() {
        assert_eq!(given("  \n".into()), None);
        assert_eq!(
            given(" Refund approved".into()),
            Some(" Refund approved".into())
        );
    }
}
