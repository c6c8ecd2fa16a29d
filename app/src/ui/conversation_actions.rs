//! The chat panel's commands (take over, force, hand over, transfer, close, reopen, reopen
//! and take over): one [`Action`] runs them, the rule book decides which buttons show, and
//! the dialogs that ask first are [`ConfirmDialog`]s.

use leptos::prelude::*;

use super::confirm_dialog::ConfirmDialog;
use super::session::use_me;
use super::transfer_picker::TransferPicker;
use crate::api::handover::handover;
use crate::api::lifecycle::{close, reopen};
use crate::api::takeover::{force_takeover, takeover};
use crate::api::transfer::transfer;
use crate::domain::{AgentId, Command, Conversation, ConversationId, Mode};
use crate::error::ApiError;

/// A command an agent gives from the chat panel, with what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    TakeOver,
    ForceTakeOver {
        reason: String,
    },
    HandOver {
        brief: Option<String>,
    },
    Transfer {
        to: AgentId,
        note: Option<String>,
    },
    Close,
    Reopen,
    /// Reopen, then take it over at once: the customer is told both, in words.
    ReopenAndTakeOver,
}

/// The action that sends a [`Request`] for one conversation.
pub type Requests = Action<Request, Result<Conversation, ApiError>>;

/// Creates the action that sends requests about conversation `id`.
pub fn requests(id: ConversationId) -> Requests {
    Action::new_local(move |request: &Request| {
        let request = request.clone();
        async move {
            match request {
                Request::TakeOver => takeover(id).await,
                Request::ForceTakeOver { reason } => force_takeover(id, reason).await,
                Request::HandOver { brief } => handover(id, brief).await,
                Request::Transfer { to, note } => transfer(id, to, note).await,
                Request::Close => close(id).await,
                Request::Reopen => reopen(id).await,
                Request::ReopenAndTakeOver => {
                    reopen(id).await?;
                    takeover(id).await
                }
            }
        }
    })
}

/// The dialog that is open, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asking {
    HandOver,
    Force,
    Transfer,
}

/// The buttons the signed-in agent may press on `conversation`, and the dialogs behind them.
#[component]
pub fn ConversationActions(
    conversation: Memo<Option<Conversation>>,
    send: Requests,
) -> impl IntoView {
    let me = use_me();
    let asking = RwSignal::new(None::<Asking>);
    let busy = send.pending();
    let mode =
        Signal::derive(move || conversation.with(|c| c.as_ref().map_or(Mode::Closed, |c| c.mode)));
    let allowed = move |command: Command| me.may(mode.get(), &command);
    // Held by someone else, and I may take it anyway.
    let can_force = move || {
        matches!(mode.get(), Mode::Human { agent } if agent != me.id())
            && allowed(Command::ForceTakeOver)
    };
    let dispatch = move |request: Request| {
        asking.set(None);
        send.dispatch(request);
    };
    // A button that sends `request` at once (no dialog first).
    let sends = move |class: &'static str, label: &'static str, request: Request| {
        view! {
            <button
                class=class
                disabled=move || busy.get()
                on:click=move |_| dispatch(request.clone())
            >
                {label}
            </button>
        }
    };
    let ask = move |dialog: Asking| move |_| asking.set(Some(dialog));
    let cancel = Callback::new(move |()| asking.set(None));

    view! {
        <div class="actions">
            <Show when=move || allowed(
                Command::TakeOver,
            )>{sends("button primary", "Take Over", Request::TakeOver)}</Show>
            <Show when=can_force>
                <button class="button" disabled=move || busy.get() on:click=ask(Asking::Force)>
                    "Force takeover"
                </button>
            </Show>
            <Show when=move || allowed(Command::HandOver)>
                <button class="button" disabled=move || busy.get() on:click=ask(Asking::HandOver)>
                    "Handover to AI"
                </button>
                <button class="button" disabled=move || busy.get() on:click=ask(Asking::Transfer)>
                    "Transfer"
                </button>
            </Show>
            <Show when=move || allowed(
                Command::Close,
            )>{sends("button ghost", "Close", Request::Close)}</Show>
            <Show when=move || allowed(Command::Reopen)>
                <Show when=move || {
                    me.may(Mode::Ai, &Command::TakeOver)
                }>
                    {sends("button primary", "Reopen and take over", Request::ReopenAndTakeOver)}
                </Show>
                {sends("button", "Reopen", Request::Reopen)}
            </Show>
        </div>
        {move || match asking.get() {
            None => ().into_any(),
            Some(Asking::HandOver) => {
                view! {
                    <ConfirmDialog
                        title="Hand this conversation back to the AI?"
                        explanation="The customer will be told the AI assistant is back."
                        field="brief"
                        label="Brief for the AI (optional)"
                        placeholder="e.g. refund approved, arrives Friday"
                        confirm="Confirm handover"
                        on_confirm=Callback::new(move |brief| dispatch(Request::HandOver { brief }))
                        on_cancel=cancel
                    />
                }
                    .into_any()
            }
            Some(Asking::Force) => {
                view! {
                    <ConfirmDialog
                        title="Take this conversation from its owner?"
                        explanation="The agent who holds it sees your reason; the customer is told you now help them."
                        field="force-reason"
                        label="Reason (required)"
                        required=true
                        confirm="Take over"
                        on_confirm=Callback::new(move |reason: Option<String>| {
                            dispatch(Request::ForceTakeOver {
                                reason: reason.unwrap_or_default(),
                            })
                        })
                        on_cancel=cancel
                    />
                }
                    .into_any()
            }
            Some(Asking::Transfer) => {
                view! {
                    <TransferPicker
                        mode=mode
                        on_confirm=Callback::new(move |(to, note)| dispatch(Request::Transfer {
                            to,
                            note,
                        }))
                        on_cancel=cancel
                    />
                }
                    .into_any()
            }
        }}
    }
}
