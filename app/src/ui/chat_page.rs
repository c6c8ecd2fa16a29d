//! `/chat`: the customer's page. Starts a conversation, or resumes the one this browser
//! holds (its id and secret token are kept in local storage). `/chat/embed` is the same page
//! inside the chat widget on another site (see [`super::embed`]); there the browser keeps
//! the conversation per host site.

use leptos::prelude::*;

use super::attachments::CustomerKey;
use super::browser;
use super::customer_conversation::CustomerConversation;
use super::embed::{Embed, ToHost};
use super::event_item::Viewer;
use super::event_log::EventLog;
use super::language_picker::{self, LanguagePicker};
use crate::api::chat::{chat_history, identify_chat, set_chat_language, start_chat, ChatStarted};
use crate::domain::{language, ConversationId, Locale};
use crate::i18n::{t, use_i18n};

/// Where the browser keeps the conversation it resumes.
const SESSION_KEY: &str = "baton.chat";
/// Where the browser keeps the conversation it held before the current one: a new chat
/// names it, so the agents see the customer's earlier conversations.
const PREVIOUS_KEY: &str = "baton.chat.previous";

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

/// The conversation this browser held before, if any and if it is not `current`.
fn previous_chat(current: Option<ConversationId>) -> Option<ChatSession> {
    browser::load(PREVIOUS_KEY)
        .and_then(|raw| ChatSession::decode(&raw))
        .filter(|previous| Some(previous.id) != current)
}

/// The earlier conversation under the start form, unfolded: the customer who just started
/// a new conversation still reads the last one.
fn earlier_open() -> Option<impl IntoView> {
    previous_chat(None).map(|previous| view! { <EarlierChat previous=previous open=true /> })
}

/// The conversation this browser held before, read-only (what the customer may see of it,
/// its files fetched with its own token).
#[component]
fn EarlierChat(previous: ChatSession, open: bool) -> impl IntoView {
    let i18n = use_i18n();
    provide_context(CustomerKey(previous.token.clone()));
    let ChatSession { id, token } = previous;
    let history = LocalResource::new(move || chat_history(id, token.clone(), None));
    view! {
        {move || {
            history
                .get()
                .and_then(Result::ok)
                .filter(|history| !history.events.is_empty())
                .map(|history| {
                    view! {
                        <details class="earlier-chat card" open=open>
                            <summary>{t!(i18n, chat.earlier)}</summary>
                            <EventLog
                                events=Signal::stored(history.events)
                                viewer=Viewer::Customer
                                typing=Signal::stored(None::<String>)
                            />
                        </details>
                    }
                })
        }}
    }
}

/// The customer's page; `embed`: inside the chat widget on another site.
#[component]
pub fn ChatPage(#[prop(optional)] embed: bool) -> impl IntoView {
    let widget = embed.then(Embed::provide);
    let i18n = use_i18n();
    // The page's own query, read from the address: the customer's bundle has no router.
    let query = |name: &str| embed.then(|| browser::query_param(name)).flatten();
    let greeting = query("greeting");
    // The host page the widget is on, as its script says (a bad one is left out).
    let page = query("page").and_then(|page| crate::domain::contact::page_of(&page).ok());
    let session =
        RwSignal::new(browser::load(SESSION_KEY).and_then(|raw| ChatSession::decode(&raw)));
    // The host page's `data-locale` speaks for a visitor who has not chosen yet.
    if let Some(locale) = query("locale").and_then(|tag| language::from_tag(&tag)) {
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
        let previous = previous_chat(None);
        let page = page.clone();
        async move {
            let locale = Some(i18n.get_locale_untracked().code().to_owned());
            let (previous_id, previous_token) = previous.map(|p| (p.id, p.token)).unzip();
            let started = start_chat(
                display_name,
                identity(),
                locale,
                previous_id,
                previous_token,
                page,
            )
            .await?;
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
        if let Some(ended) = session.get_untracked() {
            browser::store(PREVIOUS_KEY, &ended.encode());
        }
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
                        {earlier_open()}
                    }
                        .into_any()
                }
                Some(current) => {
                    let earlier = previous_chat(Some(current.id))
                        .map(|previous| {
                            ViewFn::from(move || {
                                view! { <EarlierChat previous=previous.clone() open=false /> }
                            })
                        });
                    view! {
                        <CustomerConversation
                            earlier=earlier
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
