//! The dashboard's left panel: search, the filters, and the conversations they select
//! (waiting ones on top), each with who handles it, unread count, preview and age, a page
//! at a time. The server searches names and messages once the agent pauses typing.

use std::time::Duration;

use leptos::prelude::*;

use super::board::use_board;
use super::clock::use_now;
use super::format::{ago, elapsed, handler_badge};
use super::labels::{LabelChips, LabelList, PriorityBadge};
use super::loaded::loaded;
use super::session::use_me;
use crate::domain::label::{Priority, TagFilter};
use crate::domain::{Conversation, ListFilter, MAX_SEARCH_CHARS};
use crate::i18n::{t, t_string, td_string, use_i18n};

/// How long typing pauses before the list is searched.
const SEARCH_PAUSE: Duration = Duration::from_millis(250);

/// The conversation list, from the dashboard's [`Board`](super::board::Board).
#[component]
pub fn ConversationList() -> impl IntoView {
    let board = use_board();
    let i18n = use_i18n();
    let search = RwSignal::new(String::new());
    let filters = ListFilter::ALL.map(|f| {
        view! {
            <button
                class="chip"
                aria-pressed=move || (board.filter.get() == f).to_string()
                on:click=move |_| board.choose_filter(f)
            >
                {move || f.label(i18n.get_locale())}
                {move || {
                    board
                        .count(f)
                        .map(|count| {
                            view! {
                                " "
                                <span class="chip-count">{count}</span>
                            }
                        })
                }}
            </button>
        }
    });
    // What the agent types is searched for once they pause.
    let pause = StoredValue::new(None::<TimeoutHandle>);
    let type_search = move |ev| {
        let text = event_target_value(&ev);
        search.set(text.clone());
        if let Some(earlier) = pause.get_value() {
            earlier.clear();
        }
        pause.set_value(set_timeout_with_handle(move || board.search(text), SEARCH_PAUSE).ok());
    };
    // The pages loaded, as the socket changed them since: `None` while loading.
    let found = Memo::new(move |_| board.conversations());
    // Loading, failed, empty or not: the list itself is only rebuilt when that changes.
    let state = Memo::new(move |_| {
        found.with(|found| {
            found
                .as_ref()
                .map(|list| list.as_ref().map(Vec::is_empty).map_err(Clone::clone))
        })
    });
    let rows = move || found.with(|found| found.clone().and_then(Result::ok).unwrap_or_default());

    view! {
        <aside class="list" aria-label=move || t_string!(i18n, dash.conversations)>
            <label for="search" class="sr-only">
                {t!(i18n, search.label)}
            </label>
            <input
                id="search"
                class="search"
                type="search"
                maxlength=MAX_SEARCH_CHARS.to_string()
                placeholder=move || t_string!(i18n, search.label)
                prop:value=move || search.get()
                on:input=type_search
            />
            <div class="filters" role="group" aria-label=move || t_string!(i18n, dash.filter)>
                {filters.to_vec()}
            </div>
            <TagPickers />
            {move || {
                loaded(
                    state.get(),
                    td_string!(i18n.get_locale(), dash.loading_conversations),
                    move |empty| {
                        if empty && board.searching() {
                            view! { <p class="muted empty-list">{t!(i18n, search.no_results)}</p> }
                                .into_any()
                        } else if empty {
                            view! {
                                <p class="muted empty-list">{t!(i18n, dash.no_conversations)}</p>
                            }
                                .into_any()
                        } else {
                            view! {
                                <ul class="conversations">
                                    // A row is rebuilt only when its conversation changed.
                                    <For
                                        each=rows
                                        key=|c| (c.id, c.last_seq, c.version)
                                        children=|c| view! { <ConversationRow conversation=c /> }
                                    />
                                </ul>
                            }
                                .into_any()
                        }
                    },
                )
            }}
            <Show when=move || board.has_more()>
                <button
                    class="button load-more"
                    disabled=move || board.loading_more()
                    on:click=move |_| board.load_more()
                >
                    {move || {
                        if board.loading_more() {
                            t_string!(i18n, search.loading_more)
                        } else {
                            t_string!(i18n, search.load_more)
                        }
                    }}
                </button>
            </Show>
        </aside>
    }
}

