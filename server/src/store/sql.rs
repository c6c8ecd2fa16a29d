//! Every SQL statement Baton runs, written once for both backends.
//!
//! Statements use `$N` placeholders, which PostgreSQL requires and SQLite accepts (sqlx binds
//! `$N` to the N-th argument on both), and only SQL both speak: `TRUE`/`FALSE`, `CAST`,
//! `RETURNING`, `ON CONFLICT`. Each function returns the statement with its arguments bound;
//! [`super::engine`] runs them, and the backends add only their transaction shells.

use std::borrow::Cow;

use app::backend::{NewAudit, NewConversation};
use app::domain::analytics::Rating;
use app::domain::canned::CannedReply;
use app::domain::contact::MAX_EARLIER;
use app::domain::label::{Label, Priority, TagFilter};
use app::domain::webhook::{DeliveryStatus, WebhookEndpoint};
use app::domain::{
    Agent, AgentId, Availability, ConversationId, EscalationReason, ListCursor, ListFilter, Locale,
    Mode, SearchQuery, Term, Timestamp, VerifiedCustomer,
};

/// One bound argument. Text and integers cross (ids are UUID text, times milliseconds), and
/// the bytes of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Text(Option<String>),
    Int(Option<i64>),
    Bytes(Vec<u8>),
}

/// A statement and its arguments, in placeholder order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub(crate) sql: Cow<'static, str>,
    pub(crate) params: Vec<Param>,
}

#[cfg(test)]
impl Statement {
    /// `sql` with `params` bound as given: for the tests of the connections themselves.
    pub(crate) fn with_params(sql: &'static str, params: Vec<Param>) -> Self {
        Self {
            sql: sql.into(),
            params,
        }
    }
}

impl Statement {
    fn new(sql: impl Into<Cow<'static, str>>) -> Self {
        Self {
            sql: sql.into(),
            params: Vec::new(),
        }
    }

    /// Binds the next arguments, in placeholder order.
    fn bind(mut self, args: impl Args) -> Self {
        args.push_to(&mut self.params);
        self
    }
}

/// A value that binds to one placeholder.
pub(crate) trait Arg {
    fn param(self) -> Param;
}

/// Text arguments: plain strings and ids (UUID text), and their optional forms (NULL).
macro_rules! text_args {
    ($($ty:ty),*) => {$(
        impl Arg for $ty {
            fn param(self) -> Param {
                Param::Text(Some(self.to_string()))
            }
        }
        impl Arg for Option<$ty> {
            fn param(self) -> Param {
                Param::Text(self.map(|value| value.to_string()))
            }
        }
    )*};
}
text_args!(&str, &String, ConversationId, AgentId);

/// Integer arguments, and their optional forms (NULL).
macro_rules! int_args {
    ($($ty:ty => $int:expr),*) => {$(
        impl Arg for $ty {
            fn param(self) -> Param {
                Param::Int(Some($int(self)))
            }
        }
        impl Arg for Option<$ty> {
            fn param(self) -> Param {
                Param::Int(self.map($int))
            }
        }
    )*};
}
int_args!(
    i64 => std::convert::identity,
    u32 => i64::from,
    bool => i64::from,
    // Sequence numbers, versions and counts: far below `i64::MAX`.
    u64 => |value: u64| i64::try_from(value).unwrap_or(i64::MAX),
    usize => |value: usize| i64::try_from(value).unwrap_or(i64::MAX),
    Timestamp => Timestamp::millis
);

/// A file's bytes (`BLOB` on SQLite, `BYTEA` on PostgreSQL).
impl Arg for Vec<u8> {
    fn param(self) -> Param {
        Param::Bytes(self)
    }
}

/// Several arguments, bound in order: a tuple of [`Arg`]s.
pub(crate) trait Args {
    fn push_to(self, params: &mut Vec<Param>);
}

macro_rules! tuple_args {
    ($($ty:ident $value:ident),+) => {
        impl<$($ty: Arg),+> Args for ($($ty,)+) {
            fn push_to(self, params: &mut Vec<Param>) {
                let ($($value,)+) = self;
                $(params.push($value.param());)+
            }
        }
    };
}
tuple_args!(A a);
tuple_args!(A a, B b);
tuple_args!(A a, B b, C c);
tuple_args!(A a, B b, C c, D d);
tuple_args!(A a, B b, C c, D d, E e);
tuple_args!(A a, B b, C c, D d, E e, F f);
tuple_args!(A a, B b, C c, D d, E e, F f, G g);
tuple_args!(A a, B b, C c, D d, E e, F f, G g, H h);

/// The columns [`super::rows::conversation_from_row`] reads, with the owner's name joined in.
const CONVERSATION: &str = "SELECT c.id, c.customer_name, c.mode, c.owner_id,
    a.display_name AS owner_name, c.mode_since, c.waiting_reason, c.waiting_since, c.brief,
    c.brief_for_customer,
    c.version, c.last_seq, c.preview, c.created_at, c.updated_at, c.reply_due_since,
    c.contact_email, c.customer_ref, c.customer_email, c.locale, c.priority,
    (SELECT string_agg(cl.label_id, ' ') FROM conversation_labels cl
     WHERE cl.conversation_id = c.id) AS labels
    FROM conversations c LEFT JOIN agents a ON a.id = c.owner_id";

/// The columns [`super::rows::agent_from_row`] reads (table alias `a`).
const AGENT: &str =
    "SELECT a.id, a.email, a.display_name, a.role, a.status, a.max_chats, a.last_assigned_at";

// Conversations.

/// Inserts a new conversation whose log will hold `events` events.
pub(crate) fn insert_conversation(
    new: &NewConversation,
    events: usize,
    at: Timestamp,
) -> Statement {
    let verified = new.verified.as_ref();
    let origin = &new.origin;
    Statement::new(
        "INSERT INTO conversations (id, customer_name, token_hash, mode, mode_since, last_seq,
         created_at, updated_at, customer_ref, customer_email, locale, visitor_id,
         customer_device, customer_page)
         VALUES ($1, $2, $3, 'ai', $4, $5, $4, $4, $6, $7, $8, COALESCE($9, $1), $10, $11)",
    )
    .bind((
        new.id,
        new.customer_name.as_str(),
        &new.token_hash,
        at,
        events,
        verified.map(|customer| customer.id.as_str()),
        verified.and_then(|customer| customer.email.as_deref()),
        new.locale.code(),
    ))
    .bind((
        origin.visitor.as_deref(),
        origin.device.as_deref(),
        origin.page.as_deref(),
    ))
}

