//! What the dashboard's socket frames change, decided without a browser: [`apply_frame`]
//! turns one [`ServerFrame`] into the [`Change`]s the dashboard makes, and [`live_list`] and
//! [`extend`] show what the socket reported over what was fetched. All are pure and tested
//! here; the dashboard only carries each change out on its signals.

use std::collections::HashMap;

use crate::api::conversations::ConversationDetail;
use crate::domain::label::TagFilter;
use crate::domain::{
    Agent, AgentId, Author, Availability, Conversation, ConversationId, Event, EventKind,
    ListFilter, Locale, QueueSummary,
};
use crate::i18n::td_string;
use crate::live::{ServerFrame, Typist};

/// What kind of news a notification brings: the agent mutes each kind's sound and system
/// notification on its own (the toast always shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    /// A customer starts waiting for a person.
    Waiting,
    /// A conversation was transferred to me.
    TransferToMe,
    /// A supervisor took a conversation from me.
    TakenFromMe,
    /// A customer of mine wrote while another conversation is open.
    CustomerMessage,
    /// A colleague mentioned me in a private note.
    Mention,
    /// Anything else (an assignment, a requeue): a toast only.
    Other,
}

/// One thing a frame asks of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The conversation as it now is: its row (see [`live_list`]) and, when it is open, the
    /// panel (see [`extend`]) show it.
    Conversation {
        conversation: Box<Conversation>,
        events: Vec<Event>,
    },
    /// New customer messages in a conversation that is not open.
    Unread {
        conversation_id: ConversationId,
        count: u32,
    },
    /// Tell the agent about this conversation, in a toast (and, by the agent's settings for
    /// its kind, a sound and a system notification).
    Notify(ConversationId, String, Alert),
    /// The customer is typing in this conversation.
    CustomerTyping(ConversationId),
    /// The signed-in agent's availability changed (in another tab, or by the server).
    MyStatus(Availability),
    /// The queue's length and oldest wait changed.
    Queue(QueueSummary),
    /// The dashboard missed events: fetch the list again.
    Reload,
}

/// The changes `frame` asks of the dashboard of `me`, who has `open` open.
pub fn apply_frame(
    frame: ServerFrame,
    me: &Agent,
    open: Option<ConversationId>,
    locale: Locale,
) -> Vec<Change> {
    match frame {
        ServerFrame::Events {
            conversation_id,
            events,
            conversation: Some(conversation),
            ..
        } => {
            let mut changes: Vec<Change> = events
                .iter()
                .filter_map(|event| notice_for(event, &conversation, me, locale))
                .map(|(text, alert)| Change::Notify(conversation_id, text, alert))
                .collect();
            let count = events
                .iter()
                .filter(|e| e.message().is_some_and(|m| m.author == Author::Customer))
                .count() as u32;
            if count > 0 && open != Some(conversation_id) {
                changes.push(Change::Unread {
                    conversation_id,
                    count,
                });
                // A customer of mine wrote while I look at another conversation.
                if conversation.is_owned_by(me.id) {
                    let said = events
                        .iter()
                        .rev()
                        .find_map(|e| e.message().filter(|m| m.author == Author::Customer))
                        .map(|m| m.body.as_str())
                        .unwrap_or_default();
                    let said: String = said.chars().take(80).collect();
                    let text = td_string!(
                        locale,
                        toast.customer_wrote,
                        customer = conversation.customer_name.as_str(),
                        said
                    )
                    .to_string();
                    changes.push(Change::Notify(
                        conversation_id,
                        text,
                        Alert::CustomerMessage,
                    ));
                }
            }
            changes.push(Change::Conversation {
                conversation,
                events,
            });
            changes
        }
        ServerFrame::Typing {
            conversation_id,
            from: Typist::Customer,
        } => vec![Change::CustomerTyping(conversation_id)],
        ServerFrame::Presence {
            agent_id, status, ..
        } if agent_id == me.id => vec![Change::MyStatus(status)],
        ServerFrame::Resync => vec![Change::Reload],
        ServerFrame::QueueSummary { summary } => vec![Change::Queue(summary)],
        // Customers' frames, other agents' typing and presence, pongs and errors change
        // nothing on the dashboard.
        ServerFrame::Events { .. }
        | ServerFrame::Typing { .. }
        | ServerFrame::Presence { .. }
        | ServerFrame::Queue { .. }
        | ServerFrame::Pong
        | ServerFrame::Error { .. } => Vec::new(),
    }
}