/// One conversation in the list.
#[component]
fn ConversationRow(conversation: Conversation) -> impl IntoView {
    let board = use_board();
    let me = use_me();
    let i18n = use_i18n();
    let c = conversation;
    let id = c.id;
    // "waiting 40 s" and "2 min ago" follow the page's clock.
    let now = use_now();
    let updated_at = c.updated_at;
    let badge = {
        let c = c.clone();
        move || handler_badge(i18n.get_locale(), &c, me.id()).0
    };
    let (_, badge_class) = handler_badge(i18n.get_locale_untracked(), &c, me.id());
    // Why the customer waits; the card's time then says how long ("waiting 40 s").
    let waiting = c.waiting.as_ref().map(|w| (w.reason, w.since));
    let is_waiting = waiting.is_some();
    let when = move || {
        let locale = i18n.get_locale();
        match waiting {
            Some((_, since)) => td_string!(
                locale,
                dash.waiting_for,
                span = elapsed(locale, since, now.get())
            )
            .to_string(),
            None => ago(locale, updated_at, now.get()),
        }
    };
    // Mine, and the customer waits for my answer (kept by the server: survives a reload).
    let needs_reply = c.is_owned_by(me.id()) && c.reply_due_since.is_some();
    let unread = move || {
        board
            .unread
            .with(|unread| unread.get(&id).copied().unwrap_or(0))
    };

    view! {
        <li>
            <button
                class="conversation"
                data-conversation-id=id.to_string()
                class:selected=move || board.selected.get() == Some(id)
                class:waiting=is_waiting
                on:click=move |_| board.select(id)
            >
                <span class="conversation-head">
                    <span class="customer">
                        {c.customer_name}
                        {c
                            .verified
                            .is_some()
                            .then(|| {
                                view! {
                                    <span
                                        class="verified"
                                        title=move || t_string!(i18n, dash.verified)
                                        aria-label=move || t_string!(i18n, dash.verified)
                                    >
                                        "✓"
                                    </span>
                                }
                            })}
                    </span>
                    <span class="conversation-badges">
                        <Show when=move || { unread() > 0 }>
                            <span
                                class="unread"
                                aria-label=move || {
                                    td_string!(i18n.get_locale(), dash.unread, count = unread())
                                        .to_string()
                                }
                            >
                                {unread}
                            </span>
                        </Show>
                        <Show when=move || needs_reply>
                            <span class="needs-reply">{t!(i18n, dash.needs_reply)}</span>
                        </Show>
                        <PriorityBadge priority=c.priority />
                        <span class=badge_class>{badge}</span>
                    </span>
                </span>
                {waiting
                    .map(|(reason, _)| {
                        let label = move || reason.label_in(i18n.get_locale());
                        view! {
                            <span class="waiting-reason" title=label>
                                {label}
                            </span>
                        }
                    })}
                <span class="preview">{c.preview.unwrap_or_default()}</span>
                <LabelChips ids=c.labels />
                <span class="when" class:waiting-for=is_waiting>
                    {when}
                </span>
            </button>
        </li>
    }
}

/// Narrow the list to one label and one priority ("every" for either: no narrowing).
#[component]
fn TagPickers() -> impl IntoView {
    let board = use_board();
    let labels = LabelList::get();
    let i18n = use_i18n();
    let label_options = move || {
        labels
            .all()
            .into_iter()
            .map(|label| {
                let id = label.id.clone();
                let chosen = move || board.tags.with(|tags| tags.label.as_ref() == Some(&id));
                view! {
                    <option value=label.id.clone() prop:selected=chosen>
                        {label.name.clone()}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <div class="tag-pickers">
            <select
                data-testid="label-filter"
                aria-label=move || t_string!(i18n, labels.filter_label)
                on:change=move |ev| {
                    let picked = event_target_value(&ev);
                    let tags = TagFilter {
                        label: (!picked.is_empty()).then_some(picked),
                        ..board.tags.get_untracked()
                    };
                    board.narrow(tags);
                }
            >
                <option value="">{t!(i18n, labels.any_label)}</option>
                {label_options}
            </select>
            <select
                data-testid="priority-filter"
                aria-label=move || t_string!(i18n, labels.filter_priority)
                on:change=move |ev| {
                    let tags = TagFilter {
                        priority: Priority::from_code(&event_target_value(&ev)),
                        ..board.tags.get_untracked()
                    };
                    board.narrow(tags);
                }
            >
                <option value="">{t!(i18n, labels.any_priority)}</option>
                {Priority::ALL
                    .into_iter()
                    .map(|p| {
                        let chosen = move || board.tags.with(|tags| tags.priority == Some(p));
                        view! {
                            <option value=p.code() prop:selected=chosen>
                                {move || p.label(i18n.get_locale())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