/// The visitor, device and page of conversation `id`.
pub(crate) fn origin(id: ConversationId) -> Statement {
    Statement::new(
        "SELECT visitor_id, customer_device, customer_page FROM conversations WHERE id = $1",
    )
    .bind((id,))
}

/// The other conversations of `visitor` or of the verified `customer`, newest first.
pub(crate) fn earlier_conversations(
    id: ConversationId,
    visitor: Option<&str>,
    customer: Option<&str>,
) -> Statement {
    Statement::new(format!(
        "SELECT id, mode, created_at, updated_at, preview FROM conversations
         WHERE id <> $1 AND (visitor_id = $2 OR customer_ref = $3)
         ORDER BY created_at DESC, id DESC LIMIT {MAX_EARLIER}"
    ))
    .bind((id, visitor, customer))
}

/// Sets the customer's language when it is another, allocating one sequence number; returns
/// the new `last_seq` (no row: the same language, or no such conversation).
pub(crate) fn set_locale(id: ConversationId, locale: Locale, at: Timestamp) -> Statement {
    Statement::new(
        "UPDATE conversations SET locale = $1, last_seq = last_seq + 1, updated_at = $2
         WHERE id = $3 AND locale != $1 RETURNING last_seq",
    )
    .bind((locale.code(), at, id))
}

/// Makes room for one more event that changes nothing else (a private note).
pub(crate) fn next_event(id: ConversationId, at: Timestamp) -> Statement {
    Statement::new(
        "UPDATE conversations SET last_seq = last_seq + 1, updated_at = $1
         WHERE id = $2 RETURNING last_seq",
    )
    .bind((at, id))
}

pub(crate) fn conversation(id: ConversationId) -> Statement {
    Statement::new(format!("{CONVERSATION} WHERE c.id = $1")).bind((id,))
}

/// Holds the conversation's row until the transaction ends (backends with several writers).
pub(crate) fn lock_conversation(id: ConversationId) -> Statement {
    Statement::new("SELECT id FROM conversations WHERE id = $1 FOR UPDATE").bind((id,))
}

pub(crate) fn conversation_exists(id: ConversationId) -> Statement {
    Statement::new("SELECT id FROM conversations WHERE id = $1").bind((id,))
}

/// The customer's token hashes for a conversation: the first, then any added later.
pub(crate) fn customer_token_hashes(id: ConversationId) -> Statement {
    Statement::new(
        "SELECT token_hash FROM conversations WHERE id = $1
         UNION ALL SELECT token_hash FROM customer_keys WHERE conversation_id = $1",
    )
    .bind((id,))
}

pub(crate) fn open_conversation_of(customer_id: &str) -> Statement {
    Statement::new(
        "SELECT id FROM conversations WHERE customer_ref = $1 AND mode != 'closed'
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind((customer_id,))
}

pub(crate) fn insert_customer_key(
    id: ConversationId,
    token_hash: &str,
    at: Timestamp,
) -> Statement {
    Statement::new(
        "INSERT INTO customer_keys (token_hash, conversation_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind((token_hash, id, at))
}

/// Records who the customer of an anonymous, open conversation is, allocating one sequence
/// number; returns the new `last_seq` (no row: closed, already verified, or no such
/// conversation).
pub(crate) fn verify_customer(
    id: ConversationId,
    customer_name: &str,
    customer: &VerifiedCustomer,
    at: Timestamp,
) -> Statement {
    Statement::new(
        "UPDATE conversations SET customer_ref = $1, customer_email = $2, customer_name = $3,
           last_seq = last_seq + 1, updated_at = $4
         WHERE id = $5 AND mode != 'closed' AND customer_ref IS NULL RETURNING last_seq",
    )
    .bind((
        customer.id.as_str(),
        customer.email.as_deref(),
        customer_name,
        at,
        id,
    ))
}

/// How a backend matches search terms: SQLite's FTS5 or PostgreSQL's text search (the
/// 'simple' configuration, so no language's stemming), over the documents migration 0010
/// keeps: each conversation's customer name and every message but Baton's own notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchEngine {
    Fts5,
    Tsvector,
}

impl SearchEngine {
    /// The conversations with a document that matches the term bound at `$placeholder`.
    fn matching(self, placeholder: usize) -> String {
        match self {
            SearchEngine::Fts5 => format!(
                "SELECT d.conversation_id FROM search_text
                 JOIN search_docs d ON d.id = search_text.rowid
                 WHERE search_text MATCH ${placeholder}"
            ),
            SearchEngine::Tsvector => format!(
                "SELECT conversation_id FROM search_docs
                 WHERE document @@ to_tsquery('simple', ${placeholder})"
            ),
        }
    }

    /// `term` in the engine's query syntax: a phrase of its words, the last one a prefix
    /// when the term says so. Words hold only letters and digits ([`SearchQuery`]), so
    /// nothing in them is syntax to either engine.
    fn query(self, term: &Term) -> String {
        let words = term.words();
        match self {
            SearchEngine::Fts5 => {
                let star = if term.prefix() { "*" } else { "" };
                format!("\"{}\"{star}", words.join(" "))
            }
            SearchEngine::Tsvector => {
                let star = if term.prefix() { ":*" } else { "" };
                let quoted: Vec<String> = words.iter().map(|word| format!("'{word}'")).collect();
                format!("{}{star}", quoted.join(" <-> "))
            }
        }
    }
}

/// The values the list sorts on (see [`app::domain::ListCursor::sort_key`]), written as the
/// expression index `conversations_list` of migration 0010 is, so the index serves them.
const LIST_KEY: &str = "(CASE WHEN c.waiting_since IS NULL THEN 1 ELSE 0 END),
    COALESCE(c.waiting_since, 0), -c.updated_at, c.id";

/// The dashboard list: what [`ListFilter::selection`] selects and `search` finds, in the
/// order of [`app::domain::Conversation::list_order`] (waiting first, longest wait on top,
/// then the latest activity, then the id), after `after` when given: keyset paging on the
/// sort values, so a page never repeats or skips a conversation that did not move.
pub(crate) fn list_conversations(
    filter: ListFilter,
    viewer: AgentId,
    tags: &TagFilter,
    search: &SearchQuery,
    after: Option<ListCursor>,
    limit: u32,
    engine: SearchEngine,
) -> Statement {
    let selection = filter.selection();
    let mut statement = Statement::new("").bind((
        viewer,
        selection.mode,
        selection.waiting,
        selection.owned_by_viewer,
        limit,
    ));
    let mut conditions = String::new();
    if let Some(after) = after {
        let (waiting, since, activity, id) = after.sort_key();
        conditions.push_str(&format!("\n AND ({LIST_KEY}) > ($6, $7, $8, $9)"));
        statement = statement.bind((waiting, since, activity, id));
    }
    if let Some(label) = &tags.label {
        let at = statement.params.len() + 1;
        conditions.push_str(&format!(
            "\n AND EXISTS (SELECT 1 FROM conversation_labels cl
                 WHERE cl.conversation_id = c.id AND cl.label_id = ${at})"
        ));
        statement = statement.bind((label,));
    }
    if let Some(priority) = tags.priority {
        let at = statement.params.len() + 1;
        conditions.push_str(&format!("\n AND c.priority = ${at}"));
        statement = statement.bind((priority.code(),));
    }
    if !search.is_empty() {
        // Term by term: a conversation matches when its name and messages hold every
        // term between them, not necessarily in one message.
        let first = statement.params.len() + 1;
        let each: Vec<String> = (first..first + search.terms().len())
            .map(|placeholder| engine.matching(placeholder))
            .collect();
        conditions.push_str(&format!("\n AND c.id IN ({})", each.join(" INTERSECT ")));
        for term in search.terms() {
            statement = statement.bind((engine.query(term).as_str(),));
        }
    }
    statement.sql = format!(
        "{CONVERSATION}
         WHERE (c.mode = $2 OR ($2 IS NULL AND c.mode != 'closed'))
           AND ($3 = 0 OR c.waiting_reason IS NOT NULL)
           AND ($4 IS NULL OR (c.owner_id = $1) = ($4 = 1)){conditions}
         ORDER BY {LIST_KEY} LIMIT $5"
    )
    .into();
    statement
}

