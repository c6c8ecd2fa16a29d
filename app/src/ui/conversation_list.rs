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
    on_select: Callback<ConversationId>,
) -> impl IntoView {
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
            <div class="filters" role="group" aria-label="Filter conversations">{filters.to_vec()}</div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || match conversations.get() {
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
                                                <span class=badge_class>{badge}</span>
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
