//! `/chat`: the customer's page. Starts a conversation, or resumes the one this browser
//! holds (its id and secret token are kept in local storage). `/chat/embed` is the same page
//! inside the chat widget on another site (see [`super::embed`]); there the browser keeps
//! the conversation per host site.

use leptos::prelude::*;

use super::browser;
use super::customer_conversation::CustomerConversation;
use super::embed::{Embed, ToHost};
use crate::api::chat::start_chat;
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
    let start = Action::new_local(move |display_name: &String| {
        let display_name = display_name.clone();
        async move {
            let started =
                start_chat((!display_name.trim().is_empty()).then_some(display_name)).await?;
            let fresh = ChatSession {
                id: started.conversation_id,
                token: started.token,
            };
            browser::store(SESSION_KEY, &fresh.encode());
            session.set(Some(fresh));
            Ok::<_, crate::error::ApiError>(())
        }
    });
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
