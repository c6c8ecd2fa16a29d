//! The ports: what the server functions need from the outside world (store, AI responder,
//! publisher, presence, rate limits, clock), as traits the server crate implements, and the
//! values that cross them.

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::analytics::{Facts, Rating};
use crate::domain::canned::CannedReply;
use crate::domain::contact::Contact;
use crate::domain::label::{Label, LabelError, Priority, TagFilter};
use crate::domain::routing::Queued;
use crate::domain::webhook::{Delivery, DeliveryLog, WebhookEndpoint};
use crate::domain::{
    Agent, AgentId, AgentOverview, AgentRef, Attachment, AttachmentId, AuditAction, AuditEntry,
    Author, Availability, ClientId, Conversation, ConversationId, DisplayName, Email,
    EscalationReason, Event, EventKind, ListCursor, ListFilter, Locale, Message, MessageBody, Mode,
    Refusal, Reopening, SearchQuery, Timestamp, VerifiedCustomer,
};
use crate::error::ApiError;

/// Everything a server function needs, provided once per request by the server.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub responder: Arc<dyn Responder>,
    pub publisher: Arc<dyn Publisher>,
    pub presence: Arc<dyn Presence>,
    pub limits: Arc<dyn RateLimiter>,
    pub clock: Arc<dyn Clock>,
    /// Whether anyone can answer a customer who starts waiting now.
    pub staffing: Arc<dyn Staffing>,
    /// How long an agent session lasts.
    pub session_ttl_secs: i64,
    /// Whether cookies get `Secure` (the public origin is HTTPS).
    pub secure_cookies: bool,
    /// The key that checks customers' identity tokens (none: no identity secret set).
    pub identity: Option<Arc<super::identity::IdentityKey>>,
    /// Refuse conversations from customers without a verified identity.
    pub require_identity: bool,
    /// Ask the customer for a rating after a handover back to the AI too, not only a close.
    pub csat_after_handover: bool,
    /// The analytics facts, kept up with the logs.
    pub analytics: Arc<super::analytics::Projection>,
    /// The AI's turns that may compute at once ([`Responder::capacity`]).
    pub ai_turns: Arc<tokio::sync::Semaphore>,
    /// How long the AI lets a customer go quiet before it answers (zero: at once).
    pub ai_settle: std::time::Duration,
    /// When each customer last typed ([`super::ai::answer_at`] waits while they do).
    pub customer_typing: Arc<super::ai::CustomerTyping>,
}

impl Services {
    /// The services of the current request.
    pub fn from_context() -> Result<Self, ApiError> {
        leptos::prelude::use_context::<Services>().ok_or_else(|| {
            tracing::error!("Services missing from the server-function context");
            ApiError::internal()
        })
    }

    /// Now, by the configured clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// Wall-clock time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default();
        Timestamp(millis)
    }
}

/// A conversation whose analytics facts are behind its log ([`Store::stale_logs`]).
#[derive(Debug, Clone, PartialEq)]
pub struct StaleLog {
    pub conversation_id: ConversationId,
    /// The seq the whole log reaches (the AI's messages left out may come last).
    pub last_seq: u64,
    /// The log without the AI's and Baton's own messages, in seq order.
    pub events: Vec<Event>,
}

/// A conversation's analytics facts, folded from its log up to `folded_seq`.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldedFacts {
    pub conversation_id: ConversationId,
    pub folded_seq: u64,
    pub facts: Facts,
}

