use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser;
use super::event_item::{EventItem, Viewer};
use super::format::client_id;
use super::live_socket::{connect, Link};
use crate::api::chat::{chat_history, request_human, send_chat, start_chat};
use crate::domain::{Answering, ConversationId, Event, MessageBody};
use crate::error::ApiError;
use crate::live::{ClientFrame, ServerFrame, Typist};

/// Where the browser keeps the conversation it resumes.
const SESSION_KEY: &str = "baton.chat";
/// How long a typing signal shows.
const TYPING_SHOWN_MS: u64 = 3_000;

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
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

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
                    error.set(None);
                    session.set(Some(fresh));
                }
                Err(err) => error.set(Some(err.to_string())),
            }
            busy.set(false);
        });
    };
    let on_ended = Callback::new(move |()| {
        browser::forget(SESSION_KEY);
        session.set(None);
    });

    view! {
        <main class="chat-page">
            {move || match session.get() {
                None => view! {
                    <header class="chat-head">
                        <span class="brand">"Lumen Goods · Help"</span>
                    </header>
                    {move || error.get().map(|e| view! { <p class="banner error" role="alert">{e}</p> })}
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
                Some(current) => view! { <CustomerConversation id=current.id token=current.token on_ended=on_ended /> }.into_any(),
            }}
        </main>
    }
}

/// One live conversation, from the customer's side.
#[component]
fn CustomerConversation(
    id: ConversationId,
    token: String,
    on_ended: Callback<()>,
) -> impl IntoView {
    let events = RwSignal::new(Vec::<Event>::new());
    // The highest seq this page holds; the socket resumes after it.
    let cursor = RwSignal::new(0u64);
    let answering = RwSignal::new(None::<Answering>);
    let typing = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let draft = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let log_ref = NodeRef::<leptos::html::Ol>::new();

    // Events are merged by seq: a live event that overtakes a replay is neither lost nor shown
    // twice, and the log stays in seq order.
    let absorb = move |fresh: Vec<Event>| {
        if fresh.is_empty() {
            return;
        }
        events.update(|all| super::merge_events(all, fresh));
        if let Some(last) = events.with_untracked(|all| all.last().map(|e| e.seq)) {
            cursor.set(last);
        }
    };

    {
        let token = token.clone();
        spawn_local(async move {
            match chat_history(id, token, Some(0)).await {
                Ok(view) => {
                    absorb(view.events);
                    answering.set(Some(view.answering));
                }
                Err(ApiError::Unauthorized { .. } | ApiError::NotFound { .. }) => on_ended.run(()),
                Err(err) => error.set(Some(err.to_string())),
            }
        });
    }
    let socket = connect(
        format!("/ws/chat?conversation_id={id}"),
        vec!["baton.chat".to_owned(), format!("baton.token.{token}")],
        move || {
            vec![ClientFrame::Resume {
                after_seq: cursor.get_untracked(),
            }]
        },
        move |frame| match frame {
            ServerFrame::Events {
                events: fresh,
                answering: now,
                ..
            } => {
                absorb(fresh);
                if now.is_some() {
                    answering.set(now);
                }
            }
            ServerFrame::Typing {
                from: Typist::Agent { name },
                ..
            } => {
                typing.set(Some(name));
                set_timeout(
                    move || typing.set(None),
                    std::time::Duration::from_millis(TYPING_SHOWN_MS),
                );
            }
            _ => {}
        },
    );
    let link = socket.link;
    let typing_socket = socket.clone();

    Effect::new(move |_| {
        events.track();
        typing.track();
        request_animation_frame(move || {
            if let Some(log) = log_ref.get_untracked() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    });

    let token_for_send = token.clone();
    let send = move || {
        let Ok(body) = MessageBody::parse(&draft.get_untracked()) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let key = client_id();
        let token = token_for_send.clone();
        spawn_local(async move {
            match send_chat(id, token, key, body).await {
                Ok(_) => {
                    draft.set(String::new());
                    error.set(None);
                }
                Err(err) => error.set(Some(err.to_string())),
            }
            busy.set(false);
        });
    };
    let send_on_enter = send.clone();

    let ask_for_person = move |_| {
        let token = token.clone();
        spawn_local(async move {
            if let Err(err) = request_human(id, token).await {
                error.set(Some(err.to_string()));
            }
        });
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
        <header class="chat-head">
            <span class="brand">"Lumen Goods · Help"</span>
            <p class="answering" role="status">{who}</p>
        </header>
        <Show when=move || link.get() == Link::Reconnecting>
            <p class="banner warn" role="status">"Connection lost. Reconnecting…"</p>
        </Show>
        {move || error.get().map(|e| view! { <p class="banner error" role="alert">{e}</p> })}
        <ol class="log chat-log" node_ref=log_ref aria-label="Messages" aria-live="polite">
            <For
                each=move || events.get()
                key=|event| event.seq
                children=move |event| view! { <EventItem event=event viewer=Viewer::Customer /> }
            />
        </ol>
        <p class="typing" aria-live="polite">{move || typing.get().map(|name| format!("{name} is typing…"))}</p>
        <div class="chat-tools">
            <Show when=can_ask>
                <button class="button ghost" on:click=ask_for_person.clone()>"Talk to a person"</button>
            </Show>
            <Show when=closed>
                <button class="button" on:click=move |_| on_ended.run(())>"Start a new conversation"</button>
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
                on:input=move |ev| {
                    draft.set(event_target_value(&ev));
                    typing_socket.send(ClientFrame::Typing { conversation_id: None });
                }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && !ev.shift_key() {
                        ev.prevent_default();
                        send_on_enter();
                    }
                }
            ></textarea>
            <button class="button primary" type="submit" disabled=move || closed() || busy.get() || draft.get().trim().is_empty()>"Send"</button>
        </form>
    }
}
