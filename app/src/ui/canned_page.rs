//! `/replies`: supervisors and admins manage the team's canned replies — the list by
//! language and shortcut, a form that writes a new one or changes the one being edited, and
//! a button that retires one. Every change is one [`Action`], after which the list is fetched
//! again; the server checks each field and its refusal is shown as it says it.

use leptos::prelude::*;

use super::role_page::{outcome_banner, RolePage};
use crate::api::canned::{create_canned, list_canned, retire_canned, update_canned};
use crate::domain::canned::CannedReply;
use crate::domain::{Locale, Role};
use crate::error::ApiError;
use crate::i18n::{t, t_string, td_string, use_i18n};

/// A change to the canned replies.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CannedChange {
    /// A new reply (`id` None) or new words for the one with that id.
    Write {
        id: Option<String>,
        title: String,
        shortcut: String,
        language: Locale,
        text: String,
    },
    Retire(CannedReply),
}

/// What the supervisor is told once a change is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Added,
    Saved,
    Retired,
}

async fn make(change: CannedChange) -> Result<(Done, String), ApiError> {
    match change {
        CannedChange::Write {
            id,
            title,
            shortcut,
            language,
            text,
        } => {
            let language = language.code().to_owned();
            match id {
                None => create_canned(title, shortcut, language, text)
                    .await
                    .map(|made| (Done::Added, made.shortcut)),
                Some(id) => update_canned(id, title, shortcut, language, text)
                    .await
                    .map(|made| (Done::Saved, made.shortcut)),
            }
        }
        CannedChange::Retire(reply) => retire_canned(reply.id)
            .await
            .map(|()| (Done::Retired, reply.shortcut)),
    }
}

/// The canned replies page.
#[component]
pub fn CannedPage() -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    view! {
        <RolePage
            class="canned-page"
            title=td_string!(l, canned.title)
            admits=Role::manages_team_lists
            refusal=td_string!(l, canned.refusal)
            sign_in=td_string!(l, canned.sign_in)
        >
            <CannedDesk />
        </RolePage>
    }
}

/// The list, what the last change did, and the form.
#[component]
fn CannedDesk() -> impl IntoView {
    let i18n = use_i18n();
    let replies = LocalResource::new(list_canned);
    let editing = RwSignal::new(None::<CannedReply>);
    // Bumped by every change made: the form starts afresh.
    let made = RwSignal::new(0_u32);
    let change = Action::new_local(|change: &CannedChange| make(change.clone()));
    let (version, outcome) = (change.version(), change.value());
    Effect::new(move |before: Option<usize>| {
        let now = version.get();
        if before.is_some_and(|before| before != now) {
            replies.refetch();
            if matches!(outcome.get_untracked(), Some(Ok(_))) {
                editing.set(None);
                made.update(|n| *n += 1);
            }
        }
        now
    });

    view! {
        <section class="card" aria-labelledby="canned-title">
            <h2 id="canned-title">{t!(i18n, canned.heading)}</h2>
            <p class="muted">
                {t!(i18n, canned.intro)} " " <code>"{customer_name}"</code> " "
                {t!(i18n, canned.customer_name)} ", " <code>"{agent_name}"</code> " "
                {t!(i18n, canned.agent_name)} "."
            </p>
            {move || {
                outcome
                    .get()
                    .map(|result| {
                        let locale = i18n.get_locale();
                        outcome_banner(
                            result
                                .map(|(done, shortcut)| {
                                    let shortcut = shortcut.as_str();
                                    match done {
                                        Done::Added => {
                                            td_string!(locale, canned.added, shortcut).to_string()
                                        }
                                        Done::Saved => {
                                            td_string!(locale, canned.saved, shortcut).to_string()
                                        }
                                        Done::Retired => {
                                            td_string!(locale, canned.retired, shortcut).to_string()
                                        }
                                    }
                                }),
                        )
                    })
            }}
            <CannedTable replies=replies editing=editing change=change />
            {move || {
                made.track();
                let reply = editing.get();
                view! { <CannedForm reply=reply editing=editing change=change /> }
            }}
        </section>
    }
}

