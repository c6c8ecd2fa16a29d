//! The signed-in agent's dashboard: provides the agent, the socket, the notifications and the
//! shared [`Board`](super::board::Board) to everything below it, opens the one live socket,
//! and lays out the top bar, the conversation list and the chat panel.

use crate::i18n::{t, t_string};
use leptos::prelude::*;

use super::board::{provide_board, tab_title};
use super::browser::set_title;
use super::chat_panel::ChatPanel;
use super::conversation_list::ConversationList;
use super::live_socket::{Link, LiveSocket};
use super::session::provide_me;
use super::toasts::{provide_toasts, ToastStack};
use super::top_bar::TopBar;
use crate::domain::Agent;

/// The dashboard of `agent`; `on_signed_out` runs once they signed out.
#[component]
pub fn Dashboard(agent: Agent, on_signed_out: Callback<()>) -> impl IntoView {
    let me = provide_me(agent);
    let toasts = provide_toasts();
    let socket = LiveSocket::new();
    provide_context(socket.clone());
    let board = provide_board(socket.clone(), me.id());
    super::canned::CannedList::provide();
    super::labels::LabelList::provide();
    super::shortcuts::provide_shortcuts();
    let i18n = crate::i18n::use_i18n();
    socket.connect(
        "/ws".to_owned(),
        Vec::new(),
        move || board.on_connect(),
        move |frame| board.on_frame(frame, me, toasts, i18n.get_locale_untracked()),
    );
    // The session ended elsewhere (signed out, disabled, password reset, expired): the
    // server closed the socket for good, so the agent is back at sign-in.
    Effect::new(move |_| {
        if socket.link.get() == Link::Ended {
            on_signed_out.run(());
        }
    });
    // "(3) Baton": customer messages waiting in my own conversations, seen from another tab.
    Effect::new(move |_| set_title(&tab_title(board.unread_mine())));
    on_cleanup(|| set_title("Baton"));

    view! {
        <div class="dashboard">
            <TopBar on_signed_out=on_signed_out />
            <super::shortcuts::Shortcuts />
            <ToastStack on_open=Callback::new(move |id| board.select(id)) />
            // On a phone one pane shows at a time: the list, or the open conversation.
            <div class=move || {
                if board.selected.get().is_some() {
                    "dashboard-body has-open"
                } else {
                    "dashboard-body"
                }
            }>
                <ConversationList />
                <section class="panel" aria-label=move || t_string!(i18n, dash.conversation)>
                    {move || match board.selected.get() {
                        Some(id) => view! { <ChatPanel id=id /> }.into_any(),
                        None => {
                            view! {
                                <div class="empty-state">
                                    <p>{t!(i18n, dash.select_conversation)}</p>
                                </div>
                            }
                                .into_any()
                        }
                    }}
                </section>
            </div>
        </div>
    }
}
