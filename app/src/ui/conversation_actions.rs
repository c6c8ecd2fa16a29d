//! The chat panel's commands (take over, force, hand over, transfer, close, reopen, reopen
//! and take over): one [`Action`] runs them, the rule book decides which buttons show, and
//! the dialogs that ask first are [`ConfirmDialog`]s.

use leptos::prelude::*;

use super::confirm_dialog::{ConfirmDialog, Consent};
use super::session::use_me;
use super::shortcuts::{on_shortcut, Shortcut};
use super::transfer_picker::TransferPicker;
use crate::api::handover::handover;
use crate::api::lifecycle::{close, reopen};
use crate::api::takeover::{force_takeover, takeover};
use crate::api::transfer::transfer;
use crate::domain::{AgentId, Command, Conversation, ConversationId, Mode};
use crate::error::ApiError;
use crate::i18n::{td_string, use_i18n, Locale};

/// A command an agent gives from the chat panel, with what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    TakeOver,
    ForceTakeOver {
        reason: String,
    },
    HandOver {
        brief: Option<String>,
        /// The AI may pass the brief on to the customer.
        for_customer: bool,
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
                Request::HandOver {
                    brief,
                    for_customer,
                } => handover(id, brief, Some(for_customer)).await,
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
    let i18n = use_i18n();
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
    let sends = move |class: &'static str, label: fn(Locale) -> &'static str, request: Request| {
        view! {
            <button
                class=class
                disabled=move || busy.get()
                on:click=move |_| dispatch(request.clone())
            >
                {move || label(i18n.get_locale())}
            </button>
        }
    };
    let words = move |label: fn(Locale) -> &'static str| move || label(i18n.get_locale());
    let ask = move |dialog: Asking| move |_| asking.set(Some(dialog));
    // The dashboard's keys ask for the same commands, when the rule book allows them.
    on_shortcut(move |shortcut| match shortcut {
        Shortcut::TakeOver if allowed(Command::TakeOver) && !busy.get_untracked() => {
            dispatch(Request::TakeOver)
        }
        Shortcut::HandOver if allowed(Command::HandOver) => asking.set(Some(Asking::HandOver)),
        Shortcut::Transfer if allowed(Command::HandOver) => asking.set(Some(Asking::Transfer)),
        _ => {}
    });
    let cancel = Callback::new(move |()| asking.set(None));

    view! {
        <div class="actions">
            <Show when=move || allowed(
                Command::TakeOver,
            )>{sends("button primary", |l| td_string!(l, dash.take_over), Request::TakeOver)}</Show>
            <Show when=can_force>
                <button class="button" disabled=move || busy.get() on:click=ask(Asking::Force)>
                    {words(|l| td_string!(l, dash.force))}
                </button>
            </Show>
            <Show when=move || allowed(Command::HandOver)>
                <button class="button" disabled=move || busy.get() on:click=ask(Asking::HandOver)>
                    {words(|l| td_string!(l, dash.handover))}
                </button>
                <button class="button" disabled=move || busy.get() on:click=ask(Asking::Transfer)>
                    {words(|l| td_string!(l, dash.transfer))}
                </button>
            </Show>
            <Show when=move || allowed(
                Command::Close,
            )>{sends("button ghost", |l| td_string!(l, dash.close), Request::Close)}</Show>
            <Show when=move || allowed(Command::Reopen)>
                <Show when=move || {
                    me.may(Mode::Ai, &Command::TakeOver)
                }>
                    {sends(
                        "button primary",
                        |l| td_string!(l, dash.reopen_take),
                        Request::ReopenAndTakeOver,
                    )}
                </Show>
                {sends("button", |l| td_string!(l, dash.reopen), Request::Reopen)}
            </Show>
        </div>
        {move || match asking.get() {
            None => ().into_any(),
            Some(Asking::HandOver) => {
                let l = i18n.get_locale_untracked();
                let for_customer = RwSignal::new(false);
                view! {
                    <ConfirmDialog
                        title=td_string!(l, dash.handover_title)
                        explanation=td_string!(l, dash.handover_text)
                        field="brief"
                        label=td_string!(l, dash.brief_label)
                        placeholder=td_string!(l, dash.brief_placeholder)
                        consent=Consent {
                            label: td_string!(l, dash.brief_for_customer),
                            given: for_customer,
                        }
                        confirm=td_string!(l, dash.handover_confirm)
                        on_confirm=Callback::new(move |brief| dispatch(Request::HandOver {
                            brief,
                            for_customer: for_customer.get_untracked(),
                        }))
                        on_cancel=cancel
                    />
                }
                    .into_any()
            }
            Some(Asking::Force) => {
                let l = i18n.get_locale_untracked();
                view! {
                    <ConfirmDialog
                        title=td_string!(l, dash.force_title)
                        explanation=td_string!(l, dash.force_text)
                        field="force-reason"
                        label=td_string!(l, dash.reason_label)
                        required=true
                        confirm=td_string!(l, dash.force_confirm)
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
