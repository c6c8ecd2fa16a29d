//! How one entry of a conversation's log reads: a message bubble, or a centred line for a
//! hand-off, with the agents-only detail (notes, briefs, reasons) left out for customers.

use leptos::prelude::*;

use super::browser::{local_time, LocalTime};
use super::clock::use_now;
use super::format::{ago, verified_detail};
use crate::domain::{Author, Event, EventKind, Timestamp};
use crate::i18n::{td_string, use_i18n};

/// Who reads the log: agents see internal entries, customers see their own view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Agent,
    Customer,
}

/// One entry of a conversation's log: a message bubble, or a centred system line.
/// All text is rendered as text, never as HTML.
#[component]
pub fn EventItem(event: Event, viewer: Viewer) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    match event.kind {
        EventKind::Message { message } => {
            let (class, who) = match (&message.author, viewer) {
                (Author::Customer, Viewer::Customer) => {
                    ("msg msg-own", td_string!(locale, chat.you).to_owned())
                }
                (Author::Customer, Viewer::Agent) => ("msg msg-customer", "Customer".to_owned()),
                (Author::Ai, _) => (
                    "msg msg-ai",
                    td_string!(locale, chat.ai_assistant).to_owned(),
                ),
                (Author::Agent { agent }, Viewer::Agent) => ("msg msg-agent", agent.name.clone()),
                (Author::Agent { agent }, Viewer::Customer) => {
                    ("msg msg-staff", agent.name.clone())
                }
                (Author::System, _) => ("msg msg-system", String::new()),
            };
            let body = message.body.to_string();
            view! {
                <li class=class data-seq=event.seq>
                    {(!who.is_empty()).then(|| view! { <span class="msg-author">{who}</span> })}
                    <p class="msg-body">{body}</p>
                    <SentAt at=event.at />
                </li>
            }
            .into_any()
        }
        other => {
            let text = timeline_text(&other, viewer);
            match text {
                Some((text, detail)) => view! {
                    <li class="timeline" data-seq=event.seq>
                        <span>{text}</span>
                        {detail.map(|d| view! { <span class="timeline-note">{d}</span> })}
                    </li>
                }
                .into_any(),
                None => ().into_any(),
            }
        }
    }
}

/// When a message was sent, in the viewer's time zone: "3 min ago" within a day, then the
/// day and time; the exact moment on hover.
#[component]
fn SentAt(at: Timestamp) -> impl IntoView {
    const DAY_MS: i64 = 24 * 3600 * 1000;
    let LocalTime { iso, exact, short } = local_time(at.millis());
    let now = use_now();
    let i18n = use_i18n();
    let when = move || {
        let now = now.get();
        if now - at.millis() < DAY_MS {
            ago(i18n.get_locale(), at, now)
        } else {
            short.clone()
        }
    };
    view! {
        <time class="msg-time" datetime=iso title=exact>
            {when}
        </time>
    }
}

/// The timeline line for a non-message event, and its agents-only detail.
fn timeline_text(kind: &EventKind, viewer: Viewer) -> Option<(String, Option<String>)> {
    let internal = viewer == Viewer::Agent;
    match kind {
        EventKind::Started { customer_name } => {
            internal.then(|| (format!("{customer_name} started the conversation"), None))
        }
        EventKind::Message { .. } => None,
        EventKind::TakenOver { agent } => {
            internal.then(|| (format!("{} took over", agent.name), None))
        }
        EventKind::ForcedTakeover { by, from, reason } => internal.then(|| {
            (
                format!("{} took over from {}", by.name, from.name),
                Some(format!("Reason: {reason}")),
            )
        }),
        EventKind::HandedOver { by, brief } => internal.then(|| {
            (
                format!("{} handed over to the AI", by.name),
                brief.as_ref().map(|b| format!("Brief for the AI: {b}")),
            )
        }),
        EventKind::Transferred { from, to, note } => internal.then(|| {
            (
                format!("{} transferred to {}", from.name, to.name),
                note.as_ref().map(|n| format!("Note: {n}")),
            )
        }),
        EventKind::Closed { by } => {
            internal.then(|| (format!("{} closed the conversation", by.name), None))
        }
        EventKind::Reopened { by } => {
            internal.then(|| (format!("{} reopened the conversation", by.name), None))
        }
        EventKind::Assigned { agent } => {
            internal.then(|| (format!("Assigned to {}", agent.name), None))
        }
        EventKind::Requeued { from, reason } => internal.then(|| {
            (
                format!("Back in the queue from {}", from.name),
                Some(reason.label().to_owned()),
            )
        }),
        EventKind::ContactLeft { email } => internal.then(|| {
            (
                "The customer left an e-mail address".to_owned(),
                Some(email.clone()),
            )
        }),
        EventKind::CustomerVerified {
            customer_name,
            customer,
        } => internal.then(|| {
            (
                format!("The site verified the customer as {customer_name}"),
                Some(verified_detail(customer)),
            )
        }),
        EventKind::LanguageChanged { locale } => internal.then(|| {
            (
                format!(
                    "The customer switched to {}",
                    td_string!(*locale, language_name)
                ),
                None,
            )
        }),
        EventKind::WaitingForHuman {
            reason,
            detail,
            summary,
        } => internal.then(|| {
            let extra = [
                detail.clone(),
                summary.as_ref().map(|s| format!("Summary: {s}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            (
                format!("Waiting for a human: {}", reason.label()),
                (!extra.is_empty()).then_some(extra),
            )
        }),
    }
}
