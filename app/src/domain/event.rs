//! The per-conversation event log: what happened, numbered 1, 2, 3 … without gaps, what the
//! customer may see of each event, and the product's own sentences for the customer.

use serde::{Deserialize, Serialize};

use super::{AgentRef, ConversationId, MessageBody, MessageId, Timestamp, VerifiedCustomer};

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    Customer,
    Ai,
    Agent {
        agent: AgentRef,
    },
    /// Baton itself: the notices the customer gets at each hand-off.
    System,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Message {
    pub id: MessageId,
    pub author: Author,
    pub body: MessageBody,
    /// The sender's idempotency key, when the sender gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// Why a conversation waits for a human.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscalationReason {
    /// The customer asked for a person.
    CustomerAsked,
    /// The AI was not confident enough to answer.
    LowConfidence,
    /// The customer sounds frustrated.
    Frustration,
    /// The AI provider failed or timed out.
    AiUnavailable,
    /// Back in the queue: the owner did not reply in time.
    NoReply,
    /// Back in the queue: the owner has been offline too long.
    OwnerOffline,
    /// Back in the queue: the owner stepped away and released it.
    OwnerAway,
}

impl EscalationReason {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationReason::CustomerAsked => "customer_asked",
            EscalationReason::LowConfidence => "low_confidence",
            EscalationReason::Frustration => "frustration",
            EscalationReason::AiUnavailable => "ai_unavailable",
            EscalationReason::NoReply => "no_reply",
            EscalationReason::OwnerOffline => "owner_offline",
            EscalationReason::OwnerAway => "owner_away",
        }
    }

    /// Every reason.
    pub const ALL: [EscalationReason; 7] = [
        EscalationReason::CustomerAsked,
        EscalationReason::LowConfidence,
        EscalationReason::Frustration,
        EscalationReason::AiUnavailable,
        EscalationReason::NoReply,
        EscalationReason::OwnerOffline,
        EscalationReason::OwnerAway,
    ];

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == raw)
    }

    /// How the dashboard names the reason.
    pub fn label(self) -> &'static str {
        match self {
            EscalationReason::CustomerAsked => "Customer asked for a person",
            EscalationReason::LowConfidence => "AI not confident",
            EscalationReason::Frustration => "Customer frustrated",
            EscalationReason::AiUnavailable => "AI unavailable",
            EscalationReason::NoReply => "Requeued: the agent did not reply",
            EscalationReason::OwnerOffline => "Requeued: the agent went offline",
            EscalationReason::OwnerAway => "Requeued: the agent stepped away",
        }
    }
}

/// What happened, in one entry of a conversation's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The customer started the conversation.
    Started { customer_name: String },
    /// A message from anyone, system notices included.
    Message { message: Message },
    /// An agent took the conversation over from the AI.
    TakenOver { agent: AgentRef },
    /// A supervisor took the conversation from the agent who held it, saying why.
    ForcedTakeover {
        by: AgentRef,
        from: AgentRef,
        reason: String,
    },
    /// The owner handed the conversation back to the AI, with an optional brief for it.
    HandedOver {
        by: AgentRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        brief: Option<String>,
    },
    /// The owner gave the conversation to another agent, with an optional note for them.
    Transferred {
        from: AgentRef,
        to: AgentRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The conversation was closed.
    Closed { by: AgentRef },
    /// The conversation was reopened and goes back to the AI.
    Reopened { by: AgentRef },
    /// The assigner gave the conversation to an agent (auto-assignment).
    Assigned { agent: AgentRef },
    /// The conversation went back to the queue: its owner did not reply in time, or has
    /// been offline too long.
    Requeued {
        from: AgentRef,
        reason: EscalationReason,
    },
    /// The customer left an e-mail address for the team to write to.
    ContactLeft { email: String },
    /// The host site verified who the customer is (the chat widget's identity token); agents
    /// see the name, id and e-mail it vouches for.
    CustomerVerified {
        customer_name: String,
        customer: VerifiedCustomer,
    },
    /// The conversation waits for a human (still in AI mode until taken over).
    WaitingForHuman {
        reason: EscalationReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// A short extractive summary of what the customer said, for the agent who takes over.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
    },
}

impl EventKind {
    /// A notice from Baton to the customer (a message written by [`Author::System`]).
    pub fn notice(body: MessageBody) -> Self {
        EventKind::Message {
            message: Message {
                id: MessageId::new(),
                author: Author::System,
                body,
                client_id: None,
            },
        }
    }

    /// [`EventKind::notice`] with the product's own copy (a [`Notice`] sentence).
    pub fn product_notice(text: &str) -> Self {
        Self::notice(MessageBody::parse(text).expect("product copy is a valid message"))
    }
}

/// One entry of a conversation's log, numbered 1, 2, 3 … without gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    pub conversation_id: ConversationId,
    pub seq: u64,
    pub at: Timestamp,
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// What the customer may see of this event: messages and hand-offs, without agent
    /// notes, briefs or escalation reasons. `None` when the event is internal.
    pub fn customer_view(&self) -> Option<Event> {
        let kind = match &self.kind {
            EventKind::Message { .. }
            | EventKind::TakenOver { .. }
            | EventKind::Closed { .. }
            | EventKind::Reopened { .. }
            | EventKind::Assigned { .. }
            | EventKind::Requeued { .. }
            | EventKind::ContactLeft { .. }
            | EventKind::Started { .. } => self.kind.clone(),
            EventKind::HandedOver { by, .. } => EventKind::HandedOver {
                by: by.clone(),
                brief: None,
            },
            EventKind::Transferred { from, to, .. } => EventKind::Transferred {
                from: from.clone(),
                to: to.clone(),
                note: None,
            },
            EventKind::ForcedTakeover { by, from, .. } => EventKind::ForcedTakeover {
                by: by.clone(),
                from: from.clone(),
                reason: String::new(),
            },
            EventKind::WaitingForHuman { .. } | EventKind::CustomerVerified { .. } => return None,
        };
        Some(Event {
            kind,
            ..self.clone()
        })
    }

    /// The message this event carries, if any.
    pub fn message(&self) -> Option<&Message> {
        match &self.kind {
            EventKind::Message { message } => Some(message),
            _ => None,
        }
    }
}

