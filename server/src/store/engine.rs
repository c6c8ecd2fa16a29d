//! The store, written once for both SQL backends.
//!
//! [`SqlStore`] implements the [`Store`] port: every read and every write is a sequence of
//! the statements in [`super::sql`], run on a [`Db`] connection. A backend contributes only
//! its [`Shell`]: the pool reads come from, and how a write becomes one transaction (SQLite:
//! the group-committing writer task; PostgreSQL: a pooled transaction), plus whether a write
//! must lock the conversation's row first ([`Db::LOCKS_ROWS`]).

use std::future::Future;

use app::backend::{
    Appended, CommittedTransition, FoldedFacts, NewAudit, NewConversation, NewMessage, Purged,
    Relabelled, Retention, StaleLog, Store, StoreError, StoredFile, TransitionPatch,
};
use app::domain::analytics::{Facts, Rating};
use app::domain::canned::CannedReply;
use app::domain::contact::Contact;
use app::domain::label::{Label, Priority, Relabel, TagFilter};
use app::domain::routing::Queued;
use app::domain::webhook::{self, Delivery, DeliveryLog, DeliveryStatus, WebhookEndpoint};
use app::domain::{
    Agent, AgentId, AgentOverview, AgentRef, AttachmentId, AuditEntry, Availability, Conversation,
    ConversationId, DisplayName, Email, EscalationReason, Event, EventKind, ListCursor, ListFilter,
    Locale, Message, MessageBody, MessageId, Mode, SearchQuery, Timestamp, VerifiedCustomer,
    Writer,
};
use async_trait::async_trait;
use futures::future::BoxFuture;

use super::rows::{
    agent_from_row, any_event_from_row, attempt_from_row, audit_from_row, canned_from_row,
    conversation_from_row, conversation_id_from_row, delivery_from_row, earlier_from_row,
    endpoint_from_row, event_from_row, facts_from_lines, file_from_row, kind_tag, label_from_row,
    preview_of_kinds, rating_from_row, sender_key, Columns, Keys,
};
use super::sql::{self, EventRow, Statement};
use super::DbError;

/// One database connection that runs [`Statement`]s.
pub trait Db: Send {
    /// A result row.
    type Row: Columns + Send;
    /// True where several writers share the database, so a write that reads before it
    /// writes must lock the conversation's row first ([`sql::lock_conversation`]).
    const LOCKS_ROWS: bool;
    /// How the database matches search terms.
    const SEARCH: sql::SearchEngine;

    /// Runs a statement; returns how many rows it changed.
    fn execute(
        &mut self,
        statement: Statement,
    ) -> impl Future<Output = Result<u64, DbError>> + Send;
    /// Runs a query; returns its first row, if any.
    fn fetch_optional(
        &mut self,
        statement: Statement,
    ) -> impl Future<Output = Result<Option<Self::Row>, DbError>> + Send;
    /// Runs a query; returns every row.
    fn fetch_all(
        &mut self,
        statement: Statement,
    ) -> impl Future<Output = Result<Vec<Self::Row>, DbError>> + Send;
}

/// A job on a connection, lending it for as long as the job runs.
pub type Job<D, T> = Box<dyn for<'c> FnOnce(&'c mut D) -> BoxFuture<'c, Result<T, DbError>> + Send>;

/// What a backend adds to the shared store: where reads run and how a write is made one
/// transaction.
pub trait Shell: Clone + Send + Sync + 'static {
    /// The connection a read runs on.
    type Reader: Db;
    /// The connection a write runs on.
    type Writer: Db;

    /// Runs `job` on a connection for reading.
    fn read<T: Send + 'static>(
        &self,
        job: Job<Self::Reader, T>,
    ) -> impl Future<Output = Result<T, DbError>> + Send;
    /// Runs `job` in one transaction: committed if it succeeds (before this returns),
    /// rolled back if it fails.
    fn write<T: Send + 'static>(
        &self,
        job: Job<Self::Writer, T>,
    ) -> impl Future<Output = Result<T, DbError>> + Send;
    /// Finishes what is under way and closes every connection.
    fn close(&self) -> impl Future<Output = ()> + Send;
    /// True while writes are failing although reads may still work (SQLite: the file cannot
    /// be written). A connection-based backend loses both at once, so reads tell.
    fn writes_failing(&self) -> bool {
        false
    }
}

/// Baton's data in one SQL database; `S` is the backend's [`Shell`].
#[derive(Clone)]
pub struct SqlStore<S>(pub(crate) S);