/// How many conversations each filter selects for `viewer`: one pass over the open
/// conversations (`n0`, `n1`, …), each filter's condition the list's own.
pub(crate) fn count_conversations(filters: &[ListFilter], viewer: AgentId) -> Statement {
    let mut statement = Statement::new("").bind((viewer,));
    let mut sums = Vec::new();
    for (at, filter) in filters.iter().enumerate() {
        let selection = filter.selection();
        let first = statement.params.len() + 1;
        let (mode, waiting, owned) = (first, first + 1, first + 2);
        sums.push(format!(
            "COALESCE(SUM(CASE WHEN (c.mode = ${mode} OR (${mode} IS NULL AND c.mode != 'closed'))
               AND (${waiting} = 0 OR c.waiting_reason IS NOT NULL)
               AND (${owned} IS NULL OR (c.owner_id = $1) = (${owned} = 1))
               THEN 1 ELSE 0 END), 0) AS n{at}"
        ));
        statement = statement.bind((selection.mode, selection.waiting, selection.owned_by_viewer));
    }
    // Closed conversations are counted only when asked for.
    let open_only = !filters.contains(&ListFilter::Closed);
    statement.sql = format!(
        "SELECT {} FROM conversations c{}",
        sums.join(", "),
        if open_only {
            " WHERE c.mode != 'closed'"
        } else {
            ""
        }
    )
    .into();
    statement
}

/// After an appended message: the new last seq, the list preview (a customer's message), the
/// activity time, and
/// the reply timer: a customer message in a human-handled conversation starts it (unless it
/// runs already), the owner's message stops it.
pub(crate) fn record_message(
    id: ConversationId,
    seq: u64,
    preview: Option<&str>,
    sender: &str,
    at: Timestamp,
) -> Statement {
    Statement::new(
        "UPDATE conversations SET last_seq = $1, preview = COALESCE($2, preview), updated_at = $3,
           reply_due_since = CASE
             WHEN mode = 'human' AND $4 = 'customer' THEN COALESCE(reply_due_since, $3)
             WHEN $4 LIKE 'agent:%' THEN NULL
             ELSE reply_due_since END
         WHERE id = $5",
    )
    .bind((seq, preview, at, sender, id))
}

/// A change of mode, only if the conversation is still at `expected_version`. Allocates
/// `events` sequence numbers; returns the new `last_seq` (no row: the version moved or there
/// is no such conversation).
#[allow(clippy::too_many_arguments)]
pub(crate) fn change_mode(
    id: ConversationId,
    expected_version: u64,
    mode: Mode,
    waiting: Option<EscalationReason>,
    brief: Option<&str>,
    brief_for_customer: bool,
    events: usize,
    preview: Option<&str>,
    at: Timestamp,
) -> Statement {
    // A person who receives the conversation owes the customer an answer from now.
    Statement::new(
        "UPDATE conversations SET mode = $1, owner_id = $2, mode_since = $3,
           waiting_reason = $9, waiting_since = CASE WHEN $9 IS NULL THEN NULL ELSE $3 END,
           brief = $4, brief_for_customer = $10, version = version + 1,
           reply_due_since = CASE WHEN $1 = 'human' THEN $3 ELSE NULL END,
           last_seq = last_seq + $5, updated_at = $3, preview = COALESCE($6, preview)
         WHERE id = $7 AND version = $8 RETURNING last_seq",
    )
    .bind((
        mode.tag(),
        mode.owner(),
        at,
        brief,
        events,
        preview,
        id,
        expected_version,
    ))
    .bind((waiting.map(EscalationReason::as_str), brief_for_customer))
}

/// The wait a conversation is in, read before a change of mode ends it (locked on
/// backends with several writers, so the change ends exactly the wait read).
pub(crate) fn current_wait(id: ConversationId, lock: bool) -> Statement {
    let lock = if lock { " FOR UPDATE" } else { "" };
    Statement::new(format!(
        "SELECT waiting_reason, waiting_since FROM conversations WHERE id = $1{lock}"
    ))
    .bind((id,))
}