/// A failure of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No conversation (or agent) with that id.
    #[error("not found")]
    NotFound,
    /// The conversation's version moved since it was read: reload and decide again.
    #[error("the conversation changed meanwhile")]
    VersionConflict,
    /// The write rule ([`crate::domain::Mode::may_append`]) refused the message;
    /// `conversation` is the conversation as it was at that moment.
    #[error("the message was refused: {refusal:?}")]
    Refused {
        refusal: Refusal,
        conversation: Box<Conversation>,
    },
    /// A uniqueness rule was broken (e.g. an e-mail address already in use).
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The database cannot be reached right now (connection lost, pool exhausted, file
    /// not writable); nothing was changed and the request may be retried.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database failed.
    #[error("database error: {0}")]
    Backend(String),
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ApiError::not_found("No such conversation"),
            StoreError::Duplicate(what) => ApiError::conflict(format!("{what} already exists")),
            StoreError::VersionConflict => ApiError::conflict(Refusal::Changed.message(|_| None)),
            StoreError::Refused {
                refusal,
                conversation,
            } => ApiError::refused(refusal, &conversation, None),
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable: answered 503");
                ApiError::unavailable()
            }
            StoreError::Backend(cause) => {
                tracing::error!(%cause, "store failure");
                ApiError::internal()
            }
        }
    }
}

/// A message to append.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub author: Author,
    pub body: MessageBody,
    pub client_id: Option<ClientId>,
    /// The conversation's version when the message was decided (the AI's reply to what it
    /// read): the message is refused if the mode changed since. `None` for messages written
    /// as they come (customers, agents).
    pub decided_at: Option<u64>,
    /// A file the message carries, stored in the same transaction (and only when the message
    /// is, so a retried send stores it once).
    pub file: Option<StoredFile>,
}

/// A file with its bytes: what a message carries in, and what `GET /api/files/{id}` serves.
#[derive(Clone)]
pub struct StoredFile {
    pub attachment: Attachment,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for StoredFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredFile")
            .field("attachment", &self.attachment)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// The result of an append.
#[derive(Debug, Clone)]
pub struct Appended {
    pub event: Event,
    /// False when an earlier send with the same client id was returned instead.
    pub created: bool,
    /// The conversation after the append.
    pub conversation: Conversation,
}

impl Appended {
    /// The message appended (an append always yields a message event).
    pub fn into_message(self) -> Result<Message, ApiError> {
        match self.event.kind {
            EventKind::Message { message } => Ok(message),
            other => {
                tracing::error!(?other, "an append returned a non-message event");
                Err(ApiError::internal())
            }
        }
    }
}

impl Services {
    /// Appends a message if the write rule allows it and publishes it once: a repeated
    /// client id returns the first message without publishing it again.
    pub async fn append(
        &self,
        id: ConversationId,
        message: NewMessage,
    ) -> Result<Appended, StoreError> {
        let appended = self.store.append_message(id, message, self.now()).await?;
        if appended.created {
            self.publisher.publish(
                &appended.conversation,
                std::slice::from_ref(&appended.event),
            );
        }
        Ok(appended)
    }
}

/// A new conversation.
#[derive(Debug, Clone)]
pub struct NewConversation {
    pub id: ConversationId,
    pub customer_name: DisplayName,
    pub token_hash: String,
    /// Who the host site verified the customer to be, if it did.
    pub verified: Option<VerifiedCustomer>,
    /// The customer's language.
    pub locale: Locale,
    /// Where it comes from, as far as the customer's browser tells.
    pub origin: Origin,
}

/// Where a new conversation comes from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The visitor (one browser) it belongs to: the visitor of the conversation the browser
    /// held before, proven by its token; `None` starts a new visitor.
    pub visitor: Option<String>,
    /// The browser and system ([`crate::domain::contact::device_of`]).
    pub device: Option<String>,
    /// The page it started from ([`crate::domain::contact::page_of`]).
    pub page: Option<String>,
}

/// An audit entry to append.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub actor: Option<AgentRef>,
    pub action: AuditAction,
    pub conversation_id: Option<ConversationId>,
    pub detail: Option<String>,
}

impl Services {
    /// Records an entry in the audit log; a failure is logged and does not undo the action.
    pub async fn audit(&self, entry: NewAudit) {
        if let Err(err) = self.store.append_audit(entry, self.now()).await {
            tracing::error!(%err, "could not write the audit log");
        }
    }
}