impl<S: Shell> SqlStore<S> {
    /// Runs `job` on a reader connection.
    async fn read<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut S::Reader) -> BoxFuture<'c, Result<T, DbError>> + Send + 'static,
    {
        Ok(self.0.read(Box::new(job)).await?)
    }

    /// Runs `job` as one transaction.
    async fn write<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut S::Writer) -> BoxFuture<'c, Result<T, DbError>> + Send + 'static,
    {
        let started = std::time::Instant::now();
        let written = self.0.write(Box::new(job)).await;
        crate::metrics::get().commit(started.elapsed());
        Ok(written?)
    }

    /// Every row `statement` returns, each read by `read_row`.
    pub(crate) async fn all<T, F>(
        &self,
        statement: Statement,
        read_row: F,
    ) -> Result<Vec<T>, StoreError>
    where
        T: Send + 'static,
        F: Fn(&<S::Reader as Db>::Row) -> Result<T, DbError> + Send + 'static,
    {
        self.read(move |db| {
            Box::pin(async move {
                db.fetch_all(statement)
                    .await?
                    .iter()
                    .map(read_row)
                    .collect()
            })
        })
        .await
    }

    /// The row `statement` returns (a query by a unique key), read by `read_row`, if any.
    async fn first<T, F>(&self, statement: Statement, read_row: F) -> Result<Option<T>, StoreError>
    where
        T: Send + 'static,
        F: Fn(&<S::Reader as Db>::Row) -> Result<T, DbError> + Send + 'static,
    {
        Ok(self.all(statement, read_row).await?.into_iter().next())
    }

    /// Like [`SqlStore::first`], with no row being [`StoreError::NotFound`].
    async fn one<T, F>(&self, statement: Statement, read_row: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&<S::Reader as Db>::Row) -> Result<T, DbError> + Send + 'static,
    {
        self.first(statement, read_row)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Runs one statement as a write of its own.
    async fn execute(&self, statement: Statement) -> Result<(), StoreError> {
        self.write(move |db| Box::pin(run(db, statement))).await
    }

    /// The knowledge-base articles: (slug, title, body).
    pub async fn kb_articles(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.all(sql::kb_articles(), |row| {
            Ok((row.text("slug")?, row.text("title")?, row.text("body")?))
        })
        .await
    }

    /// Adds or replaces a knowledge-base article.
    pub async fn put_kb_article(
        &self,
        slug: &str,
        title: &str,
        body: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.execute(sql::put_kb_article(slug, title, body, at))
            .await
    }

    /// Finishes queued writes and closes every connection.
    /// Marks `node` alive at `now`, forgets nodes not seen within `window`, and returns how
    /// many nodes serve this database now (this one included).
    pub async fn heartbeat(
        &self,
        node: &str,
        now: Timestamp,
        window: std::time::Duration,
    ) -> Result<u32, StoreError> {
        let node = node.to_owned();
        let cutoff = Timestamp(now.millis() - window.as_millis() as i64);
        self.write(move |db| {
            Box::pin(async move {
                run(db, sql::node_seen(&node, now)).await?;
                run(db, sql::forget_nodes_before(cutoff)).await?;
                let row = db.fetch_optional(sql::live_nodes()).await?;
                Ok(row
                    .map(|row| row.int("count"))
                    .transpose()?
                    .unwrap_or(1)
                    .max(1) as u32)
            })
        })
        .await
    }

    /// Forgets `node` (it is shutting down): the others take its share at once.
    pub async fn leave(&self, node: &str) -> Result<(), StoreError> {
        self.execute(sql::forget_node(node)).await
    }

    pub async fn close(&self) {
        self.0.close().await;
    }
}

/// Reads a broken uniqueness rule as [`StoreError::Duplicate`] of `what` ("An agent with
/// e-mail …"); any other outcome stays as it is.
fn duplicate_of(what: String, written: Result<(), DbError>) -> Result<(), DbError> {
    match written {
        Err(err) if err.is_unique_violation() => Err(StoreError::Duplicate(what).into()),
        other => other,
    }
}

/// What a canned reply whose shortcut is already on offer duplicates.
fn canned_shortcut(reply: &CannedReply) -> String {
    format!(
        "A canned reply {} in {}",
        reply.shortcut,
        reply.language.code()
    )
}

/// What a label whose name is taken duplicates.
fn label_named(label: &Label) -> String {
    format!("A label named {}", label.name)
}

/// Puts `add` on the conversation and takes `remove` off, against its labels and the team's
/// list as they are inside the transaction.
async fn relabel<D: Db>(
    db: &mut D,
    id: ConversationId,
    add: Vec<String>,
    remove: Vec<String>,
    by: AgentRef,
    at: Timestamp,
) -> Result<Relabelled, DbError> {
    let current = locked_conversation(db, id).await?;
    let team = db
        .fetch_all(sql::labels())
        .await?
        .iter()
        .map(label_from_row)
        .collect::<Result<Vec<Label>, DbError>>()?;
    let wanted: Vec<String> = current
        .labels
        .iter()
        .filter(|label| !remove.contains(label))
        .chain(add.iter().filter(|label| !remove.contains(label)))
        .cloned()
        .collect();
    let change = match Relabel::between(&current.labels, &wanted, &team) {
        Ok(Some(change)) => change,
        Ok(None) => return Ok(Relabelled::Unchanged(current)),
        Err(refusal) => return Ok(Relabelled::Refused(refusal)),
    };
    run(db, sql::unlabel_conversation(id)).await?;
    for label in &change.labels {
        run(db, sql::label_conversation(id, label)).await?;
    }
    let kind = EventKind::LabelsChanged {
        by,
        added: change.added,
        removed: change.removed,
    };
    match append_after(db, id, sql::next_event(id, at), vec![kind], at).await? {
        Some(committed) => Ok(Relabelled::Changed(committed)),
        None => Err(StoreError::NotFound.into()),
    }
}

/// The conversation as it is, its row held until the transaction ends on backends with
/// several writers; `NotFound` when there is none.
async fn locked_conversation<D: Db>(
    db: &mut D,
    id: ConversationId,
) -> Result<Conversation, DbError> {
    if D::LOCKS_ROWS
        && db
            .fetch_optional(sql::lock_conversation(id))
            .await?
            .is_none()
    {
        return Err(StoreError::NotFound.into());
    }
    load_conversation(db, id).await
}

/// Runs a statement whose count of changed rows does not matter.
async fn run<D: Db>(db: &mut D, statement: Statement) -> Result<(), DbError> {
    db.execute(statement).await.map(drop)
}

/// Runs an update of one row by id: `NotFound` when there is no such row.
async fn update_one<D: Db>(db: &mut D, statement: Statement) -> Result<(), DbError> {
    match db.execute(statement).await? {
        0 => Err(StoreError::NotFound.into()),
        _ => Ok(()),
    }
}

async fn load_conversation<D: Db>(db: &mut D, id: ConversationId) -> Result<Conversation, DbError> {
    let row = db.fetch_optional(sql::conversation(id)).await?;
    conversation_from_row(&row.ok_or(StoreError::NotFound)?)
}

