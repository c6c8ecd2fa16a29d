//! The owner's reply box: the draft lives on the dashboard (switching conversations keeps it),
//! canned replies open on "/", and sending is an [`Action`] whose pending state disables the
//! button. Who may write is the rule book's answer, never restated here.

use leptos::prelude::*;

use super::attachments::{FileSending, PickedFile};
use super::board::use_board;
use super::canned::{on_key, CannedList, KeyAction};
use super::format::client_id;
use super::live_socket::LiveSocket;
use super::message_form::MessageForm;
use super::session::use_me;
use crate::api::conversations::send_message;
use crate::domain::canned::CannedReply;
use crate::domain::{AgentId, Conversation, ConversationId, Locale, MessageBody, Writer};
use crate::i18n::{t_string, use_i18n};
use crate::live::ClientFrame;

/// Why `me` cannot reply in `conversation`, as the rule book's refusal says it, or `None`
/// when they can.
fn why_not_reply(locale: Locale, conversation: &Conversation, me: AgentId) -> Option<String> {
    let refusal = conversation.mode.may_write(Writer::Agent(me)).err()?;
    Some(refusal.explain_in(locale, conversation))
}

/// The reply box of conversation `id`.
#[component]
pub fn Composer(id: ConversationId, conversation: Memo<Option<Conversation>>) -> impl IntoView {
    let me = use_me();
    let i18n = use_i18n();
    let board = use_board();
    let socket = expect_context::<LiveSocket>();
    let send = Action::new_local(move |body: &MessageBody| {
        let body = body.clone();
        async move {
            let sent = send_message(id, client_id(), body.clone()).await;
            // The sent reply leaves the box (the board outlives this panel), unless the agent
            // has written on meanwhile.
            if sent.is_ok() {
                board.clear_sent_draft(id, body.as_str());
            }
            sent
        }
    });
    let (sending, sent) = (send.pending(), send.value());
    let file = FileSending::new();
    let send_file = Callback::new(move |picked: PickedFile| {
        let caption = board.draft(id);
        let fields = vec![
            ("conversation_id", id.to_string()),
            ("client_id", client_id().to_string()),
            ("caption", caption.clone()),
        ];
        file.send(
            crate::domain::attachment::AGENT_UPLOAD_PATH,
            fields,
            picked,
            move || {
                board.clear_sent_draft(id, caption.trim());
            },
        );
    });
    let highlighted = RwSignal::new(0usize);
    let dismissed = RwSignal::new(false);

    let reason = move || {
        let locale = i18n.get_locale();
        conversation.with(|c| c.as_ref().and_then(|c| why_not_reply(locale, c, me.id())))
    };
    let can_reply = move || conversation.with(Option::is_some) && reason().is_none();
    let canned = CannedList::get();
    let shown = move || {
        if can_reply() && !dismissed.get() {
            // In the customer's language: the agent sends them.
            let locale = conversation.with(|c| c.as_ref().map(|c| c.locale).unwrap_or_default());
            canned.matching(&board.draft(id), locale)
        } else {
            Vec::new()
        }
    };
    let write = move |text: String| {
        let opening = text.trim_start().starts_with('/')
            && !untrack(|| board.draft(id)).trim_start().starts_with('/');
        if opening {
            // The list opens: what supervisors changed since shows as soon as it is fetched.
            canned.refresh();
        }
        board.set_draft(id, text);
        highlighted.set(0);
        dismissed.set(false);
    };
    // The reply's text with this customer's and this agent's names.
    let filled = move |reply: &CannedReply| {
        let customer = conversation
            .with_untracked(|c| c.as_ref().map(|c| c.customer_name.clone()))
            .unwrap_or_default();
        reply.filled(&customer, me.get_untracked().display_name.as_str())
    };
    let on_canned_key = Callback::new(move |(key, shift): (String, bool)| {
        let on_show = untrack(shown);
        match on_key(&key, shift, on_show.len(), highlighted.get_untracked()) {
            KeyAction::Type | KeyAction::Send => false,
            KeyAction::Highlight(at) => {
                highlighted.set(at);
                true
            }
            KeyAction::Insert(at) => {
                write(filled(&on_show[at]));
                true
            }
            KeyAction::Dismiss => {
                dismissed.set(true);
                true
            }
        }
    });

    view! {
        <Show when=move || !shown().is_empty()>
            <ul
                class="canned"
                id="canned-replies"
                role="listbox"
                aria-label=move || t_string!(i18n, dash.canned)
            >
                {move || {
                    shown()
                        .into_iter()
                        .enumerate()
                        .map(|(at, reply)| {
                            let text = filled(&reply);
                            let inserted = text.clone();
                            view! {
                                <li
                                    role="option"
                                    id=format!("canned-{at}")
                                    aria-selected=move || (highlighted.get() == at).to_string()
                                >
                                    <button
                                        type="button"
                                        tabindex="-1"
                                        title=reply.title
                                        on:click=move |_| write(inserted.clone())
                                    >
                                        <strong>{reply.shortcut}</strong>
                                        " "
                                        {text}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </Show>
        {move || {
            sent.get()
                .and_then(Result::err)
                .or_else(|| file.error.get())
                .map(|err| {
                    view! {
                        <p class="banner error" role="alert">
                            {err.to_string()}
                        </p>
                    }
                })
        }}
        <MessageForm
            field="reply"
            label=Signal::derive(move || t_string!(i18n, dash.reply_label).to_owned())
            rows="2"
            text=Signal::derive(move || board.draft(id))
            placeholder=Signal::derive(move || {
                reason().unwrap_or_else(|| t_string!(i18n, dash.reply_placeholder).to_owned())
            })
            disabled=Signal::derive(move || !can_reply())
            busy=Signal::derive(move || sending.get() || file.busy.get())
            on_file=send_file
            on_input=Callback::new(move |text| {
                write(text);
                socket
                    .send(ClientFrame::Typing {
                        conversation_id: Some(id),
                    });
            })
            on_send=Callback::new(move |()| {
                if let Ok(body) = MessageBody::parse(&board.draft(id)) {
                    send.dispatch(body);
                }
            })
            on_key=on_canned_key
            controls="canned-replies"
            active_option=Signal::derive(move || {
                (!shown().is_empty()).then(|| format!("canned-{}", highlighted.get()))
            })
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AgentRef, Mode};

    fn conversation(mode: Mode, owner: Option<AgentRef>) -> Conversation {
        Conversation {
            owner,
            ..super::super::frames::tests::conversation(mode, 0)
        }
    }

    #[test]
    fn only_the_owner_may_reply_and_the_others_are_told_why_in_the_rule_books_words() {
        let me = AgentId::new();
        let ana = AgentRef {
            id: AgentId::new(),
            name: "Ana Putri".into(),
        };
        let mine = conversation(Mode::Human { agent: me }, None);
        assert_eq!(why_not_reply(Locale::en, &mine, me), None);

        let theirs = conversation(Mode::Human { agent: ana.id }, Some(ana.clone()));
        let refusal = Mode::Human { agent: ana.id }
            .may_write(Writer::Agent(me))
            .unwrap_err();
        let told = why_not_reply(Locale::en, &theirs, me).unwrap();
        assert!(told.contains("Ana Putri"), "{told}");
        assert_eq!(told, refusal.message(|_| Some("Ana Putri".into())));

        for mode in [Mode::Ai, Mode::Closed] {
            let refusal = mode.may_write(Writer::Agent(me)).unwrap_err();
            assert_eq!(
                why_not_reply(Locale::en, &conversation(mode, None), me),
                Some(refusal.message(|_| None))
            );
        }
    }
}