/// Records a finished wait: `outcome` 'served' (a person has it now) or 'closed'.
pub(crate) fn insert_wait(
    id: ConversationId,
    reason: &str,
    since: Timestamp,
    ended_at: Timestamp,
    outcome: &str,
    agent: Option<AgentId>,
) -> Statement {
    Statement::new(
        "INSERT INTO queue_waits (conversation_id, reason, since, ended_at, outcome, agent_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind((id, reason, since, ended_at, outcome, agent))
}

/// The agent was given a conversation now (auto-assignment's tie-break).
pub(crate) fn note_assignment(agent: AgentId, at: Timestamp) -> Statement {
    Statement::new("UPDATE agents SET last_assigned_at = $1 WHERE id = $2").bind((at, agent))
}

/// The queue: every conversation waiting for a human, the longest-waiting first.
pub(crate) fn queue() -> Statement {
    Statement::new(
        "SELECT id, waiting_since FROM conversations
         WHERE waiting_since IS NOT NULL AND mode = 'ai' ORDER BY waiting_since, id",
    )
}

/// Durations of the waits a person ended since `since`, the newest first.
pub(crate) fn recent_waits(since: Timestamp, limit: u32) -> Statement {
    Statement::new(
        "SELECT ended_at - since AS waited FROM queue_waits
         WHERE outcome = 'served' AND ended_at >= $1 ORDER BY ended_at DESC LIMIT $2",
    )
    .bind((since, limit))
}

/// Human-mode conversations whose owner owes an answer since before `before`.
pub(crate) fn replies_overdue(before: Timestamp, limit: u32) -> Statement {
    Statement::new(format!(
        "{CONVERSATION} WHERE c.mode = 'human' AND c.reply_due_since IS NOT NULL
           AND c.reply_due_since <= $1 ORDER BY c.reply_due_since LIMIT $2"
    ))
    .bind((before, limit))
}

/// The open conversations an agent owns.
pub(crate) fn owned_by(agent: AgentId) -> Statement {
    Statement::new(format!(
        "{CONVERSATION} WHERE c.mode = 'human' AND c.owner_id = $1 ORDER BY c.mode_since"
    ))
    .bind((agent,))
}

/// Records the customer's e-mail address, allocating `events` sequence numbers; returns the
/// new `last_seq` (no row: closed, or no such conversation).
pub(crate) fn leave_contact(
    id: ConversationId,
    email: &str,
    events: usize,
    preview: Option<&str>,
    at: Timestamp,
) -> Statement {
    Statement::new(
        "UPDATE conversations SET contact_email = $1, last_seq = last_seq + $2, updated_at = $3,
           preview = COALESCE($4, preview)
         WHERE id = $5 AND mode != 'closed' RETURNING last_seq",
    )
    .bind((email, events, at, preview, id))
}

/// Marks an AI-mode conversation as waiting for a human, allocating `events` sequence
/// numbers; returns the new `last_seq` (no row: it already waits, or a human has it).
pub(crate) fn mark_waiting(
    id: ConversationId,
    reason: EscalationReason,
    events: usize,
    preview: Option<&str>,
    at: Timestamp,
) -> Statement {
    Statement::new(
        "UPDATE conversations SET waiting_reason = $1, waiting_since = $2, updated_at = $2,
           last_seq = last_seq + $3, preview = COALESCE($4, preview)
         WHERE id = $5 AND mode = 'ai' AND waiting_reason IS NULL RETURNING last_seq",
    )
    .bind((reason.as_str(), at, events, preview, id))
}

// Nodes.

/// This node is alive at `at`.
pub(crate) fn node_seen(node: &str, at: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO nodes (id, seen_at) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
    )
    .bind((node, at))
}

/// Forgets nodes not seen since `cutoff`.
pub(crate) fn forget_nodes_before(cutoff: Timestamp) -> Statement {
    Statement::new("DELETE FROM nodes WHERE seen_at < $1").bind((cutoff,))
}

/// How many nodes remain.
pub(crate) fn live_nodes() -> Statement {
    Statement::new("SELECT COUNT(*) AS count FROM nodes")
}

/// A node leaving.
pub(crate) fn forget_node(node: &str) -> Statement {
    Statement::new("DELETE FROM nodes WHERE id = $1").bind((node,))
}

// Events.

/// One row of the events table.
pub(crate) struct EventRow {
    pub(crate) seq: u64,
    pub(crate) kind: String,
    pub(crate) payload: String,
}

/// Appends events in one statement.
pub(crate) fn insert_events(
    id: ConversationId,
    rows: &[EventRow],
    sender: Option<&str>,
    client_id: Option<&str>,
    at: Timestamp,
) -> Statement {
    let values: Vec<String> = (0..rows.len())
        .map(|row| {
            let n = row * 7;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6,
                n + 7
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO events (conversation_id, seq, at, kind, payload, sender, client_id)
         VALUES {}",
        values.join(", ")
    );
    rows.iter().fold(Statement::new(sql), |statement, row| {
        statement.bind((id, row.seq, at, &row.kind, &row.payload, sender, client_id))
    })
}

pub(crate) fn events(id: ConversationId, after_seq: u64, limit: u32) -> Statement {
    Statement::new(
        "SELECT seq, at, payload FROM events WHERE conversation_id = $1 AND seq > $2
         ORDER BY seq LIMIT $3",
    )
    .bind((id, after_seq, limit))
}

/// Up to `limit` conversations changed since `since` (by `updated_at`) whose analytics facts
/// are behind their log or missing, the first after `after` in id order: every event of their
/// logs except the AI's and Baton's own messages, with the seq each log reaches, ordered by
/// conversation and seq. One statement, so the seq and the events are of the same moment.
pub(crate) fn stale_logs(since: Timestamp, after: &str, limit: u32) -> Statement {
    Statement::new(
        "SELECT e.conversation_id, c.last_seq, e.seq, e.at, e.payload
         FROM events e JOIN conversations c ON c.id = e.conversation_id
         WHERE e.conversation_id IN (
             SELECT s.id FROM conversations s
             LEFT JOIN analytics_facts f ON f.conversation_id = s.id
             WHERE s.updated_at >= $1 AND s.id > $2
               AND (f.folded_seq IS NULL OR f.folded_seq < s.last_seq)
             ORDER BY s.id LIMIT $3)
           AND (e.kind <> 'message' OR e.sender = 'customer' OR e.sender LIKE 'agent:%')
         ORDER BY e.conversation_id, e.seq",
    )
    .bind((since, after, i64::from(limit)))
}

/// Stores a conversation's analytics facts folded up to `folded_seq`, unless facts folded
/// further are stored already (another node got there first).
pub(crate) fn save_facts(
    id: ConversationId,
    folded_seq: u64,
    span: Option<(Timestamp, Timestamp)>,
    facts: &str,
) -> Statement {
    let (first, last) = span.map_or((-1, -1), |(first, last)| (first.0, last.0));
    Statement::new(
        "INSERT INTO analytics_facts (conversation_id, folded_seq, first_at, last_at, facts)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (conversation_id) DO UPDATE SET folded_seq = excluded.folded_seq,
           first_at = excluded.first_at, last_at = excluded.last_at, facts = excluded.facts
         WHERE analytics_facts.folded_seq < excluded.folded_seq",
    )
    .bind((id, folded_seq, first, last, facts))
}

/// How many conversations' facts [`analytics_facts`] puts in one row.
pub(crate) const FACTS_PER_ROW: i64 = 1_000;

/// The analytics facts of the conversations with a moment in `[from, to)` (or moments on
/// both sides of it) whose last moment falls in `[last_from, last_to)`: rows of
/// [`FACTS_PER_ROW`] lines `<conversation id> <facts>`, joined by newlines (JSON writes none),
/// in no particular order. A range may cover a hundred thousand conversations, and a row costs
/// sqlx microseconds: a thousand lines a row make that cost vanish.
pub(crate) fn analytics_facts(
    last_from: Timestamp,
    last_to: Timestamp,
    to: Timestamp,
) -> Statement {
    Statement::new(format!(
        "SELECT string_agg(line, $4) AS lines FROM (
             SELECT conversation_id || ' ' || facts AS line,
               (row_number() OVER ()) / {FACTS_PER_ROW} AS chunk
             FROM analytics_facts WHERE last_at >= $1 AND last_at < $2 AND first_at < $3) facts
         GROUP BY chunk"
    ))
    .bind((last_from, last_to, to, "\n"))
}

