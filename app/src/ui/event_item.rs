//! How one entry of a conversation's log reads: a message bubble, or a centred line for a
//! hand-off, with the agents-only detail (notes, briefs, reasons) left out for customers.

use leptos::prelude::*;

use super::attachments::AttachmentView;
use super::browser::{local_time, LocalTime};
use super::clock::use_now;
use super::format::{ago, verified_detail};
use crate::domain::{Author, Event, EventKind, Locale, Timestamp};
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
                (Author::Customer, Viewer::Agent) => (
                    "msg msg-customer",
                    td_string!(locale, timeline.customer).to_owned(),
                ),
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
            let caption = message.caption().map(str::to_owned);
            let attachment = message.attachment.clone();
            view! {
                <li class=class data-seq=event.seq>
                    {(!who.is_empty()).then(|| view! { <span class="msg-author">{who}</span> })}
                    {attachment
                        .map(|attachment| {
                            view! { <AttachmentView attachment=attachment viewer=viewer /> }
                        })}
                    {caption.map(|caption| view! { <p class="msg-body">{caption}</p> })}
                    <SentAt at=event.at />
                </li>
            }
            .into_any()
        }
        EventKind::NoteAdded { by, text, .. } if viewer == Viewer::Agent => {
            let from =
                td_string!(locale, timeline.private_note, name = by.name.as_str()).to_string();
            view! {
                <li class="note" data-seq=event.seq>
                    <span class="msg-author">{from}</span>
                    <p class="msg-body">{text.to_string()}</p>
                    <SentAt at=event.at />
                </li>
            }
            .into_any()
        }
        other => {
            let text = timeline_text(locale, &other, viewer);
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

/// The timeline line for a non-message event, and its agents-only detail, in `l`.
fn timeline_text(l: Locale, kind: &EventKind, viewer: Viewer) -> Option<(String, Option<String>)> {
    if viewer != Viewer::Agent {
        return None;
    }
    let line = |text: &dyn std::fmt::Display| text.to_string();
    Some(match kind {
        EventKind::Message { .. } | EventKind::NoteAdded { .. } => return None,
        EventKind::Started { customer_name } => (
            line(&td_string!(
                l,
                timeline.started,
                name = customer_name.as_str()
            )),
            None,
        ),
        EventKind::TakenOver { agent } => (
            line(&td_string!(
                l,
                timeline.took_over,
                name = agent.name.as_str()
            )),
            None,
        ),
        EventKind::ForcedTakeover { by, from, reason } => (
            line(&td_string!(
                l,
                timeline.forced,
                by = by.name.as_str(),
                from = from.name.as_str()
            )),
            Some(line(&td_string!(
                l,
                timeline.reason,
                reason = reason.as_str()
            ))),
        ),
        EventKind::HandedOver {
            by,
            brief,
            for_customer,
        } => (
            line(&td_string!(
                l,
                timeline.handed_over,
                name = by.name.as_str()
            )),
            brief.as_ref().map(|b| {
                line(&if *for_customer {
                    td_string!(l, timeline.brief_for_customer, brief = b.as_str())
                } else {
                    td_string!(l, timeline.brief, brief = b.as_str())
                })
            }),
        ),
        EventKind::Transferred { from, to, note } => (
            line(&td_string!(
                l,
                timeline.transferred,
                from = from.name.as_str(),
                to = to.name.as_str()
            )),
            note.as_ref()
                .map(|n| line(&td_string!(l, timeline.note, note = n.as_str()))),
        ),
        EventKind::Closed { by } => (
            line(&td_string!(l, timeline.closed, name = by.name.as_str())),
            None,
        ),
        EventKind::Reopened { by } => (
            line(&td_string!(l, timeline.reopened, name = by.name.as_str())),
            None,
        ),
        EventKind::Assigned { agent } => (
            line(&td_string!(
                l,
                timeline.assigned,
                name = agent.name.as_str()
            )),
            None,
        ),
        EventKind::Requeued { from, reason } => (
            line(&td_string!(l, timeline.requeued, name = from.name.as_str())),
            Some(reason.label_in(l).to_owned()),
        ),
        EventKind::ContactLeft { email } => (
            td_string!(l, timeline.contact_left).to_owned(),
            Some(email.clone()),
        ),
        EventKind::CustomerVerified {
            customer_name,
            customer,
        } => (
            line(&td_string!(
                l,
                timeline.verified,
                name = customer_name.as_str()
            )),
            Some(verified_detail(l, customer)),
        ),
        EventKind::LanguageChanged { locale } => (
            line(&td_string!(
                l,
                timeline.language,
                language = td_string!(*locale, language_name)
            )),
            None,
        ),
        EventKind::LabelsChanged { by, added, removed } => {
            (crate::domain::label::described(l, by, added, removed), None)
        }
        EventKind::PriorityChanged { by, priority } => (
            line(&td_string!(
                l,
                labels.set_priority,
                name = by.name.as_str(),
                priority = priority.label(l)
            )),
            None,
        ),
        EventKind::WaitingForHuman {
            reason,
            detail,
            summary,
        } => {
            let extra = [
                detail.clone(),
                summary
                    .as_ref()
                    .map(|s| line(&td_string!(l, timeline.summary, summary = s.as_str()))),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            (
                line(&td_string!(
                    l,
                    timeline.waiting,
                    reason = reason.label_in(l)
                )),
                (!extra.is_empty()).then_some(extra),
            )
        }
    })
}
