//! `/labels`: supervisors and admins keep the team's labels — the list by name with each
//! label's chip, a form that adds one or renames and recolours the one being edited, and a
//! button that removes one (from the list and from every conversation). Every change is one
//! [`Action`], after which the list is fetched again; the server's refusal is shown as it
//! says it.

use leptos::prelude::*;

use super::labels::LabelChip;
use super::role_page::{outcome_banner, RolePage};
use crate::api::labels::{create_label, delete_label, list_labels, update_label};
use crate::domain::label::{Label, LabelColor, MAX_LABEL_CHARS};
use crate::domain::Role;
use crate::error::ApiError;
use crate::i18n::{t, t_string, td_string, use_i18n};

/// A change to the team's labels.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LabelChange {
    /// A new label (`id` None) or a new name and colour for the one with that id.
    Write {
        id: Option<String>,
        name: String,
        color: LabelColor,
    },
    Delete(Label),
}

/// What the supervisor is told once a change is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Added,
    Saved,
    Deleted,
}

async fn make(change: LabelChange) -> Result<(Done, String), ApiError> {
    match change {
        LabelChange::Write {
            id: None,
            name,
            color,
        } => create_label(name, color)
            .await
            .map(|made| (Done::Added, made.name)),
        LabelChange::Write {
            id: Some(id),
            name,
            color,
        } => update_label(id, name, color)
            .await
            .map(|made| (Done::Saved, made.name)),
        LabelChange::Delete(label) => delete_label(label.id)
            .await
            .map(|()| (Done::Deleted, label.name)),
    }
}

/// The labels page.
#[component]
pub fn LabelsPage() -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    view! {
        <RolePage
            class="labels-page"
            title=td_string!(l, labels.title)
            admits=Role::manages_team_lists
            refusal=td_string!(l, labels.refusal)
            sign_in=td_string!(l, labels.sign_in)
        >
            <LabelDesk />
        </RolePage>
    }
}

/// The list, what the last change did, and the form.
#[component]
fn LabelDesk() -> impl IntoView {
    let i18n = use_i18n();
    let labels = LocalResource::new(list_labels);
    let editing = RwSignal::new(None::<Label>);
    // Bumped by every change made: the form starts afresh.
    let made = RwSignal::new(0_u32);
    let change = Action::new_local(|change: &LabelChange| make(change.clone()));
    let (version, outcome) = (change.version(), change.value());
    Effect::new(move |before: Option<usize>| {
        let now = version.get();
        if before.is_some_and(|before| before != now) {
            labels.refetch();
            if matches!(outcome.get_untracked(), Some(Ok(_))) {
                editing.set(None);
                made.update(|n| *n += 1);
            }
        }
        now
    });
    let told = move || {
        outcome.get().map(|result| {
            let locale = i18n.get_locale();
            outcome_banner(result.map(|(done, name)| {
                let name = name.as_str();
                match done {
                    Done::Added => td_string!(locale, labels.done_added, name).to_string(),
                    Done::Saved => td_string!(locale, labels.done_saved, name).to_string(),
                    Done::Deleted => td_string!(locale, labels.done_deleted, name).to_string(),
                }
            }))
        })
    };

    view! {
        <section class="card" aria-labelledby="labels-title">
            <h2 id="labels-title">{t!(i18n, labels.heading)}</h2>
            <p class="muted">{t!(i18n, labels.intro)}</p>
            {told}
            <LabelTable labels=labels editing=editing change=change />
            {move || {
                made.track();
                let label = editing.get();
                view! { <LabelForm label=label editing=editing change=change /> }
            }}
        </section>
    }
}

