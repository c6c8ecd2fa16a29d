//! A conversation's log as both sides read it, newest entry kept in view, with the "is typing"
//! line under it. The dashboard's chat panel and the customer's page share it.

use leptos::html::Ol;
use leptos::prelude::*;

use super::event_item::{EventItem, Viewer};
use crate::domain::Event;
use crate::i18n::{t_string, use_i18n};

/// The log of `events` as `viewer` reads it; `typing` is the line shown under it.
#[component]
pub fn EventLog(
    #[prop(into)] events: Signal<Vec<Event>>,
    viewer: Viewer,
    #[prop(into)] typing: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let log = NodeRef::<Ol>::new();
    // Keep the newest entry in view once the browser has laid it out. The log may be gone by
    // then (another conversation opened): then there is nothing to scroll.
    Effect::new(move |_| {
        events.track();
        typing.track();
        request_animation_frame(move || {
            if let Some(Some(log)) = log.try_get_untracked() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    });
    let class = match viewer {
        Viewer::Agent => "log",
        Viewer::Customer => "log chat-log",
    };

    view! {
        <ol
            class=class
            node_ref=log
            aria-label=move || t_string!(i18n, chat.messages)
            aria-live="polite"
        >
            <For
                each=move || events.get()
                key=|event| event.seq
                children=move |event| view! { <EventItem event=event viewer=viewer /> }
            />
        </ol>
        <p class="typing" aria-live="polite">
            {move || typing.get()}
        </p>
    }
}
