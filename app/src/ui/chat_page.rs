//! `/chat`: the customer's page. Starts a conversation, or resumes the one this browser
//! holds (its id and secret token are kept in local storage). `/chat/embed` is the same page
//! inside the chat widget on another site (see [`super::embed`]); there the browser keeps
//! the conversation per host site.

use leptos::prelude::*;

use super::browser;
use super::customer_conversation::CustomerConversation;
use super::embed::{Embed, ToHost};
use super::language_picker::{self, LanguagePicker};
use crate::api::chat::{identify_chat, set_chat_language, start_chat, ChatStarted};
use crate::domain::{language, ConversationId, Locale};
use crate::i18n::{t, use_i18n};

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

/// The start form's heading: the widget's `data-greeting` when one is given, else the
/// page's own in `locale`.
fn heading(greeting: Option<String>, locale: Locale) -> String {
    greeting
        .map(|text| {
            text.trim()
                .chars()
                .take(MAX_GREETING_CHARS)
                .collect::<String>()
        })
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| crate::i18n::td_string!(locale, chat.greeting).to_owned())
}

/// The customer's page; `embed`: inside the chat widget on another site.
#[component]
pub fn ChatPage(#[prop(optional)] embed: bool) -> impl IntoView {
    let widget = embed.then(Embed::provide);
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map().get_untracked();
    let greeting = embed.then(|| query.get("greeting")).flatten();
    let session =
        RwSignal::new(browser::load(SESSION_KEY).and_then(|raw| ChatSession::decode(&raw)));
    // The host page's `data-locale` speaks for a visitor who has not chosen yet.
    if let Some(locale) = embed
        .then(|| query.get("locale"))
        .flatten()
        .and_then(|tag| language::from_tag(&tag))
    {
        if session.get_untracked().is_none() && !language_picker::chosen() {
            i18n.set_locale(locale);
        }
    }
    // A customer who switches language mid-chat hears every notice in it from then on.
    let switch_language = Callback::new(move |locale: Locale| {
        if let Some(current) = session.get_untracked() {
            leptos::task::spawn_local(async move {
                if let Err(err) =
                    set_chat_language(current.id, current.token, locale.code().to_owned()).await
                {
                    leptos::logging::warn!("Baton: the language was not saved: {err}");
                }
            });
        }
    });
    let name = RwSignal::new(String::new());
    let identity = move || widget.and_then(|widget| widget.identity.get_untracked());
    let start = Action::new_local(move |display_name: &String| {
        let display_name = (!display_name.trim().is_empty()).then(|| display_name.clone());
        async move {
            let locale = Some(i18n.get_locale_untracked().code().to_owned());
            let started = start_chat(display_name, identity(), locale).await?;
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
                            <span class="brand">{t!(i18n, chat.brand)}</span>
                            <LanguagePicker on_change=switch_language />
                            <super::theme_toggle::ThemeToggle />
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
                            <h1>
                                {
                                    let greeting = greeting.clone();
                                    move || heading(greeting.clone(), i18n.get_locale())
                                }
                            </h1>
                            <label for="display-name">{t!(i18n, chat.name_label)}</label>
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
                                {t!(i18n, chat.start)}
                            </button>
                        </form>
                    }
                        .into_any()
                }
                Some(current) => {
                    view! {
                        <CustomerConversation
                            id=current.id
                            token=current.token
                            on_ended=on_ended
                            switch_language=switch_language
                        />
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
        assert_eq!(heading(None, Locale::en), "How can we help?");
        assert_eq!(heading(None, Locale::id), "Ada yang bisa kami bantu?");
        assert_eq!(heading(Some("   ".into()), Locale::en), "How can we help?");
        assert_eq!(heading(Some(" Hi there! ".into()), Locale::id), "Hi there!");
        assert_eq!(
            heading(Some("x".repeat(500)), Locale::en).chars().count(),
            120
        );
    }
}
