use leptos::prelude::*;
use leptos::task::spawn_local;

use super::chat_panel::ChatPanel;
use super::conversation_list::ConversationList;
use super::live_socket::{connect, Link};
use crate::api::agents::set_availability;
use crate::api::auth::logout;
use crate::api::conversations::{get_conversation, list_conversations, ConversationDetail};
use crate::domain::{
    Agent, Availability, Conversation, ConversationId, Event, EventKind, ListFilter,
};
use crate::live::{ClientFrame, ServerFrame, Typist};

/// How long a typing signal shows.
const TYPING_SHOWN_MS: u64 = 3_000;
/// How long a notification stays.
const TOAST_MS: u64 = 8_000;

/// An in-page notification.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    id: u64,
    text: String,
}

/// Waiting conversations first (longest wait on top), then the latest activity.
fn sort(list: &mut [Conversation]) {
    list.sort_by_key(|c| {
        (
            c.waiting.is_none(),
            c.waiting.as_ref().map(|w| w.since),
            std::cmp::Reverse(c.updated_at),
        )
    });
}

/// The signed-in agent's dashboard: the conversation list on the left, the chat panel on the
/// right, kept live by one socket.
#[component]
pub fn Dashboard(agent: Agent, on_signed_out: Callback<()>) -> impl IntoView {
    let me = RwSignal::new(agent);
    let filter = RwSignal::new(ListFilter::All);
    let conversations = RwSignal::new(None::<Vec<Conversation>>);
    let list_error = RwSignal::new(None::<String>);
    let selected = RwSignal::new(None::<ConversationId>);
    let detail = RwSignal::new(None::<ConversationDetail>);
    let typing_in = RwSignal::new(None::<ConversationId>);
    let unread = RwSignal::new(std::collections::HashMap::<ConversationId, u32>::new());
    let toasts = RwSignal::new(Vec::<Toast>::new());
    let next_toast = StoredValue::new(0u64);

    let refresh_list = move || {
        let wanted = filter.get_untracked();
        spawn_local(async move {
            match list_conversations(Some(wanted)).await {
                Ok(list) => {
                    // An answer for a filter no longer chosen is dropped.
                    if filter.get_untracked() == wanted {
                        conversations.set(Some(list));
                        list_error.set(None);
                    }
                }
                Err(err) => list_error.set(Some(err.to_string())),
            }
        });
    };
    let notify = move |text: String| {
        let id = next_toast.get_value();
        next_toast.set_value(id + 1);
        super::browser::system_notification(&text);
        toasts.update(|all| all.push(Toast { id, text }));
        set_timeout(
            move || toasts.update(|all| all.retain(|t| t.id != id)),
            std::time::Duration::from_millis(TOAST_MS),
        );
    };

    let socket = connect(
        "/ws".to_owned(),
        Vec::new(),
        move || {
            // A (re)connection may have missed list changes: fetch the list again, and
            // resume the open conversation after the last event this page holds.
            refresh_list();
            match (selected.get_untracked(), detail.get_untracked()) {
                (Some(id), Some(d)) if d.conversation.id == id => vec![ClientFrame::Watch {
                    conversation_id: id,
                    after_seq: d.conversation.last_seq,
                }],
                _ => Vec::new(),
            }
        },
        move |frame| match frame {
            ServerFrame::Events {
                conversation_id,
                events,
                conversation: Some(conversation),
                ..
            } => {
                let conversation = *conversation;
                let me_now = me.get_untracked();
                for event in &events {
                    if let Some(text) = notice_for(event, &conversation, &me_now) {
                        notify(text);
                    }
                }
                let customer_wrote = events
                    .iter()
                    .filter(|e| {
                        e.message()
                            .is_some_and(|m| m.author == crate::domain::Author::Customer)
                    })
                    .count() as u32;
                if customer_wrote > 0 && selected.get_untracked() != Some(conversation_id) {
                    unread.update(|u| *u.entry(conversation_id).or_default() += customer_wrote);
                }
                let wanted = filter.get_untracked();
                conversations.update(|list| {
                    if let Some(list) = list {
                        list.retain(|c| c.id != conversation_id);
                        if conversation.matches(wanted, me_now.id) {
                            list.push(conversation.clone());
                        }
                        sort(list);
                    }
                });
                if selected.get_untracked() == Some(conversation_id) {
                    detail.update(|d| {
                        if let Some(d) = d.as_mut().filter(|d| d.conversation.id == conversation_id)
                        {
                            super::merge_events(&mut d.events, events);
                            if conversation.version >= d.conversation.version
                                && conversation.last_seq >= d.conversation.last_seq
                            {
                                d.conversation = conversation;
                            }
                        }
                    });
                }
            }
            ServerFrame::Typing {
                conversation_id,
                from: Typist::Customer,
            } => {
                typing_in.set(Some(conversation_id));
                set_timeout(
                    move || {
                        if typing_in.get_untracked() == Some(conversation_id) {
                            typing_in.set(None);
                        }
                    },
                    std::time::Duration::from_millis(TYPING_SHOWN_MS),
                );
            }
            ServerFrame::Presence {
                agent_id, status, ..
            } if agent_id == me.get_untracked().id => {
                me.update(|m| m.status = status);
            }
            ServerFrame::Resync => refresh_list(),
            _ => {}
        },
    );
    let link = socket.link;

    Effect::new(move |_| {
        filter.track();
        refresh_list();
    });
    let open = {
        let socket = socket.clone();
        move || {
            let Some(id) = selected.get_untracked() else {
                return;
            };
            let socket = socket.clone();
            spawn_local(async move {
                match get_conversation(id).await {
                    Ok(fresh) if selected.get_untracked() == Some(id) => {
                        let after_seq = fresh.conversation.last_seq;
                        detail.set(Some(fresh));
                        socket.send(ClientFrame::Watch {
                            conversation_id: id,
                            after_seq,
                        });
                    }
                    Ok(_) => {}
                    Err(err) => list_error.set(Some(err.to_string())),
                }
            });
        }
    };
    let on_select = {
        let open = open.clone();
        Callback::new(move |id| {
            unread.update(|u| {
                u.remove(&id);
            });
            if selected.get_untracked() != Some(id) {
                detail.set(None);
                selected.set(Some(id));
                open();
            }
        })
    };
    let on_changed = Callback::new(move |()| {
        refresh_list();
        open();
    });

    let change_status = move |ev: leptos::ev::Event| {
        let status = match event_target_value(&ev).as_str() {
            "away" => Availability::Away,
            "offline" => Availability::Offline,
            _ => Availability::Online,
        };
        spawn_local(async move {
            if let Ok(agent) = set_availability(status).await {
                me.set(agent);
            }
        });
    };
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = logout().await;
            on_signed_out.run(());
        });
    };

    view! {
        <div class="dashboard">
            <header class="topbar">
                <span class="brand">"Baton"</span>
                <Show when=move || link.get() == Link::Reconnecting>
                    <span class="link-state" role="status">"Reconnecting…"</span>
                </Show>
                <span class="topbar-spacer"></span>
                <label class="status-select">
                    <span class="sr-only">"Your availability"</span>
                    <select
                        aria-label="Your availability"
                        on:change=change_status
                        prop:value=move || me.get().status.as_str()
                    >
                        <option value="online">"Online"</option>
                        <option value="away">"Away"</option>
                        <option value="offline">"Offline"</option>
                    </select>
                </label>
                <Show when=move || me.get().role == crate::domain::Role::Admin>
                    <a href="/admin">"Admin"</a>
                </Show>
                <span class="whoami">{move || me.get().display_name.to_string()}</span>
                <button class="button ghost" on:click=sign_out>"Sign out"</button>
            </header>
            <div class="toasts" role="status" aria-live="polite">
                <For
                    each=move || toasts.get()
                    key=|toast| toast.id
                    children=move |toast| view! { <p class="toast">{toast.text}</p> }
                />
            </div>
            <div class="dashboard-body">
                <ConversationList
                    me=me
                    filter=filter
                    conversations=conversations
                    error=list_error
                    selected=selected
                    unread=unread
                    on_select=on_select
                />
                <section class="panel" aria-label="Conversation">
                    {move || match selected.get() {
                        Some(id) => view! {
                            <ChatPanel
                                id=id
                                me=me
                                detail=detail
                                customer_typing=Signal::derive(move || typing_in.get() == Some(id))
                                socket=socket.clone()
                                on_changed=on_changed
                            />
                        }.into_any(),
                        None => view! {
                            <div class="empty-state">
                                <p>"Select a conversation from the list to read it."</p>
                            </div>
                        }.into_any(),
                    }}
                </section>
            </div>
        </div>
    }
}

/// The notification an event deserves for `me`: a transfer to me (with its note), or a
/// customer now waiting for a human.
fn notice_for(event: &Event, conversation: &Conversation, me: &Agent) -> Option<String> {
    match &event.kind {
        EventKind::Transferred { from, to, note } if to.id == me.id => Some(match note {
            Some(note) => format!(
                "{} transferred {} to you. Note: {note}",
                from.name, conversation.customer_name
            ),
            None => format!(
                "{} transferred {} to you",
                from.name, conversation.customer_name
            ),
        }),
        EventKind::ForcedTakeover { by, from, reason } if from.id == me.id => Some(format!(
            "{} took over {} from you. Reason: {reason}",
            by.name, conversation.customer_name
        )),
        EventKind::WaitingForHuman { reason, .. } => Some(format!(
            "{} is waiting for a human: {}",
            conversation.customer_name,
            reason.label()
        )),
        _ => None,
    }
}
