//! The dashboard's shared state, provided once by the dashboard to the list, the chat panel
//! and the reply box: the list's first page as a resource keyed on the filter and the search,
//! the pages "Load more" adds after it, the open conversation as a
//! resource keyed on the selection, unread counts, who is typing, and unsent drafts. Socket
//! frames reach it through [`Board::on_frame`], which carries out what
//! [`apply_frame`](super::frames::apply_frame) decided.
//!
//! What the socket reports is kept beside the fetched copies and merged when read, never
//! written into the resources: a write into a resource drops the fetch it has in flight.

use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;

use super::frames::{apply_frame, complete_up_to, extend, live_list, Change};
use super::live_socket::LiveSocket;
use super::session::Me;
use super::toasts::Toasts;
use crate::api::conversations::{
    count_conversations, get_conversation, list_conversations, ConversationDetail,
    ConversationPage, FilterCount,
};
use crate::domain::label::TagFilter;
use crate::domain::{AgentId, Conversation, ConversationId, ListFilter, Locale, QueueSummary};
use crate::error::ApiError;
use crate::live::{ClientFrame, ServerFrame};

/// How long a typing signal shows.
const TYPING_SHOWN: Duration = Duration::from_secs(3);

/// The chips' counts are fetched again at most this often while conversations change.
const COUNTS_EVERY: Duration = Duration::from_secs(2);

/// The dashboard's state (all fields are cheap handles).
#[derive(Clone, Copy)]
pub struct Board {
    /// Which conversations the list shows.
    pub filter: RwSignal<ListFilter>,
    /// The label and priority the list narrows to, if any.
    pub tags: RwSignal<TagFilter>,
    /// What the list is searched for on the server (names and messages); blank: nothing,
    /// the whole list.
    search: RwSignal<String>,
    /// The list's first page under the filter and search as fetched, waiting ones first.
    list: LocalResource<Result<ConversationPage, ApiError>>,
    /// The pages fetched after the first ("Load more"), in order.
    older: RwSignal<Vec<ConversationPage>>,
    /// Fetches the page after the last one loaded.
    more: Action<(), Result<(), ApiError>>,
    /// Every conversation as the socket last reported it.
    reported: RwSignal<HashMap<ConversationId, Conversation>>,
    /// The signed-in agent, whose "mine" the filters mean.
    viewer: AgentId,
    /// The conversation open in the chat panel.
    pub selected: RwSignal<Option<ConversationId>>,
    /// The open conversation with its log as fetched; `None` while nothing is selected.
    open: LocalResource<Option<Result<ConversationDetail, ApiError>>>,
    /// What the socket reported about the open conversation since it was selected.
    open_reported: RwSignal<Option<ConversationDetail>>,
    /// The open conversation as fetched, with what the socket reported since.
    open_now: Memo<Option<ConversationDetail>>,
    /// Customer messages not yet seen, per conversation.
    pub unread: RwSignal<HashMap<ConversationId, u32>>,
    /// The conversation whose customer is typing.
    typing_in: RwSignal<Option<ConversationId>>,
    /// Replies being written, per conversation: switching away and back keeps them.
    drafts: RwSignal<HashMap<ConversationId, String>>,
    /// The queue's length and oldest wait, as the server last pushed them.
    pub queue: RwSignal<QueueSummary>,
    /// How many conversations each filter's chip counts, as last fetched.
    counts: LocalResource<Result<Vec<FilterCount>, ApiError>>,
    /// True while a fetch of the counts is scheduled (at most one every [`COUNTS_EVERY`]).
    counts_due: StoredValue<bool>,
}

