use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser;
use super::event_item::{EventItem, Viewer};
use super::format::client_id;
use crate::api::chat::{chat_history, request_human, send_chat, start_chat};
use crate::domain::Answering;
use crate::domain::{ConversationId, Event, MessageBody};
use crate::error::ApiError;

/// How often the chat refreshes.
const REFRESH: Duration = Duration::from_millis(1_500);
/// Where the browser keeps the conversation it resumes.
const SESSION_KEY: &str = "baton.chat";

/// The conversation this browser holds: its id and secret token.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChatSession {
    id: ConversationId,
    token: String,
}

impl ChatSession {
    fn load() -> Option<Self> {
        let raw = browser::load(SESSION_KEY)?;
        let (id, token) = raw.split_once(':')?;
        Some(Self {
            id: ConversationId::parse(id).ok()?,
            token: token.to_owned(),
        })
    }

    fn save(&self) {
        browser::store(SESSION_KEY, &format!("{}:{}", self.id, self.token));
    }
}

/// `/chat`: the customer's page. Starts a conversation, or resumes the one this browser holds.
#[component]
pub fn ChatPage() -> impl IntoView {
    let session = RwSignal::new(ChatSession::load());
    let name = RwSignal::new(String::new());
    let events = RwSignal::new(Vec::<Event>::new());
    let last_seq = RwSignal::new(0u64);
    let answering = RwSignal::new(None::<Answering>);
    let error = RwSignal::new(None::<String>);
    let draft = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let log_ref = NodeRef::<leptos::html::Ol>::new();

    let load = move || {
        let Some(current) = session.get_untracked() else {
            return;
        };
        let after = last_seq.get_untracked();
        spawn_local(async move {
            match chat_history(current.id, current.token.clone(), Some(after)).await {
                Ok(view) => {
                    // Another refresh may have got here first: keep each seq once.
                    if last_seq.get_untracked() == after {
                        if !view.events.is_empty() {
                            events.update(|all| all.extend(view.events));
                        }
                        last_seq.set(view.last_seq.max(after));
                    }
                    answering.set(Some(view.answering));
                    error.set(None);
                }
                Err(ApiError::Unauthorized { .. } | ApiError::NotFound { .. }) => {
                    browser::forget(SESSION_KEY);
                    session.set(None);
                }
                Err(err) => error.set(Some(err.to_string())),
            }
        });
    };
    load();
    if let Ok(handle) = set_interval_with_handle(load, REFRESH) {
        on_cleanup(move || handle.clear());
    }
    Effect::new(move |_| {
        events.track();
        request_animation_frame(move || {
            if let Some(log) = log_ref.get_untracked() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    });

    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let display_name = name.get_untracked();
        spawn_local(async move {
            match start_chat((!display_name.trim().is_empty()).then_some(display_name)).await {
                Ok(started) => {
                    let fresh = ChatSession {
                        id: started.conversation_id,
                        token: started.token,
                    };
                    fresh.save();
                    events.set(Vec::new());
                    last_seq.set(0);
                    session.set(Some(fresh));
                    error.set(None);
                    load();
                }
                Err(err) => error.set(Some(err.to_string())),
            }
            busy.set(false);
        });
    };

    let send = move || {
        let Some(current) = session.get_untracked() else {
            return;
        };
        let Ok(body) = MessageBody::parse(&draft.get_untracked()) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let key = client_id();
        spawn_local(async move {
            match send_chat(current.id, current.token, key, body).await {
                Ok(_) => {
                    draft.set(String::new());
                    load();
                }
                Err(err) => error.set(Some(err.to_string())),
            }
            busy.set(false);
        });
    };

    let ask_for_person = move |_| {
        let Some(current) = session.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match request_human(current.id, current.token).await {
                Ok(()) => load(),
                Err(err) => error.set(Some(err.to_string())),
            }
        });
    };

    let new_conversation = move |_| {
        browser::forget(SESSION_KEY);
        events.set(Vec::new());
        last_seq.set(0);
        answering.set(None);
        session.set(None);
    };

    let who = move || match answering.get() {
        None => "Connecting…".to_owned(),
        Some(Answering::Ai {
            waiting_for_human: false,
        }) => "You're chatting with our AI assistant".to_owned(),
        Some(Answering::Ai {
            waiting_for_human: true,
        }) => "Our AI assistant is with you while a person is on the way".to_owned(),
        Some(Answering::Agent { name }) => format!("You're chatting with {name}"),
        Some(Answering::Closed) => "This conversation is closed".to_owned(),
    };
    let closed = move || matches!(answering.get(), Some(Answering::Closed));
    let can_ask = move || {
        matches!(
            answering.get(),
            Some(Answering::Ai {
                waiting_for_human: false
            })
        )
    };

    view! {
        <main class="chat-page">
            <header class="chat-head">
                <span class="brand">"Lumen Goods · Help"</span>
                {move || session.get().map(|_| view! { <p class="answering" role="status">{who}</p> })}
            </header>
            {move || error.get().map(|e| view! { <p class="banner error" role="alert">{e}</p> })}
            {move || match session.get() {
                None => view! {
                    <form class="card start-chat" on:submit=start>
                        <h1>"How can we help?"</h1>
                        <label for="display-name">"Your name (optional)"</label>
                        <input
                            id="display-name"
                            autocomplete="name"
                            maxlength="60"
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))
                        />
                        <button class="button primary" type="submit" disabled=move || busy.get()>"Start chat"</button>
                    </form>
                }.into_any(),
                Some(_) => view! {
                    <ol class="log chat-log" node_ref=log_ref aria-label="Messages" aria-live="polite">
                        <For
                            each=move || events.get()
                            key=|event| event.seq
                            children=move |event| view! { <EventItem event=event viewer=Viewer::Customer /> }
                        />
                    </ol>
                    <div class="chat-tools">
                        <Show when=can_ask>
                            <button class="button ghost" on:click=ask_for_person>"Talk to a person"</button>
                        </Show>
                        <Show when=closed>
                            <button class="button" on:click=new_conversation>"Start a new conversation"</button>
                        </Show>
                    </div>
                    <form class="composer" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); send(); }>
                        <label for="message" class="sr-only">"Your message"</label>
                        <textarea
                            id="message"
                            rows="1"
                            placeholder="Type your message…"
                            disabled=closed
                            prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))
                            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                if ev.key() == "Enter" && !ev.shift_key() {
                                    ev.prevent_default();
                                    send();
                                }
                            }
                        ></textarea>
                        <button class="button primary" type="submit" disabled=move || closed() || busy.get() || draft.get().trim().is_empty()>"Send"</button>
                    </form>
                }.into_any(),
            }}
        </main>
    }
}
