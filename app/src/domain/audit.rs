//! The append-only audit log's entries: who did what, when, to which conversation.

use serde::{Deserialize, Serialize};

use super::{AgentRef, ConversationId, Timestamp};

/// What was done, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignInRefused,
    TakeOver,
    ForceTakeOver,
    HandOver,
    Transfer,
    Close,
    Reopen,
    AgentCreated,
    AgentDisabled,
    PasswordReset,
    /// Auto-assignment gave a conversation to an agent.
    Assign,
    /// A conversation went back to the queue (no reply, owner offline).
    Requeue,
    /// The customer left an e-mail address.
    ContactLeft,
    /// An admin registered a webhook endpoint.
    WebhookCreated,
    /// An admin changed an endpoint's address, events or whether it is enabled.
    WebhookChanged,
    /// An admin rotated an endpoint's signing secret.
    WebhookRotated,
    /// An admin removed an endpoint.
    WebhookDeleted,
    /// An admin sent a delivery again.
    WebhookReplayed,
    /// A supervisor or admin wrote a new canned reply.
    CannedCreated,
    /// A supervisor or admin changed a canned reply.
    CannedChanged,
    /// A supervisor or admin retired a canned reply.
    CannedRetired,
    /// A supervisor or admin added a label to the team's list.
    LabelCreated,
    /// A supervisor or admin renamed or recoloured a label.
    LabelChanged,
    /// A supervisor or admin removed a label from the list and from every conversation.
    LabelDeleted,
}

impl AuditAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInRefused => "sign_in_refused",
            AuditAction::TakeOver => "take_over",
            AuditAction::ForceTakeOver => "force_take_over",
            AuditAction::HandOver => "hand_over",
            AuditAction::Transfer => "transfer",
            AuditAction::Close => "close",
            AuditAction::Reopen => "reopen",
            AuditAction::AgentCreated => "agent_created",
            AuditAction::AgentDisabled => "agent_disabled",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::Assign => "assign",
            AuditAction::Requeue => "requeue",
            AuditAction::ContactLeft => "contact_left",
            AuditAction::WebhookCreated => "webhook_created",
            AuditAction::WebhookChanged => "webhook_changed",
            AuditAction::WebhookRotated => "webhook_rotated",
            AuditAction::WebhookDeleted => "webhook_deleted",
            AuditAction::WebhookReplayed => "webhook_replayed",
            AuditAction::CannedCreated => "canned_created",
            AuditAction::CannedChanged => "canned_changed",
            AuditAction::CannedRetired => "canned_retired",
            AuditAction::LabelCreated => "label_created",
            AuditAction::LabelChanged => "label_changed",
            AuditAction::LabelDeleted => "label_deleted",
        }
    }

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            AuditAction::SignIn,
            AuditAction::SignInRefused,
            AuditAction::TakeOver,
            AuditAction::ForceTakeOver,
            AuditAction::HandOver,
            AuditAction::Transfer,
            AuditAction::Close,
            AuditAction::Reopen,
            AuditAction::AgentCreated,
            AuditAction::AgentDisabled,
            AuditAction::PasswordReset,
            AuditAction::Assign,
            AuditAction::Requeue,
            AuditAction::ContactLeft,
            AuditAction::WebhookCreated,
            AuditAction::WebhookChanged,
            AuditAction::WebhookRotated,
            AuditAction::WebhookDeleted,
            AuditAction::WebhookReplayed,
            AuditAction::CannedCreated,
            AuditAction::CannedChanged,
            AuditAction::CannedRetired,
            AuditAction::LabelCreated,
            AuditAction::LabelChanged,
            AuditAction::LabelDeleted,
        ]
        .into_iter()
        .find(|action| action.as_str() == raw)
    }
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: u64,
    pub at: Timestamp,
    /// Who did it (None for a refused sign-in with an unknown address).
    pub actor: Option<AgentRef>,
    pub action: AuditAction,
    pub conversation_id: Option<ConversationId>,
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_their_names() {
        for action in [
            AuditAction::SignIn,
            AuditAction::ForceTakeOver,
            AuditAction::PasswordReset,
        ] {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
        }
    }
}