/// Every label with its buttons.
#[component]
fn LabelTable(
    labels: LocalResource<Result<Vec<Label>, ApiError>>,
    editing: RwSignal<Option<Label>>,
    change: Action<LabelChange, Result<(Done, String), ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move || labels.get().and_then(Result::ok).unwrap_or_default();
    view! {
        <Show
            when=move || labels.get().is_none() || !rows().is_empty()
            fallback=move || {
                view! {
                    <p class="muted" role="status">
                        {t!(i18n, labels.none)}
                    </p>
                }
            }
        >
            <div class="table-scroll">
                <table aria-labelledby="labels-title">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, labels.name)}</th>
                            <th scope="col">{t!(i18n, labels.color)}</th>
                            <th scope="col">{t!(i18n, labels.used)}</th>
                            <th scope="col">{t!(i18n, labels.actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=rows
                            key=|label| (label.id.clone(), label.updated_at)
                            children=move |label| {
                                let edited = label.clone();
                                let deleted = label.clone();
                                let name = label.name.clone();
                                let color = label.color;
                                view! {
                                    <tr>
                                        <th scope="row">{label.name.clone()}</th>
                                        <td>{move || color.label(i18n.get_locale())}</td>
                                        <td>
                                            <LabelChip label=label.clone() />
                                        </td>
                                        <td>
                                            <div class="row-actions">
                                                <button
                                                    class="button ghost"
                                                    aria-label=format!(
                                                        "{} {name}",
                                                        t_string!(i18n, labels.edit),
                                                    )
                                                    on:click=move |_| editing.set(Some(edited.clone()))
                                                >
                                                    {t!(i18n, labels.edit)}
                                                </button>
                                                <button
                                                    class="button ghost danger"
                                                    aria-label=format!(
                                                        "{} {}",
                                                        t_string!(i18n, labels.delete),
                                                        label.name,
                                                    )
                                                    disabled=move || change.pending().get()
                                                    on:click=move |_| {
                                                        change.dispatch(LabelChange::Delete(deleted.clone()));
                                                    }
                                                >
                                                    {t!(i18n, labels.delete)}
                                                </button>
                                            </div>
                                        </td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// The form: a new label, or a new name and colour for `label` while it is being edited.
#[component]
fn LabelForm(
    label: Option<Label>,
    editing: RwSignal<Option<Label>>,
    change: Action<LabelChange, Result<(Done, String), ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = label.as_ref().map(|l| l.id.clone());
    let is_edit = id.is_some();
    let heading = label.as_ref().map(|l| l.name.clone());
    let name = RwSignal::new(label.as_ref().map(|l| l.name.clone()).unwrap_or_default());
    let color = RwSignal::new(label.map(|l| l.color).unwrap_or(LabelColor::Blue));
    // Editing starts in the form, wherever the list left the page.
    let name_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let Some(input) = name_input.get().filter(|_| is_edit) {
            let _ = input.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(LabelChange::Write {
            id: id.clone(),
            name: name.get_untracked(),
            color: color.get_untracked(),
        });
    };
    view! {
        <form class="label-form" on:submit=submit aria-labelledby="label-form-title">
            <h3 id="label-form-title">
                {move || match &heading {
                    Some(name) => {
                        td_string!(i18n.get_locale(), labels.editing, name = name.as_str())
                            .to_string()
                    }
                    None => t_string!(i18n, labels.new).to_string(),
                }}
            </h3>
            <label>
                {t!(i18n, labels.name)}
                <input
                    node_ref=name_input
                    name="name"
                    required
                    maxlength=MAX_LABEL_CHARS.to_string()
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <label>
                {t!(i18n, labels.color)}
                <select
                    name="color"
                    on:change=move |ev| {
                        if let Some(picked) = LabelColor::from_code(&event_target_value(&ev)) {
                            color.set(picked);
                        }
                    }
                >
                    {LabelColor::ALL
                        .into_iter()
                        .map(|c| {
                            view! {
                                <option value=c.code() prop:selected=move || color.get() == c>
                                    {move || c.label(i18n.get_locale())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <div class="dialog-actions">
                <Show when=move || is_edit>
                    <button type="button" class="button ghost" on:click=move |_| editing.set(None)>
                        {t!(i18n, labels.cancel)}
                    </button>
                </Show>
                <button
                    class="button primary"
                    type="submit"
                    disabled=move || change.pending().get()
                >
                    {move || {
                        if is_edit {
                            t_string!(i18n, labels.save)
                        } else {
                            t_string!(i18n, labels.add)
                        }
                    }}
                </button>
            </div>
        </form>
    }
}