/// Stores a rating unless its segment already has one (no row then).
pub(crate) fn insert_rating(rating: &Rating) -> Statement {
    Statement::new(
        "INSERT INTO csat_ratings (conversation_id, segment_seq, agent_id, agent_name, rating,
           comment, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (conversation_id, segment_seq) DO NOTHING",
    )
    .bind((
        rating.conversation_id,
        rating.segment_seq,
        rating.agent.as_ref().map(|agent| agent.id),
        rating.agent.as_ref().map(|agent| agent.name.as_str()),
        i64::from(rating.rating),
        rating.comment.as_deref(),
        rating.at,
    ))
}

/// The ratings given in `[from, to)`.
pub(crate) fn ratings(from: Timestamp, to: Timestamp) -> Statement {
    Statement::new(
        "SELECT conversation_id, segment_seq, agent_id, agent_name, rating, comment, at
         FROM csat_ratings WHERE at >= $1 AND at < $2 ORDER BY at",
    )
    .bind((from, to))
}

/// The message `sender` sent earlier with the same idempotency key, if any.
/// Stores the file the message at `seq` carries.
pub(crate) fn insert_file(
    id: ConversationId,
    seq: u64,
    file: app::backend::StoredFile,
    at: Timestamp,
) -> Statement {
    let attachment = file.attachment;
    Statement::new(
        "INSERT INTO attachments (id, conversation_id, seq, name, kind, size, bytes, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind((
        &attachment.id.to_string(),
        id,
        seq,
        attachment.name.as_str(),
        kind_name(attachment.kind),
        attachment.size,
        file.bytes,
        at,
    ))
}

/// A file and its conversation.
pub(crate) fn file(id: app::domain::AttachmentId) -> Statement {
    Statement::new(
        "SELECT id, conversation_id, name, kind, size, bytes FROM attachments WHERE id = $1",
    )
    .bind((&id.to_string(),))
}

/// How a file's kind is stored: its serde name ("jpeg", "pdf").
pub(crate) fn kind_name(kind: app::domain::FileKind) -> &'static str {
    match kind {
        app::domain::FileKind::Jpeg => "jpeg",
        app::domain::FileKind::Png => "png",
        app::domain::FileKind::Gif => "gif",
        app::domain::FileKind::Webp => "webp",
        app::domain::FileKind::Pdf => "pdf",
    }
}

pub(crate) fn earlier_message(id: ConversationId, sender: &str, client_id: &str) -> Statement {
    Statement::new(
        "SELECT seq, at, payload FROM events
         WHERE conversation_id = $1 AND sender = $2 AND client_id = $3",
    )
    .bind((id, sender, client_id))
}

/// For each conversation with events at or after `since`: its id and the first such seq.
pub(crate) fn events_since(since: Timestamp) -> Statement {
    Statement::new(
        "SELECT conversation_id, MIN(seq) AS first FROM events WHERE at >= $1
         GROUP BY conversation_id",
    )
    .bind((since,))
}

// Agents and sessions.

pub(crate) fn insert_agent(agent: &Agent, password_hash: &str, at: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO agents (id, email, display_name, password_hash, role, status, max_chats,
         created_at) VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS INTEGER), $8)",
    )
    .bind((
        agent.id,
        agent.email.as_str(),
        agent.display_name.as_str(),
        password_hash,
        agent.role.as_str(),
        agent.status.as_str(),
        agent.max_chats,
        at,
    ))
}

pub(crate) fn agent_credentials(email: &str) -> Statement {
    Statement::new(format!(
        "{AGENT}, a.password_hash FROM agents a WHERE a.email = $1 AND a.disabled = FALSE"
    ))
    .bind((email,))
}

pub(crate) fn agent(id: AgentId) -> Statement {
    Statement::new(format!("{AGENT} FROM agents a WHERE a.id = $1")).bind((id,))
}

pub(crate) fn agents() -> Statement {
    Statement::new(format!(
        "{AGENT}, (SELECT COUNT(*) FROM conversations c
           WHERE c.owner_id = a.id AND c.mode = 'human') AS open_conversations
         FROM agents a WHERE a.disabled = FALSE ORDER BY a.display_name"
    ))
}

pub(crate) fn set_availability(id: AgentId, status: Availability) -> Statement {
    Statement::new("UPDATE agents SET status = $1 WHERE id = $2").bind((status.as_str(), id))
}

pub(crate) fn agent_count() -> Statement {
    Statement::new("SELECT COUNT(*) AS count FROM agents")
}

