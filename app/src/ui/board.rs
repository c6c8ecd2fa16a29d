//! The dashboard's shared state, provided once by the dashboard to the list, the chat panel
//! and the reply box: the list as a resource keyed on the filter, the open conversation as a
//! resource keyed on the selection, unread counts, who is typing, and unsent drafts. Socket
//! frames reach it through [`Board::on_frame`], which carries out what
//! [`apply_frame`](super::frames::apply_frame) decided.

use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;

use super::frames::{apply_frame, extend, upsert, Change};
use super::live_socket::LiveSocket;
use super::session::Me;
use super::toasts::Toasts;
use crate::api::conversations::{get_conversation, list_conversations, ConversationDetail};
use crate::domain::{Conversation, ConversationId, ListFilter};
use crate::error::ApiError;
use crate::live::{ClientFrame, ServerFrame};

/// How long a typing signal shows.
const TYPING_SHOWN: Duration = Duration::from_secs(3);

/// The dashboard's state (all fields are cheap handles).
#[derive(Clone, Copy)]
pub struct Board {
    /// Which conversations the list shows.
    pub filter: RwSignal<ListFilter>,
    /// The list under the filter, waiting conversations first; kept live by socket frames.
    pub list: LocalResource<Result<Vec<Conversation>, ApiError>>,
    /// The conversation open in the chat panel.
    pub selected: RwSignal<Option<ConversationId>>,
    /// The open conversation with its log; `None` while nothing is selected.
    open: LocalResource<Option<Result<ConversationDetail, ApiError>>>,
    /// Customer messages not yet seen, per conversation.
    pub unread: RwSignal<HashMap<ConversationId, u32>>,
    /// The conversation whose customer is typing.
    typing_in: RwSignal<Option<ConversationId>>,
    /// Replies being written, per conversation: switching away and back keeps them.
    drafts: RwSignal<HashMap<ConversationId, String>>,
}

/// Creates the dashboard's state and provides it to the components below the caller. The open
/// conversation is watched on `socket` as soon as it has loaded.
pub fn provide_board(socket: LiveSocket) -> Board {
    let filter = RwSignal::new(ListFilter::All);
    let selected = RwSignal::new(None::<ConversationId>);
    let board = Board {
        filter,
        list: LocalResource::new(move || list_conversations(Some(filter.get()))),
        selected,
        open: LocalResource::new(move || {
            let id = selected.get();
            let socket = socket.clone();
            async move {
                let id = id?;
                let detail = get_conversation(id).await;
                if let Ok(detail) = &detail {
                    socket.send(ClientFrame::Watch {
                        conversation_id: id,
                        after_seq: detail.conversation.last_seq,
                    });
                }
                Some(detail)
            }
        }),
        unread: RwSignal::new(HashMap::new()),
        typing_in: RwSignal::new(None),
        drafts: RwSignal::new(HashMap::new()),
    };
    provide_context(board);
    board
}

/// The dashboard's state, as [`provide_board`] provided it.
pub fn use_board() -> Board {
    expect_context()
}

impl Board {
    /// Opens conversation `id` in the chat panel and marks it read.
    pub fn select(self, id: ConversationId) {
        self.unread.update(|unread| {
            unread.remove(&id);
        });
        if self.selected.get_untracked() != Some(id) {
            self.selected.set(Some(id));
        }
    }

    /// Reads the open conversation when it is `id` and has loaded (tracked).
    pub fn with_open<U>(
        self,
        id: ConversationId,
        f: impl FnOnce(&ConversationDetail) -> U,
    ) -> Option<U> {
        self.open.with(|open| match open {
            Some(Some(Ok(detail))) if detail.conversation.id == id => Some(f(detail)),
            _ => None,
        })
    }

    /// Why the open conversation could not be loaded (tracked).
    pub fn open_error(self) -> Option<String> {
        self.open.with(|open| match open {
            Some(Some(Err(err))) => Some(err.to_string()),
            _ => None,
        })
    }

    /// Fetches the open conversation again (after a command, successful or refused).
    pub fn reload_open(self) {
        self.open.refetch();
    }

    /// True while the customer of `id` is typing (tracked).
    pub fn customer_typing(self, id: ConversationId) -> bool {
        self.typing_in.get() == Some(id)
    }

    /// The unsent reply for `id` (tracked).
    pub fn draft(self, id: ConversationId) -> String {
        self.drafts
            .with(|drafts| drafts.get(&id).cloned().unwrap_or_default())
    }

    /// Keeps `text` as the unsent reply for `id`.
    pub fn set_draft(self, id: ConversationId, text: String) {
        self.drafts.update(|drafts| {
            drafts.insert(id, text);
        });
    }

    /// Forgets the draft of `id` once `sent` went out, unless the agent has written on since.
    pub fn clear_sent_draft(self, id: ConversationId, sent: &str) {
        self.drafts.update(|drafts| {
            if drafts.get(&id).is_some_and(|draft| draft.trim() == sent) {
                drafts.remove(&id);
            }
        });
    }

    /// What the socket sends on every (re)connection: the list may be stale, so it is fetched
    /// again, and the open conversation resumes after the last event this page holds.
    pub fn on_connect(self) -> Vec<ClientFrame> {
        self.list.refetch();
        let selected = self.selected.get_untracked();
        self.open.with_untracked(|open| match open {
            Some(Some(Ok(detail))) if Some(detail.conversation.id) == selected => {
                vec![ClientFrame::Watch {
                    conversation_id: detail.conversation.id,
                    after_seq: detail.conversation.last_seq,
                }]
            }
            _ => Vec::new(),
        })
    }

    /// Carries out what `frame` changes for `me`.
    pub fn on_frame(self, frame: ServerFrame, me: Me, toasts: Toasts) {
        let open = self.selected.get_untracked();
        for change in apply_frame(frame, &me.get_untracked(), open) {
            match change {
                Change::Conversation {
                    conversation,
                    events,
                } => {
                    let filter = self.filter.get_untracked();
                    self.list.update(|list| {
                        if let Some(Ok(list)) = list {
                            upsert(list, &conversation, filter, me.id());
                        }
                    });
                    if open == Some(conversation.id) {
                        self.open.update(|detail| {
                            if let Some(Some(Ok(detail))) = detail {
                                extend(detail, &conversation, events);
                            }
                        });
                    }
                }
                Change::Unread {
                    conversation_id,
                    count,
                } => self
                    .unread
                    .update(|unread| *unread.entry(conversation_id).or_default() += count),
                Change::Notify(text) => toasts.show(text),
                Change::CustomerTyping(id) => {
                    self.typing_in.set(Some(id));
                    let typing_in = self.typing_in;
                    set_timeout(
                        move || {
                            typing_in.maybe_update(|now| {
                                let ended = *now == Some(id);
                                if ended {
                                    *now = None;
                                }
                                ended
                            });
                        },
                        TYPING_SHOWN,
                    );
                }
                Change::MyStatus(status) => me.set_status(status),
                Change::Reload => self.list.refetch(),
            }
        }
    }
}