/// Creates the state of `viewer`'s dashboard and provides it to the components below the
/// caller. The open conversation is watched on `socket` as soon as it has loaded.
pub fn provide_board(socket: LiveSocket, viewer: AgentId) -> Board {
    let filter = RwSignal::new(ListFilter::All);
    let tags = RwSignal::new(TagFilter::default());
    let selected = RwSignal::new(None::<ConversationId>);
    let open = LocalResource::new(move || {
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
    });
    let open_reported = RwSignal::new(None::<ConversationDetail>);
    let open_now = Memo::new(move |_| {
        let mut detail = open.with(|open| match open {
            Some(Some(Ok(detail))) if Some(detail.conversation.id) == selected.get() => {
                Some(detail.clone())
            }
            _ => None,
        })?;
        open_reported.with(|reported| {
            if let Some(reported) = reported {
                extend(&mut detail, &reported.conversation, reported.events.clone());
            }
        });
        Some(detail)
    });
    let search = RwSignal::new(String::new());
    let older = RwSignal::new(Vec::<ConversationPage>::new());
    let list = LocalResource::new(move || {
        let (filter, search, tags) = (filter.get(), search_query(&search.get()), tags.get());
        // The list starts over: the pages after the first belonged to the one before.
        older.set(Vec::new());
        list_conversations(Some(filter), search, None, None, tags.label, tags.priority)
    });
    let more = Action::new_local(move |_: &()| {
        let asked = (
            filter.get_untracked(),
            search.get_untracked(),
            tags.get_untracked(),
        );
        let after = older.with_untracked(|older| match older.last() {
            Some(page) => page.next_cursor,
            None => list.with_untracked(|first| match first {
                Some(Ok(page)) => page.next_cursor,
                _ => None,
            }),
        });
        async move {
            let Some(after) = after else { return Ok(()) };
            let (filter_asked, search_asked, tags_asked) = asked.clone();
            let page = list_conversations(
                Some(filter_asked),
                search_query(&search_asked),
                Some(after),
                None,
                tags_asked.label,
                tags_asked.priority,
            )
            .await?;
            // Only onto the list it continues: not after the filter, search or tags changed.
            let now = (
                filter.get_untracked(),
                search.get_untracked(),
                tags.get_untracked(),
            );
            if now == asked {
                older.update(|older| older.push(page));
            }
            Ok(())
        }
    });
    let board = Board {
        filter,
        tags,
        search,
        list,
        older,
        more,
        reported: RwSignal::new(HashMap::new()),
        viewer,
        selected,
        open,
        open_reported,
        open_now,
        unread: RwSignal::new(HashMap::new()),
        typing_in: RwSignal::new(None),
        drafts: RwSignal::new(HashMap::new()),
        queue: RwSignal::new(QueueSummary::default()),
        counts: LocalResource::new(count_conversations),
        counts_due: StoredValue::new(false),
    };
    provide_context(board);
    board
}

/// The dashboard's state, as [`provide_board`] provided it.
pub fn use_board() -> Board {
    expect_context()
}

/// What the search box holds, as the server takes it: nothing for blank text.
fn search_query(text: &str) -> Option<crate::domain::SearchQuery> {
    crate::domain::SearchQuery::parse(text)
        .ok()
        .filter(|query| !query.is_empty())
}

/// The tab's title: how many customer messages in the agent's own conversations wait to be
/// read, then the product's name.
pub fn tab_title(unread_mine: u32) -> String {
    match unread_mine {
        0 => "Baton".to_owned(),
        n => format!("({n}) Baton"),
    }
}

impl Board {
    /// How many conversations `filter` selects, when its chip shows a count and it is known.
    pub fn count(self, filter: ListFilter) -> Option<u64> {
        self.counts.with(|counts| match counts {
            Some(Ok(counts)) => counts
                .iter()
                .find(|count| count.filter == filter)
                .map(|count| count.count),
            _ => None,
        })
    }

    /// Fetches the counts again soon: once for a burst of changes.
    fn recount(self) {
        if self.counts_due.get_value() {
            return;
        }
        self.counts_due.set_value(true);
        set_timeout(
            move || {
                self.counts_due.set_value(false);
                self.counts.refetch();
            },
            COUNTS_EVERY,
        );
    }

    /// Customer messages not yet read in conversations the viewer owns.
    pub fn unread_mine(self) -> u32 {
        let viewer = self.viewer;
        self.unread.with(|unread| {
            self.reported.with(|reported| {
                unread
                    .iter()
                    .filter(|(id, _)| reported.get(id).is_some_and(|c| c.is_owned_by(viewer)))
                    .map(|(_, count)| count)
                    .sum()
            })
        })
    }

    /// Lists the conversations under `filter`; the open one stays open only if the filter
    /// lists it too, so the panel never shows a conversation the list does not.
    pub fn choose_filter(self, filter: ListFilter) {
        self.filter.set(filter);
        self.close_unlisted();
    }

    /// Narrows the list to a label and a priority (`TagFilter::default()`: neither); the
    /// open conversation stays open only if the list still shows it.
    pub fn narrow(self, tags: TagFilter) {
        self.tags.set(tags);
        self.close_unlisted();
    }

