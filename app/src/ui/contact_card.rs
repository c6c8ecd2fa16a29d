//! The customer as a person, in the chat panel: a line that says whether they are new or
//! returning, opening onto what Baton knows of them (e-mail, verified identity, first seen,
//! device, page) and their earlier conversations, each readable in a dialog without leaving
//! the conversation at hand.

use leptos::prelude::*;

use super::browser::{local_time, LocalTime};
use super::event_item::Viewer;
use super::event_log::EventLog;
use super::format::verified_detail;
use super::modal::Modal;
use crate::api::conversations::{conversation_contact, get_conversation};
use crate::domain::contact::{Contact, EarlierConversation};
use crate::domain::ConversationId;
use crate::i18n::{t, t_string, td_string, use_i18n};

/// What the card's summary line says: new or returning, and how many earlier conversations.
fn summary(locale: crate::i18n::Locale, contact: &Contact) -> String {
    if contact.is_returning() {
        td_string!(locale, contact.returning, count = contact.earlier.len()).to_string()
    } else {
        td_string!(locale, contact.new).to_string()
    }
}

/// The customer card of conversation `id`, fetched when the panel opens it.
#[component]
pub fn ContactCard(id: ConversationId) -> impl IntoView {
    let i18n = use_i18n();
    let contact = LocalResource::new(move || conversation_contact(id));
    let reading = RwSignal::new(None::<EarlierConversation>);
    view! {
        {move || {
            contact
                .get()
                .and_then(Result::ok)
                .map(|contact| {
                    let told = contact.clone();
                    view! {
                        <details class="contact-card" data-testid="contact">
                            <summary>{move || summary(i18n.get_locale(), &told)}</summary>
                            <ContactDetails contact=contact reading=reading />
                        </details>
                    }
                })
        }}
        {move || {
            reading.get().map(|earlier| view! { <Transcript earlier=earlier reading=reading /> })
        }}
    }
}

/// What Baton knows of the customer, and their earlier conversations.
#[component]
fn ContactDetails(
    contact: Contact,
    reading: RwSignal<Option<EarlierConversation>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let first_seen = local_time(contact.first_seen.millis());
    let verified = contact.verified.clone();
    let returning = contact.is_returning();
    let earlier = contact.earlier.clone();
    let row = |label: String, value: AnyView| {
        view! {
            <dt>{label}</dt>
            <dd>{value}</dd>
        }
    };
    view! {
        <dl class="contact-facts">
            {contact
                .email
                .clone()
                .map(|email| {
                    row(
                        t_string!(i18n, contact.email).to_owned(),
                        view! { <a href=format!("mailto:{email}")>{email.clone()}</a> }.into_any(),
                    )
                })}
            {verified
                .map(|customer| {
                    row(
                        t_string!(i18n, contact.verified).to_owned(),
                        verified_detail(i18n.get_locale_untracked(), &customer).into_any(),
                    )
                })}
            {row(
                t_string!(i18n, contact.first_seen).to_owned(),
                view! {
                    <time datetime=first_seen.iso title=first_seen.exact>
                        {first_seen.short}
                    </time>
                }
                    .into_any(),
            )}
            {contact
                .device
                .clone()
                .map(|device| row(t_string!(i18n, contact.device).to_owned(), device.into_any()))}
            {contact
                .page
                .clone()
                .map(|page| {
                    row(
                        t_string!(i18n, contact.page).to_owned(),
                        view! {
                            <a href=page.clone() target="_blank" rel="noopener noreferrer">
                                {page.clone()}
                            </a>
                        }
                            .into_any(),
                    )
                })}
        </dl>
        <h3 class="contact-earlier-title">{t!(i18n, contact.earlier)}</h3>
        <Show
            when=move || returning
            fallback=move || view! { <p class="muted">{t!(i18n, contact.none)}</p> }
        >
            <ul class="contact-earlier">
                {earlier
                    .iter()
                    .cloned()
                    .map(|earlier| {
                        let LocalTime { iso, exact, short } = local_time(
                            earlier.started_at.millis(),
                        );
                        let state = if earlier.closed {
                            t_string!(i18n, contact.closed)
                        } else {
                            t_string!(i18n, contact.open)
                        };
                        let preview = earlier.preview.clone().unwrap_or_default();
                        view! {
                            <li>
                                <button
                                    class="contact-earlier-item"
                                    on:click=move |_| reading.set(Some(earlier.clone()))
                                >
                                    <time datetime=iso title=exact>
                                        {short}
                                    </time>
                                    " · "
                                    {state}
                                    <span class="contact-preview">{preview}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </Show>
    }
}

/// An earlier conversation, read in a dialog.
#[component]
fn Transcript(
    earlier: EarlierConversation,
    reading: RwSignal<Option<EarlierConversation>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = earlier.id;
    let detail = LocalResource::new(move || get_conversation(id));
    let started = local_time(earlier.started_at.millis()).short;
    let close = Callback::new(move |()| reading.set(None));
    view! {
        <Modal labelled_by="transcript-title" on_cancel=close>
            <h3 id="transcript-title">
                {move || {
                    td_string!(i18n.get_locale(), contact.transcript, date = started.as_str())
                        .to_string()
                }}
            </h3>
            <div class="transcript">
                <EventLog
                    events=Signal::derive(move || {
                        detail.get().and_then(Result::ok).map(|d| d.events).unwrap_or_default()
                    })
                    viewer=Viewer::Agent
                    typing=Signal::stored(None::<String>)
                />
            </div>
            <div class="dialog-actions">
                <button class="button primary" on:click=move |_| close.run(())>
                    {t!(i18n, contact.back)}
                </button>
            </div>
        </Modal>
    }
}
