//! In-page notifications ("Ana transferred Maya to you"), provided by the dashboard: any
//! component may [`Toasts::show`] one; each also goes out as a system notification when the
//! agent allowed them, and leaves by itself after a while.

use std::time::Duration;

use leptos::prelude::*;

/// How long a notification stays.
const SHOWN_FOR: Duration = Duration::from_secs(8);

/// One notification on show.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    id: u64,
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
    /// Shows `text` for a while (and as a system notification).
    pub fn show(self, text: String) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        super::browser::system_notification(&text);
        self.shown.update(|all| all.push(Toast { id, text }));
        let shown = self.shown;
        set_timeout(
            move || shown.update(|all| all.retain(|t| t.id != id)),
            SHOWN_FOR,
        );
    }
}

/// The notifications, top right, read out politely by screen readers.
#[component]
pub fn ToastStack() -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For
                each=move || toasts.shown.get()
                key=|toast| toast.id
                children=move |toast| view! { <p class="toast">{toast.text}</p> }
            />
        </div>
    }
}
