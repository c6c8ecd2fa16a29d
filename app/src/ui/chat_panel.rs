use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser::now_millis;
use super::event_item::{EventItem, Viewer};
use super::format::{ago, client_id};
use super::live_socket::LiveSocket;
use super::transfer_picker::TransferPicker;
use crate::api::conversations::{get_conversation, send_message, ConversationDetail};
use crate::api::handover::handover;
use crate::api::lifecycle::{close, reopen};
use crate::api::takeover::{force_takeover, takeover};
use crate::domain::{Actor, Agent, Command, Conversation, ConversationId, MessageBody, Mode};
use crate::error::ApiError;
use crate::live::ClientFrame;

/// Canned replies: typing "/" in the reply box lists them.
const CANNED: &[(&str, &str)] = &[
    ("/greet", "Hi! I'm here to help. Could you tell me a little more about what happened?"),
    ("/order", "Could you share your order number so I can look it up?"),
    ("/sorry", "I'm sorry for the trouble. Let me sort this out for you right away."),
    ("/refund", "Your refund is approved. It reaches you within 3–10 business days, depending on how you paid."),
    ("/thanks", "Thank you for your patience! Is there anything else I can help you with?"),
];

/// The canned replies whose shortcut starts with what the agent typed after "/".
fn canned_matching(draft: &str) -> Vec<(&'static str, &'static str)> {
    let typed = draft.trim_start();
    if !typed.starts_with('/') || typed.contains(char::is_whitespace) {
        return Vec::new();
    }
    CANNED
        .iter()
        .filter(|(shortcut, _)| shortcut.starts_with(typed))
        .copied()
        .collect()
}

