//! `/chat`: the customer's page. Starts a conversation, or resumes the one this browser
//! holds (its id and secret token are kept in local storage). `/chat/embed` is the same page
//! inside the chat widget on another site (see [`super::embed`]); there the browser keeps
//! the conversation per host site.

use leptos::prelude::*;

use super::browser;
use super::customer_conversation::CustomerConversation;
use super::embed::{Embed, ToHost};
use crate::api::chat::{identify_chat, start_chat, ChatStarted};
use crate::domain::ConversationId;

/// Where the browser keeps the conversation it resumes.
const SESSION_KEY: &str = "baton.chat";

/// The conversation this browser holds: its id and secret token.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChatSession {
    id: ConversationId,
    token: String,
}

impl ChatSession {
    /// Reads what [`ChatSession::encode`] wrote.
    fn decode(raw: &str) -> Option<Self> {
        let (id, token) = raw.split_once(':')?;
        Some(Self {
            id: ConversationId::parse(id).ok()?,
            token: token.to_owned(),
        })
    }

    fn encode(&self) -> String {
        format!("{}:{}", self.id, self.token)
    }
}

impl From<ChatStarted> for ChatSession {
    fn from(started: ChatStarted) -> Self {
        Self {
            id: started.conversation_id,
            token: started.token,
        }
    }
}

/// Shows `shown` and keeps it for the next visit (none: forgets it; the start form shows).
fn keep(session: RwSignal<Option<ChatSession>>, shown: Option<ChatSession>) {
    match &shown {
        Some(shown) => browser::store(SESSION_KEY, &shown.encode()),
        None => browser::forget(SESSION_KEY),
    }
    if session.get_untracked() != shown {
        session.set(shown);
    }
}

/// The longest greeting the host page may set on the widget.
const MAX_GREETING_CHARS: usize = 120;

/// The start form's heading: the widget's `data-greeting` when one is given.
fn heading(greeting: Option<String>) -> String {
    greeting
        .map(|text| {
            text.trim()
                .chars()
                .take(MAX_GREETING_CHARS)
                .collect::<String>()
        })
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| "How can we help?".to_owned())
}

/// The customer's page; `embed`: inside the chat widget on another site.
#[component]
pub fn ChatPage(#[prop(optional)] embed: bool) -> impl IntoView {
    let widget = embed.then(Embed::provide);
    let greeting = heading(if embed {
        leptos_router::hooks::use_query_map()
            .get_untracked()
            .get("greeting")
    } else {
        None
    });
    let session =
        RwSignal::new(browser::load(SESSION_KEY).and_then(|raw| ChatSession::decode(&raw)));
    let name = RwSignal::new(String::new());
    let identity = move || widget.and_then(|widget| widget.identity.get_untracked());
    let start = Action::new_local(move |display_name: &String| {
        let display_name = (!display_name.trim().is_empty()).then(|| display_name.clone());
        async move {
            let started = start_chat(display_name, identity()).await?;
            keep(session, Some(started.into()));
            Ok::<_, crate::error::ApiError>(())
        }
    });
    // The host page identified its signed-in customer: show the conversation Baton says.
    let identify = Action::new_local(move |token: &String| {
        let token = token.clone();
        let held = session.get_untracked();
        async move {
            let (id, held_token) = held.clone().map(|held| (held.id, held.token)).unzip();
            let outcome = identify_chat(token, id, held_token).await;
            if let Some(widget) = widget {
                widget.post(ToHost::Identity(
                    outcome.as_ref().map(|_| ()).map_err(ToString::to_string),
                ));
            }
            match outcome {
                // A chat started meanwhile (with the token) stays.
                Ok(shown) if session.get_untracked() == held => {
                    keep(session, shown.map(ChatSession::from))
                }
                Ok(_) => {}
                Err(err) => {
                    leptos::logging::error!("Baton: {err}");
                    // Refused: the customer chats anonymously (unless the server requires
                    // an identity, which it then says on start).
                    if let Some(widget) = widget {
                        widget.identity.set(None);
                    }
                }
            }
        }
    });
    if let Some(widget) = widget {
        Effect::new(move |_| {
            if let Some(token) = widget.identity.get() {
                identify.dispatch(token);
            }
        });
    }
    let (starting, started) = (start.pending(), start.value());
    let on_ended = Callback::new(move |()| {
        browser::forget(SESSION_KEY);
        session.set(None);
        if let Some(widget) = widget {
            widget.post(ToHost::Active(false));
        }
    });

    view! {
        <main class="chat-page" class:embed=embed>
            {move || match session.get() {
                None => {
                    view! {
                        <header class="chat-head">
                            <span class="brand">"Lumen Goods · Help"</span>
                        </header>
                        {move || {
                            started
                                .get()
                                .and_then(Result::err)
                                .map(|e| {
                                    view! {
                                        <p class="banner error" role="alert">
                                            {e.to_string()}
                                        </p>
                                    }
                                })
                        }}
                        <form
                            class="card start-chat"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                start.dispatch(name.get_untracked());
                            }
                        >
                            <h1>{greeting.clone()}</h1>
                            <label for="display-name">"Your name (optional)"</label>
                            <input
                                id="display-name"
                                autocomplete="name"
                                maxlength="60"
                                bind:value=name
                            />
                            <button
                                class="button primary"
                                type="submit"
                                disabled=move || starting.get()
                            >
                                "Start chat"
                            </button>
                        </form>
                    }
                        .into_any()
                }
                Some(current) => {
                    view! {
                        <CustomerConversation id=current.id token=current.token on_ended=on_ended />
                    }
                        .into_any()
                }
            }}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_conversation_reads_back_and_anything_else_is_ignored() {
        let kept = ChatSession {
            id: ConversationId::new(),
            token: "s3cret:with-colon".into(),
        };
        assert_eq!(ChatSession::decode(&kept.encode()), Some(kept));
        assert_eq!(ChatSession::decode("not-an-id:token"), None);
        assert_eq!(ChatSession::decode("no separator"), None);
    }

    #[test]
    fn the_widget_greeting_heads_the_start_form_within_bounds() {
        assert_eq!(heading(None), "How can we help?");
        assert_eq!(heading(Some("   ".into())), "How can we help?");
        assert_eq!(heading(Some(" Hi there! ".into())), "Hi there!");
        assert_eq!(heading(Some("x".repeat(500))).chars().count(), 120);
    }
}