/// The list as fetched (`snapshot`), with every conversation the socket has reported since
/// (`live`) put in its place, unless the snapshot holds a newer copy of it; narrowed to what
/// `filter` and `tags` admit, as the store's list statement narrows the snapshot.
pub fn live_list(
    snapshot: Vec<Conversation>,
    live: &HashMap<ConversationId, Conversation>,
    (filter, tags): (ListFilter, &TagFilter),
    viewer: AgentId,
) -> Vec<Conversation> {
    let mut newest: HashMap<ConversationId, Conversation> =
        snapshot.into_iter().map(|c| (c.id, c)).collect();
    for reported in live.values() {
        let fresher = newest
            .get(&reported.id)
            .is_none_or(|fetched| fetched.last_seq <= reported.last_seq);
        if fresher {
            newest.insert(reported.id, reported.clone());
        }
    }
    let mut list: Vec<Conversation> = newest
        .into_values()
        .filter(|c| c.matches(filter, viewer) && tags.admits(c))
        .collect();
    // Ties keep one order from one frame to the next.
    list.sort_by(|a, b| a.list_order(b).then_with(|| a.id.cmp(&b.id)));
    list
}

/// The seq up to which `events` (in seq order) hold every event: a socket resumes after it.
pub fn complete_up_to(events: &[Event]) -> u64 {
    let mut held = 0;
    for event in events {
        if event.seq != held + 1 {
            break;
        }
        held = event.seq;
    }
    held
}

/// Merges fresh `events` of the open conversation into `open`, and takes `conversation` as its
/// header unless `open` already holds a newer copy.
pub fn extend(open: &mut ConversationDetail, conversation: &Conversation, events: Vec<Event>) {
    if open.conversation.id != conversation.id {
        return;
    }
    super::merge_events(&mut open.events, events);
    if conversation.version >= open.conversation.version
        && conversation.last_seq >= open.conversation.last_seq
    {
        open.conversation = conversation.clone();
    }
}