pub(crate) fn disable_agent(id: AgentId) -> Statement {
    Statement::new("UPDATE agents SET disabled = TRUE, status = 'offline' WHERE id = $1")
        .bind((id,))
}

pub(crate) fn set_password(id: AgentId, password_hash: &str) -> Statement {
    Statement::new("UPDATE agents SET password_hash = $1 WHERE id = $2").bind((password_hash, id))
}

pub(crate) fn end_sessions(agent: AgentId) -> Statement {
    Statement::new("DELETE FROM sessions WHERE agent_id = $1").bind((agent,))
}

pub(crate) fn insert_session(
    token_hash: &str,
    agent: AgentId,
    created_at: Timestamp,
    expires_at: Timestamp,
) -> Statement {
    Statement::new(
        "INSERT INTO sessions (token_hash, agent_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind((token_hash, agent, created_at, expires_at))
}

pub(crate) fn session_agent(token_hash: &str, now: Timestamp) -> Statement {
    Statement::new(format!(
        "{AGENT} FROM sessions s JOIN agents a ON a.id = s.agent_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled = FALSE"
    ))
    .bind((token_hash, now))
}

pub(crate) fn delete_session(token_hash: &str) -> Statement {
    Statement::new("DELETE FROM sessions WHERE token_hash = $1").bind((token_hash,))
}

// Retention.

pub(crate) fn purge_expired_sessions(now: Timestamp) -> Statement {
    Statement::new("DELETE FROM sessions WHERE expires_at <= $1").bind((now,))
}

pub(crate) fn purge_refused_sign_ins_before(cutoff: Timestamp) -> Statement {
    Statement::new("DELETE FROM audit_log WHERE action = 'sign_in_refused' AND at < $1")
        .bind((cutoff,))
}

/// Keeps the newest `keep` refused sign-ins.
pub(crate) fn purge_refused_sign_ins_beyond(keep: u64) -> Statement {
    Statement::new(
        "DELETE FROM audit_log WHERE action = 'sign_in_refused' AND id <= (
           SELECT id FROM audit_log WHERE action = 'sign_in_refused'
           ORDER BY id DESC LIMIT 1 OFFSET CAST($1 AS INTEGER))",
    )
    .bind((keep as i64,))
}

// The audit log and the knowledge base.

pub(crate) fn insert_audit(entry: &NewAudit, at: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, conversation_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind((
        at,
        entry.actor.as_ref().map(|actor| actor.id),
        entry.actor.as_ref().map_or("", |actor| actor.name.as_str()),
        entry.action.as_str(),
        entry.conversation_id,
        entry.detail.as_deref(),
    ))
}

pub(crate) fn audit_log(conversation: Option<ConversationId>, limit: u32) -> Statement {
    Statement::new(
        "SELECT id, at, actor_id, actor_name, action, conversation_id, detail FROM audit_log
         WHERE ($1 IS NULL OR conversation_id = $1) ORDER BY id DESC LIMIT $2",
    )
    .bind((conversation, limit))
}

pub(crate) fn kb_articles() -> Statement {
    Statement::new("SELECT slug, title, body FROM kb_articles ORDER BY slug")
}

pub(crate) fn put_kb_article(slug: &str, title: &str, body: &str, at: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO kb_articles (slug, title, body, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (slug) DO UPDATE SET title = excluded.title, body = excluded.body,
           updated_at = excluded.updated_at",
    )
    .bind((slug, title, body, at))
}

// Canned replies.

/// Sets the conversation's priority when it is another, allocating one sequence number;
/// returns the new `last_seq` (no row: the same priority, or no such conversation).
pub(crate) fn set_priority(id: ConversationId, priority: Priority, at: Timestamp) -> Statement {
    Statement::new(
        "UPDATE conversations SET priority = $1, last_seq = last_seq + 1, updated_at = $2
         WHERE id = $3 AND priority <> $1 RETURNING last_seq",
    )
    .bind((priority.code(), at, id))
}

/// Takes every label off the conversation.
pub(crate) fn unlabel_conversation(id: ConversationId) -> Statement {
    Statement::new("DELETE FROM conversation_labels WHERE conversation_id = $1").bind((id,))
}

/// Puts a label on the conversation, if the label still exists.
pub(crate) fn label_conversation(id: ConversationId, label: &str) -> Statement {
    Statement::new(
        "INSERT INTO conversation_labels (conversation_id, label_id)
         SELECT $1, id FROM labels WHERE id = $2",
    )
    .bind((id, label))
}

// Labels.

/// The columns [`super::rows::label_from_row`] reads.
const LABEL: &str = "SELECT id, name, color, updated_at FROM labels";

/// The team's labels, by name.
pub(crate) fn labels() -> Statement {
    Statement::new(format!("{LABEL} ORDER BY name_key, id"))
}

pub(crate) fn label(id: &str) -> Statement {
    Statement::new(format!("{LABEL} WHERE id = $1")).bind((id,))
}

/// Inserts a label; `key` is its name as compared ([`app::domain::label::LabelDraft::key`]).
pub(crate) fn insert_label(label: &Label, key: &str, at: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO labels (id, name, name_key, color, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind((
        label.id.as_str(),
        label.name.as_str(),
        key,
        label.color.code(),
        at,
    ))
}

pub(crate) fn update_label(label: &Label, key: &str) -> Statement {
    Statement::new(
        "UPDATE labels SET name = $1, name_key = $2, color = $3, updated_at = $4 WHERE id = $5",
    )
    .bind((
        label.name.as_str(),
        key,
        label.color.code(),
        label.updated_at,
        label.id.as_str(),
    ))
}

/// Takes the label off every conversation.
pub(crate) fn unlabel_everywhere(id: &str) -> Statement {
    Statement::new("DELETE FROM conversation_labels WHERE label_id = $1").bind((id,))
}

pub(crate) fn delete_label(id: &str) -> Statement {
    Statement::new("DELETE FROM labels WHERE id = $1").bind((id,))
}

/// The columns [`super::rows::canned_from_row`] reads.
const CANNED: &str = "SELECT id, title, shortcut, language, body, updated_at FROM canned_replies";

pub(crate) fn canned_replies() -> Statement {
    Statement::new(format!(
        "{CANNED} WHERE retired_at IS NULL ORDER BY language, shortcut"
    ))
}

pub(crate) fn canned_reply(id: &str) -> Statement {
    Statement::new(format!("{CANNED} WHERE id = $1")).bind((id,))
}

pub(crate) fn insert_canned(reply: &CannedReply) -> Statement {
    Statement::new(
        "INSERT INTO canned_replies (id, title, shortcut, language, body, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind((
        reply.id.as_str(),
        reply.title.as_str(),
        reply.shortcut.as_str(),
        reply.language.code(),
        reply.text.as_str(),
        reply.updated_at,
    ))
}

