//! One live conversation from the customer's side: its history, then every new event over
//! the customer socket (merged by seq, so a reconnect resumes exactly where it stopped), who
//! answers now, and the message box.

use std::time::Duration;

use leptos::prelude::*;

use super::attachments::{CustomerKey, FileSending, PickedFile};
use super::embed::{inform_host, Embed};
use super::event_item::Viewer;
use super::event_log::EventLog;
use super::format::client_id;
use super::language_picker::LanguagePicker;
use super::live_socket::{Link, LiveSocket};
use super::message_form::MessageForm;
use super::rating_form::{rating_due, RatingForm};
use crate::api::chat::{chat_history, leave_contact, request_human, send_chat, ChatView};
use crate::domain::analytics::rated_segment;
use crate::domain::{
    Answering, Author, ConversationId, Event, EventKind, Locale, MessageBody, QueueStatus,
};
use crate::error::ApiError;
use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::live::{ClientFrame, ServerFrame, Typist};

/// How long a typing signal shows.
const TYPING_SHOWN: Duration = Duration::from_secs(3);

/// How long the AI shows as typing after the customer's line at most (it lets the customer
/// finish before it answers; an answer that never comes must not leave it typing).
const AI_TYPING_SHOWN: Duration = Duration::from_secs(25);

/// Who answers, as the header says it in `locale`.
fn who(locale: Locale, answering: Option<&Answering>) -> String {
    match answering {
        None => td_string!(locale, chat.connecting).to_owned(),
        Some(Answering::Ai {
            waiting_for_human: false,
        }) => td_string!(locale, chat.with_ai).to_owned(),
        Some(Answering::Ai {
            waiting_for_human: true,
        }) => td_string!(locale, chat.ai_while_waiting).to_owned(),
        Some(Answering::Agent { name }) => {
            td_string!(locale, chat.with_agent, name = name.as_str()).to_string()
        }
        Some(Answering::Closed) => td_string!(locale, chat.closed).to_owned(),
    }
}

/// What the customer's page follows live.
#[derive(Clone, Copy)]
struct Followed {
    events: RwSignal<Vec<Event>>,
    answering: RwSignal<Option<Answering>>,
    typing: RwSignal<Option<String>>,
    /// Where the customer stands in the queue, as the server last pushed it.
    queue: RwSignal<QueueStatus>,
    history: LocalResource<Result<ChatView, ApiError>>,
    link: RwSignal<Link>,
}

/// Loads the history of conversation `id` and follows it over the customer socket until the
/// calling component goes away; `on_ended` runs when the server no longer knows the token.
fn follow(id: ConversationId, token: &str, on_ended: Callback<()>) -> Followed {
    let events = RwSignal::new(Vec::<Event>::new());
    let answering = RwSignal::new(None::<Answering>);
    let typing = RwSignal::new(None::<String>);
    let queue = RwSignal::new(QueueStatus::NotWaiting);
    // Events are merged by seq: a live event that overtakes a replay is neither lost nor shown
    // twice, and the log stays in seq order.
    let absorb = move |fresh: Vec<Event>| events.update(|all| super::merge_events(all, fresh));

    let history = LocalResource::new({
        let token = token.to_owned();
        move || chat_history(id, token.clone(), Some(0))
    });
    let i18n = use_i18n();
    Effect::new(move |_| match history.get() {
        Some(Ok(view)) => {
            // The page speaks the conversation's language (chosen on this or another device).
            if i18n.get_locale_untracked() != view.locale {
                i18n.set_locale(view.locale);
            }
            absorb(view.events);
            answering.update(|now| {
                now.get_or_insert(view.answering);
            });
        }
        Some(Err(ApiError::Unauthorized { .. } | ApiError::NotFound { .. })) => on_ended.run(()),
        _ => {}
    });

    let socket = LiveSocket::new();
    socket.connect(
        format!("/ws/chat?conversation_id={id}"),
        vec!["baton.chat".to_owned(), format!("baton.token.{token}")],
        move || {
            let after_seq = events.with_untracked(|all| all.last().map_or(0, |e| e.seq));
            vec![ClientFrame::Resume { after_seq }]
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
                set_timeout(move || typing.set(None), TYPING_SHOWN);
            }
            ServerFrame::Queue { status } => queue.set(status),
            _ => {}
        },
    );
    provide_context(socket.clone());
    Followed {
        events,
        answering,
        typing,
        queue,
        history,
        link: socket.link,
    }
}