/// The state a transition writes.
#[derive(Debug, Clone)]
pub struct TransitionPatch {
    pub mode: Mode,
    /// The brief for the AI (set by a handover, cleared by anything else).
    pub brief: Option<String>,
    /// True when the AI may pass the brief on to the customer.
    pub brief_for_customer: bool,
    /// Set when the change puts the conversation back in the queue: it waits for a human
    /// from now, for this reason. Any other change ends a wait.
    pub waiting: Option<EscalationReason>,
    /// Events appended with the change, in order.
    pub events: Vec<EventKind>,
    /// The audit-log entry, written in the same transaction.
    pub audit: Option<NewAudit>,
}

/// The result of a committed transition.
#[derive(Debug, Clone)]
pub struct CommittedTransition {
    pub conversation: Conversation,
    pub events: Vec<Event>,
}

/// What putting labels on a conversation and taking them off came to.
#[derive(Debug, Clone)]
pub enum Relabelled {
    /// The labels changed: the `LabelsChanged` event and the conversation after it.
    Changed(CommittedTransition),
    /// The conversation carried those labels already, and none of those taken off.
    Unchanged(Conversation),
    /// The change was refused (an unknown label, too many on one conversation).
    Refused(LabelError),
}

/// Persistence. SQLite and PostgreSQL implement it in the server crate.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    // Conversations.

    /// Creates a conversation in AI mode with its `Started` event (seq 1), and a
    /// `CustomerVerified` event (seq 2) when the customer is verified.
    async fn create_conversation(
        &self,
        new: NewConversation,
        at: Timestamp,
    ) -> Result<Conversation, StoreError>;
    /// One conversation.
    async fn conversation(&self, id: ConversationId) -> Result<Conversation, StoreError>;
    /// The visitor (one browser) conversation `id` belongs to.
    async fn visitor_of(&self, id: ConversationId) -> Result<String, StoreError>;
    /// Conversation `id`'s customer: details, first seen, and their other conversations
    /// (same visitor or same verified customer), newest first.
    async fn contact(&self, id: ConversationId) -> Result<Contact, StoreError>;
    /// Up to `limit` conversations changed since `since` whose analytics facts are behind
    /// their log (or missing), the first after `after` in id order: each one's log without the
    /// AI's and Baton's own messages, and the seq the log reaches.
    async fn stale_logs(
        &self,
        since: Timestamp,
        after: Option<ConversationId>,
        limit: u32,
    ) -> Result<Vec<StaleLog>, StoreError>;
    /// Stores conversations' analytics facts, each folded up to its seq, in one transaction;
    /// facts stored already from further along a log are kept.
    async fn save_facts(&self, folded: Vec<FoldedFacts>) -> Result<(), StoreError>;
    /// The stored analytics facts of every conversation with a moment in `[from, to)`
    /// ([`Facts::span`]), or moments on both sides of it.
    async fn analytics_facts(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(ConversationId, Facts)>, StoreError>;
    /// Stores a customer's rating; false when its segment was rated already.
    async fn insert_rating(&self, rating: Rating) -> Result<bool, StoreError>;
    /// The ratings given in `[from, to)`.
    async fn ratings(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Rating>, StoreError>;
    /// The stored hashes of the customer's tokens for the conversation: the one it started
    /// with and those issued when the same verified customer resumed it elsewhere.
    async fn customer_token_hashes(&self, id: ConversationId) -> Result<Vec<String>, StoreError>;
    /// The verified customer's latest conversation that is not closed.
    async fn open_conversation_of(
        &self,
        customer_id: &str,
    ) -> Result<Option<ConversationId>, StoreError>;
    /// Stores one more customer token for the conversation (a verified customer resuming it
    /// on another device); the earlier tokens stay valid.
    async fn add_customer_key(
        &self,
        id: ConversationId,
        token_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Records who the host site verified the customer of an anonymous conversation to be,
    /// with a `CustomerVerified` event. `None` when it is closed or already verified.
    async fn verify_customer(
        &self,
        id: ConversationId,
        customer_name: DisplayName,
        customer: VerifiedCustomer,
        at: Timestamp,
    ) -> Result<Option<CommittedTransition>, StoreError>;
    /// Sets the customer's language, with a `LanguageChanged` event. `None` when it is that
    /// language already (or there is no such conversation).
    async fn set_locale(
        &self,
        id: ConversationId,
        locale: Locale,
        at: Timestamp,
    ) -> Result<Option<CommittedTransition>, StoreError>;
    /// Appends an agent's private note (`EventKind::NoteAdded`); `None` when there is no
    /// such conversation.
    async fn add_note(
        &self,
        id: ConversationId,
        note: EventKind,
        at: Timestamp,
    ) -> Result<Option<CommittedTransition>, StoreError>;
    /// Puts the labels `add` on the conversation and takes `remove` off, checked against
    /// the team's list and the labels it carries at that moment, so that agents labelling
    /// one conversation at once never undo each other; `by` is recorded in the log.
    async fn relabel(
        &self,
        id: ConversationId,
        add: Vec<String>,
        remove: Vec<String>,
        by: AgentRef,
        at: Timestamp,
    ) -> Result<Relabelled, StoreError>;
    /// Sets the conversation's priority, with a `PriorityChanged` event (`kind`). `None`
    /// when it has that priority already (or there is no such conversation).
    async fn set_priority(
        &self,
        id: ConversationId,
        priority: Priority,
        kind: EventKind,
        at: Timestamp,
    ) -> Result<Option<CommittedTransition>, StoreError>;
    /// Conversations for the dashboard: what `filter` selects for `viewer`, carrying what
    /// `tags` asks for, that `search` finds (in the customer's name or in messages, Baton's
    /// own notices aside), in [`Conversation::list_order`], only those after `after` when
    /// given, at most `limit`.
    async fn list_conversations(
        &self,
        filter: ListFilter,
        viewer: AgentId,
        tags: &TagFilter,
        search: &SearchQuery,
        after: Option<ListCursor>,
        limit: u32,
    ) -> Result<Vec<Conversation>, StoreError>;
    /// How many conversations each of `filters` selects for `viewer`, in order.
    async fn count_conversations(
        &self,
        filters: &[ListFilter],
        viewer: AgentId,
    ) -> Result<Vec<u64>, StoreError>;
    /// Events with `seq > after_seq`, in order, at most `limit`.
    async fn events(
        &self,
        id: ConversationId,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;
    /// The file `id` and the conversation whose message carries it.
    async fn file(
        &self,
        id: AttachmentId,
    ) -> Result<Option<(ConversationId, StoredFile)>, StoreError>;
    /// Appends a message if the write rule allows it, checked against the latest state
    /// ([`crate::domain::Mode::may_append`]); returns the earlier message for a repeated
    /// client id.
    async fn append_message(
        &self,
        id: ConversationId,
        message: NewMessage,
        at: Timestamp,
    ) -> Result<Appended, StoreError>;
    /// Writes a change of mode if the conversation is still at `expected_version`.
    async fn commit_transition(
        &self,
        id: ConversationId,
        expected_version: u64,
        patch: TransitionPatch,
        at: Timestamp,
    ) -> Result<CommittedTransition, StoreError>;
    /// The conversations waiting for a human, the longest-waiting first.
    async fn queue(&self) -> Result<Vec<Queued>, StoreError>;
    /// How long the waits lasted (ms) that ended with a person taking over or being assigned
    /// since `since`, the newest first, at most `limit`.
    async fn recent_waits(&self, since: Timestamp, limit: u32) -> Result<Vec<i64>, StoreError>;
    /// Human-mode conversations whose owner has owed the customer an answer since before
    /// `before`, the oldest debt first, at most `limit`.
    async fn replies_overdue(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<Conversation>, StoreError>;
    /// The open conversations an agent owns.
    async fn owned_by(&self, agent: AgentId) -> Result<Vec<Conversation>, StoreError>;
    /// Records the e-mail address the customer left, with a `ContactLeft` event and
    /// `notice` to the customer. Refused when the conversation is closed.
    async fn leave_contact(
        &self,
        id: ConversationId,
        email: Email,
        notice: MessageBody,
        at: Timestamp,
    ) -> Result<CommittedTransition, StoreError>;
    /// Marks an AI-mode conversation as waiting for a human and appends the escalation
    /// event and a notice to the customer. `None` if it already waits or is not in AI mode.
    async fn mark_waiting(
        &self,
        id: ConversationId,
        reason: EscalationReason,
        detail: Option<String>,
        summary: Option<String>,
        notice: MessageBody,
        at: Timestamp,
    ) -> Result<Option<CommittedTransition>, StoreError>;

    // Agents.

    /// Creates an agent.
    async fn create_agent(
        &self,
        agent: &Agent,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// An enabled agent and their password hash, by e-mail.
    async fn agent_credentials(&self, email: &Email)
        -> Result<Option<(Agent, String)>, StoreError>;
    /// One agent.
    async fn agent(&self, id: AgentId) -> Result<Agent, StoreError>;
    /// Every enabled agent with their load.
    async fn agents(&self) -> Result<Vec<AgentOverview>, StoreError>;
    /// Sets an agent's availability.
    async fn set_availability(
        &self,
        id: AgentId,
        status: Availability,
    ) -> Result<Agent, StoreError>;
    /// How many agents exist (to seed demo agents on first run).
    async fn agent_count(&self) -> Result<u64, StoreError>;
    /// Whether the database serves reads and writes right now (for `/health` and `/ready`).
    /// By default a read; a store that can lose writes while reads still work checks those.
    async fn check(&self) -> Result<(), StoreError> {
        self.agent_count().await.map(drop)
    }
    /// Disables an agent and ends all their sessions.
    async fn disable_agent(&self, id: AgentId) -> Result<(), StoreError>;
    // Webhooks. Deliveries are written by every append of events (the outbox), in the same
    // transaction; these are the admin's side.

    /// Registers an endpoint with its signing key (base64).
    async fn create_webhook(
        &self,
        endpoint: &WebhookEndpoint,
        secret: &str,
    ) -> Result<(), StoreError>;
    /// Every endpoint, oldest first.
    async fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, StoreError>;
    /// One endpoint, if there is one with this id.
    async fn webhook(&self, id: &str) -> Result<Option<WebhookEndpoint>, StoreError>;
    /// Replaces an endpoint's address, events and whether it is enabled (enabling clears
    /// the reason Baton disabled it; disabling fails its pending deliveries).
    async fn update_webhook(&self, endpoint: &WebhookEndpoint) -> Result<(), StoreError>;
    /// Gives an endpoint a new key; the old one still signs until `previous_until`.
    async fn rotate_webhook(
        &self,
        id: &str,
        secret: &str,
        previous_until: Timestamp,
    ) -> Result<WebhookEndpoint, StoreError>;
    /// Removes an endpoint and its deliveries.
    async fn delete_webhook(&self, id: &str) -> Result<(), StoreError>;
    /// An endpoint's latest deliveries, newest first, each with its attempts.
    async fn webhook_deliveries(
        &self,
        endpoint: &str,
        limit: u32,
    ) -> Result<Vec<DeliveryLog>, StoreError>;
    /// Schedules a delivery to be sent again now, whatever became of it.
    async fn replay_delivery(&self, id: &str, at: Timestamp) -> Result<Delivery, StoreError>;

    // Canned replies.

    /// The replies on offer (not retired), by language and shortcut.
    async fn canned_replies(&self) -> Result<Vec<CannedReply>, StoreError>;
    /// Adds a reply; a shortcut already on offer in its language is
    /// [`StoreError::Duplicate`].
    async fn create_canned(&self, reply: &CannedReply) -> Result<(), StoreError>;
    /// Replaces an offered reply's title, shortcut, language and text: [`StoreError::NotFound`]
    /// when none on offer has its id, [`StoreError::Duplicate`] as for a new one.
    async fn update_canned(&self, reply: &CannedReply) -> Result<(), StoreError>;
    /// Retires an offered reply: no longer offered, its shortcut free again.
    /// [`StoreError::NotFound`] when none on offer has this id.
    async fn retire_canned(&self, id: &str, at: Timestamp) -> Result<CannedReply, StoreError>;

    // Labels.

    /// The team's labels, by name.
    async fn labels(&self) -> Result<Vec<Label>, StoreError>;
    /// Adds a label to the team's list. [`StoreError::Duplicate`] when one has its name.
    async fn create_label(&self, label: &Label) -> Result<(), StoreError>;
    /// Renames or recolours a label. [`StoreError::NotFound`] when there is none with its
    /// id, [`StoreError::Duplicate`] when another has its name.
    async fn update_label(&self, label: &Label) -> Result<(), StoreError>;
    /// Removes a label from the list and from every conversation carrying it; returns it.
    /// [`StoreError::NotFound`] when there is none with this id.
    async fn delete_label(&self, id: &str) -> Result<Label, StoreError>;

    /// Replaces an agent's password hash and ends all their sessions.
    async fn set_password(&self, id: AgentId, password_hash: &str) -> Result<(), StoreError>;

    // The audit log.

    /// Appends one entry (the log is never changed otherwise).
    async fn append_audit(&self, entry: NewAudit, at: Timestamp) -> Result<(), StoreError>;
    /// The newest entries first, at most `limit`, optionally for one conversation.
    async fn audit_log(
        &self,
        conversation: Option<ConversationId>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError>;

    // Sessions.

    /// Stores a session.
    async fn create_session(
        &self,
        token_hash: &str,
        agent: AgentId,
        created_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The agent of an unexpired session.
    async fn session_agent(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Agent>, StoreError>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Deletes expired sessions, and refused sign-ins older than the retention or beyond
    /// its cap (the only audit entries that are ever deleted).
    async fn purge(&self, retention: Retention) -> Result<Purged, StoreError>;
}

/// What a purge keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Sessions that expired by now go.
    pub now: Timestamp,
    /// Refused sign-ins from before this go.
    pub refused_since: Timestamp,
    /// At most this many refused sign-ins are kept (the newest).
    pub refused_kept: u64,
    /// Webhook deliveries that ended (delivered or failed) before this go, with their
    /// attempts.
    pub deliveries_since: Timestamp,
}

/// What a purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub refused_sign_ins: u64,
    pub webhook_deliveries: u64,
}

/// Whether a customer who starts waiting can be answered soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staffed {
    /// Open, with at least one agent online.
    Open,
    /// Nobody can answer: the team is closed, or no agent is online. `back` says when the
    /// team opens again, when business hours are set.
    Offline { back: Option<Reopening> },
}

/// Business hours and who is online.
#[async_trait]
pub trait Staffing: Send + Sync + 'static {
    /// Whether someone can answer a customer who starts waiting at `now`.
    async fn staffed(&self, now: Timestamp) -> Staffed;
}

/// Fans committed events out to live sockets (in this node and, with PostgreSQL, others).
pub trait Publisher: Send + Sync + 'static {
    /// Called after `events` of `conversation` were committed.
    fn publish(&self, conversation: &Conversation, events: &[Event]);
    /// Called after an agent's availability changed.
    fn presence_changed(&self, agent: &Agent);
}

/// What a rate limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Failed sign-ins for one e-mail address, from anywhere (a loose cap).
    SignInFailuresPerAccount,
    /// Failed sign-ins for one e-mail address from one network address.
    SignInFailuresPerAccountAndAddress,
    /// Sign-in attempts from one network address.
    SignInPerAddress,
    /// WebSocket handshakes from one network address.
    HandshakePerAddress,
    /// Conversations started from one network address.
    StartPerAddress,
    /// Customer messages in one conversation.
    SendPerConversation,
}

/// Counts requests per key and refuses those over the limit.
pub trait RateLimiter: Send + Sync + 'static {
    /// Counts one request against `limit` for `key`; `Err(seconds)` says how long to wait.
    fn check(&self, limit: Limit, key: &str) -> Result<(), u64>;
    /// Like [`RateLimiter::check`], without counting: is there room for one more?
    fn peek(&self, limit: Limit, key: &str) -> Result<(), u64>;
}

impl Services {
    /// Counts a request, or refuses it with 429 and when to retry.
    pub fn limit(&self, limit: Limit, key: &str) -> Result<(), ApiError> {
        self.limits.check(limit, key).map_err(|retry_after_secs| {
            tracing::warn!(?limit, "rate limit reached");
            ApiError::RateLimited {
                message: format!("Too many requests. Please try again in {retry_after_secs} s."),
                retry_after_secs,
            }
        })
    }

    /// Refuses with 429 (`why`, and when to retry) when `limit` has no room left for `key`,
    /// without counting this request.
    pub fn refuse_when_spent(&self, limit: Limit, key: &str, why: &str) -> Result<(), ApiError> {
        self.limits.peek(limit, key).map_err(|retry_after_secs| {
            tracing::warn!(?limit, "rate limit reached");
            ApiError::RateLimited {
                message: format!("{why} Please try again in {retry_after_secs} s."),
                retry_after_secs,
            }
        })
    }

    /// Counts one occurrence against `limit` for `key` (e.g. a failure), refused or not.
    pub fn count(&self, limit: Limit, key: &str) {
        let _ = self.limits.check(limit, key);
    }
}

/// Who is around: live sockets and recent activity, per agent.
pub trait Presence: Send + Sync + 'static {
    /// The agent did something (signed in, called the API).
    fn touch(&self, agent: AgentId);
    /// True when the agent has a live socket, or had one or was active within the grace
    /// period. An agent who is not present counts as offline for transfers.
    fn is_present(&self, agent: AgentId) -> bool;
    /// How many live sockets the agent has.
    fn connections(&self, agent: AgentId) -> usize;
}

