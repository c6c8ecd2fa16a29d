//! The single-page app: the agent dashboard at `/agent` and the customer chat at `/chat`.
//!
//! Components are one per file; pages end in `Page`. Server data comes in through
//! `LocalResource`s, commands go out through `Action`s, and what the whole dashboard shares
//! (the signed-in agent, the socket, the board, notifications) is provided once as context.

/// The admin page's team table and new-agent form.
mod admin_agents;
/// Managing agents and webhooks, reading the audit log.
mod admin_page;
/// The admin page's webhook endpoints and delivery log.
mod admin_webhooks;
/// The agent page: sign-in or dashboard.
mod agent_page;
/// Sounds and system notifications for what needs an agent, and their settings.
mod alerts;
/// `/analytics`: the hand-off's figures for supervisors and admins.
mod analytics_page;
/// Photos and documents: the attach button and how a file shows in the log.
mod attachments;
/// The dashboard's shared state: list, open conversation, unread counts, drafts.
mod board;
/// Browser-only helpers: local storage, ids.
mod browser;
/// Canned replies and the keys that pick them.
mod canned;
/// `/replies`: supervisors manage the canned replies.
mod canned_page;
/// SVG charts with their tables.
mod charts;
/// The customer's chat page.
mod chat_page;
/// One conversation's log and actions, for agents.
mod chat_panel;
/// The page's clock for relative times.
mod clock;
/// The owner's reply box.
mod composer;
/// The confirmation dialog the chat panel's commands share.
mod confirm_dialog;
/// The customer as a person, in the chat panel.
mod contact_card;
/// The chat panel's commands and their dialogs.
mod conversation_actions;
/// The dashboard's conversation list with filters.
mod conversation_list;
/// The customer's side of one live conversation.
mod customer_conversation;
/// The agent dashboard (signed in).
mod dashboard;
/// The customer page inside the chat widget on another site.
mod embed;
/// One entry of a conversation's log.
mod event_item;
/// A conversation's log with its "is typing" line.
mod event_log;
/// Formatting helpers shared by components.
mod format;
/// What the dashboard's socket frames change (pure).
mod frames;
/// The landing page.
mod home_page;
/// Labels and priority: the team's labels, the chips, the panel's editor.
mod labels;
/// `/labels`: supervisors manage the team's labels.
mod labels_page;
/// The language switch.
mod language_picker;
/// The browser's end of the realtime sockets.
mod live_socket;
/// How server data shows while loading or after an error.
mod loaded;
/// The message box and Send button both sides use.
mod message_form;
/// A modal dialog: inert page behind, Tab inside, Escape cancels, focus given back.
mod modal;
/// The private note box under the reply.
mod note_form;
/// The customer's rating after a close.
mod rating_form;
/// The shell of a page for some roles only.
mod role_page;
/// The signed-in agent, provided to the dashboard.
mod session;
/// The dashboard's keyboard shortcuts and their help.
mod shortcuts;
/// The sign-in form.
mod sign_in;
/// The theme switch: System, Light or Dark.
mod theme_toggle;
/// In-page notifications.
mod toasts;
/// The dashboard's top bar.
mod top_bar;
/// Choosing whom to transfer a conversation to.
mod transfer_picker;

pub use admin_page::AdminPage;
pub use agent_page::AgentPage;
pub use analytics_page::AnalyticsPage;
pub use chat_page::ChatPage;
pub use home_page::HomePage;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// Merges `fresh` events into `log` by seq: each seq once, in order, whatever order they
/// arrived in (a live event may overtake a replay of older ones).
pub(crate) fn merge_events(log: &mut Vec<crate::domain::Event>, fresh: Vec<crate::domain::Event>) {
    for event in fresh {
        match log.last() {
            // The usual case: the next event in order.
            Some(last) if last.seq < event.seq => log.push(event),
            None => log.push(event),
            _ => {
                if let Err(at) = log.binary_search_by_key(&event.seq, |e| e.seq) {
                    log.insert(at, event);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::merge_events;
    use crate::domain::{ConversationId, Event, EventKind, Timestamp};

    fn events(seqs: &[u64]) -> Vec<Event> {
        let id = ConversationId::new();
        seqs.iter()
            .map(|&seq| Event {
                conversation_id: id,
                seq,
                at: Timestamp(0),
                kind: EventKind::Started {
                    customer_name: "x".into(),
                },
            })
            .collect()
    }

    fn seqs(log: &[Event]) -> Vec<u64> {
        log.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn a_live_event_that_overtakes_a_replay_loses_nothing_and_repeats_nothing() {
        let mut log = events(&[1]);
        merge_events(&mut log, events(&[5]));
        merge_events(&mut log, events(&[2, 3, 4, 5]));
        assert_eq!(seqs(&log), vec![1, 2, 3, 4, 5]);
        merge_events(&mut log, events(&[6, 7]));
        merge_events(&mut log, events(&[7]));
        assert_eq!(seqs(&log), vec![1, 2, 3, 4, 5, 6, 7]);
    }
}

/// The customer's own app, a bundle of its own (`chat.html`): the chat page and the page
/// inside the widget, and nothing of the dashboard, so a phone loads only what a customer
/// needs.
#[component]
pub fn ChatApp() -> impl IntoView {
    clock::provide_clock();
    theme_toggle::wear_chosen();
    // Two pages and no links between them: the path picks one, and the bundle carries no
    // router.
    let embed = browser::page_path().trim_end_matches('/') == "/chat/embed";
    view! {
        <crate::i18n::I18nContextProvider>
            <ChatPage embed=embed />
        </crate::i18n::I18nContextProvider>
    }
}

/// The root component: routes to the pages.
#[component]
pub fn App() -> impl IntoView {
    clock::provide_clock();
    theme_toggle::wear_chosen();
    view! {
        <crate::i18n::I18nContextProvider>
            <Router>
                <Routes fallback=|| {
                    let i18n = crate::i18n::use_i18n();
                    view! {
                        <main class="page-center">
                            <p>{crate::i18n::t!(i18n, dash.page_not_found)}</p>
                            <a href="/">{crate::i18n::t!(i18n, dash.go_home)}</a>
                        </main>
                    }
                }>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/agent") view=AgentPage />
                    <Route path=path!("/chat") view=|| view! { <ChatPage /> } />
                    <Route path=path!("/chat/embed") view=|| view! { <ChatPage embed=true /> } />
                    <Route path=path!("/admin") view=AdminPage />
                    <Route path=path!("/analytics") view=AnalyticsPage />
                    <Route path=path!("/replies") view=canned_page::CannedPage />
                    <Route path=path!("/labels") view=labels_page::LabelsPage />
                </Routes>
            </Router>
        </crate::i18n::I18nContextProvider>
    }
}
