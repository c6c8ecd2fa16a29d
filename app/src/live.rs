//! The realtime protocol: JSON frames over `/ws` (agents) and `/ws/chat` (customers).
//!
//! Both ends decode the same enums. Committed events carry their `seq`; a client that
//! reconnects sends the last `seq` it saw and receives exactly what it missed, in order.

use serde::{Deserialize, Serialize};

use crate::domain::{
    AgentId, Answering, Availability, Conversation, ConversationId, Event, QueueStatus,
    QueueSummary,
};

/// Who is typing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Typist {
    Customer,
    Agent { name: String },
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Committed events of one conversation, in `seq` order, none twice.
    Events {
        conversation_id: ConversationId,
        events: Vec<Event>,
        /// The conversation after these events (agents only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation: Option<Box<Conversation>>,
        /// Who answers now (customers only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answering: Option<Answering>,
    },
    /// Someone is typing in a conversation (not stored).
    Typing {
        conversation_id: ConversationId,
        from: Typist,
    },
    /// An agent's availability or connection changed (agents only).
    Presence {
        agent_id: AgentId,
        name: String,
        status: Availability,
        connected: bool,
    },
    /// Where the customer stands in the queue, sent when it changes (customers only).
    Queue { status: QueueStatus },
    /// The queue's length and its oldest wait, sent when they change (agents only).
    QueueSummary { summary: QueueSummary },
    /// The dashboard fell too far behind: fetch the conversation list again.
    Resync,
    /// The answer to a ping.
    Pong,
    /// The socket's frame could not be used.
    Error { message: String },
}

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Customers: send me what came after `after_seq`, then everything new.
    Resume { after_seq: u64 },
    /// Agents: I have this conversation open, up to `after_seq`; send what I missed.
    Watch {
        conversation_id: ConversationId,
        after_seq: u64,
    },
    /// I am typing (in this conversation, for agents).
    Typing {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<ConversationId>,
    },
    /// Are you there?
    Ping,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tagged_json() {
        let frame: ClientFrame =
            serde_json::from_str(r#"{"type":"resume","after_seq":7}"#).unwrap();
        assert_eq!(frame, ClientFrame::Resume { after_seq: 7 });
        let json = serde_json::to_value(ServerFrame::Resync).unwrap();
        assert_eq!(json["type"], "resync");
    }
}

#[cfg(test)]
mod hostile_frames {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whatever a client sends, decoding it never panics.
        #[test]
        fn arbitrary_client_frames_decode_or_fail_cleanly(raw in any::<String>()) {
            let _ = serde_json::from_str::<ClientFrame>(&raw);
        }

        /// Near-miss JSON (right shape, wrong values) is refused, never half-read.
        #[test]
        fn resume_frames_need_a_number(value in any::<String>()) {
            let raw = serde_json::json!({ "type": "resume", "after_seq": value }).to_string();
            prop_assert!(serde_json::from_str::<ClientFrame>(&raw).is_err());
        }
    }
}