/// The chat panel: history, the actions that apply, and the reply box for the owner.
/// `detail` is kept current by the dashboard's socket; `on_changed` asks for a fresh copy.
#[component]
pub fn ChatPanel(
    id: ConversationId,
    me: RwSignal<Agent>,
    detail: RwSignal<Option<ConversationDetail>>,
    customer_typing: Signal<bool>,
    socket: LiveSocket,
    on_changed: Callback<()>,
) -> impl IntoView {
    let load_error = RwSignal::new(None::<String>);
    let refusal = RwSignal::new(None::<String>);
    let draft = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let transferring = RwSignal::new(false);
    let confirming_handover = RwSignal::new(false);
    let forcing = RwSignal::new(false);
    let force_reason = RwSignal::new(String::new());
    let brief = RwSignal::new(String::new());
    let log_ref = NodeRef::<leptos::html::Ol>::new();

    let load = move || {
        spawn_local(async move {
            match get_conversation(id).await {
                Ok(fresh) => {
                    detail.set(Some(fresh));
                    load_error.set(None);
                }
                Err(err) => load_error.set(Some(err.to_string())),
            }
        });
    };
    // Keep the newest message in view.
    Effect::new(move |_| {
        detail.track();
        customer_typing.track();
        request_animation_frame(move || {
            if let Some(log) = log_ref.get_untracked() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    });

    // Only the conversation's own fields, compared: event arrivals alone re-run nothing here.
    let conversation =
        Memo::new(move |_| detail.with(|d| d.as_ref().map(|d| d.conversation.clone())));
    let actor = move || {
        let agent = me.get();
        Actor {
            agent: agent.id,
            role: agent.role,
        }
    };
    let allowed = move |command: Command| {
        conversation
            .get()
            .is_some_and(|c| c.mode.apply(&command, &actor()).is_ok())
    };

    let run = move |call: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Conversation, ApiError>>>,
    >| {
        busy.set(true);
        refusal.set(None);
        spawn_local(async move {
            match call.await {
                Ok(_) => on_changed.run(()),
                Err(err) => {
                    refusal.set(Some(refusal_text(&err)));
                    load();
                }
            }
            busy.set(false);
        });
    };

    let do_takeover = move |_| run(Box::pin(takeover(id)));
    let do_force = move |_| {
        let reason = force_reason.get_untracked();
        if reason.trim().is_empty() {
            return;
        }
        forcing.set(false);
        force_reason.set(String::new());
        run(Box::pin(force_takeover(id, reason)));
    };
    // Held by someone else, and I may take it anyway.
    let can_force = move || {
        let me_id = me.get().id;
        conversation
            .get()
            .is_some_and(|c| matches!(c.mode, Mode::Human { agent } if agent != me_id))
            && allowed(Command::ForceTakeOver)
    };
    let do_close = move |_| run(Box::pin(close(id)));
    let do_reopen = move |_| run(Box::pin(reopen(id)));
    let do_handover = move |_| {
        confirming_handover.set(false);
        let note = brief.get_untracked();
        brief.set(String::new());
        run(Box::pin(handover(
            id,
            (!note.trim().is_empty()).then_some(note),
        )));
    };
    let on_transferred = Callback::new(move |()| {
        transferring.set(false);
        on_changed.run(());
    });

    let send = move || {
        let Ok(body) = MessageBody::parse(&draft.get_untracked()) else {
            return;
        };
        if sending.get_untracked() {
            return;
        }
        sending.set(true);
        let key = client_id();
        spawn_local(async move {
            match send_message(id, key, body).await {
                Ok(_) => {
                    draft.set(String::new());
                    refusal.set(None);
                }
                Err(err) => refusal.set(Some(err.to_string())),
            }
            sending.set(false);
        });
    };

    let input_reason = move || {
        let me_id = me.get().id;
        conversation.get().and_then(|c| match c.mode {
            Mode::Human { agent } if agent == me_id => None,
            Mode::Human { .. } => Some(format!(
                "{} handles this conversation: only they can reply.",
                c.owner
                    .map(|o| o.name)
                    .unwrap_or_else(|| "Another agent".into())
            )),
            Mode::Ai => Some("The AI handles this conversation. Take it over to reply.".to_owned()),
            Mode::Closed => Some("This conversation is closed.".to_owned()),
        })
    };
    let can_reply = move || conversation.get().is_some() && input_reason().is_none();

    view! {
        <div class="chat-panel">
            {move || load_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            // The header is built once; only its texts and the set of buttons follow the state,
            // so a button never moves or disappears under the pointer while events arrive.
            <Show
                when=move || conversation.with(Option::is_some)
                fallback=|| view! { <p class="muted" role="status">"Loading conversation…"</p> }
            >
                <header class="panel-head">
                    <div>
                        <h2>{move || conversation.with(|c| c.as_ref().map(|c| c.customer_name.clone()))}</h2>
                        <p class="panel-state" data-testid="conversation-state">{move || conversation.with(|c| c.as_ref().map(state_text))}</p>
                    </div>
                    <div class="actions">
                        <Show when=move || allowed(Command::TakeOver)>
                            <button class="button primary" disabled=move || busy.get() on:click=do_takeover>"Take Over"</button>
                        </Show>
                        <Show when=can_force>
                            <button class="button" disabled=move || busy.get() on:click=move |_| forcing.set(true)>"Force takeover"</button>
                        </Show>
                        <Show when=move || allowed(Command::HandOver)>
                            <button class="button" disabled=move || busy.get() on:click=move |_| confirming_handover.set(true)>"Handover to AI"</button>
                            <button class="button" disabled=move || busy.get() on:click=move |_| transferring.set(true)>"Transfer"</button>
                        </Show>
                        <Show when=move || allowed(Command::Close)>
                            <button class="button ghost" disabled=move || busy.get() on:click=do_close>"Close"</button>
                        </Show>
                        <Show when=move || allowed(Command::Reopen)>
                            <button class="button" disabled=move || busy.get() on:click=do_reopen>"Reopen"</button>
                        </Show>
                    </div>
                </header>
                {move || conversation.with(|c| c.as_ref().and_then(|c| c.waiting.clone())).map(|w| view! {
                    <p class="banner warn">{format!("Waiting for a human since {}: {}", ago(w.since, now_millis()), w.reason.label())}</p>
                })}
            </Show>
            {move || refusal.get().map(|r| view! { <p class="banner error" role="alert">{r}</p> })}
            <Show when=move || confirming_handover.get()>
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="handover-title">
                    <h3 id="handover-title">"Hand this conversation back to the AI?"</h3>
                    <p class="muted">"The customer will be told the AI assistant is back."</p>
                    <label for="brief">"Brief for the AI (optional)"</label>
                    <textarea
                        id="brief"
                        rows="2"
                        placeholder="e.g. refund approved, arrives Friday"
                        prop:value=move || brief.get()
                        on:input=move |ev| brief.set(event_target_value(&ev))
                    ></textarea>
                    <div class="dialog-actions">
                        <button class="button ghost" on:click=move |_| confirming_handover.set(false)>"Cancel"</button>
                        <button class="button primary" on:click=do_handover>"Confirm handover"</button>
                    </div>
                </div>
            </Show>
            <Show when=move || forcing.get()>
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="force-title">
                    <h3 id="force-title">"Take this conversation from its owner?"</h3>
                    <p class="muted">"The agent who holds it sees your reason; the customer is told you now help them."</p>
                    <label for="force-reason">"Reason (required)"</label>
                    <textarea
                        id="force-reason"
                        rows="2"
                        required
                        prop:value=move || force_reason.get()
                        on:input=move |ev| force_reason.set(event_target_value(&ev))
                    ></textarea>
                    <div class="dialog-actions">
                        <button class="button ghost" on:click=move |_| forcing.set(false)>"Cancel"</button>
                        <button class="button primary" disabled=move || force_reason.get().trim().is_empty() on:click=do_force>"Take over"</button>
                    </div>
                </div>
            </Show>
            <Show when=move || transferring.get()>
                <TransferPicker
                    id=id
                    me=me
                    mode=Signal::derive(move || conversation.get().map(|c| c.mode).unwrap_or(Mode::Closed))
                    on_done=on_transferred
                    on_cancel=Callback::new(move |()| transferring.set(false))
                />
            </Show>
            <ol class="log" node_ref=log_ref aria-label="Messages" aria-live="polite">
                <For
                    each=move || detail.with(|d| d.as_ref().map(|d| d.events.clone()).unwrap_or_default())
                    key=|event| event.seq
                    children=move |event| view! { <EventItem event=event viewer=Viewer::Agent /> }
                />
            </ol>
            <Show when=move || can_reply() && !canned_matching(&draft.get()).is_empty()>
                <ul class="canned" role="listbox" aria-label="Canned replies">
                    {move || canned_matching(&draft.get()).into_iter().map(|(shortcut, text)| view! {
                        <li role="option" aria-selected="false">
                            <button type="button" on:click=move |_| draft.set(text.to_owned())>
                                <strong>{shortcut}</strong>" "{text}
                            </button>
                        </li>
                    }).collect_view()}
                </ul>
            </Show>
            <p class="typing" aria-live="polite">{move || customer_typing.get().then_some("The customer is typing…")}</p>
            <form class="composer" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); send(); }>
                <label for="reply" class="sr-only">"Your reply"</label>
                <textarea
                    id="reply"
                    rows="2"
                    placeholder=move || input_reason().unwrap_or_else(|| "Write a reply…".to_owned())
                    disabled=move || !can_reply()
                    prop:value=move || draft.get()
                    on:input=move |ev| {
                        draft.set(event_target_value(&ev));
                        socket.send(ClientFrame::Typing { conversation_id: Some(id) });
                    }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" && !ev.shift_key() {
                            ev.prevent_default();
                            send();
                        }
                    }
                ></textarea>
                <button class="button primary" type="submit" disabled=move || !can_reply() || sending.get() || draft.get().trim().is_empty()>
                    "Send"
                </button>
            </form>
        </div>
    }
}

/// The conversation's state as the panel heading says it.
fn state_text(c: &Conversation) -> String {
    match (c.mode, &c.owner) {
        (Mode::Ai, _) if c.waiting.is_some() => "AI Mode · waiting for a human".to_owned(),
        (Mode::Ai, _) => "AI Mode".to_owned(),
        (Mode::Human { .. }, Some(owner)) => format!("Handled by {}", owner.name),
        (Mode::Human { .. }, None) => "Handled by an agent".to_owned(),
        (Mode::Closed, _) => "Closed".to_owned(),
    }
}

/// What a refused action tells the agent, e.g. "Ana took this over 3 s ago".
fn refusal_text(err: &ApiError) -> String {
    match err {
        ApiError::Conflict {
            holder: Some(holder),
            since: Some(since),
            ..
        } => format!(
            "{} took this over {}",
            holder.name,
            ago(*since, now_millis())
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slash_lists_canned_replies_by_prefix() {
        assert_eq!(canned_matching("/").len(), CANNED.len());
        assert_eq!(canned_matching("/re")[0].0, "/refund");
        assert!(canned_matching("hello").is_empty());
        assert!(canned_matching("/refund approved").is_empty());
    }
}
