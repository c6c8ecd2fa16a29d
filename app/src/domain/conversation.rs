//! Conversations as agents see them in the list and at the top of the chat panel, which of
//! them a list filter selects, and the order the list shows them in.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::label::Priority;
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
    /// True when the agent let the AI pass the brief on to the customer (e.g. "your refund of
    /// Rp 150.000 was approved"); otherwise the brief is guidance the customer never reads.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub brief_for_customer: bool,
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
    /// The ids of the team's labels the conversation carries (agents only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// How urgent it is (agents only).
    #[serde(default)]
    pub priority: Priority,
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
    /// top, then the latest activity first, ties by id. The store's list statement sorts
    /// the same way ([`ListCursor::sort_key`]).
    pub fn list_order(&self, other: &Self) -> Ordering {
        ListCursor::of(self).cmp(&ListCursor::of(other))
    }
}

/// A conversation's place in the list's order, which is also where a page of the list ends:
/// the next page starts after it. It travels as an opaque string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ListCursor {
    waiting_since: Option<Timestamp>,
    updated_at: Timestamp,
    id: ConversationId,
}

/// A cursor that no page of the list gave out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a cursor of the conversation list")]
pub struct BadCursor(String);

impl ListCursor {
    /// Where `conversation` stands in the list.
    pub fn of(conversation: &Conversation) -> Self {
        Self {
            waiting_since: conversation.waiting.as_ref().map(|w| w.since),
            updated_at: conversation.updated_at,
            id: conversation.id,
        }
    }

    /// The values the list sorts on, ascending: 0 while waiting for a human (else 1), since
    /// when it waits (0 when not), the latest activity negated, the id.
    pub fn sort_key(&self) -> (i64, i64, i64, ConversationId) {
        (
            i64::from(self.waiting_since.is_none()),
            self.waiting_since.map_or(0, Timestamp::millis),
            self.updated_at.millis().saturating_neg(),
            self.id,
        )
    }

    /// Reads a cursor as [`ListCursor`]'s `Display` wrote it.
    pub fn parse(raw: &str) -> Result<Self, BadCursor> {
        let bad = || BadCursor(raw.chars().take(64).collect());
        let mut parts = raw.split('.');
        let (Some(waiting), Some(updated), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let waiting_since = match waiting {
            "" => None,
            since => Some(Timestamp(since.parse().map_err(|_| bad())?)),
        };
        Ok(Self {
            waiting_since,
            updated_at: Timestamp(updated.parse().map_err(|_| bad())?),
            id: ConversationId::parse(id).map_err(|_| bad())?,
        })
    }
}

impl Ord for ListCursor {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for ListCursor {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for ListCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(since) = self.waiting_since {
            write!(f, "{}", since.millis())?;
        }
        write!(f, ".{}.{}", self.updated_at.millis(), self.id)
    }
}

impl TryFrom<String> for ListCursor {
    type Error = BadCursor;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<ListCursor> for String {
    fn from(cursor: ListCursor) -> String {
        cursor.to_string()
    }
}

impl utoipa::PartialSchema for ListCursor {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "Opaque: the `next_cursor` of the page before, to list what follows it",
            ))
            .into()
    }
}

impl utoipa::ToSchema for ListCursor {}

impl Refusal {
    /// [`Refusal::message`] for a refusal about `conversation`, naming its owner.
    pub fn explain(self, conversation: &Conversation) -> String {
        self.explain_in(Locale::en, conversation)
    }

    /// [`Refusal::explain`] in `locale`.
    pub fn explain_in(self, locale: Locale, conversation: &Conversation) -> String {
        self.message_in(locale, |id| {
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

    /// The filters whose chips show how many conversations they hold: every one but Closed
    /// (the whole history, which only grows).
    pub const COUNTED: [ListFilter; 5] = [
        ListFilter::All,
        ListFilter::Ai,
        ListFilter::Waiting,
        ListFilter::Mine,
        ListFilter::Others,
    ];

    /// The filter's label in the dashboard.
    pub fn label(self, locale: Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            ListFilter::All => td_string!(locale, filter.all),
            ListFilter::Ai => td_string!(locale, filter.ai),
            ListFilter::Waiting => td_string!(locale, filter.waiting),
            ListFilter::Mine => td_string!(locale, filter.mine),
            ListFilter::Others => td_string!(locale, filter.others),
            ListFilter::Closed => td_string!(locale, filter.closed),
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
            brief_for_customer: false,
            reply_due_since: None,
            contact_email: None,
            verified: None,
            locale: Default::default(),
            labels: Vec::new(),
            priority: Default::default(),
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
    fn a_cursor_travels_as_text_and_sorts_as_the_list_does() {
        let waiting = Conversation {
            updated_at: Timestamp(90),
            waiting: Some(Waiting {
                reason: EscalationReason::CustomerAsked,
                since: Timestamp(7),
            }),
            ..conversation(Mode::Ai, false)
        };
        let idle = Conversation {
            updated_at: Timestamp(95),
            ..conversation(Mode::Ai, false)
        };
        for c in [&waiting, &idle] {
            let cursor = ListCursor::of(c);
            let text = serde_json::to_string(&cursor).unwrap();
            assert_eq!(serde_json::from_str::<ListCursor>(&text).unwrap(), cursor);
        }
        assert!(ListCursor::of(&waiting) < ListCursor::of(&idle));
        // Equal times: the id decides, so no two conversations share a place.
        let twin = Conversation {
            id: ConversationId::new(),
            ..idle.clone()
        };
        assert_eq!(
            idle.list_order(&twin),
            idle.id.cmp(&twin.id),
            "ties go by id"
        );
    }

    #[test]
    fn a_cursor_no_page_gave_out_is_refused() {
        let id = ConversationId::new();
        for bad in [
            "",
            "x",
            "1.2",
            &format!("a.2.{id}"),
            &format!(".2.{id}.4"),
            ".2.nope",
        ] {
            let err = ListCursor::parse(bad).unwrap_err();
            assert!(err.to_string().contains("not a cursor"), "{bad:?}");
        }
        assert!(ListCursor::parse(&format!(".2.{id}")).is_ok());
        assert!(ListCursor::parse(&format!("1.2.{id}")).is_ok());
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