pub(crate) fn update_canned(reply: &CannedReply) -> Statement {
    Statement::new(
        "UPDATE canned_replies SET title = $1, shortcut = $2, language = $3, body = $4,
             updated_at = $5
         WHERE id = $6 AND retired_at IS NULL",
    )
    .bind((
        reply.title.as_str(),
        reply.shortcut.as_str(),
        reply.language.code(),
        reply.text.as_str(),
        reply.updated_at,
        reply.id.as_str(),
    ))
}

pub(crate) fn retire_canned(id: &str, at: Timestamp) -> Statement {
    Statement::new(
        "UPDATE canned_replies SET retired_at = $1, updated_at = $1
         WHERE id = $2 AND retired_at IS NULL",
    )
    .bind((at, id))
}

// Webhooks.

/// The columns [`super::rows::endpoint_from_row`] reads.
const ENDPOINT: &str = "SELECT id, url, events, enabled, disabled_reason, created_at,
    previous_until, secret, previous_secret FROM webhook_endpoints";

/// The columns [`super::rows::delivery_from_row`] reads.
const DELIVERY: &str = "SELECT id, endpoint_id, event_type, conversation_id, seq, created_at,
    status, attempts, next_attempt_at FROM webhook_deliveries";

/// The outbox: one delivery per event of `events` (seq, webhook type) for every enabled
/// endpoint that takes its type, due at once. Runs in the transaction that appends them.
pub(crate) fn enqueue_deliveries(
    id: ConversationId,
    events: &[(u64, &'static str)],
    at: Timestamp,
) -> Statement {
    let values: Vec<String> = (0..events.len())
        .map(|n| format!("(${}, ${})", 3 + 2 * n, 4 + 2 * n))
        .collect();
    let sql = format!(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_type, conversation_id, seq,
             created_at, status, attempts, next_attempt_at)
         SELECT 'msg_' || e.id || '_' || $1 || '_' || v.column1, e.id, v.column2, $1,
             v.column1, $2, 'pending', 0, $2
         FROM webhook_endpoints e, (VALUES {}) AS v
         WHERE e.enabled = 1
           AND (e.events = '*' OR (',' || e.events || ',') LIKE ('%,' || v.column2 || ',%'))",
        values.join(", ")
    );
    events.iter().fold(
        Statement::new(sql).bind((id, at)),
        |statement, (seq, event_type)| statement.bind((*seq, *event_type)),
    )
}

pub(crate) fn insert_endpoint(endpoint: &WebhookEndpoint, secret: &str) -> Statement {
    Statement::new(
        "INSERT INTO webhook_endpoints (id, url, events, enabled, secret, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind((
        endpoint.id.as_str(),
        endpoint.url.as_str(),
        endpoint.events.stored().as_str(),
        endpoint.enabled,
        secret,
        endpoint.created_at,
    ))
}

pub(crate) fn endpoints() -> Statement {
    Statement::new(format!("{ENDPOINT} ORDER BY created_at, id"))
}

pub(crate) fn endpoint(id: &str) -> Statement {
    Statement::new(format!("{ENDPOINT} WHERE id = $1")).bind((id,))
}

pub(crate) fn update_endpoint(endpoint: &WebhookEndpoint) -> Statement {
    Statement::new(
        "UPDATE webhook_endpoints SET url = $1, events = $2, enabled = $3, disabled_reason = $4
         WHERE id = $5",
    )
    .bind((
        endpoint.url.as_str(),
        endpoint.events.stored().as_str(),
        endpoint.enabled,
        endpoint.disabled_reason.as_deref(),
        endpoint.id.as_str(),
    ))
}

/// The new key signs from now; the current one keeps signing until `until`.
pub(crate) fn rotate_endpoint(id: &str, secret: &str, until: Timestamp) -> Statement {
    Statement::new(
        "UPDATE webhook_endpoints SET previous_secret = secret, previous_until = $1, secret = $2
         WHERE id = $3",
    )
    .bind((until, secret, id))
}

pub(crate) fn delete_endpoint(id: &str) -> Statement {
    Statement::new("DELETE FROM webhook_endpoints WHERE id = $1").bind((id,))
}

/// The receiver said the endpoint is gone (410): it gets nothing more until re-enabled.
pub(crate) fn disable_endpoint(id: &str, reason: &str) -> Statement {
    Statement::new("UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $1 WHERE id = $2")
        .bind((reason, id))
}

/// The endpoint's pending deliveries fail with it.
pub(crate) fn fail_pending_deliveries(endpoint: &str) -> Statement {
    Statement::new(
        "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
             claimed_until = NULL
         WHERE endpoint_id = $1 AND status = 'pending'",
    )
    .bind((endpoint,))
}

/// Claims up to `limit` deliveries due at `now` for this node until `until`. The outer
/// conditions repeat the inner ones, so of two nodes claiming at once (PostgreSQL
/// re-reads a row another transaction changed) only one gets each delivery.
pub(crate) fn claim_deliveries(now: Timestamp, until: Timestamp, limit: u32) -> Statement {
    Statement::new(
        "UPDATE webhook_deliveries SET claimed_until = $1
         WHERE id IN (SELECT id FROM webhook_deliveries
                      WHERE status = 'pending' AND next_attempt_at <= $2
                        AND (claimed_until IS NULL OR claimed_until <= $2)
                      ORDER BY next_attempt_at LIMIT $3)
           AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= $2)
         RETURNING id, endpoint_id, event_type, conversation_id, seq, created_at, status,
             attempts, next_attempt_at",
    )
    .bind((until, now, limit))
}

/// When the earliest pending delivery is due, if any.
pub(crate) fn next_delivery_due() -> Statement {
    Statement::new(
        "SELECT MIN(next_attempt_at) AS due FROM webhook_deliveries WHERE status = 'pending'",
    )
}