/// The notices Baton sends the customer, in the product's own words.
pub struct Notice;

impl Notice {
    /// Sent when an agent takes a conversation over from the AI.
    pub fn takeover(agent_name: &str) -> String {
        format!(
            "Your conversation is now handled by our Customer Service. I'm {agent_name} ready to assist you."
        )
    }

    /// Sent when the owner hands the conversation back to the AI.
    pub fn handover() -> String {
        "Thank you for contacting us. Your conversation is now back to being handled by AI assistant. If you need help again, don't hesitate to ask!".to_owned()
    }

    /// Sent when the conversation moves to another agent.
    pub fn transfer(agent_name: &str) -> String {
        format!(
            "Your conversation has been transferred to {agent_name}, who will continue to assist you."
        )
    }

    /// Sent when the conversation starts waiting for a person.
    pub fn waiting() -> String {
        "Thank you for your patience. A member of our Customer Service team will join this conversation shortly.".to_owned()
    }

    /// Sent when the conversation goes back to the queue (the owner did not reply in time,
    /// or went offline).
    pub fn requeued() -> String {
        "Sorry for the wait. We're connecting you with the next available agent.".to_owned()
    }

    /// Sent instead of [`Notice::waiting`] when nobody can answer now: no agent is online,
    /// or the team is closed until `back` (e.g. "Monday at 08:00 WIB").
    pub fn offline(back: Option<&str>) -> String {
        let when = match back {
            Some(back) => format!("We're back {back}."),
            None => "We'll answer here as soon as someone is back.".to_owned(),
        };
        format!(
            "Our team is offline right now. {when} You can leave your e-mail address and we'll write to you. Meanwhile, I'm still here to help."
        )
    }

    /// Sent when the customer leaves an e-mail address.
    pub fn contact_left(email: &str) -> String {
        format!("Thank you. Our team will write to you at {email}.")
    }

    /// Sent when a closed conversation is reopened (it goes back to the AI).
    pub fn reopened() -> String {
        "This conversation has been reopened. Our AI assistant is here to help, and you can ask for a person at any time.".to_owned()
    }

    /// Sent when the conversation is closed.
    pub fn closed() -> String {
        "This conversation has been closed. Thank you for contacting us!".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AgentId;

    fn agent(name: &str) -> AgentRef {
        AgentRef {
            id: AgentId::new(),
            name: name.into(),
        }
    }

    fn event(kind: EventKind) -> Event {
        Event {
            conversation_id: ConversationId::new(),
            seq: 7,
            at: Timestamp(1),
            kind,
        }
    }

    #[test]
    fn the_takeover_notice_is_the_product_copy_with_the_agent_name() {
        assert_eq!(
            Notice::takeover("Ana Putri"),
            "Your conversation is now handled by our Customer Service. I'm Ana Putri ready to assist you."
        );
    }

    #[test]
    fn the_handover_notice_is_the_product_copy() {
        assert_eq!(
            Notice::handover(),
            "Thank you for contacting us. Your conversation is now back to being handled by AI assistant. If you need help again, don't hesitate to ask!"
        );
    }

    #[test]
    fn the_requeue_and_offline_notices_are_the_product_copy() {
        assert_eq!(
            Notice::requeued(),
            "Sorry for the wait. We're connecting you with the next available agent."
        );
        assert!(Notice::offline(Some("Monday at 08:00 WIB"))
            .starts_with("Our team is offline right now. We're back Monday at 08:00 WIB."));
        assert!(Notice::offline(None).starts_with("Our team is offline right now."));
    }

    #[test]
    fn the_customer_never_sees_transfer_notes_briefs_or_reasons() {
        let transfer = event(EventKind::Transferred {
            from: agent("A"),
            to: agent("B"),
            note: Some("VIP, refund pending".into()),
        });
        let seen = transfer.customer_view().unwrap();
        assert!(!serde_json::to_string(&seen).unwrap().contains("VIP"));

        let handover = event(EventKind::HandedOver {
            by: agent("A"),
            brief: Some("refund approved".into()),
        });
        assert!(!serde_json::to_string(&handover.customer_view().unwrap())
            .unwrap()
            .contains("refund approved"));

        let waiting = event(EventKind::WaitingForHuman {
            reason: EscalationReason::Frustration,
            detail: None,
            summary: None,
        });
        assert_eq!(waiting.customer_view(), None);
    }

    #[test]
    fn escalation_reasons_round_trip_their_names() {
        for reason in EscalationReason::ALL {
            assert_eq!(EscalationReason::parse(reason.as_str()), Some(reason));
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
        }
    }

    #[test]
    fn events_serialize_flat_with_a_type_tag() {
        let json = serde_json::to_value(event(EventKind::TakenOver { agent: agent("A") })).unwrap();
        assert_eq!(json["type"], "taken_over");
        assert_eq!(json["seq"], 7);
        assert_eq!(json["agent"]["name"], "A");
    }
}
