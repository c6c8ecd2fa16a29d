//! Agents as the product knows them: their role (what they may do beyond answering), their
//! availability (whether they want new work), and their live load for the transfer picker.

use serde::{Deserialize, Serialize};

use super::{AgentId, DisplayName, Email, Locale};

/// What an agent may do beyond answering conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Answers conversations.
    Agent,
    /// An agent who also oversees others.
    Supervisor,
    /// Manages agents.
    Admin,
}

impl Role {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// True for roles that may take a conversation from another agent.
    pub fn can_force_takeover(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }

    /// True for roles that may read the team's analytics.
    pub fn sees_analytics(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }

    /// True for roles that keep the team's shared lists: canned replies and labels.
    pub fn manages_team_lists(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Whether an agent wants new work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// Ready to take conversations and transfers.
    Online,
    /// Signed in but not taking new work.
    Away,
    /// Not working.
    Offline,
}

impl Availability {
    /// How the dashboard names it in `locale` ("Online", "Sedang istirahat").
    pub fn label(self, locale: Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            Availability::Online => td_string!(locale, dash.online),
            Availability::Away => td_string!(locale, dash.away),
            Availability::Offline => td_string!(locale, dash.offline),
        }
    }

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Online => "online",
            Availability::Away => "away",
            Availability::Offline => "offline",
        }
    }

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "online" => Some(Availability::Online),
            "away" => Some(Availability::Away),
            "offline" => Some(Availability::Offline),
            _ => None,
        }
    }
}

/// A human agent as the product shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Agent {
    pub id: AgentId,
    pub email: Email,
    pub display_name: DisplayName,
    pub role: Role,
    pub status: Availability,
    /// How many conversations the agent can own at once.
    pub max_chats: u32,
}

impl Agent {
    /// The agent's id and name, as events record them.
    pub fn reference(&self) -> AgentRef {
        AgentRef {
            id: self.id,
            name: self.display_name.as_str().to_owned(),
        }
    }
}

/// An agent's id with the name they had when the event happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgentRef {
    pub id: AgentId,
    pub name: String,
}

/// An agent with their live load, for the transfer picker and the team list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgentOverview {
    pub agent: Agent,
    /// Conversations the agent owns right now.
    pub open_conversations: u32,
    /// True while the agent has the dashboard open (a live socket).
    #[serde(default)]
    pub connected: bool,
    /// When the agent was last given a conversation (took it over, was assigned it, or
    /// received it by transfer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_assigned_at: Option<super::Timestamp>,
}

impl AgentOverview {
    /// True when the agent can be given one more conversation.
    pub fn has_capacity(&self) -> bool {
        self.open_conversations < self.agent.max_chats
    }

    /// True when a transfer to this agent would be accepted.
    pub fn can_receive_transfer(&self) -> bool {
        self.agent.status == Availability::Online && self.has_capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_statuses_round_trip_their_names() {
        for role in [Role::Agent, Role::Supervisor, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for status in [
            Availability::Online,
            Availability::Away,
            Availability::Offline,
        ] {
            assert_eq!(Availability::parse(status.as_str()), Some(status));
        }
        assert_eq!(Availability::parse("busy"), None);
    }
}