/// What the AI is given to answer.
#[derive(Debug, Clone)]
pub struct ReplyContext {
    /// The conversation, with the last handover brief the AI must honour (and whether it may
    /// pass it on to the customer).
    pub conversation: Conversation,
    /// The visible transcript, oldest first (customer, AI, agent and system messages).
    pub transcript: Vec<(Author, String)>,
}

impl ReplyContext {
    /// The customer's last line: the question to answer ("" before they wrote).
    pub fn question(&self) -> &str {
        self.transcript
            .iter()
            .rev()
            .find(|(author, _)| *author == Author::Customer)
            .map_or("", |(_, text)| text.as_str())
    }

    /// What the customer wrote since anyone else last spoke, newest first: the question, then
    /// the lines before it nobody answered (a customer who writes several lines before the
    /// AI's turn gets one answer, for all of them).
    pub fn unanswered(&self) -> impl Iterator<Item = &str> {
        self.transcript
            .iter()
            .rev()
            .take_while(|(author, _)| *author == Author::Customer)
            .map(|(_, text)| text.as_str())
    }
}

/// The AI's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Say this to the customer.
    Answer { text: String, confidence: f32 },
    /// Say this, and mark the conversation waiting for a human for `reason`.
    Escalate {
        text: Option<String>,
        reason: EscalationReason,
        detail: Option<String>,
    },
}

/// Why the responder could not answer.
#[derive(Debug, thiserror::Error)]
pub enum ResponderError {
    #[error("the AI provider timed out")]
    Timeout,
    #[error("the AI provider failed: {0}")]
    Provider(String),
}

/// The AI agent.
#[async_trait]
pub trait Responder: Send + Sync + 'static {
    async fn reply(&self, context: ReplyContext) -> Result<Reply, ResponderError>;

    /// How many replies it usefully computes at once (a responder that reads on the CPU: one
    /// per core). The AI's turns beyond that wait for one to finish; a turn that waited gives
    /// way when its customer has written again ([`super::ai::respond`]).
    fn capacity(&self) -> usize {
        64
    }
}
