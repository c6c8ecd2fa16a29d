//! Labels and priority in the dashboard: the team's labels, fetched once per dashboard (and
//! again whenever the label menu opens, so a supervisor's change reaches agents without a
//! reload); the chips a card and the chat panel show; and the panel's editor, where any agent
//! sets the priority and puts labels on or takes them off, one click each.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use super::board::use_board;
use crate::api::labels::{label_conversation, list_labels, set_priority};
use crate::domain::label::{Label, Priority};
use crate::domain::{Conversation, ConversationId};
use crate::error::ApiError;
use crate::i18n::{t, t_string, use_i18n};

/// The team's labels as last fetched, for the whole dashboard.
#[derive(Clone, Copy)]
pub struct LabelList(LocalResource<Result<Vec<Label>, ApiError>>);

impl LabelList {
    /// Fetches the labels and provides them to the components below the caller.
    pub fn provide() {
        provide_context(LabelList(LocalResource::new(list_labels)));
    }

    /// The list [`LabelList::provide`] provided.
    pub fn get() -> Self {
        expect_context()
    }

    /// Every label, by name; none until the first fetch answers (tracked).
    pub fn all(self) -> Vec<Label> {
        self.0.with(|fetched| match fetched {
            Some(Ok(labels)) => labels.clone(),
            _ => Vec::new(),
        })
    }

    /// The labels with these ids, in the list's order; ids of labels removed since are
    /// skipped (tracked).
    pub fn named(self, ids: &[String]) -> Vec<Label> {
        self.all()
            .into_iter()
            .filter(|label| ids.contains(&label.id))
            .collect()
    }

    /// Fetches the labels again; what was fetched shows meanwhile.
    pub fn refresh(self) {
        self.0.refetch();
    }
}

/// A label as a small chip: its colour as a dot, then its name.
#[component]
pub fn LabelChip(label: Label) -> impl IntoView {
    view! { <span class=format!("label-chip label-{}", label.color.code())>{label.name}</span> }
}

/// The labels with `ids`, as chips (nothing when there are none).
#[component]
pub fn LabelChips(ids: Vec<String>) -> impl IntoView {
    let labels = LabelList::get();
    move || {
        let chips = labels.named(&ids);
        (!chips.is_empty()).then(|| {
            view! {
                <span class="label-chips">
                    {chips
                        .into_iter()
                        .map(|label| view! { <LabelChip label=label /> })
                        .collect_view()}
                </span>
            }
        })
    }
}

/// The priority as a badge, unless it is the usual (normal).
#[component]
pub fn PriorityBadge(priority: Priority) -> impl IntoView {
    let i18n = use_i18n();
    (priority != Priority::Normal).then(|| {
        view! {
            <span
                class=format!("priority priority-{}", priority.code())
                title=move || t_string!(i18n, labels.priority)
            >
                {move || priority.label(i18n.get_locale())}
            </span>
        }
    })
}

/// A change the panel's editor asks for.
#[derive(Debug, Clone)]
enum TagChange {
    Priority(Priority),
    /// Put the label on (`true`) or take it off.
    Label(String, bool),
}

/// The chat panel's priority picker and label menu for conversation `id`.
#[component]
pub fn ConversationTags(
    id: ConversationId,
    conversation: Memo<Option<Conversation>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let labels = LabelList::get();
    let change = Action::new_local(move |change: &TagChange| {
        let change = change.clone();
        async move {
            match change {
                TagChange::Priority(priority) => set_priority(id, priority).await,
                TagChange::Label(label, on) => {
                    let (add, remove) = if on {
                        (Some(vec![label]), None)
                    } else {
                        (None, Some(vec![label]))
                    };
                    label_conversation(id, add, remove).await
                }
            }
            .map(drop)
        }
    });
    // Label changes are additions and removals, so clicks in a row need no waiting: the
    // boxes stay enabled (and focused) while answers come. The socket brings each change to
    // every dashboard; here the conversation is also read again once the answer is in, so
    // the controls show what is stored, refused or not.
    let (done, outcome) = (change.version(), change.value());
    Effect::new(move |before: Option<usize>| {
        let now = done.get();
        if before.is_some_and(|before| before != now) {
            board.reload_open();
        }
        now
    });
    let priority =
        move || conversation.with(|c| c.as_ref().map(|c| c.priority).unwrap_or_default());
    let carried =
        move || conversation.with(|c| c.as_ref().map(|c| c.labels.clone()).unwrap_or_default());
    let (menu, summary) = (
        NodeRef::<leptos::html::Details>::new(),
        NodeRef::<leptos::html::Summary>::new(),
    );
    let close_menu = move || {
        if let Some(menu) = menu.get_untracked() {
            menu.set_open(false);
        }
    };

    view! {
        <div class="conversation-tags">
            <label class="priority-picker">
                <span class="priority-word">{t!(i18n, labels.priority)}</span>
                <select
                    data-testid="priority"
                    disabled=move || change.pending().get()
                    on:change=move |ev| {
                        if let Some(picked) = Priority::from_code(&event_target_value(&ev)) {
                            change.dispatch(TagChange::Priority(picked));
                        }
                    }
                >
                    {Priority::ALL
                        .into_iter()
                        .map(|p| {
                            view! {
                                <option value=p.code() prop:selected=move || priority() == p>
                                    {move || p.label(i18n.get_locale())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            {move || {
                let ids = carried();
                view! { <LabelChips ids=ids /> }
            }}
            // Opened (or closed): the team's labels are fetched again, a supervisor's change
            // included. Like any menu it closes on Escape (the focus back on its button) and
            // when the focus leaves it (a click elsewhere).
            <details
                class="label-menu"
                node_ref=menu
                on:toggle=move |_| labels.refresh()
                on:keydown=move |ev| {
                    if ev.key() == "Escape" && menu.get_untracked().is_some_and(|m| m.open()) {
                        ev.prevent_default();
                        close_menu();
                        if let Some(summary) = summary.get_untracked() {
                            let _ = summary.focus();
                        }
                    }
                }
                on:focusout=move |ev| {
                    let inside = ev
                        .related_target()
                        .and_then(|to| to.dyn_into::<leptos::web_sys::Node>().ok())
                        .is_some_and(|to| {
                            menu.get_untracked().is_some_and(|m| m.contains(Some(&to)))
                        });
                    if !inside {
                        close_menu();
                    }
                }
            >
                <summary node_ref=summary class="button ghost">
                    {t!(i18n, labels.choose)}
                </summary>
                <fieldset class="label-options">
                    <legend class="sr-only">{t!(i18n, labels.labels)}</legend>
                    {move || {
                        let team = labels.all();
                        if team.is_empty() {
                            return view! { <p class="muted">{t!(i18n, labels.no_labels)}</p> }
                                .into_any();
                        }
                        team.into_iter()
                            .map(|label| {
                                let label_id = label.id.clone();
                                let checked = {
                                    let label_id = label_id.clone();
                                    move || carried().contains(&label_id)
                                };
                                view! {
                                    <label class="label-option">
                                        <input
                                            type="checkbox"
                                            prop:checked=checked
                                            on:change=move |ev| {
                                                change
                                                    .dispatch(
                                                        TagChange::Label(
                                                            label_id.clone(),
                                                            event_target_checked(&ev),
                                                        ),
                                                    );
                                            }
                                        />
                                        <LabelChip label=label />
                                    </label>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </fieldset>
            </details>
            {move || {
                outcome
                    .get()
                    .and_then(Result::err)
                    .map(|err| {
                        view! {
                            <p class="error" role="alert">
                                {err.to_string()}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
