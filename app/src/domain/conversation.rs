use serde::{Deserialize, Serialize};

use super::{AgentId, AgentRef, ConversationId, EscalationReason, Mode, Timestamp};

/// Why and since when a conversation waits for a human.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub reason: EscalationReason,
    pub since: Timestamp,
}

/// A conversation as agents see it in the list and at the top of the chat panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: ConversationId,
    pub customer_name: String,
    pub mode: Mode,
    /// When the mode last changed (e.g. when the owner took it over).
    pub mode_since: Timestamp,
    /// The owner's id and name while a human handles it.
    pub owner: Option<AgentRef>,
    /// Set while the conversation waits for a human.
    pub waiting: Option<Waiting>,
    /// Bumped by every change of mode: the token of the conditional update.
    pub version: u64,
    /// The last event's sequence number.
    pub last_seq: u64,
    /// The latest message, shortened, for the list.
    pub preview: Option<String>,
    /// The agent's brief for the AI after the last handover.
    pub brief: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Conversation {
    /// True when `agent` owns the conversation.
    pub fn is_owned_by(&self, agent: AgentId) -> bool {
        self.mode.owner() == Some(agent)
    }

    /// True when `filter` selects this conversation for `viewer`.
    pub fn matches(&self, filter: ListFilter, viewer: AgentId) -> bool {
        match filter {
            ListFilter::All => self.mode != Mode::Closed,
            ListFilter::Ai => self.mode == Mode::Ai,
            ListFilter::Waiting => self.mode == Mode::Ai && self.waiting.is_some(),
            ListFilter::Mine => self.is_owned_by(viewer),
            ListFilter::Others => matches!(self.mode, Mode::Human { agent } if agent != viewer),
            ListFilter::Closed => self.mode == Mode::Closed,
        }
    }

    /// Where the dashboard lists the conversation: waiting ones first (longest wait on top),
    /// then the latest activity. The stores' `ORDER BY` says the same in SQL.
    pub fn list_order(&self) -> impl Ord {
        (
            self.waiting.is_none(),
            self.waiting.as_ref().map(|w| w.since),
            std::cmp::Reverse(self.updated_at),
        )
    }
}

/// Who answers the customer right now, as the customer may know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answering {
    /// The AI assistant (perhaps while a person is on the way).
    Ai { waiting_for_human: bool },
    /// A person, by name.
    Agent { name: String },
    /// Nobody: the conversation is closed.
    Closed,
}

impl Answering {
    /// Who answers `conversation`.
    pub fn of(conversation: &Conversation) -> Self {
        match (conversation.mode, &conversation.owner) {
            (Mode::Human { .. }, Some(owner)) => Answering::Agent {
                name: owner.name.clone(),
            },
            (Mode::Human { .. }, None) => Answering::Agent {
                name: "our Customer Service".into(),
            },
            (Mode::Closed, _) => Answering::Closed,
            (Mode::Ai, _) => Answering::Ai {
                waiting_for_human: conversation.waiting.is_some(),
            },
        }
    }
}

/// Which conversations the dashboard list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListFilter {
    /// Every open conversation.
    #[default]
    All,
    /// Handled by the AI.
    Ai,
    /// Waiting for a human.
    Waiting,
    /// Owned by me.
    Mine,
    /// Owned by another agent.
    Others,
    /// Closed.
    Closed,
}

impl ListFilter {
    /// Every filter, in the order the dashboard shows them.
    pub const ALL: [ListFilter; 6] = [
        ListFilter::All,
        ListFilter::Ai,
        ListFilter::Waiting,
        ListFilter::Mine,
        ListFilter::Others,
        ListFilter::Closed,
    ];

    /// The filter's label in the dashboard.
    pub fn label(self) -> &'static str {
        match self {
            ListFilter::All => "All",
            ListFilter::Ai => "AI",
            ListFilter::Waiting => "Waiting",
            ListFilter::Mine => "Mine",
            ListFilter::Others => "Others",
            ListFilter::Closed => "Closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation(mode: Mode, waiting: bool) -> Conversation {
        Conversation {
            id: ConversationId::new(),
            customer_name: "Budi".into(),
            mode,
            mode_since: Timestamp(0),
            owner: None,
            waiting: waiting.then_some(Waiting {
                reason: EscalationReason::CustomerAsked,
                since: Timestamp(0),
            }),
            version: 0,
            last_seq: 1,
            preview: None,
            brief: None,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }

    #[test]
    fn filters_select_by_mode_owner_and_waiting() {
        let me = AgentId::new();
        let other = AgentId::new();
        let ai = conversation(Mode::Ai, false);
        let waiting = conversation(Mode::Ai, true);
        let mine = conversation(Mode::Human { agent: me }, false);
        let theirs = conversation(Mode::Human { agent: other }, false);
        let closed = conversation(Mode::Closed, false);

        let pick = |filter| {
            [&ai, &waiting, &mine, &theirs, &closed]
                .iter()
                .filter(|c| c.matches(filter, me))
                .count()
        };
        assert_eq!(pick(ListFilter::All), 4);
        assert_eq!(pick(ListFilter::Ai), 2);
        assert_eq!(pick(ListFilter::Waiting), 1);
        assert_eq!(pick(ListFilter::Mine), 1);
        assert_eq!(pick(ListFilter::Others), 1);
        assert_eq!(pick(ListFilter::Closed), 1);
    }

    #[test]
    fn the_longest_waiting_conversation_is_listed_first_then_the_latest_activity() {
        let at = |c: Conversation, waiting_since: i64, updated: i64| Conversation {
            waiting: c.waiting.map(|w| Waiting {
                since: Timestamp(waiting_since),
                ..w
            }),
            updated_at: Timestamp(updated),
            ..c
        };
        let quiet_old = at(conversation(Mode::Ai, false), 0, 10);
        let quiet_new = at(conversation(Mode::Ai, false), 0, 30);
        let waiting_long = at(conversation(Mode::Ai, true), 5, 1);
        let waiting_short = at(conversation(Mode::Ai, true), 20, 40);
        let mut list = vec![
            quiet_old.clone(),
            waiting_short.clone(),
            quiet_new.clone(),
            waiting_long.clone(),
        ];
        list.sort_by_key(Conversation::list_order);
        assert_eq!(
            list,
            vec![waiting_long, waiting_short, quiet_new, quiet_old]
        );
    }
}
