//! The per-conversation event log: what happened, numbered 1, 2, 3 … without gaps, what the
//! customer may see of each event, and the product's own sentences for the customer.

use serde::{Deserialize, Serialize};

use super::label::{LabelRef, Priority};
use super::{
    AgentRef, Attachment, ConversationId, Locale, MessageBody, MessageId, Note, Reopening,
    Timestamp, VerifiedCustomer,
};
use crate::i18n::td_string;

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
    /// A photo or document sent with the message; `body` is then its caption, or the
    /// file's name when the sender wrote none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Attachment>,
}

impl Message {
    /// The words of the message: its body, unless the body only repeats the name of the file
    /// it carries.
    pub fn caption(&self) -> Option<&str> {
        match &self.attachment {
            Some(attachment) if attachment.name == self.body.as_str() => None,
            _ => Some(self.body.as_str()),
        }
    }
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
        self.label_in(Locale::en)
    }

    /// [`EscalationReason::label`] in `locale`.
    pub fn label_in(self, locale: Locale) -> &'static str {
        match self {
            EscalationReason::CustomerAsked => td_string!(locale, reason.customer_asked),
            EscalationReason::LowConfidence => td_string!(locale, reason.low_confidence),
            EscalationReason::Frustration => td_string!(locale, reason.frustration),
            EscalationReason::AiUnavailable => td_string!(locale, reason.ai_unavailable),
            EscalationReason::NoReply => td_string!(locale, reason.no_reply),
            EscalationReason::OwnerOffline => td_string!(locale, reason.owner_offline),
            EscalationReason::OwnerAway => td_string!(locale, reason.owner_away),
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
        /// True when the AI may pass the brief on to the customer.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        for_customer: bool,
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
    /// The customer chose another language on the page: notices reach them in it from now on.
    LanguageChanged { locale: Locale },
    /// An agent wrote a private note: agents see it, the customer and the AI never do.
    NoteAdded {
        by: AgentRef,
        text: Note,
        /// The agents the note mentions (`@name`), who are notified.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        mentions: Vec<AgentRef>,
    },
    /// An agent put labels on the conversation or took them off (agents only).
    LabelsChanged {
        by: AgentRef,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        added: Vec<LabelRef>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        removed: Vec<LabelRef>,
    },
    /// An agent set how urgent the conversation is (agents only).
    PriorityChanged { by: AgentRef, priority: Priority },
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
                attachment: None,
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
                for_customer: false,
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
            EventKind::WaitingForHuman { .. }
            | EventKind::CustomerVerified { .. }
            | EventKind::LanguageChanged { .. }
            | EventKind::NoteAdded { .. }
            | EventKind::LabelsChanged { .. }
            | EventKind::PriorityChanged { .. } => return None,
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

/// The notices Baton sends the customer, in the product's own words and the customer's
/// language (`locales/*.json`; the English sentences are the product description's).
pub struct Notice;

impl Notice {
    /// Sent when an agent takes a conversation over from the AI.
    pub fn takeover(locale: Locale, agent_name: &str) -> String {
        td_string!(locale, notice.takeover, agent_name).to_string()
    }

    /// Sent when the owner hands the conversation back to the AI.
    pub fn handover(locale: Locale) -> String {
        td_string!(locale, notice.handover).to_owned()
    }

    /// Sent when the conversation moves to another agent.
    pub fn transfer(locale: Locale, agent_name: &str) -> String {
        td_string!(locale, notice.transfer, agent_name).to_string()
    }

    /// Sent when the conversation starts waiting for a person.
    pub fn waiting(locale: Locale) -> String {
        td_string!(locale, notice.waiting).to_owned()
    }

    /// Sent when the conversation goes back to the queue (the owner did not reply in time,
    /// or went offline).
    pub fn requeued(locale: Locale) -> String {
        td_string!(locale, notice.requeued).to_owned()
    }

    /// Sent instead of [`Notice::waiting`] when nobody can answer now: no agent is online,
    /// or the team is closed until `back`.
    pub fn offline(locale: Locale, back: Option<&Reopening>) -> String {
        let when = match back {
            Some(back) => td_string!(locale, notice.back, back = back.phrase(locale)).to_string(),
            None => td_string!(locale, notice.back_unknown).to_owned(),
        };
        td_string!(locale, notice.offline, when).to_string()
    }

    /// Sent when the customer leaves an e-mail address.
    pub fn contact_left(locale: Locale, email: &str) -> String {
        td_string!(locale, notice.contact_left, email).to_string()
    }

    /// Sent when a closed conversation is reopened (it goes back to the AI).
    pub fn reopened(locale: Locale) -> String {
        td_string!(locale, notice.reopened).to_owned()
    }

    /// Sent when the conversation is closed.
    pub fn closed(locale: Locale) -> String {
        td_string!(locale, notice.closed).to_owned()
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
            Notice::takeover(Locale::en, "Ana Putri"),
            "Your conversation is now handled by our Customer Service. I'm Ana Putri ready to assist you."
        );
        assert_eq!(
            Notice::takeover(Locale::id, "Ana Putri"),
            "Percakapan Anda kini ditangani oleh Customer Service kami. Saya Ana Putri siap membantu Anda."
        );
    }

    #[test]
    fn the_handover_notice_is_the_product_copy() {
        assert_eq!(
            Notice::handover(Locale::en),
            "Thank you for contacting us. Your conversation is now back to being handled by AI assistant. If you need help again, don't hesitate to ask!"
        );
        assert!(Notice::handover(Locale::id).starts_with("Terima kasih telah menghubungi kami."));
    }

    #[test]
    fn the_transfer_notice_names_the_new_agent_in_each_language() {
        assert_eq!(
            Notice::transfer(Locale::en, "Budi Santoso"),
            "Your conversation has been transferred to Budi Santoso, who will continue to assist you."
        );
        assert_eq!(
            Notice::transfer(Locale::id, "Budi Santoso"),
            "Percakapan Anda telah dialihkan kepada Budi Santoso, yang akan melanjutkan membantu Anda."
        );
    }

    #[test]
    fn the_requeue_and_offline_notices_are_the_product_copy() {
        assert_eq!(
            Notice::requeued(Locale::en),
            "Sorry for the wait. We're connecting you with the next available agent."
        );
        let monday = Reopening {
            in_days: 3,
            weekday: 0,
            hour: 8,
            minute: 0,
            zone: "WIB".into(),
        };
        assert!(Notice::offline(Locale::en, Some(&monday))
            .starts_with("Our team is offline right now. We're back Monday at 08:00 WIB."));
        assert!(Notice::offline(Locale::en, None).starts_with("Our team is offline right now."));
        assert!(Notice::offline(Locale::id, Some(&monday)).starts_with(
            "Tim kami sedang offline saat ini. Kami kembali hari Senin pukul 08.00 WIB."
        ));
    }

    #[test]
    fn every_notice_is_a_valid_message_in_every_language() {
        use leptos_i18n::Locale as _;
        for &locale in Locale::get_all() {
            for text in [
                Notice::takeover(locale, "Ana"),
                Notice::handover(locale),
                Notice::transfer(locale, "Ana"),
                Notice::waiting(locale),
                Notice::requeued(locale),
                Notice::offline(locale, None),
                Notice::contact_left(locale, "a@b.co"),
                Notice::reopened(locale),
                Notice::closed(locale),
            ] {
                assert!(MessageBody::parse(&text).is_ok(), "{locale:?}: {text}");
            }
        }
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
            for_customer: false,
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
