//! One conversation as an agent sees it: who it is and who handles it, the commands the
//! agent may give, the log, and the reply box. The data comes from the dashboard's
//! [`Board`](super::board::Board); the panel is rebuilt for each conversation opened.

use leptos::prelude::*;

use super::board::use_board;
use super::browser::now_millis;
use super::clock::use_now;
use super::composer::Composer;
use super::contact_card::ContactCard;
use super::conversation_actions::{requests, ConversationActions};
use super::event_item::Viewer;
use super::event_log::EventLog;
use super::format::{ago, verified_detail};
use super::labels::ConversationTags;
use super::note_form::NoteForm;
use crate::domain::{Conversation, ConversationId, Locale, Mode};
use crate::error::ApiError;
use crate::i18n::{t, t_string, td_string, use_i18n};

/// The conversation's state as the panel heading says it.
fn state_text(locale: Locale, c: &Conversation) -> String {
    match (c.mode, &c.owner) {
        (Mode::Ai, _) if c.waiting.is_some() => td_string!(locale, dash.state_ai_waiting).into(),
        (Mode::Ai, _) => td_string!(locale, dash.state_ai).into(),
        (Mode::Human { .. }, Some(owner)) => {
            td_string!(locale, dash.state_human, name = owner.name.as_str()).to_string()
        }
        (Mode::Human { .. }, None) => td_string!(locale, dash.state_human_unknown).into(),
        (Mode::Closed, _) => td_string!(locale, dash.state_closed).into(),
    }
}

/// What a refused command tells the agent, e.g. "Ana took this over 3 s ago".
fn refusal_text(locale: Locale, err: &ApiError, now_millis: i64) -> String {
    match err {
        ApiError::Conflict {
            holder: Some(holder),
            since: Some(since),
            ..
        } => td_string!(
            locale,
            dash.took_over_ago,
            name = holder.name.as_str(),
            ago = ago(locale, *since, now_millis)
        )
        .to_string(),
        other => other.to_string(),
    }
}

/// The chat panel of conversation `id`.
#[component]
pub fn ChatPanel(id: ConversationId) -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let send = requests(id);
    let (answered, answer) = (send.version(), send.value());
    // Only the conversation's own fields, compared: event arrivals alone re-run nothing here.
    let conversation = Memo::new(move |_| board.with_open(id, |d| d.conversation.clone()));
    // Refused or not, a command's answer may mean this copy is stale.
    Effect::new(move |done_before: Option<usize>| {
        let done = answered.get();
        if done_before.is_some_and(|before| before != done) {
            board.reload_open();
        }
        done
    });
    let refusal = move || {
        answer
            .get()
            .and_then(Result::err)
            .map(|err| refusal_text(i18n.get_locale(), &err, now_millis()))
    };
    let field = move |f: fn(Locale, &Conversation) -> String| {
        move || {
            let locale = i18n.get_locale();
            conversation.with(|c| c.as_ref().map(|c| f(locale, c)))
        }
    };
    let now = use_now();
    let waiting = move || {
        conversation.with(|c| {
            c.as_ref()?.waiting.as_ref().map(|w| {
                let locale = i18n.get_locale();
                td_string!(
                    locale,
                    dash.waiting_since,
                    ago = ago(locale, w.since, now.get()),
                    reason = w.reason.label_in(locale)
                )
                .to_string()
            })
        })
    };

    view! {
        <div class="chat-panel">
            {move || {
                board
                    .open_error()
                    .map(|e| {
                        view! {
                            <p class="error" role="alert">
                                {e}
                            </p>
                        }
                    })
            }} // The header is built once; only its texts and the set of buttons follow the state,
            // so a button never moves or disappears under the pointer while events arrive.
            <Show
                when=move || conversation.with(Option::is_some)
                fallback=move || {
                    view! {
                        <p class="muted" role="status">
                            {t!(i18n, dash.loading_conversation)}
                        </p>
                    }
                }
            >
                <header class="panel-head">
                    // Shown on phones only, where the list is hidden while a conversation is open.
                    <button
                        class="button ghost back"
                        aria-label=move || t_string!(i18n, dash.back)
                        on:click=move |_| board.selected.set(None)
                    >
                        "←"
                    </button>
                    <div class="panel-title">
                        <h2>{field(|_, c| c.customer_name.clone())}</h2>
                        {move || {
                            conversation
                                .with(|c| c.as_ref().and_then(|c| c.verified.clone()))
                                .map(|customer| {
                                    view! {
                                        <p class="panel-verified" data-testid="verified">
                                            <span class="verified" aria-hidden="true">
                                                "✓"
                                            </span>
                                            " "
                                            {t!(i18n, dash.verified)}
                                            " · "
                                            {move || verified_detail(i18n.get_locale(), &customer)}
                                        </p>
                                    }
                                })
                        }}
                        <p class="panel-state" data-testid="conversation-state">
                            {field(state_text)}
                        </p>
                        <p class="panel-language" data-testid="customer-language">
                            {field(|locale, c| {
                                td_string!(
                                    locale,
                                    dash.customer_language,
                                    language = td_string!(c.locale, language_name)
                                )
                                    .to_string()
                            })}
                        </p>
                        {move || {
                            conversation
                                .with(|c| c.as_ref().and_then(|c| c.contact_email.clone()))
                                .map(|email| {
                                    view! {
                                        <p class="panel-contact">
                                            {t!(i18n, dash.contact)} " "
                                            <a href=format!("mailto:{email}")>{email.clone()}</a>
                                        </p>
                                    }
                                })
                        }}
                    </div>
                    <ConversationActions conversation=conversation send=send />
                </header>
                // Who the customer is, and how the team sorts the conversation: one line.
                <div class="panel-meta">
                    <ContactCard id=id />
                    <ConversationTags id=id conversation=conversation />
                </div>
                {move || waiting().map(|w| view! { <p class="banner warn">{w}</p> })}
            </Show>
            {move || {
                refusal()
                    .map(|r| {
                        view! {
                            <p class="banner error" role="alert">
                                {r}
                            </p>
                        }
                    })
            }}
            <EventLog
                events=Signal::derive(move || {
                    board.with_open(id, |d| d.events.clone()).unwrap_or_default()
                })
                viewer=Viewer::Agent
                typing=Signal::derive(move || {
                    board
                        .customer_typing(id)
                        .then(|| t_string!(i18n, dash.customer_typing).to_owned())
                })
            /> <Composer id=id conversation=conversation /> <NoteForm id=id />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AgentId, AgentRef, Timestamp};

    #[test]
    fn a_lost_takeover_race_names_the_winner_and_when() {
        let err = ApiError::Conflict {
            message: "Already taken over by Ana Putri".into(),
            holder: Some(AgentRef {
                id: AgentId::new(),
                name: "Ana Putri".into(),
            }),
            since: Some(Timestamp(0)),
            refusal: Some("held_by".into()),
        };
        assert_eq!(
            refusal_text(Locale::en, &err, 3_000),
            "Ana Putri took this over 3 s ago"
        );
    }
}
