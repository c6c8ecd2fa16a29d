//! The conversation model: pure types and rules shared by the browser and the server.
//!
//! Nothing here touches I/O. The UI enables buttons with the same [`Mode::apply`] and
//! [`Mode::may_write`] the server enforces, tells refusals with the same [`Refusal`] table,
//! and every screen derives what it shows from the per-conversation [`Event`] log. The rules
//! of the hand-off are listed in `mode.rs`.

/// Agents, their roles and availability.
mod agent;
/// Analytics of the hand-off, folded from the event log.
pub mod analytics;
/// Files a message carries: which kinds are accepted, by their content.
pub mod attachment;
/// The append-only audit log.
mod audit;
/// Canned replies: shortcuts, languages, the names they fill in.
pub mod canned;
/// The customer as a person: contact details and earlier conversations.
pub mod contact;
/// Conversations as the dashboard lists them.
mod conversation;
/// The per-conversation event log and what the customer may see of it.
mod event;
/// Typed identifiers.
mod ids;
/// Labels and priority: how a team sorts its conversations.
pub mod label;
/// The customer's language.
pub mod language;
/// The rule book: take over, hand over, transfer, close, reopen; who may write; refusals.
mod mode;
/// Private notes between agents and their @mentions.
pub mod note;
/// The queue: order, estimate, who the assigner picks.
pub mod routing;
/// The OpenAPI shape of self-parsing strings.
mod schema;
/// What agents search the conversation list for.
mod search;
/// Parsed text values: message bodies, display names, notes.
mod text;
/// Milliseconds since the Unix epoch.
mod time;
/// Webhooks: event types, endpoints, deliveries and attempts.
pub mod webhook;

pub use agent::{Agent, AgentOverview, AgentRef, Availability, Role};
pub use attachment::{Attachment, AttachmentError, FileKind, MAX_ATTACHMENT_BYTES};
pub use audit::{AuditAction, AuditEntry};
pub use conversation::{
    Answering, BadCursor, Conversation, ListCursor, ListFilter, Selection, VerifiedCustomer,
    Waiting,
};
pub use event::{Author, EscalationReason, Event, EventKind, Message, Notice};
pub use ids::{AgentId, AttachmentId, ConversationId, MessageId, ParseIdError};
pub use language::{Locale, Reopening};
pub use mode::{
    Actor, Command, Mode, ModeChange, Refusal, Routing, TransferTarget, Transition, Writer,
};
pub use routing::{QueueStatus, QueueSummary};
pub use search::{SearchQuery, Term, MAX_SEARCH_CHARS};
pub use text::{ClientId, DisplayName, Email, MessageBody, Note, TextError, MAX_BODY_CHARS};
pub use time::Timestamp;
