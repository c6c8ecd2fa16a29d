//! Conversations as agents see them in the list and at the top of the chat panel, which of
//! them a list filter selects, and the order the list shows them in.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::{
    AgentId, AgentRef, ConversationId, EscalationReason, Locale, Mode, Refusal, Timestamp,
};

/// Why and since when a conversation waits for a human.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Waiting {
    pub reason: EscalationReason,
    pub since: Timestamp,
}

/// Who the host site says the customer is: the claims of an identity token signed with the
/// deployment's secret (see the chat widget's `Baton.identify`), verified by Baton.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VerifiedCustomer {
    /// The customer's id in the host site's own accounts (the token's `sub`).
    pub id: String,
    /// The e-mail address the host site vouches for, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A conversation as agents see it in the list and at the top of the chat panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Since when the owner owes the customer an answer (set by a takeover, assignment or
    /// transfer and by a customer message; cleared by the owner's message). The reply timer
    /// requeues the conversation when this is older than the timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_due_since: Option<Timestamp>,
    /// The e-mail address the customer left for the team, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// Who the host site verified the customer to be (the chat widget's identity token);
    /// none: an anonymous customer, whose name is only what they typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<VerifiedCustomer>,
    /// The customer's language: every notice reaches them in it.
    #[serde(default)]
    pub locale: Locale,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Conversation {
    /// True when `agent` owns the conversation.
    pub fn is_owned_by(&self, agent: AgentId) -> bool {
        self.mode.owner() == Some(agent)
    }

    /// True when `filter` selects this conversation for `viewer` (see [`ListFilter::selection`]).
    pub fn matches(&self, filter: ListFilter, viewer: AgentId) -> bool {
        let selection = filter.selection();
        let mode = match selection.mode {
            None => self.mode != Mode::Closed,
            Some(tag) => self.mode.tag() == tag,
        };
        let owner = selection
            .owned_by_viewer
            .is_none_or(|mine| self.is_owned_by(viewer) == mine);
        mode && owner && (!selection.waiting || self.waiting.is_some())
    }

    /// The list's order: conversations waiting for a human first, the longest-waiting on
    /// top, then the latest activity first. The store's list statement sorts the same way.
    pub fn list_order(&self, other: &Self) -> Ordering {
        let key = |c: &Self| {
            (
                c.waiting.is_none(),
                c.waiting.as_ref().map(|w| w.since),
                std::cmp::Reverse(c.updated_at),
            )
        };
        key(self).cmp(&key(other))
    }
}

impl Refusal {
    /// [`Refusal::message`] for a refusal about `conversation`, naming its owner.
    pub fn explain(self, conversation: &Conversation) -> String {
        self.message(|id| {
            conversation
                .owner
                .as_ref()
                .filter(|owner| owner.id == id)
                .map(|owner| owner.name.clone())
        })
    }
}

/// Who answers the customer right now, as the customer may know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
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

/// What a [`ListFilter`] asks of a conversation, in terms the store's list statement
/// evaluates as they are, so the filter is defined once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    /// Only conversations in the mode with this tag ([`Mode::tag`]); `None`: every open one.
    pub mode: Option<&'static str>,
    /// Only conversations waiting for a human.
    pub waiting: bool,
    /// Only conversations the viewer owns (`Some(true)`) or another agent owns (`Some(false)`).
    pub owned_by_viewer: Option<bool>,
}

impl ListFilter {
    /// What the filter selects.
    pub fn selection(self) -> Selection {
        let (mode, waiting, owned_by_viewer) = match self {
            ListFilter::All => (None, false, None),
            ListFilter::Ai => (Some("ai"), false, None),
            ListFilter::Waiting => (Some("ai"), true, None),
            ListFilter::Mine => (Some("human"), false, Some(true)),
            ListFilter::Others => (Some("human"), false, Some(false)),
            ListFilter::Closed => (Some("closed"), false, None),
        };
        Selection {
            mode,
            waiting,
            owned_by_viewer,
        }
    }

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
            reply_due_since: None,
            contact_email: None,
            verified: None,
            locale: Default::default(),
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
    fn the_list_shows_the_longest_waiting_first_then_the_latest_activity() {
        let at = |updated: i64, waiting_since: Option<i64>| Conversation {
            updated_at: Timestamp(updated),
            waiting: waiting_since.map(|since| Waiting {
                reason: EscalationReason::CustomerAsked,
                since: Timestamp(since),
            }),
            ..conversation(Mode::Ai, false)
        };
        let mut list = [
            at(50, None),
            at(10, Some(30)),
            at(90, None),
            at(20, Some(5)),
        ];
        list.sort_by(Conversation::list_order);
        let order: Vec<i64> = list.iter().map(|c| c.updated_at.0).collect();
        assert_eq!(order, [20, 10, 90, 50]);
    }

    #[test]
    fn every_selection_names_a_real_mode() {
        for filter in ListFilter::ALL {
            if let Some(tag) = filter.selection().mode {
                assert!(
                    Mode::from_parts(tag, None).is_some() || tag == "human",
                    "{filter:?}"
                );
            }
        }
    }
}
