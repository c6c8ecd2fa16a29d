//! Webhooks as an integrator sees them: which events are sent under which type, the
//! endpoints an admin registers, and the log of every delivery and attempt.

use serde::{Deserialize, Serialize};

use super::{EventKind, Timestamp};

/// Every event type a webhook can carry, in the order the admin page lists them.
pub const EVENT_TYPES: [&str; 17] = [
    "conversation.started",
    "conversation.waiting",
    "conversation.taken_over",
    "conversation.forced_takeover",
    "conversation.handed_over",
    "conversation.transferred",
    "conversation.assigned",
    "conversation.requeued",
    "conversation.closed",
    "conversation.reopened",
    "conversation.contact_left",
    "conversation.customer_verified",
    "conversation.language_changed",
    "conversation.note_added",
    "conversation.labels_changed",
    "conversation.priority_changed",
    "message.created",
];

/// The webhook type an event is sent as (every kind of event is sent).
pub fn event_type(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Started { .. } => "conversation.started",
        EventKind::WaitingForHuman { .. } => "conversation.waiting",
        EventKind::TakenOver { .. } => "conversation.taken_over",
        EventKind::ForcedTakeover { .. } => "conversation.forced_takeover",
        EventKind::HandedOver { .. } => "conversation.handed_over",
        EventKind::Transferred { .. } => "conversation.transferred",
        EventKind::Assigned { .. } => "conversation.assigned",
        EventKind::Requeued { .. } => "conversation.requeued",
        EventKind::Closed { .. } => "conversation.closed",
        EventKind::Reopened { .. } => "conversation.reopened",
        EventKind::ContactLeft { .. } => "conversation.contact_left",
        EventKind::CustomerVerified { .. } => "conversation.customer_verified",
        EventKind::LanguageChanged { .. } => "conversation.language_changed",
        EventKind::NoteAdded { .. } => "conversation.note_added",
        EventKind::LabelsChanged { .. } => "conversation.labels_changed",
        EventKind::PriorityChanged { .. } => "conversation.priority_changed",
        EventKind::Message { .. } => "message.created",
    }
}

/// Which events an endpoint receives: all, or the listed types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "types", rename_all = "snake_case")]
pub enum EventFilter {
    All,
    Only(Vec<String>),
}

impl EventFilter {
    /// Checks every listed type exists; an empty list is refused (the endpoint would get
    /// nothing).
    pub fn parse(types: Option<Vec<String>>) -> Result<Self, String> {
        let Some(types) = types else {
            return Ok(EventFilter::All);
        };
        if types.is_empty() {
            return Err("Choose at least one event type, or leave the filter out for all".into());
        }
        if let Some(unknown) = types.iter().find(|t| !EVENT_TYPES.contains(&t.as_str())) {
            return Err(format!(
                "There is no event type `{unknown}`; the types are {}",
                EVENT_TYPES.join(", ")
            ));
        }
        let mut types = types;
        types.sort();
        types.dedup();
        Ok(EventFilter::Only(types))
    }

    /// The stored form: `*`, or the types joined by commas.
    pub fn stored(&self) -> String {
        match self {
            EventFilter::All => "*".into(),
            EventFilter::Only(types) => types.join(","),
        }
    }

    /// Reads the stored form.
    pub fn from_stored(raw: &str) -> Self {
        if raw == "*" {
            EventFilter::All
        } else {
            EventFilter::Only(raw.split(',').map(str::to_owned).collect())
        }
    }

    /// Whether an event of `event_type` goes to the endpoint.
    pub fn admits(&self, event_type: &str) -> bool {
        match self {
            EventFilter::All => true,
            EventFilter::Only(types) => types.iter().any(|t| t == event_type),
        }
    }
}

/// A receiver registered by an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub events: EventFilter,
    pub enabled: bool,
    /// Why Baton disabled it (the receiver answered `410 Gone`), if it did.
    pub disabled_reason: Option<String>,
    pub created_at: Timestamp,
    /// Until when the secret before the last rotation still signs (both are sent).
    pub previous_secret_until: Option<Timestamp>,
}

/// An endpoint as just created or rotated: the secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EndpointWithSecret {
    pub endpoint: WebhookEndpoint,
    /// `whsec_` and the base64 of the key.
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not delivered yet; the next attempt is scheduled.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed, or the endpoint is gone.
    Failed,
}

impl DeliveryStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

/// One event for one endpoint; its id is the `webhook-id` on every attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_type: String,
    /// The event it carries: its conversation and `seq` there.
    pub conversation_id: String,
    pub seq: u64,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub created_at: Timestamp,
    pub next_attempt_at: Option<Timestamp>,
}

/// One try at a delivery, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attempt {
    pub at: Timestamp,
    /// The receiver's HTTP status; none when it could not be reached or timed out.
    pub status: Option<u16>,
    pub latency_ms: u64,
    /// The first kilobyte of the receiver's answer, or what went wrong.
    pub response: String,
}

/// A delivery with its attempts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeliveryLog {
    pub delivery: Delivery,
    pub attempts: Vec<Attempt>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_keeps_known_types_once_and_refuses_unknown_or_empty_ones() {
        let only = EventFilter::parse(Some(vec![
            "message.created".into(),
            "conversation.closed".into(),
            "message.created".into(),
        ]))
        .unwrap();
        assert_eq!(only.stored(), "conversation.closed,message.created");
        assert_eq!(EventFilter::from_stored(&only.stored()), only);
        assert!(only.admits("message.created"));
        assert!(!only.admits("conversation.started"));
        assert!(EventFilter::parse(None)
            .unwrap()
            .admits("conversation.started"));
        assert!(EventFilter::parse(Some(vec![])).is_err());
        let unknown = EventFilter::parse(Some(vec!["message.deleted".into()])).unwrap_err();
        assert!(unknown.contains("message.deleted"), "{unknown}");
    }

    #[test]
    fn every_sent_type_is_one_an_admin_can_choose() {
        let ana = crate::domain::AgentRef {
            id: crate::domain::AgentId::new(),
            name: "Ana".into(),
        };
        for kind in [
            EventKind::Started {
                customer_name: "Sari".into(),
            },
            EventKind::ContactLeft {
                email: "sari@example.com".into(),
            },
            EventKind::CustomerVerified {
                customer_name: "Sari".into(),
                customer: crate::domain::VerifiedCustomer {
                    id: "42".into(),
                    email: None,
                },
            },
            EventKind::LanguageChanged {
                locale: crate::domain::Locale::id,
            },
            EventKind::NoteAdded {
                by: crate::domain::AgentRef {
                    id: crate::domain::AgentId::new(),
                    name: "Ana".into(),
                },
                text: crate::domain::Note::parse("VIP").unwrap(),
                mentions: Vec::new(),
            },
            EventKind::LabelsChanged {
                by: ana.clone(),
                added: Vec::new(),
                removed: Vec::new(),
            },
            EventKind::PriorityChanged {
                by: ana,
                priority: crate::domain::label::Priority::Urgent,
            },
        ] {
            assert!(EVENT_TYPES.contains(&event_type(&kind)));
        }
    }
}