/// Every reply on offer with its buttons.
#[component]
fn CannedTable(
    replies: LocalResource<Result<Vec<CannedReply>, ApiError>>,
    editing: RwSignal<Option<CannedReply>>,
    change: Action<CannedChange, Result<(Done, String), ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move || replies.get().and_then(Result::ok).unwrap_or_default();
    view! {
        <Show
            when=move || replies.get().is_none() || !rows().is_empty()
            fallback=move || {
                view! {
                    <p class="muted" role="status">
                        {t!(i18n, canned.none)}
                    </p>
                }
            }
        >
            <div class="table-scroll">
                <table aria-labelledby="canned-title">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, canned.shortcut)}</th>
                            <th scope="col">{t!(i18n, canned.language)}</th>
                            <th scope="col">{t!(i18n, canned.reply_title)}</th>
                            <th scope="col">{t!(i18n, canned.text)}</th>
                            <th scope="col">{t!(i18n, canned.actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=rows
                            key=|reply| (reply.id.clone(), reply.updated_at)
                            children=move |reply| {
                                let edited = reply.clone();
                                let retired = reply.clone();
                                let shortcut = reply.shortcut.clone();
                                view! {
                                    <tr>
                                        <th scope="row">
                                            <code>{reply.shortcut.clone()}</code>
                                        </th>
                                        <td>{td_string!(reply.language, language_name)}</td>
                                        <td>{reply.title.clone()}</td>
                                        <td class="canned-text">{reply.text.clone()}</td>
                                        <td>
                                            <div class="row-actions">
                                                <button
                                                    class="button ghost"
                                                    aria-label=format!(
                                                        "{} {shortcut} ({})",
                                                        t_string!(i18n, canned.edit),
                                                        reply.language.code(),
                                                    )
                                                    on:click=move |_| editing.set(Some(edited.clone()))
                                                >
                                                    {t!(i18n, canned.edit)}
                                                </button>
                                                <button
                                                    class="button ghost danger"
                                                    aria-label=format!(
                                                        "{} {} ({})",
                                                        t_string!(i18n, canned.retire),
                                                        reply.shortcut,
                                                        reply.language.code(),
                                                    )
                                                    disabled=move || change.pending().get()
                                                    on:click=move |_| {
                                                        change.dispatch(CannedChange::Retire(retired.clone()));
                                                    }
                                                >
                                                    {t!(i18n, canned.retire)}
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

/// The form: a new reply, or new words for `reply` while it is being edited.
#[component]
fn CannedForm(
    reply: Option<CannedReply>,
    editing: RwSignal<Option<CannedReply>>,
    change: Action<CannedChange, Result<(Done, String), ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = reply.as_ref().map(|r| r.id.clone());
    let is_edit = id.is_some();
    let heading = reply.as_ref().map(|r| r.shortcut.clone());
    let title = RwSignal::new(reply.as_ref().map(|r| r.title.clone()).unwrap_or_default());
    let shortcut = RwSignal::new(
        reply
            .as_ref()
            .map(|r| r.shortcut.clone())
            .unwrap_or_default(),
    );
    let language = RwSignal::new(reply.as_ref().map_or(Locale::en, |r| r.language));
    let text = RwSignal::new(reply.map(|r| r.text).unwrap_or_default());
    // Editing starts in the form, wherever the list left the page.
    let title_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let Some(input) = title_input.get().filter(|_| is_edit) {
            let _ = input.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(CannedChange::Write {
            id: id.clone(),
            title: title.get_untracked(),
            shortcut: shortcut.get_untracked(),
            language: language.get_untracked(),
            text: text.get_untracked(),
        });
    };
    view! {
        <form class="canned-form" on:submit=submit aria-labelledby="canned-form-title">
            <h3 id="canned-form-title">
                {move || match &heading {
                    Some(shortcut) => {
                        td_string!(i18n.get_locale(), canned.editing, shortcut = shortcut.as_str())
                            .to_string()
                    }
                    None => t_string!(i18n, canned.new).to_string(),
                }}
            </h3>
            <label>
                {t!(i18n, canned.reply_title)}
                <input
                    node_ref=title_input
                    name="title"
                    required
                    maxlength="80"
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                />
            </label>
            <label>
                {t!(i18n, canned.shortcut)}
                <input
                    name="shortcut"
                    required
                    maxlength="33"
                    placeholder="/sorry"
                    autocapitalize="none"
                    spellcheck="false"
                    prop:value=move || shortcut.get()
                    on:input=move |ev| shortcut.set(event_target_value(&ev))
                />
            </label>
            <label>
                {t!(i18n, canned.language)}
                <select
                    name="language"
                    prop:value=move || language.get().code()
                    on:change=move |ev| {
                        if let Ok(picked) = crate::domain::language::from_code(
                            &event_target_value(&ev),
                        ) {
                            language.set(picked);
                        }
                    }
                >
                    <option value="en">{td_string!(Locale::en, language_name)}</option>
                    <option value="id">{td_string!(Locale::id, language_name)}</option>
                </select>
            </label>
            <label class="wide">
                {t!(i18n, canned.text)}
                <textarea
                    name="text"
                    required
                    rows="3"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </label>
            <div class="dialog-actions">
                <Show when=move || is_edit>
                    <button type="button" class="button ghost" on:click=move |_| editing.set(None)>
                        {t!(i18n, canned.cancel)}
                    </button>
                </Show>
                <button
                    class="button primary"
                    type="submit"
                    disabled=move || change.pending().get()
                >
                    {move || {
                        if is_edit {
                            t_string!(i18n, canned.save)
                        } else {
                            t_string!(i18n, canned.add)
                        }
                    }}
                </button>
            </div>
        </form>
    }
}
