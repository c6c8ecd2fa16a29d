use leptos::prelude::*;

use super::browser::now_millis;
use super::format::{ago, handler_badge};
use crate::domain::{Agent, Conversation, ConversationId, ListFilter};

/// The left panel: filters and the conversations they select, waiting ones on top.
#[component]
pub fn ConversationList(
    me: RwSignal<Agent>,
    filter: RwSignal<ListFilter>,
    conversations: RwSignal<Option<Vec<Conversation>>>,
    error: RwSignal<Option<String>>,
    selected: RwSignal<Option<ConversationId>>,
    unread: RwSignal<std::collections::HashMap<ConversationId, u32>>,
    on_select: Callback<ConversationId>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let filters = ListFilter::ALL.map(|f| {
        view! {
            <button
                class="chip"
                aria-pressed=move || (filter.get() == f).to_string()
                on:click=move |_| filter.set(f)
            >
                {f.label()}
            </button>
        }
    });

    view! {
        <aside class="list" aria-label="Conversations">
            <label for="search" class="sr-only">"Search by customer"</label>
            <input
                id="search"
                class="search"
                type="search"
                placeholder="Search by customer"
                prop:value=move || search.get()
                on:input=move |ev| search.set(event_target_value(&ev))
            />
            <div class="filters" role="group" aria-label="Filter conversations">{filters.to_vec()}</div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || match conversations.get().map(|list| {
                let needle = search.get().trim().to_lowercase();
                list.into_iter()
                    .filter(|c| needle.is_empty() || c.customer_name.to_lowercase().contains(&needle))
                    .collect::<Vec<_>>()
            }) {
                None => view! { <p class="muted" role="status">"Loading conversations…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="muted empty-list">"No conversations here yet."</p>
                }.into_any(),
                Some(list) => {
                    let me_id = me.get().id;
                    let now = now_millis();
                    view! {
                        <ul class="conversations">
                            {list.into_iter().map(|c| {
                                let id = c.id;
                                let (badge, badge_class) = handler_badge(&c, me_id);
                                let waiting = c.waiting.clone().map(|w| format!("{} · waiting {}", w.reason.label(), ago(w.since, now)));
                                let is_waiting = waiting.is_some();
                                let unread_count = move || unread.get().get(&id).copied().unwrap_or(0);
                                let preview = c.preview.clone().unwrap_or_default();
                                view! {
                                    <li>
                                        <button
                                            class="conversation"
                                            class:selected=move || selected.get() == Some(id)
                                            class:waiting=is_waiting
                                            on:click=move |_| on_select.run(id)
                                        >
                                            <span class="conversation-head">
                                                <span class="customer">{c.customer_name.clone()}</span>
                                                <span class="conversation-badges">
                                                    <Show when=move || { unread_count() > 0 }>
                                                        <span class="unread" aria-label=move || format!("{} unread", unread_count())>{unread_count}</span>
                                                    </Show>
                                                    <span class=badge_class>{badge.clone()}</span>
                                                </span>
                                            </span>
                                            {waiting.map(|w| view! { <span class="waiting-reason">{w}</span> })}
                                            <span class="preview">{preview}</span>
                                            <span class="when">{ago(c.updated_at, now)}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </aside>
    }
}