    /// Closes the open conversation unless the list's filter and tags select it.
    fn close_unlisted(self) {
        let (filter, tags) = (self.filter.get_untracked(), self.tags.get_untracked());
        let listed = self.open_now.with_untracked(|open| {
            open.as_ref().is_some_and(|detail| {
                detail.conversation.matches(filter, self.viewer)
                    && tags.admits(&detail.conversation)
            })
        });
        if !listed {
            self.selected.set(None);
        }
    }

    /// Opens conversation `id` in the chat panel and marks it read.
    pub fn select(self, id: ConversationId) {
        self.unread.update(|unread| {
            unread.remove(&id);
        });
        if self.selected.get_untracked() != Some(id) {
            self.open_reported.set(None);
            self.selected.set(Some(id));
        }
    }

    /// Searches the list for `text` on the server (blank: the whole list).
    pub fn search(self, text: String) {
        self.search.set(text);
    }

    /// True while the list is searched for something (tracked).
    pub fn searching(self) -> bool {
        self.search.with(|text| search_query(text).is_some())
    }

    /// The pages loaded under the filter and search, with what the socket reported since
    /// (tracked). While searching, the socket only updates conversations the search found:
    /// whether another one matches is the server's to say.
    pub fn conversations(self) -> Option<Result<Vec<Conversation>, ApiError>> {
        let fetched = self.list.get()?;
        let filter = self.filter.get();
        let tags = self.tags.get();
        let searching = self.searching();
        Some(fetched.map(|first| {
            let mut list = first.conversations;
            self.older.with(|older| {
                for page in older {
                    list.extend(page.conversations.iter().cloned());
                }
            });
            self.reported.with(|reported| {
                if searching {
                    let found: HashMap<ConversationId, Conversation> = list
                        .iter()
                        .filter_map(|c| reported.get(&c.id).map(|r| (c.id, r.clone())))
                        .collect();
                    live_list(list, &found, (filter, &tags), self.viewer)
                } else {
                    live_list(list, reported, (filter, &tags), self.viewer)
                }
            })
        }))
    }

    /// True when a page follows the ones loaded (tracked).
    pub fn has_more(self) -> bool {
        match self
            .older
            .with(|older| older.last().map(|page| page.next_cursor))
        {
            Some(next) => next.is_some(),
            None => self
                .list
                .with(|first| matches!(first, Some(Ok(page)) if page.next_cursor.is_some())),
        }
    }

    /// Fetches the page after the ones loaded.
    pub fn load_more(self) {
        self.more.dispatch(());
    }

    /// True while the next page is on its way (tracked).
    pub fn loading_more(self) -> bool {
        self.more.pending().get()
    }

    /// Reads the open conversation when it is `id` and has loaded (tracked).
    pub fn with_open<U>(
        self,
        id: ConversationId,
        f: impl FnOnce(&ConversationDetail) -> U,
    ) -> Option<U> {
        self.open_now.with(|open| match open {
            Some(detail) if detail.conversation.id == id => Some(f(detail)),
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
        self.open_now.with_untracked(|open| match open {
            Some(detail) => vec![ClientFrame::Watch {
                conversation_id: detail.conversation.id,
                after_seq: complete_up_to(&detail.events),
            }],
            None => Vec::new(),
        })
    }

    /// Carries out what `frame` changes for `me`.
    pub fn on_frame(self, frame: ServerFrame, me: Me, toasts: Toasts, locale: Locale) {
        let open = self.selected.get_untracked();
        for change in apply_frame(frame, &me.get_untracked(), open, locale) {
            match change {
                Change::Conversation {
                    conversation,
                    events,
                } => {
                    if open == Some(conversation.id) {
                        self.open_reported.update(|reported| match reported {
                            Some(reported) => extend(reported, &conversation, events),
                            None => {
                                *reported = Some(ConversationDetail {
                                    conversation: (*conversation).clone(),
                                    events,
                                })
                            }
                        });
                    }
                    self.reported.update(|reported| {
                        reported.insert(conversation.id, *conversation);
                    });
                    self.recount();
                }
                Change::Unread {
                    conversation_id,
                    count,
                } => self
                    .unread
                    .update(|unread| *unread.entry(conversation_id).or_default() += count),
                Change::Notify(conversation, text, alert) => {
                    toasts.show(conversation, text.clone());
                    super::alerts::alert(alert, &text);
                }
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
                Change::Queue(summary) => self.queue.set(summary),
                Change::Reload => {
                    self.list.refetch();
                    self.counts.refetch();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tab_title_counts_unread_customer_messages_only_when_there_are_some() {
        assert_eq!(tab_title(0), "Baton");
        assert_eq!(tab_title(3), "(3) Baton");
    }
}