/// The notification an event deserves for `me`: a transfer to me (with its note), a
/// supervisor taking a conversation from me, or a customer now waiting for a human.
fn notice_for(
    event: &Event,
    conversation: &Conversation,
    me: &Agent,
    locale: Locale,
) -> Option<(String, Alert)> {
    let customer = conversation.customer_name.as_str();
    let l = locale;
    Some(match &event.kind {
        EventKind::Transferred { from, to, note } if to.id == me.id => {
            let from = from.name.as_str();
            let text = match note {
                Some(note) => td_string!(
                    l,
                    toast.transferred_note,
                    from,
                    customer,
                    note = note.as_str()
                )
                .to_string(),
                None => td_string!(l, toast.transferred, from, customer).to_string(),
            };
            (text, Alert::TransferToMe)
        }
        EventKind::ForcedTakeover { by, from, reason } if from.id == me.id => (
            td_string!(
                l,
                toast.forced,
                by = by.name.as_str(),
                customer,
                reason = reason.as_str()
            )
            .to_string(),
            Alert::TakenFromMe,
        ),
        EventKind::NoteAdded { by, text, mentions }
            if mentions.iter().any(|mentioned| mentioned.id == me.id) =>
        {
            let note: String = text.as_str().chars().take(120).collect();
            (
                td_string!(l, toast.mentioned, by = by.name.as_str(), customer, note).to_string(),
                Alert::Mention,
            )
        }
        EventKind::WaitingForHuman { reason, .. } => (
            td_string!(l, toast.waiting, customer, reason = reason.label_in(l)).to_string(),
            Alert::Waiting,
        ),
        EventKind::Assigned { agent } if agent.id == me.id => (
            td_string!(l, toast.assigned, customer).to_string(),
            Alert::Other,
        ),
        EventKind::Requeued { from, reason } if from.id == me.id => (
            td_string!(
                l,
                toast.requeued_mine,
                customer,
                reason = reason.label_in(l)
            )
            .to_string(),
            Alert::Other,
        ),
        EventKind::Requeued { from, reason } if me.role.can_force_takeover() => (
            td_string!(
                l,
                toast.requeued,
                customer,
                from = from.name.as_str(),
                reason = reason.label_in(l)
            )
            .to_string(),
            Alert::Other,
        ),
        _ => return None,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::{
        DisplayName, Email, EscalationReason, Message, MessageBody, MessageId, Mode, Role,
        Timestamp, Waiting,
    };

    fn agent(name: &str) -> Agent {
        Agent {
            id: AgentId::new(),
            email: Email::parse(&format!("{}@baton.dev", name.to_lowercase())).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            role: Role::Agent,
            status: Availability::Online,
            max_chats: 5,
        }
    }

    /// A conversation with `Maya` in `mode`, last active at `updated` (for tests).
    pub(crate) fn conversation(mode: Mode, updated: i64) -> Conversation {
        Conversation {
            id: ConversationId::new(),
            customer_name: "Maya".into(),
            mode,
            mode_since: Timestamp(0),
            owner: None,
            waiting: None,
            version: 1,
            last_seq: 1,
            preview: None,
            brief: None,
            brief_for_customer: false,
            reply_due_since: None,
            contact_email: None,
            verified: None,
            locale: Default::default(),
            labels: Vec::new(),
            priority: Default::default(),
            created_at: Timestamp(0),
            updated_at: Timestamp(updated),
        }
    }

    fn event(c: &Conversation, seq: u64, kind: EventKind) -> Event {
        Event {
            conversation_id: c.id,
            seq,
            at: Timestamp(seq as i64),
            kind,
        }
    }

    fn customer_says(c: &Conversation, seq: u64) -> Event {
        event(
            c,
            seq,
            EventKind::Message {
                message: Message {
                    id: MessageId::new(),
                    client_id: None,
                    attachment: None,
                    author: Author::Customer,
                    body: MessageBody::parse("Hello?").unwrap(),
                },
            },
        )
    }

    fn events_frame(c: &Conversation, events: Vec<Event>) -> ServerFrame {
        ServerFrame::Events {
            conversation_id: c.id,
            events,
            conversation: Some(Box::new(c.clone())),
            answering: None,
        }
    }

    #[test]
    fn customer_messages_in_a_conversation_not_open_count_as_unread() {
        let me = agent("Ana");
        let c = conversation(Mode::Ai, 1);
        let frame = events_frame(&c, vec![customer_says(&c, 2), customer_says(&c, 3)]);
        let changes = apply_frame(frame.clone(), &me, None, Locale::en);
        assert!(changes.contains(&Change::Unread {
            conversation_id: c.id,
            count: 2
        }));
        let changes = apply_frame(frame, &me, Some(c.id), Locale::en);
        assert!(!changes
            .iter()
            .any(|change| matches!(change, Change::Unread { .. })));
    }

    #[test]
    fn a_customer_of_mine_writing_while_i_read_another_conversation_is_announced() {
        let me = agent("Ana");
        let notified = |c: &Conversation, open: Option<ConversationId>| -> Vec<Change> {
            apply_frame(
                events_frame(c, vec![customer_says(c, 2)]),
                &me,
                open,
                Locale::en,
            )
            .into_iter()
            .filter(|change| matches!(change, Change::Notify(..)))
            .collect()
        };
        let mine = conversation(Mode::Human { agent: me.id }, 1);
        assert_eq!(
            notified(&mine, None),
            vec![Change::Notify(
                mine.id,
                "Maya: Hello?".into(),
                Alert::CustomerMessage
            )]
        );
        assert_eq!(notified(&mine, Some(mine.id)), Vec::new(), "it is open");
        let theirs = conversation(
            Mode::Human {
                agent: AgentId::new(),
            },
            1,
        );
        assert_eq!(notified(&theirs, None), Vec::new(), "not mine");
    }

    #[test]
    fn a_transfer_to_me_is_announced_with_its_note_and_one_to_others_is_not() {
        let me = agent("Budi");
        let ana = agent("Ana");
        let citra = agent("Citra");
        let c = conversation(Mode::Human { agent: me.id }, 1);
        let to = |target: &Agent| EventKind::Transferred {
            from: ana.reference(),
            to: target.reference(),
            note: Some("refund approved".into()),
        };
        let changes = apply_frame(
            events_frame(&c, vec![event(&c, 2, to(&me))]),
            &me,
            None,
            Locale::en,
        );
        assert!(changes.contains(&Change::Notify(
            c.id,
            "Ana transferred Maya to you. Note: refund approved".into(),
            Alert::TransferToMe
        )));
        let changes = apply_frame(
            events_frame(&c, vec![event(&c, 2, to(&citra))]),
            &me,
            None,
            Locale::en,
        );
        assert!(!changes.iter().any(|c| matches!(c, Change::Notify(..))));
    }

    #[test]
    fn a_waiting_customer_and_a_forced_takeover_from_me_are_announced() {
        let me = agent("Budi");
        let ana = agent("Ana");
        let c = conversation(Mode::Ai, 1);
        let waiting = EventKind::WaitingForHuman {
            reason: EscalationReason::CustomerAsked,
            detail: None,
            summary: None,
        };
        let forced = EventKind::ForcedTakeover {
            by: ana.reference(),
            from: me.reference(),
            reason: "VIP".into(),
        };
        let frame = events_frame(&c, vec![event(&c, 2, waiting), event(&c, 3, forced)]);
        let notices: Vec<_> = apply_frame(frame, &me, None, Locale::en)
            .into_iter()
            .filter(|c| matches!(c, Change::Notify(..)))
            .collect();
        assert_eq!(
            notices,
            vec![
                Change::Notify(
                    c.id,
                    format!(
                        "Maya is waiting for a human: {}",
                        EscalationReason::CustomerAsked.label()
                    ),
                    Alert::Waiting
                ),
                Change::Notify(
                    c.id,
                    "Ana took over Maya from you. Reason: VIP".into(),
                    Alert::TakenFromMe
                ),
            ]
        );
    }

    #[test]
    fn a_requeue_is_told_to_its_owner_and_supervisors_and_an_assignment_to_its_agent() {
        let owner = agent("Budi");
        let colleague = agent("Citra");
        let supervisor = Agent {
            role: Role::Supervisor,
            ..agent("Ana")
        };
        let c = conversation(Mode::Ai, 1);
        let requeued = EventKind::Requeued {
            from: owner.reference(),
            reason: EscalationReason::NoReply,
        };
        let told = |me: &Agent| -> Vec<Change> {
            let frame = events_frame(&c, vec![event(&c, 2, requeued.clone())]);
            apply_frame(frame, me, None, Locale::en)
                .into_iter()
                .filter(|c| matches!(c, Change::Notify(..)))
                .collect()
        };
        let label = EscalationReason::NoReply.label();
        assert_eq!(
            told(&owner),
            vec![Change::Notify(
                c.id,
                format!("Maya went back to the queue: {label}"),
                Alert::Other
            )]
        );
        assert_eq!(
            told(&supervisor),
            vec![Change::Notify(
                c.id,
                format!("Maya went back to the queue from Budi: {label}"),
                Alert::Other
            )]
        );
        assert_eq!(told(&colleague), Vec::new());

        let assigned = EventKind::Assigned {
            agent: colleague.reference(),
        };
        let frame = events_frame(&c, vec![event(&c, 2, assigned)]);
        assert!(
            apply_frame(frame, &colleague, None, Locale::en).contains(&Change::Notify(
                c.id,
                "Maya was assigned to you".into(),
                Alert::Other
            ))
        );
    }

    #[test]
    fn a_queue_summary_reaches_the_dashboard_header() {
        let me = agent("Ana");
        let summary = QueueSummary {
            length: 3,
            oldest_since: Some(crate::domain::Timestamp(5)),
        };
        assert_eq!(
            apply_frame(ServerFrame::QueueSummary { summary }, &me, None, Locale::en),
            vec![Change::Queue(summary)]
        );
        let customers_only = ServerFrame::Queue {
            status: crate::domain::QueueStatus::NotWaiting,
        };
        assert_eq!(
            apply_frame(customers_only, &me, None, Locale::en),
            Vec::new()
        );
    }

    #[test]
    fn typing_my_presence_and_resync_become_their_changes_and_the_rest_nothing() {
        let me = agent("Ana");
        let other = agent("Budi");
        let id = ConversationId::new();
        let typing = |from| ServerFrame::Typing {
            conversation_id: id,
            from,
        };
        let presence = |who: &Agent| ServerFrame::Presence {
            agent_id: who.id,
            name: who.display_name.to_string(),
            status: Availability::Away,
            connected: true,
        };
        assert_eq!(
            apply_frame(typing(Typist::Customer), &me, None, Locale::en),
            vec![Change::CustomerTyping(id)]
        );
        assert_eq!(
            apply_frame(presence(&me), &me, None, Locale::en),
            vec![Change::MyStatus(Availability::Away)]
        );
        assert_eq!(
            apply_frame(ServerFrame::Resync, &me, None, Locale::en),
            vec![Change::Reload]
        );
        for nothing in [
            typing(Typist::Agent {
                name: "Budi".into(),
            }),
            presence(&other),
            ServerFrame::Pong,
        ] {
            assert_eq!(apply_frame(nothing, &me, None, Locale::en), Vec::new());
        }
    }

    #[test]
    fn an_updated_conversation_moves_to_its_place_and_leaves_a_filter_it_no_longer_matches() {
        let me = AgentId::new();
        let old = conversation(Mode::Ai, 10);
        let newer = conversation(Mode::Ai, 20);
        let fetched = vec![newer.clone(), old.clone()];
        let shown = |reported: &[&Conversation], filter| {
            let live = reported.iter().map(|c| (c.id, (*c).clone())).collect();
            live_list(fetched.clone(), &live, (filter, &TagFilter::default()), me)
        };

        // A customer starts waiting: the conversation goes to the top.
        let mut waiting = old.clone();
        waiting.waiting = Some(Waiting {
            reason: EscalationReason::CustomerAsked,
            since: Timestamp(30),
        });
        waiting.last_seq = 2;
        assert_eq!(
            shown(&[&waiting], ListFilter::All),
            vec![waiting.clone(), newer.clone()]
        );

        // New activity moves a quiet conversation up among the quiet ones, never twice.
        let mut older = old.clone();
        older.updated_at = Timestamp(40);
        older.last_seq = 2;
        assert_eq!(
            shown(&[&older], ListFilter::All),
            vec![older.clone(), newer.clone()]
        );

        // Taken over by me: it leaves the AI filter.
        let mut mine = waiting.clone();
        mine.mode = Mode::Human { agent: me };
        mine.waiting = None;
        mine.last_seq = 3;
        assert_eq!(
            shown(&[&waiting, &mine], ListFilter::Ai),
            vec![newer.clone()]
        );

        // Narrowed to a label: a conversation that gains it live joins, one that loses it
        // leaves, as the store's statement would have chosen them.
        let vip = TagFilter {
            label: Some("label-vip".into()),
            priority: None,
        };
        let mut labelled = old.clone();
        labelled.labels = vec!["label-vip".into()];
        labelled.last_seq = 4;
        let live = HashMap::from([(labelled.id, labelled.clone())]);
        assert_eq!(
            live_list(fetched.clone(), &live, (ListFilter::All, &vip), me),
            vec![labelled.clone()]
        );
        let mut unlabelled = labelled.clone();
        unlabelled.labels.clear();
        unlabelled.last_seq = 5;
        let live = HashMap::from([(unlabelled.id, unlabelled)]);
        assert_eq!(
            live_list(vec![labelled], &live, (ListFilter::All, &vip), me),
            Vec::new()
        );
    }

    #[test]
    fn the_open_conversation_gains_new_events_and_keeps_a_newer_header() {
        let c = conversation(Mode::Ai, 1);
        let mut open = ConversationDetail {
            conversation: c.clone(),
            events: vec![customer_says(&c, 1)],
        };
        let mut later = c.clone();
        later.version = 2;
        later.last_seq = 3;
        extend(
            &mut open,
            &later,
            vec![customer_says(&c, 2), customer_says(&c, 3)],
        );
        assert_eq!(open.conversation, later);
        assert_eq!(open.events.len(), 3);

        // A stale copy (an older version) adds its events but not its header.
        extend(&mut open, &c, vec![customer_says(&c, 3)]);
        assert_eq!(open.conversation, later);
        assert_eq!(open.events.len(), 3);

        // Another conversation's frame changes nothing.
        let other = conversation(Mode::Ai, 1);
        extend(&mut open, &other, vec![customer_says(&other, 4)]);
        assert_eq!(open.events.len(), 3);
    }

    #[test]
    fn the_fetched_list_shows_what_the_socket_reported_since_unless_it_is_newer() {
        let me = AgentId::new();
        let quiet = conversation(Mode::Ai, 10);
        let mut fetched_newer = conversation(Mode::Ai, 20);
        fetched_newer.last_seq = 9;
        let mut reported_older = fetched_newer.clone();
        reported_older.last_seq = 4;
        reported_older.updated_at = Timestamp(5);
        let mut arrived = conversation(Mode::Ai, 30);
        arrived.last_seq = 2;
        let mut taken = quiet.clone();
        taken.mode = Mode::Human { agent: me };
        taken.last_seq = 3;
        let live = HashMap::from([
            (reported_older.id, reported_older),
            (arrived.id, arrived.clone()),
            (taken.id, taken),
        ]);

        let shown = live_list(
            vec![fetched_newer.clone(), quiet],
            &live,
            (ListFilter::Ai, &TagFilter::default()),
            me,
        );
        assert_eq!(shown, vec![arrived, fetched_newer]);
    }

    #[test]
    fn a_socket_resumes_after_the_last_event_before_a_gap() {
        let c = conversation(Mode::Ai, 1);
        let log =
            |seqs: &[u64]| -> Vec<Event> { seqs.iter().map(|&s| customer_says(&c, s)).collect() };
        assert_eq!(complete_up_to(&log(&[])), 0);
        assert_eq!(complete_up_to(&log(&[1, 2, 3])), 3);
        assert_eq!(complete_up_to(&log(&[1, 2, 5, 6])), 2);
    }
}