/// The conversation `id`, opened with its secret `token`; `on_ended` runs when it is gone
/// (unknown token) or the customer starts a new one.
#[component]
pub fn CustomerConversation(
    id: ConversationId,
    token: String,
    on_ended: Callback<()>,
    /// Runs when the customer picks another language.
    switch_language: Callback<Locale>,
    /// Shown under the header, above the messages: the customer's earlier conversation.
    earlier: Option<ViewFn>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Followed {
        events,
        answering,
        typing,
        queue,
        history,
        link,
    } = follow(id, &token, on_ended);
    let rating_token = token.clone();
    let socket = expect_context::<LiveSocket>();
    let draft = RwSignal::new(String::new());
    provide_context(CustomerKey(token.clone()));
    let file = FileSending::new();
    let send_file = Callback::new({
        let token = token.clone();
        move |picked: PickedFile| {
            let caption = draft.get_untracked();
            let fields = vec![
                ("conversation_id", id.to_string()),
                ("token", token.clone()),
                ("client_id", client_id().to_string()),
                ("caption", caption.clone()),
            ];
            file.send(
                crate::domain::attachment::CUSTOMER_UPLOAD_PATH,
                fields,
                picked,
                move || {
                    draft.update(|d| {
                        if *d == caption {
                            d.clear();
                        }
                    });
                },
            );
        }
    });

    // The AI is writing back: from a line sent here until anyone else speaks (or the
    // customer's line is no longer the last word), [`AI_TYPING_SHOWN`] at most.
    let lines_sent = RwSignal::new(0_u32);
    let ai_due = RwSignal::new(false);
    let ai_typing = move || {
        ai_due.get()
            && matches!(answering.get(), Some(Answering::Ai { .. }))
            && events.with(|all| {
                all.iter()
                    .rev()
                    .find_map(Event::message)
                    .is_some_and(|m| m.author == Author::Customer)
            })
    };
    let send = Action::new_local({
        let token = token.clone();
        move |body: &MessageBody| {
            let (token, body) = (token.clone(), body.clone());
            async move {
                let sent = send_chat(id, token, client_id(), body.clone()).await;
                if sent.is_ok() {
                    let line = lines_sent.get_untracked() + 1;
                    lines_sent.set(line);
                    ai_due.set(true);
                    set_timeout(
                        move || {
                            if lines_sent.get_untracked() == line {
                                ai_due.set(false);
                            }
                        },
                        AI_TYPING_SHOWN,
                    );
                    draft.maybe_update(|d| {
                        let unchanged = d.trim() == body.as_str();
                        if unchanged {
                            d.clear();
                        }
                        unchanged
                    });
                }
                sent.map(|_| ())
            }
        }
    });
    let ask_for_person = Action::new_local({
        let token = token.clone();
        move |(): &()| request_human(id, token.clone())
    });
    let email = RwSignal::new(String::new());
    let give_email = Action::new_local(move |address: &String| {
        leave_contact(id, token.clone(), address.clone())
    });
    let (sending, sent, asked) = (send.pending(), send.value(), ask_for_person.value());
    let (emailing, emailed) = (give_email.pending(), give_email.value());
    let error = move || {
        let failed = |value: Option<Result<(), ApiError>>| value.and_then(Result::err);
        failed(sent.get())
            .or_else(|| failed(asked.get()))
            .or_else(|| failed(emailed.get()))
            .or_else(|| file.error.get())
            .or_else(|| history.get().and_then(|h| h.err()))
            .map(|err| err.to_string())
    };
    let closed = move || matches!(answering.get(), Some(Answering::Closed));
    if let Some(embed) = use_context::<Embed>() {
        inform_host(embed, id, events, Signal::derive(closed));
    }
    let can_ask = move || {
        matches!(
            answering.get(),
            Some(Answering::Ai {
                waiting_for_human: false
            })
        )
    };

    let contact_left = move || {
        events.with(|all| {
            all.iter()
                .any(|e| matches!(e.kind, EventKind::ContactLeft { .. }))
        })
    };
    let offer_email =
        move || matches!(queue.get(), QueueStatus::Offline { .. }) && !contact_left() && !closed();
    // The close (or handover) a rating would rate, while the browser has not asked about it.
    let rated_close = Memo::new(move |_| {
        let after_handover = history
            .get()
            .and_then(Result::ok)
            .is_some_and(|view| view.csat_after_handover);
        events
            .with(|all| rated_segment(all, after_handover))
            .map(|(segment, _)| segment)
            .filter(|segment| rating_due(id, *segment))
    });

    view! {
        <header class="chat-head">
            <span class="brand">{t!(i18n, chat.brand)}</span>
            <LanguagePicker on_change=switch_language />
            <super::theme_toggle::ThemeToggle />
            <p class="answering" role="status">
                {move || answering.with(|a| who(i18n.get_locale(), a.as_ref()))}
            </p>
            <p class="queue-line" role="status" aria-live="polite">
                {move || queue.with(|status| status.line(i18n.get_locale()))}
            </p>
        </header>
        {earlier.map(|earlier| earlier.run())}
        <Show when=offer_email>
            <form
                class="contact-form"
                aria-label=move || t_string!(i18n, chat.leave_email)
                on:submit=move |ev| {
                    ev.prevent_default();
                    give_email.dispatch(email.get_untracked().trim().to_owned());
                }
            >
                <label for="contact-email">{t!(i18n, chat.email_label)}</label>
                <input
                    id="contact-email"
                    name="email"
                    type="email"
                    autocomplete="email"
                    required
                    prop:value=move || email.get()
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
                <button class="button" type="submit" disabled=move || emailing.get()>
                    {t!(i18n, chat.send)}
                </button>
            </form>
        </Show>
        <Show when=move || link.get() == Link::Reconnecting>
            <p class="banner warn" role="status">
                {t!(i18n, chat.reconnecting)}
            </p>
        </Show>
        {move || {
            error()
                .map(|e| {
                    view! {
                        <p class="banner error" role="alert">
                            {e}
                        </p>
                    }
                })
        }}
        <EventLog
            events=events
            viewer=Viewer::Customer
            typing=Signal::derive(move || {
                typing
                    .get()
                    .or_else(|| {
                        ai_typing().then(|| t_string!(i18n, chat.ai_assistant).to_owned())
                    })
                    .map(|name| {
                        td_string!(i18n.get_locale(), chat.typing, name = name.as_str()).to_string()
                    })
            })
        />
        {move || {
            rated_close
                .get()
                .map(|segment| {
                    view! { <RatingForm id=id token=rating_token.clone() segment=segment /> }
                })
        }}
        <div class="chat-tools">
            <Show when=can_ask>
                <button
                    class="button ghost"
                    on:click=move |_| {
                        ask_for_person.dispatch(());
                    }
                >
                    {t!(i18n, chat.talk_to_person)}
                </button>
            </Show>
            <Show when=closed>
                <button class="button" on:click=move |_| on_ended.run(())>
                    {t!(i18n, chat.new_conversation)}
                </button>
            </Show>
        </div>
        <MessageForm
            field="message"
            label=Signal::derive(move || t_string!(i18n, chat.message_label).to_owned())
            rows="1"
            text=draft
            placeholder=Signal::derive(move || t_string!(i18n, chat.message_placeholder).to_owned())
            disabled=Signal::derive(closed)
            busy=Signal::derive(move || sending.get() || file.busy.get())
            on_file=send_file
            on_input=Callback::new(move |text| {
                draft.set(text);
                socket
                    .send(ClientFrame::Typing {
                        conversation_id: None,
                    });
            })
            on_send=Callback::new(move |()| {
                if let Ok(body) = MessageBody::parse(&draft.get_untracked()) {
                    send.dispatch(body);
                }
            })
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_says_who_answers_the_customer() {
        assert_eq!(who(Locale::en, None), "Connecting…");
        assert_eq!(
            who(
                Locale::en,
                Some(&Answering::Ai {
                    waiting_for_human: false
                })
            ),
            "You're chatting with our AI assistant"
        );
        assert_eq!(
            who(
                Locale::en,
                Some(&Answering::Ai {
                    waiting_for_human: true
                })
            ),
            "Our AI assistant is with you while a person is on the way"
        );
        assert_eq!(
            who(
                Locale::en,
                Some(&Answering::Agent {
                    name: "Budi Santoso".into()
                })
            ),
            "You're chatting with Budi Santoso"
        );
        assert_eq!(
            who(Locale::en, Some(&Answering::Closed)),
            "This conversation is closed"
        );
        assert_eq!(
            who(
                Locale::id,
                Some(&Answering::Agent {
                    name: "Budi Santoso".into()
                })
            ),
            "Anda sedang chat dengan Budi Santoso"
        );
    }
}