/// Appends `kinds` numbered from `first_seq`; returns them as stored.
async fn insert_events<D: Db>(
    db: &mut D,
    id: ConversationId,
    first_seq: u64,
    kinds: Vec<EventKind>,
    sender: Option<&str>,
    client_id: Option<&str>,
    at: Timestamp,
) -> Result<Vec<Event>, DbError> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let rows = kinds
        .iter()
        .zip(first_seq..)
        .map(|(kind, seq)| {
            Ok(EventRow {
                seq,
                kind: kind_tag(kind),
                payload: serde_json::to_string(kind)?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    run(db, sql::insert_events(id, &rows, sender, client_id, at)).await?;
    // The webhook outbox, in the same transaction: an event is never stored unsent.
    let outbox: Vec<(u64, &'static str)> = kinds
        .iter()
        .zip(first_seq..)
        .map(|(kind, seq)| (seq, webhook::event_type(kind)))
        .collect();
    run(db, sql::enqueue_deliveries(id, &outbox, at)).await?;
    Ok(kinds
        .into_iter()
        .zip(first_seq..)
        .map(|(kind, seq)| Event {
            conversation_id: id,
            seq,
            at,
            kind,
        })
        .collect())
}

async fn append_message<D: Db>(
    db: &mut D,
    id: ConversationId,
    message: NewMessage,
    at: Timestamp,
) -> Result<Appended, DbError> {
    // Locked (or the only writer): the row stays as read until the commit.
    let current = locked_conversation(db, id).await?;
    let sender = sender_key(&message.author);
    let client_id = message.client_id.as_ref().map(|c| c.as_str().to_owned());
    if let Some(client_id) = &client_id {
        if let Some(row) = db
            .fetch_optional(sql::earlier_message(id, &sender, client_id))
            .await?
        {
            return Ok(Appended {
                event: event_from_row(id, &row)?,
                created: false,
                conversation: current,
            });
        }
    }
    if let Err(refusal) = current.mode.may_append(
        Writer::from(&message.author),
        current.version,
        message.decided_at,
    ) {
        return Err(StoreError::Refused {
            refusal,
            conversation: Box::new(current),
        }
        .into());
    }
    let seq = current.last_seq + 1;
    let kind = EventKind::Message {
        message: Message {
            id: MessageId::new(),
            author: message.author,
            body: message.body,
            client_id: client_id.clone(),
            attachment: message.file.as_ref().map(|file| file.attachment.clone()),
        },
    };
    let preview = preview_of_kinds(std::iter::once(&kind));
    run(
        db,
        sql::record_message(id, seq, preview.as_deref(), &sender, at),
    )
    .await?;
    let mut events = insert_events(
        db,
        id,
        seq,
        vec![kind],
        Some(&sender),
        client_id.as_deref(),
        at,
    )
    .await?;
    if let Some(file) = message.file {
        run(db, sql::insert_file(id, seq, file, at)).await?;
    }
    Ok(Appended {
        event: events.remove(0),
        created: true,
        // The row as `sql::record_message` left it.
        conversation: Conversation {
            last_seq: seq,
            preview: preview.or(current.preview.clone()),
            reply_due_since: match (current.mode, sender.as_str()) {
                (Mode::Human { .. }, "customer") => current.reply_due_since.or(Some(at)),
                (_, sender) if sender.starts_with("agent:") => None,
                _ => current.reply_due_since,
            },
            updated_at: at,
            ..current
        },
    })
}

async fn commit_transition<D: Db>(
    db: &mut D,
    id: ConversationId,
    expected_version: u64,
    patch: TransitionPatch,
    at: Timestamp,
) -> Result<CommittedTransition, DbError> {
    // The wait this change ends, if any (locked where several writers share the database,
    // so it is the wait the change ends).
    let wait = match db
        .fetch_optional(sql::current_wait(id, D::LOCKS_ROWS))
        .await?
    {
        Some(row) => row
            .opt_text("waiting_reason")?
            .zip(row.opt_int("waiting_since")?),
        None => return Err(StoreError::NotFound.into()),
    };
    // The conditional update is the lock: a concurrent change moves the version and this
    // one matches nothing; `last_seq` is allocated on the latest row.
    let changed = sql::change_mode(
        id,
        expected_version,
        patch.mode,
        patch.waiting,
        patch.brief.as_deref(),
        patch.brief_for_customer,
        patch.events.len(),
        preview_of_kinds(patch.events.iter()).as_deref(),
        at,
    );
    let Some(row) = db.fetch_optional(changed).await? else {
        let exists = db.fetch_optional(sql::conversation_exists(id)).await?;
        return Err(match exists {
            Some(_) => StoreError::VersionConflict,
            None => StoreError::NotFound,
        }
        .into());
    };
    let first = (row.int("last_seq")? as u64 + 1).saturating_sub(patch.events.len() as u64);
    let events = insert_events(db, id, first, patch.events, Some("system"), None, at).await?;
    if let Some((reason, since)) = wait {
        let outcome = match patch.mode {
            Mode::Human { .. } => Some("served"),
            Mode::Closed => Some("closed"),
            // Only a requeue puts a waiting conversation in AI mode (and it waits on).
            Mode::Ai => None,
        };
        if let Some(outcome) = outcome {
            let ended = sql::insert_wait(
                id,
                &reason,
                Timestamp(since),
                at,
                outcome,
                patch.mode.owner(),
            );
            run(db, ended).await?;
        }
    }
    if let Some(agent) = patch.mode.owner() {
        run(db, sql::note_assignment(agent, at)).await?;
    }
    if let Some(entry) = &patch.audit {
        run(db, sql::insert_audit(entry, at)).await?;
    }
    let conversation = load_conversation(db, id).await?;
    Ok(CommittedTransition {
        conversation,
        events,
    })
}

/// Runs `update` (a conditional update of the conversation that allocates `kinds.len()`
/// sequence numbers and returns the new `last_seq`), then appends `kinds` as Baton's. `None`
/// when the update matched nothing.
async fn append_after<D: Db>(
    db: &mut D,
    id: ConversationId,
    update: Statement,
    kinds: Vec<EventKind>,
    at: Timestamp,
) -> Result<Option<CommittedTransition>, DbError> {
    let Some(row) = db.fetch_optional(update).await? else {
        return Ok(None);
    };
    let first = (row.int("last_seq")? as u64 + 1).saturating_sub(kinds.len() as u64);
    let events = insert_events(db, id, first, kinds, Some("system"), None, at).await?;
    let conversation = load_conversation(db, id).await?;
    Ok(Some(CommittedTransition {
        conversation,
        events,
    }))
}

async fn mark_waiting<D: Db>(
    db: &mut D,
    id: ConversationId,
    kinds: Vec<EventKind>,
    reason: EscalationReason,
    at: Timestamp,
) -> Result<Option<CommittedTransition>, DbError> {
    let preview = preview_of_kinds(kinds.iter());
    let marked = sql::mark_waiting(id, reason, kinds.len(), preview.as_deref(), at);
    append_after(db, id, marked, kinds, at).await
}

async fn leave_contact<D: Db>(
    db: &mut D,
    id: ConversationId,
    email: String,
    kinds: Vec<EventKind>,
    at: Timestamp,
) -> Result<CommittedTransition, DbError> {
    let preview = preview_of_kinds(kinds.iter());
    let left = sql::leave_contact(id, &email, kinds.len(), preview.as_deref(), at);
    match append_after(db, id, left, kinds, at).await? {
        Some(committed) => Ok(committed),
        None => {
            let conversation = load_conversation(db, id).await?;
            Err(StoreError::Refused {
                refusal: app::domain::Refusal::Closed,
                conversation: Box::new(conversation),
            }
            .into())
        }
    }
}

/// The webhook dispatcher's side of the store (see [`crate::webhooks`]).
#[async_trait]
impl<S: Shell> crate::webhooks::Outbox for SqlStore<S> {
    async fn claim(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.write(move |db| {
            Box::pin(async move {
                db.fetch_all(sql::claim_deliveries(now, until, limit))
                    .await?
                    .iter()
                    .map(delivery_from_row)
                    .collect()
            })
        })
        .await
    }

    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        let due = self
            .first(sql::next_delivery_due(), |row| row.opt_int("due"))
            .await?;
        Ok(due.flatten().map(Timestamp))
    }

    async fn endpoint(&self, id: &str) -> Result<Option<(WebhookEndpoint, Keys)>, StoreError> {
        self.first(sql::endpoint(id), endpoint_from_row).await
    }

    async fn event(&self, id: &str, seq: u64) -> Result<Option<(Timestamp, String)>, StoreError> {
        self.first(sql::event_at(id, seq), |row| {
            Ok((Timestamp(row.int("at")?), row.text("payload")?))
        })
        .await
    }

    async fn finish(
        &self,
        delivery: &Delivery,
        attempt: app::domain::webhook::Attempt,
        status: DeliveryStatus,
        next_attempt_at: Option<Timestamp>,
        gone: Option<String>,
    ) -> Result<(), StoreError> {
        let (id, endpoint) = (delivery.id.clone(), delivery.endpoint_id.clone());
        self.write(move |db| {
            Box::pin(async move {
                run(
                    db,
                    sql::insert_attempt(
                        &id,
                        attempt.at,
                        attempt.status,
                        attempt.latency_ms,
                        &attempt.response,
                    ),
                )
                .await?;
                run(db, sql::finish_attempt(&id, status, next_attempt_at)).await?;
                if let Some(reason) = gone {
                    run(db, sql::disable_endpoint(&endpoint, &reason)).await?;
                    run(db, sql::fail_pending_deliveries(&endpoint)).await?;
                }
                Ok(())
            })
        })
        .await
    }
}

/// `[from, ∞)` cut in `count` slices: `[from, to)` in equal parts, the last one reaching on
/// past `to` (conversations of the range active after it).
fn analytics_slices(
    from: Timestamp,
    to: Timestamp,
    count: usize,
) -> impl Iterator<Item = (Timestamp, Timestamp)> {
    let count = i64::try_from(count.max(1)).unwrap_or(1);
    let step = (to.0 - from.0).div_euclid(count).max(1);
    (0..count).map(move |i| {
        let last_to = if i + 1 == count {
            i64::MAX
        } else {
            from.0 + (i + 1) * step
        };
        (Timestamp(from.0 + i * step), Timestamp(last_to))
    })
}

#[async_trait]
impl<S: Shell> Store for SqlStore<S> {
    async fn create_conversation(
        &self,
        new: NewConversation,
        at: Timestamp,
    ) -> Result<Conversation, StoreError> {
        self.write(move |db| {
            Box::pin(async move {
                let mut kinds = vec![EventKind::Started {
                    customer_name: new.customer_name.to_string(),
                }];
                if let Some(customer) = &new.verified {
                    kinds.push(EventKind::CustomerVerified {
                        customer_name: new.customer_name.to_string(),
                        customer: customer.clone(),
                    });
                }
                run(db, sql::insert_conversation(&new, kinds.len(), at)).await?;
                insert_events(db, new.id, 1, kinds, None, None, at).await?;
                load_conversation(db, new.id).await
            })
        })
        .await
    }

    async fn conversation(&self, id: ConversationId) -> Result<Conversation, StoreError> {
        self.one(sql::conversation(id), conversation_from_row).await
    }

    async fn visitor_of(&self, id: ConversationId) -> Result<String, StoreError> {
        self.one(sql::origin(id), move |row| {
            Ok(row
                .opt_text("visitor_id")?
                .unwrap_or_else(|| id.to_string()))
        })
        .await
    }

    async fn contact(&self, id: ConversationId) -> Result<Contact, StoreError> {
        self.read(move |db| {
            Box::pin(async move {
                let conversation = load_conversation(db, id).await?;
                let origin = db
                    .fetch_optional(sql::origin(id))
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let visitor = origin.opt_text("visitor_id")?;
                let customer = conversation.verified.as_ref().map(|c| c.id.as_str());
                let earlier = db
                    .fetch_all(sql::earlier_conversations(id, visitor.as_deref(), customer))
                    .await?
                    .iter()
                    .map(earlier_from_row)
                    .collect::<Result<Vec<_>, DbError>>()?;
                let first_seen = earlier
                    .iter()
                    .map(|e| e.started_at)
                    .fold(conversation.created_at, Ord::min);
                Ok(Contact {
                    conversation_id: id,
                    name: conversation.customer_name,
                    email: conversation.contact_email,
                    verified: conversation.verified,
                    locale: conversation.locale,
                    device: origin.opt_text("customer_device")?,
                    page: origin.opt_text("customer_page")?,
                    first_seen,
                    earlier,
                })
            })
        })
        .await
    }

    async fn stale_logs(
        &self,
        since: Timestamp,
        after: Option<ConversationId>,
        limit: u32,
    ) -> Result<Vec<StaleLog>, StoreError> {
        let after = after.map(|id| id.to_string()).unwrap_or_default();
        let rows = self
            .all(sql::stale_logs(since, &after, limit), |row| {
                Ok((row.int("last_seq")? as u64, any_event_from_row(row)?))
            })
            .await?;
        let mut logs: Vec<StaleLog> = Vec::new();
        for (last_seq, event) in rows {
            match logs.last_mut() {
                Some(log) if log.conversation_id == event.conversation_id => log.events.push(event),
                _ => logs.push(StaleLog {
                    conversation_id: event.conversation_id,
                    last_seq,
                    events: vec![event],
                }),
            }
        }
        Ok(logs)
    }

    async fn save_facts(&self, folded: Vec<FoldedFacts>) -> Result<(), StoreError> {
        let statements = folded
            .iter()
            .map(|folded| {
                let json = serde_json::to_string(&folded.facts)
                    .map_err(|err| StoreError::Backend(err.to_string()))?;
                Ok(sql::save_facts(
                    folded.conversation_id,
                    folded.folded_seq,
                    folded.facts.span(),
                    &json,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.write(move |db| {
            Box::pin(async move {
                for statement in statements {
                    db.execute(statement).await?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn analytics_facts(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(ConversationId, Facts)>, StoreError> {
        // A long range holds a hundred thousand conversations: its facts are read in slices
        // by their last moment, on as many connections at once, each parsed as it arrives, so
        // every core reads and parses.
        let slices = 2 * std::thread::available_parallelism().map_or(1, usize::from);
        let reads = analytics_slices(from, to, slices).map(|(last_from, last_to)| async move {
            let rows = self
                .all(sql::analytics_facts(last_from, last_to, to), |row| {
                    row.text("lines")
                })
                .await?;
            tokio::task::spawn_blocking(move || facts_from_lines(&rows))
                .await
                .map_err(|err| StoreError::Backend(err.to_string()))?
                .map_err(StoreError::from)
        });
        let sliced = futures::future::try_join_all(reads).await?;
        Ok(sliced.into_iter().flatten().collect())
    }

    async fn insert_rating(&self, rating: Rating) -> Result<bool, StoreError> {
        self.write(move |db| {
            Box::pin(async move { Ok(db.execute(sql::insert_rating(&rating)).await? > 0) })
        })
        .await
    }

    async fn ratings(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Rating>, StoreError> {
        self.all(sql::ratings(from, to), rating_from_row).await
    }

    async fn customer_token_hashes(&self, id: ConversationId) -> Result<Vec<String>, StoreError> {
        let hashes = self
            .all(sql::customer_token_hashes(id), |row| row.text("token_hash"))
            .await?;
        if hashes.is_empty() {
            return Err(StoreError::NotFound);
        }
        Ok(hashes)
    }

    async fn open_conversation_of(
        &self,
        customer_id: &str,
    ) -> Result<Option<ConversationId>, StoreError> {
        self.first(
            sql::open_conversation_of(customer_id),
            conversation_id_from_row,
        )
        .await
    }

    async fn add_customer_key(
        &self,
        id: ConversationId,
        token_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.execute(sql::insert_customer_key(id, token_hash, at))
            .await
    }

    async fn verify_customer(
        &self,
        id: ConversationId,
        customer_name: DisplayName,
        customer: VerifiedCustomer,
        at: Timestamp,
    ) -> Result<Option<CommittedTransition>, StoreError> {
        self.write(move |db| {
            Box::pin(async move {
                let update = sql::verify_customer(id, customer_name.as_str(), &customer, at);
                let kinds = vec![EventKind::CustomerVerified {
                    customer_name: customer_name.to_string(),
                    customer,
                }];
                append_after(db, id, update, kinds, at).await
            })
        })
        .await
    }

    async fn set_locale(
        &self,
        id: ConversationId,
        locale: Locale,
        at: Timestamp,
    ) -> Result<Option<CommittedTransition>, StoreError> {
        self.write(move |db| {
            Box::pin(async move {
                let update = sql::set_locale(id, locale, at);
                let kinds = vec![EventKind::LanguageChanged { locale }];
                append_after(db, id, update, kinds, at).await
            })
        })
        .await
    }

    async fn add_note(
        &self,
        id: ConversationId,
        note: EventKind,
        at: Timestamp,
    ) -> Result<Option<CommittedTransition>, StoreError> {
        self.write(move |db| {
            Box::pin(
                async move { append_after(db, id, sql::next_event(id, at), vec![note], at).await },
            )
        })
        .await
    }

    async fn relabel(
        &self,
        id: ConversationId,
        add: Vec<String>,
        remove: Vec<String>,
        by: AgentRef,
        at: Timestamp,
    ) -> Result<Relabelled, StoreError> {
        self.write(move |db| Box::pin(relabel(db, id, add, remove, by, at)))
            .await
    }

    async fn set_priority(
        &self,
        id: ConversationId,
        priority: Priority,
        kind: EventKind,
        at: Timestamp,
    ) -> Result<Option<CommittedTransition>, StoreError> {
        self.write(move |db| {
            Box::pin(async move {
                let update = sql::set_priority(id, priority, at);
                append_after(db, id, update, vec![kind], at).await
            })
        })
        .await
    }

    async fn list_conversations(
        &self,
        filter: ListFilter,
        viewer: AgentId,
        tags: &TagFilter,
        search: &SearchQuery,
        after: Option<ListCursor>,
        limit: u32,
    ) -> Result<Vec<Conversation>, StoreError> {
        let engine = <S::Reader as Db>::SEARCH;
        let statement = sql::list_conversations(filter, viewer, tags, search, after, limit, engine);
        self.all(statement, conversation_from_row).await
    }

    async fn count_conversations(
        &self,
        filters: &[ListFilter],
        viewer: AgentId,
    ) -> Result<Vec<u64>, StoreError> {
        let count = filters.len();
        let row = self
            .one(sql::count_conversations(filters, viewer), move |row| {
                (0..count)
                    .map(|at| Ok(u64::try_from(row.int(&format!("n{at}"))?).unwrap_or(0)))
                    .collect::<Result<Vec<u64>, DbError>>()
            })
            .await?;
        Ok(row)
    }

    async fn events(
        &self,
        id: ConversationId,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        self.all(sql::events(id, after_seq, limit), move |row| {
            event_from_row(id, row)
        })
        .await
    }

    async fn append_message(
        &self,
        id: ConversationId,
        message: NewMessage,
        at: Timestamp,
    ) -> Result<Appended, StoreError> {
        self.write(move |db| Box::pin(append_message(db, id, message, at)))
            .await
    }

    async fn file(
        &self,
        id: AttachmentId,
    ) -> Result<Option<(ConversationId, StoredFile)>, StoreError> {
        self.first(sql::file(id), file_from_row).await
    }

    async fn commit_transition(
        &self,
        id: ConversationId,
        expected_version: u64,
        patch: TransitionPatch,
        at: Timestamp,
    ) -> Result<CommittedTransition, StoreError> {
        self.write(move |db| Box::pin(commit_transition(db, id, expected_version, patch, at)))
            .await
    }

    async fn queue(&self) -> Result<Vec<Queued>, StoreError> {
        self.all(sql::queue(), |row| {
            let id = row.text("id")?;
            Ok(Queued {
                conversation_id: ConversationId::parse(&id).map_err(|_| DbError::Corrupt {
                    what: "conversation id",
                    value: id,
                })?,
                since: Timestamp(row.int("waiting_since")?),
            })
        })
        .await
    }

    async fn recent_waits(&self, since: Timestamp, limit: u32) -> Result<Vec<i64>, StoreError> {
        self.all(sql::recent_waits(since, limit), |row| row.int("waited"))
            .await
    }

    async fn replies_overdue(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<Conversation>, StoreError> {
        self.all(sql::replies_overdue(before, limit), conversation_from_row)
            .await
    }

    async fn owned_by(&self, agent: AgentId) -> Result<Vec<Conversation>, StoreError> {
        self.all(sql::owned_by(agent), conversation_from_row).await
    }

    async fn leave_contact(
        &self,
        id: ConversationId,
        email: Email,
        notice: MessageBody,
        at: Timestamp,
    ) -> Result<CommittedTransition, StoreError> {
        let email = email.as_str().to_owned();
        let kinds = vec![
            EventKind::ContactLeft {
                email: email.clone(),
            },
            EventKind::notice(notice),
        ];
        self.write(move |db| Box::pin(leave_contact(db, id, email, kinds, at)))
            .await
    }

    async fn mark_waiting(
        &self,
        id: ConversationId,
        reason: EscalationReason,
        detail: Option<String>,
        summary: Option<String>,
        notice: MessageBody,
        at: Timestamp,
    ) -> Result<Option<CommittedTransition>, StoreError> {
        let kinds = vec![
            EventKind::WaitingForHuman {
                reason,
                detail,
                summary,
            },
            EventKind::notice(notice),
        ];
        self.write(move |db| Box::pin(mark_waiting(db, id, kinds, reason, at)))
            .await
    }

    async fn create_agent(
        &self,
        agent: &Agent,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let statement = sql::insert_agent(agent, password_hash, at);
        let what = format!("An agent with e-mail {}", agent.email);
        self.write(move |db| Box::pin(async move { duplicate_of(what, run(db, statement).await) }))
            .await
    }

    async fn agent_credentials(
        &self,
        email: &Email,
    ) -> Result<Option<(Agent, String)>, StoreError> {
        self.first(sql::agent_credentials(email.as_str()), |row| {
            Ok((agent_from_row(row)?, row.text("password_hash")?))
        })
        .await
    }

    async fn agent(&self, id: AgentId) -> Result<Agent, StoreError> {
        self.one(sql::agent(id), agent_from_row).await
    }

    async fn agents(&self) -> Result<Vec<AgentOverview>, StoreError> {
        self.all(sql::agents(), |row| {
            Ok(AgentOverview {
                agent: agent_from_row(row)?,
                open_conversations: row.int("open_conversations")?.max(0) as u32,
                connected: false,
                last_assigned_at: row.opt_int("last_assigned_at")?.map(Timestamp),
            })
        })
        .await
    }

    async fn set_availability(
        &self,
        id: AgentId,
        status: Availability,
    ) -> Result<Agent, StoreError> {
        self.write(move |db| {
            Box::pin(async move { update_one(db, sql::set_availability(id, status)).await })
        })
        .await?;
        self.agent(id).await
    }

    async fn agent_count(&self) -> Result<u64, StoreError> {
        let count = self.one(sql::agent_count(), |row| row.int("count")).await?;
        Ok(count.max(0) as u64)
    }

    /// A read; and while writes are failing, a write that leaves nothing behind (a row
    /// added and removed in one transaction), so recovery shows without waiting for traffic.
    async fn check(&self) -> Result<(), StoreError> {
        self.agent_count().await?;
        if self.0.writes_failing() {
            self.write(|db| {
                Box::pin(async move {
                    run(db, sql::node_seen("health-probe", Timestamp(0))).await?;
                    run(db, sql::forget_node("health-probe")).await
                })
            })
            .await?;
        }
        Ok(())
    }

    async fn disable_agent(&self, id: AgentId) -> Result<(), StoreError> {
        self.write(move |db| {
            Box::pin(async move {
                update_one(db, sql::disable_agent(id)).await?;
                run(db, sql::end_sessions(id)).await
            })
        })
        .await
    }

    async fn canned_replies(&self) -> Result<Vec<CannedReply>, StoreError> {
        self.all(sql::canned_replies(), canned_from_row).await
    }

    async fn create_canned(&self, reply: &CannedReply) -> Result<(), StoreError> {
        let statement = sql::insert_canned(reply);
        let what = canned_shortcut(reply);
        self.write(move |db| Box::pin(async move { duplicate_of(what, run(db, statement).await) }))
            .await
    }

    async fn update_canned(&self, reply: &CannedReply) -> Result<(), StoreError> {
        let statement = sql::update_canned(reply);
        let what = canned_shortcut(reply);
        self.write(move |db| {
            Box::pin(async move { duplicate_of(what, update_one(db, statement).await) })
        })
        .await
    }

    async fn retire_canned(&self, id: &str, at: Timestamp) -> Result<CannedReply, StoreError> {
        let id = id.to_owned();
        self.write(move |db| {
            Box::pin(async move {
                update_one(db, sql::retire_canned(&id, at)).await?;
                let row = db.fetch_optional(sql::canned_reply(&id)).await?;
                canned_from_row(&row.ok_or(StoreError::NotFound)?)
            })
        })
        .await
    }

    async fn labels(&self) -> Result<Vec<Label>, StoreError> {
        self.all(sql::labels(), label_from_row).await
    }

    async fn create_label(&self, label: &Label) -> Result<(), StoreError> {
        let statement = sql::insert_label(label, &label.key(), label.updated_at);
        let what = label_named(label);
        self.write(move |db| Box::pin(async move { duplicate_of(what, run(db, statement).await) }))
            .await
    }

    async fn update_label(&self, label: &Label) -> Result<(), StoreError> {
        let statement = sql::update_label(label, &label.key());
        let what = label_named(label);
        self.write(move |db| {
            Box::pin(async move { duplicate_of(what, update_one(db, statement).await) })
        })
        .await
    }

    async fn delete_label(&self, id: &str) -> Result<Label, StoreError> {
        let id = id.to_owned();
        self.write(move |db| {
            Box::pin(async move {
                let row = db.fetch_optional(sql::label(&id)).await?;
                let label = label_from_row(&row.ok_or(StoreError::NotFound)?)?;
                run(db, sql::unlabel_everywhere(&id)).await?;
                update_one(db, sql::delete_label(&id)).await?;
                Ok(label)
            })
        })
        .await
    }

    async fn create_webhook(
        &self,
        endpoint: &WebhookEndpoint,
        secret: &str,
    ) -> Result<(), StoreError> {
        self.execute(sql::insert_endpoint(endpoint, secret)).await
    }

    async fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        self.all(sql::endpoints(), |row| Ok(endpoint_from_row(row)?.0))
            .await
    }

    async fn webhook(&self, id: &str) -> Result<Option<WebhookEndpoint>, StoreError> {
        self.first(sql::endpoint(id), |row| Ok(endpoint_from_row(row)?.0))
            .await
    }

    async fn update_webhook(&self, endpoint: &WebhookEndpoint) -> Result<(), StoreError> {
        let endpoint = endpoint.clone();
        self.write(move |db| {
            Box::pin(async move {
                update_one(db, sql::update_endpoint(&endpoint)).await?;
                if !endpoint.enabled {
                    // A disabled endpoint gets nothing more, what was waiting included.
                    run(db, sql::fail_pending_deliveries(&endpoint.id)).await?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn rotate_webhook(
        &self,
        id: &str,
        secret: &str,
        previous_until: Timestamp,
    ) -> Result<WebhookEndpoint, StoreError> {
        let (id, secret) = (id.to_owned(), secret.to_owned());
        self.write(move |db| {
            Box::pin(async move {
                update_one(db, sql::rotate_endpoint(&id, &secret, previous_until)).await?;
                let row = db.fetch_optional(sql::endpoint(&id)).await?;
                Ok(endpoint_from_row(&row.ok_or(StoreError::NotFound)?)?.0)
            })
        })
        .await
    }

    async fn delete_webhook(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.write(move |db| Box::pin(update_one(db, sql::delete_endpoint(&id))))
            .await
    }

    async fn webhook_deliveries(
        &self,
        endpoint: &str,
        limit: u32,
    ) -> Result<Vec<DeliveryLog>, StoreError> {
        let endpoint = endpoint.to_owned();
        self.read(move |db| {
            Box::pin(async move {
                let mut attempts: std::collections::HashMap<String, Vec<_>> =
                    std::collections::HashMap::new();
                for row in db.fetch_all(sql::attempts(&endpoint, limit)).await? {
                    let (delivery, attempt) = attempt_from_row(&row)?;
                    attempts.entry(delivery).or_default().push(attempt);
                }
                db.fetch_all(sql::deliveries(&endpoint, limit))
                    .await?
                    .iter()
                    .map(|row| {
                        let delivery = delivery_from_row(row)?;
                        let attempts = attempts.remove(&delivery.id).unwrap_or_default();
                        Ok(DeliveryLog { delivery, attempts })
                    })
                    .collect()
            })
        })
        .await
    }

    async fn replay_delivery(&self, id: &str, at: Timestamp) -> Result<Delivery, StoreError> {
        let id = id.to_owned();
        self.write(move |db| {
            Box::pin(async move {
                update_one(db, sql::replay_delivery(&id, at)).await?;
                let row = db.fetch_optional(sql::delivery(&id)).await?;
                delivery_from_row(&row.ok_or(StoreError::NotFound)?)
            })
        })
        .await
    }

    async fn set_password(&self, id: AgentId, password_hash: &str) -> Result<(), StoreError> {
        let statement = sql::set_password(id, password_hash);
        self.write(move |db| {
            Box::pin(async move {
                update_one(db, statement).await?;
                run(db, sql::end_sessions(id)).await
            })
        })
        .await
    }

    async fn append_audit(&self, entry: NewAudit, at: Timestamp) -> Result<(), StoreError> {
        self.execute(sql::insert_audit(&entry, at)).await
    }

    async fn audit_log(
        &self,
        conversation: Option<ConversationId>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.all(sql::audit_log(conversation, limit), audit_from_row)
            .await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        agent: AgentId,
        created_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        self.execute(sql::insert_session(
            token_hash, agent, created_at, expires_at,
        ))
        .await
    }

    async fn session_agent(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Agent>, StoreError> {
        self.first(sql::session_agent(token_hash, now), agent_from_row)
            .await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.execute(sql::delete_session(token_hash)).await
    }

    async fn purge(&self, retention: Retention) -> Result<Purged, StoreError> {
        self.write(move |db| {
            Box::pin(async move {
                let sessions = db
                    .execute(sql::purge_expired_sessions(retention.now))
                    .await?;
                let old = db
                    .execute(sql::purge_refused_sign_ins_before(retention.refused_since))
                    .await?;
                let over = db
                    .execute(sql::purge_refused_sign_ins_beyond(retention.refused_kept))
                    .await?;
                run(db, sql::purge_attempts_before(retention.deliveries_since)).await?;
                let webhook_deliveries = db
                    .execute(sql::purge_deliveries_before(retention.deliveries_since))
                    .await?;
                Ok(Purged {
                    sessions,
                    refused_sign_ins: old + over,
                    webhook_deliveries,
                })
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use app::backend::Store;
    use app::domain::{DisplayName, Email, Mode, Role};

    use super::*;

    async fn agent(store: &dyn Store, name: &str) -> AgentId {
        let agent = Agent {
            id: AgentId::new(),
            email: Email::parse(&format!("{name}@baton.dev")).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            role: Role::Agent,
            status: Availability::Online,
            max_chats: 5,
        };
        store
            .create_agent(&agent, "hash", Timestamp(0))
            .await
            .unwrap();
        agent.id
    }

    /// A conversation last active at `at`, then put in `mode` (and waiting, if asked).
    async fn conversation(store: &dyn Store, at: i64, mode: Mode, waiting: bool) {
        let new = NewConversation {
            id: ConversationId::new(),
            customer_name: DisplayName::parse("Sari").unwrap(),
            token_hash: "hash".into(),
            verified: None,
            locale: Default::default(),
            origin: Default::default(),
        };
        let id = store
            .create_conversation(new, Timestamp(at))
            .await
            .unwrap()
            .id;
        if waiting {
            let notice = MessageBody::parse("A person will join").unwrap();
            let reason = EscalationReason::CustomerAsked;
            store
                .mark_waiting(id, reason, None, None, notice, Timestamp(at))
                .await
                .unwrap();
        }
        if mode != Mode::Ai {
            let patch = TransitionPatch {
                mode,
                brief: None,
                brief_for_customer: false,
                waiting: None,
                events: Vec::new(),
                audit: None,
            };
            let version = store.conversation(id).await.unwrap().version;
            store
                .commit_transition(id, version, patch, Timestamp(at))
                .await
                .unwrap();
        }
    }

    /// The list statement selects what [`Conversation::matches`] selects, in the order of
    /// [`Conversation::list_order`]: the filter and the order are the domain's.
    async fn the_list_is_the_domains_filter_and_order(store: &dyn Store) {
        let me = agent(store, "ana").await;
        let other = agent(store, "budi").await;
        for (at, mode, waiting) in [
            (10, Mode::Ai, false),
            (20, Mode::Ai, true),
            (30, Mode::Human { agent: me }, false),
            (40, Mode::Human { agent: other }, false),
            (50, Mode::Closed, false),
            (60, Mode::Ai, true),
            (70, Mode::Ai, false),
        ] {
            conversation(store, at, mode, waiting).await;
        }
        let (everyone, untagged) = (SearchQuery::default(), TagFilter::default());
        let list = |filter, after, limit| {
            store.list_conversations(filter, me, &untagged, &everyone, after, limit)
        };
        let mut everything = Vec::new();
        for filter in [ListFilter::All, ListFilter::Closed] {
            everything.extend(list(filter, None, 100).await.unwrap());
        }
        assert_eq!(everything.len(), 7);
        for filter in ListFilter::ALL {
            let mut expected: Vec<_> = everything
                .iter()
                .filter(|c| c.matches(filter, me))
                .cloned()
                .collect();
            expected.sort_by(Conversation::list_order);
            let listed = list(filter, None, 100).await.unwrap();
            assert_eq!(listed, expected, "{filter:?}");
            // Two at a time, each page after the last one's cursor: the same list.
            let mut paged = Vec::new();
            loop {
                let after = paged.last().map(ListCursor::of);
                let page = list(filter, after, 2).await.unwrap();
                if page.is_empty() {
                    break;
                }
                paged.extend(page);
            }
            assert_eq!(paged, expected, "{filter:?}, in pages");
        }
    }

    /// The analytics facts: a conversation without facts, or with facts behind its log, is
    /// stale until its facts are saved; facts from further along a log are never replaced by
    /// older ones; a range reads each conversation whose span meets it, once.
    /// (The API suite checks the figures on both backends: `analytics::…`.)
    #[tokio::test]
    async fn on_sqlite_analytics_facts_follow_the_logs() {
        use app::domain::analytics::Facts;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("facts.db").display());
        let store = super::super::sqlite::SqliteStore::open(&url).await.unwrap();
        const DAY: i64 = 86_400_000;
        for day in 0..3 {
            conversation(&store, DAY + day * DAY, Mode::Ai, day == 1).await;
        }
        let all = Timestamp(i64::MIN);
        let first = store.stale_logs(all, None, 2).await.unwrap();
        let rest = store
            .stale_logs(all, Some(first[1].conversation_id), 2)
            .await
            .unwrap();
        assert_eq!(
            (first.len(), rest.len()),
            (2, 1),
            "two, then the one after them"
        );
        let logs: Vec<StaleLog> = first.into_iter().chain(rest).collect();
        let waited = logs.iter().find(|log| log.last_seq > 1).unwrap();
        assert_eq!(waited.last_seq, 3, "started, waiting, Baton's notice");
        assert_eq!(waited.events.len(), 2, "Baton's own message left out");
        let fold = |log: &StaleLog, folded_seq| FoldedFacts {
            conversation_id: log.conversation_id,
            folded_seq,
            facts: Facts::of(&log.events),
        };
        store
            .save_facts(logs.iter().map(|log| fold(log, log.last_seq)).collect())
            .await
            .unwrap();
        assert!(store.stale_logs(all, None, 10).await.unwrap().is_empty());
        // A node that folded less (or earlier) does not undo it.
        let behind = FoldedFacts {
            facts: Facts::default(),
            ..fold(waited, 1)
        };
        store.save_facts(vec![behind]).await.unwrap();
        let read = |from: i64, to: i64| {
            let store = &store;
            async move {
                let mut read = store
                    .analytics_facts(Timestamp(from), Timestamp(to))
                    .await
                    .unwrap();
                read.sort_by_key(|(id, _)| *id);
                read
            }
        };
        let everything = read(0, 10 * DAY).await;
        assert_eq!(everything.len(), 3, "each once");
        let kept = everything
            .iter()
            .find(|(id, _)| *id == waited.conversation_id)
            .unwrap();
        assert_eq!(kept.1, Facts::of(&waited.events));
        assert_eq!(read(2 * DAY, 3 * DAY).await.len(), 1, "the second day's");
        assert!(read(5 * DAY, 6 * DAY).await.is_empty());
        // A change makes it stale again.
        conversation(&store, 4 * DAY, Mode::Ai, false).await;
        assert_eq!(store.stale_logs(all, None, 10).await.unwrap().len(), 1);
    }

    /// (On PostgreSQL the API suite lists every filter: `handoff::the_list_filters_…`.)
    #[tokio::test]
    async fn on_sqlite_the_list_is_the_domains_filter_and_order() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("list.db").display());
        let store = super::super::sqlite::SqliteStore::open(&url).await.unwrap();
        the_list_is_the_domains_filter_and_order(&store).await;
    }
}
