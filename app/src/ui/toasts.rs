//! In-page notifications ("Ana transferred Maya to you"), provided by the dashboard: any
//! component may [`Toasts::show`] one about a conversation; each opens its conversation when
//! clicked, can be dismissed, and leaves by itself after a while (the sound and the system
//! notification are [`super::alerts`]'s). They stack bottom left, over the end of
//! the list, never over the chat panel's buttons.

use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::{t_string, use_i18n};

use crate::domain::ConversationId;

/// How long a notification stays.
const SHOWN_FOR: Duration = Duration::from_secs(8);

/// One notification on show.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    id: u64,
    conversation: ConversationId,
    text: String,
}

/// The notifications on show.
#[derive(Debug, Clone, Copy)]
pub struct Toasts {
    shown: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

/// Creates the notification area's state and provides it to the components below the caller.
pub fn provide_toasts() -> Toasts {
    let toasts = Toasts {
        shown: RwSignal::new(Vec::new()),
        next: StoredValue::new(0),
    };
    provide_context(toasts);
    toasts
}

impl Toasts {
    /// Shows `text` about `conversation` for a while.
    pub fn show(self, conversation: ConversationId, text: String) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.shown.update(|all| {
            all.push(Toast {
                id,
                conversation,
                text,
            })
        });
        set_timeout(move || self.dismiss(id), SHOWN_FOR);
    }

    fn dismiss(self, id: u64) {
        self.shown.update(|all| all.retain(|t| t.id != id));
    }
}

/// The notifications, bottom left, read out politely by screen readers. Each is a link that
/// runs `on_open` with its conversation (and goes away), beside a Dismiss button.
#[component]
pub fn ToastStack(on_open: Callback<ConversationId>) -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    let i18n = use_i18n();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For
                each=move || toasts.shown.get()
                key=|toast| toast.id
                children=move |toast| {
                    let Toast { id, conversation, text } = toast;
                    view! {
                        <div class="toast">
                            <a
                                class="toast-open"
                                href="/agent"
                                title=move || t_string!(i18n, dash.open_toast)
                                on:click=move |ev| {
                                    ev.prevent_default();
                                    toasts.dismiss(id);
                                    on_open.run(conversation);
                                }
                            >
                                {text}
                            </a>
                            <button
                                class="toast-close"
                                aria-label=move || t_string!(i18n, dash.dismiss)
                                on:click=move |_| toasts.dismiss(id)
                            >
                                "×"
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}