/// One stored event, for a delivery's payload.
pub(crate) fn event_at(id: &str, seq: u64) -> Statement {
    Statement::new("SELECT at, payload FROM events WHERE conversation_id = $1 AND seq = $2")
        .bind((id, seq))
}

pub(crate) fn insert_attempt(
    delivery: &str,
    at: Timestamp,
    status: Option<u16>,
    latency_ms: u64,
    response: &str,
) -> Statement {
    Statement::new(
        "INSERT INTO webhook_attempts (delivery_id, at, status, latency_ms, response)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind((delivery, at, status.map(u32::from), latency_ms, response))
}

/// Ends an attempt: the delivery's new status and, when pending, its next attempt. A
/// delivery that failed meanwhile (its endpoint was disabled) stays failed unless this
/// attempt delivered it.
pub(crate) fn finish_attempt(
    delivery: &str,
    status: DeliveryStatus,
    next_attempt_at: Option<Timestamp>,
) -> Statement {
    Statement::new(
        "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1,
             next_attempt_at = $2, claimed_until = NULL
         WHERE id = $3 AND (status = 'pending' OR $1 = 'delivered')",
    )
    .bind((status.as_str(), next_attempt_at, delivery))
}

pub(crate) fn deliveries(endpoint: &str, limit: u32) -> Statement {
    Statement::new(format!(
        "{DELIVERY} WHERE endpoint_id = $1 ORDER BY created_at DESC, seq DESC LIMIT $2"
    ))
    .bind((endpoint, limit))
}

pub(crate) fn delivery(id: &str) -> Statement {
    Statement::new(format!("{DELIVERY} WHERE id = $1")).bind((id,))
}

/// The attempts at the deliveries of an endpoint's latest `limit`, newest first.
pub(crate) fn attempts(endpoint: &str, limit: u32) -> Statement {
    Statement::new(
        "SELECT t.delivery_id, t.at, t.status, t.latency_ms, t.response
         FROM webhook_attempts t
         WHERE t.delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = $1
                                 ORDER BY created_at DESC, seq DESC LIMIT $2)
         ORDER BY t.at DESC",
    )
    .bind((endpoint, limit))
}

/// The attempts at deliveries that ended before `cutoff` (before the deliveries go).
pub(crate) fn purge_attempts_before(cutoff: Timestamp) -> Statement {
    Statement::new(
        "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries
             WHERE status <> 'pending' AND created_at < $1)",
    )
    .bind((cutoff,))
}

/// Deliveries that ended (delivered or failed) and were made before `cutoff`.
pub(crate) fn purge_deliveries_before(cutoff: Timestamp) -> Statement {
    Statement::new("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1")
        .bind((cutoff,))
}

/// Due again now, from the first attempt of the schedule.
pub(crate) fn replay_delivery(id: &str, at: Timestamp) -> Statement {
    Statement::new(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1,
             claimed_until = NULL
         WHERE id = $2",
    )
    .bind((at, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(sql: &str) -> Vec<usize> {
        let mut found: Vec<usize> = sql
            .split('$')
            .skip(1)
            .filter_map(|rest| {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    #[test]
    fn search_terms_reach_each_engine_as_quoted_words() {
        let search = SearchQuery::parse(r#""order 1234" Sari parc"#).unwrap();
        let rendered = |engine: SearchEngine| -> Vec<String> {
            search
                .terms()
                .iter()
                .map(|term| engine.query(term))
                .collect()
        };
        assert_eq!(
            rendered(SearchEngine::Fts5),
            [r#""order 1234""#, r#""sari""#, r#""parc"*"#]
        );
        assert_eq!(
            rendered(SearchEngine::Tsvector),
            ["'order' <-> '1234'", "'sari'", "'parc':*"]
        );
    }

    #[test]
    fn every_statement_binds_exactly_its_placeholders() {
        let id = ConversationId::new();
        let agent = AgentId::new();
        let at = Timestamp(1);
        let rows = [
            EventRow {
                seq: 1,
                kind: "started".into(),
                payload: "{}".into(),
            },
            EventRow {
                seq: 2,
                kind: "message".into(),
                payload: "{}".into(),
            },
        ];
        let search = SearchQuery::parse(r#"parcel "order 12" bro"#).unwrap();
        let none = SearchQuery::default();
        let after = Some(ListCursor::parse(&format!("5.6.{id}")).unwrap());
        let tagged = TagFilter {
            label: Some("label-vip".into()),
            priority: Some(Priority::Urgent),
        };
        let untagged = TagFilter::default();
        let list = |filter, tags, search, after, engine| {
            list_conversations(filter, agent, tags, search, after, 10, engine)
        };
        let statements = [
            list(ListFilter::Mine, &untagged, &none, None, SearchEngine::Fts5),
            list(ListFilter::All, &tagged, &search, None, SearchEngine::Fts5),
            list(
                ListFilter::All,
                &untagged,
                &none,
                after,
                SearchEngine::Tsvector,
            ),
            list(
                ListFilter::Waiting,
                &tagged,
                &search,
                after,
                SearchEngine::Tsvector,
            ),
            set_priority(id, Priority::High, at),
            unlabel_conversation(id),
            label_conversation(id, "label-vip"),
            labels(),
            label("label-vip"),
            unlabel_everywhere("label-vip"),
            delete_label("label-vip"),
            change_mode(
                id,
                3,
                Mode::Ai,
                Some(EscalationReason::NoReply),
                None,
                false,
                2,
                None,
                at,
            ),
            current_wait(id, true),
            insert_wait(id, "no_reply", at, at, "served", Some(agent)),
            note_assignment(agent, at),
            queue(),
            recent_waits(at, 5),
            replies_overdue(at, 5),
            owned_by(agent),
            leave_contact(id, "a@b.c", 2, None, at),
            node_seen("n1", at),
            forget_nodes_before(at),
            live_nodes(),
            forget_node("n1"),
            mark_waiting(id, EscalationReason::CustomerAsked, 2, None, at),
            insert_events(id, &rows, Some("customer"), Some("c1"), at),
            record_message(id, 4, Some("hi"), "customer", at),
            audit_log(None, 5),
            session_agent("hash", at),
        ];
        for statement in statements {
            let expected: Vec<usize> = (1..=statement.params.len()).collect();
            assert_eq!(placeholders(&statement.sql), expected, "{}", statement.sql);
        }
    }
}
