//! The SQLite store: WAL mode, one writer connection (so commits are serialized and every
//! conditional update sees the latest state) and a pool of readers that never block it.
//! Writes are group-committed (see [`super::group_commit`]): concurrent writes share one
//! transaction and one fsync, each in its own savepoint.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use app::backend::{
    Appended, CommittedTransition, NewAudit, NewConversation, NewMessage, Store, StoreError,
    TransitionPatch,
};
use app::domain::{
    Agent, AgentId, AgentOverview, AuditEntry, Author, Availability, Conversation, ConversationId,
    Email, EscalationReason, Event, EventKind, ListFilter, Message, MessageBody, MessageId,
    Timestamp,
};
use async_trait::async_trait;

use super::rows::{
    agent_from_row, audit_from_row, backend, conversation_from_row, event_from_row, kind_tag,
    preview_of, preview_of_kinds, sender_key, Columns, AGENT_COLUMNS, CONVERSATION_COLUMNS,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Connection, Row, SqliteConnection, SqlitePool};

use super::group_commit::Writer;

/// Readers open at most this many connections.
const READERS: u32 = 8;

/// Baton's data in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    writer: Writer,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path`) and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before the caller hears of it.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = Path::new(options.get_filename()).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(backend)?;
            }
        }
        let mut connection = SqliteConnection::connect_with(&options)
            .await
            .map_err(backend)?;
        sqlx::migrate!("../migrations/sqlite")
            .run(&mut connection)
            .await
            .map_err(backend)?;
        let writer = Writer::start(connection);
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .acquire_timeout(Duration::from_secs(30))
            // A local file cannot drop the connection: no round trip to test it first.
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await
            .map_err(backend)?;
        Ok(Self { writer, reader })
    }

    /// The knowledge-base articles: (slug, title, body).
    pub async fn kb_articles(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows = sqlx::query("SELECT slug, title, body FROM kb_articles ORDER BY slug")
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|row| Ok((get(row, "slug")?, get(row, "title")?, get(row, "body")?)))
            .collect()
    }

    /// Adds or replaces a knowledge-base article.
    pub async fn put_kb_article(
        &self,
        slug: &str,
        title: &str,
        body: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let (slug, title, body) = (slug.to_owned(), title.to_owned(), body.to_owned());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO kb_articles (slug, title, body, updated_at) VALUES (?, ?, ?, ?)
                         ON CONFLICT (slug) DO UPDATE SET title = excluded.title,
                         body = excluded.body, updated_at = excluded.updated_at",
                    )
                    .bind(slug)
                    .bind(title)
                    .bind(body)
                    .bind(at.millis())
                    .execute(conn)
                    .await
                    .map_err(backend)?;
                    Ok(())
                })
            })
            .await
    }

    /// Finishes queued writes and closes every connection.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column).map_err(backend)
}

async fn load_conversation(
    conn: &mut SqliteConnection,
    id: ConversationId,
) -> Result<Conversation, StoreError> {
    let row = sqlx::query(&format!("SELECT {CONVERSATION_COLUMNS} WHERE c.id = ?"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound)?;
    conversation_from_row(&row)
}

/// Appends `events` numbered from `first_seq` in one statement; returns them as stored.
async fn insert_events(
    conn: &mut SqliteConnection,
    id: ConversationId,
    first_seq: u64,
    kinds: Vec<EventKind>,
    sender: Option<&str>,
    client_id: Option<&str>,
    at: Timestamp,
) -> Result<Vec<Event>, StoreError> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let rows = vec!["(?, ?, ?, ?, ?, ?, ?)"; kinds.len()].join(", ");
    let sql = format!(
        "INSERT INTO events (conversation_id, seq, at, kind, payload, sender, client_id)
         VALUES {rows}"
    );
    let mut insert = sqlx::query(&sql);
    let mut events = Vec::with_capacity(kinds.len());
    for (offset, kind) in kinds.into_iter().enumerate() {
        let seq = first_seq + offset as u64;
        let payload = serde_json::to_string(&kind).map_err(backend)?;
        insert = insert
            .bind(id.to_string())
            .bind(seq as i64)
            .bind(at.millis())
            .bind(kind_tag(&kind))
            .bind(payload)
            .bind(sender)
            .bind(client_id);
        events.push(Event {
            conversation_id: id,
            seq,
            at,
            kind,
        });
    }
    insert.execute(&mut *conn).await.map_err(backend)?;
    Ok(events)
}

/// Appends an audit-log entry (inside the caller's transaction, if any).
async fn insert_audit(
    conn: &mut SqliteConnection,
    entry: NewAudit,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, conversation_id, detail)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(at.millis())
    .bind(entry.actor.as_ref().map(|a| a.id.to_string()))
    .bind(
        entry
            .actor
            .as_ref()
            .map_or(String::new(), |a| a.name.clone()),
    )
    .bind(entry.action.as_str())
    .bind(entry.conversation_id.map(|id| id.to_string()))
    .bind(entry.detail)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

/// Ends every session of `agent` (inside the caller's transaction).
async fn end_sessions(conn: &mut SqliteConnection, agent: AgentId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE agent_id = ?")
        .bind(agent.to_string())
        .execute(conn)
        .await
        .map_err(backend)?;
    Ok(())
}

impl Columns for SqliteRow {
    fn text(&self, column: &str) -> Result<String, StoreError> {
        self.try_get(column).map_err(backend)
    }

    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.try_get(column).map_err(backend)
    }

    fn int(&self, column: &str) -> Result<i64, StoreError> {
        self.try_get(column).map_err(backend)
    }

    fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.try_get(column).map_err(backend)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_conversation(
        &self,
        new: NewConversation,
        at: Timestamp,
    ) -> Result<Conversation, StoreError> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                    "INSERT INTO conversations (id, customer_name, token_hash, mode, mode_since,
                     last_seq, created_at, updated_at) VALUES (?, ?, ?, 'ai', ?, 1, ?, ?)",
                )
                .bind(new.id.to_string())
                .bind(new.customer_name.as_str())
                .bind(&new.token_hash)
                .bind(at.millis())
                .bind(at.millis())
                .bind(at.millis())
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
                    let started = EventKind::Started {
                        customer_name: new.customer_name.to_string(),
                    };
                    insert_events(&mut *conn, new.id, 1, vec![started], None, None, at).await?;
                    let conversation = load_conversation(&mut *conn, new.id).await?;
                    Ok(conversation)
                })
            })
            .await
    }

    async fn conversation(&self, id: ConversationId) -> Result<Conversation, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(backend)?;
        load_conversation(&mut conn, id).await
    }

    async fn customer_token_hash(&self, id: ConversationId) -> Result<String, StoreError> {
        sqlx::query_scalar("SELECT token_hash FROM conversations WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound)
    }

    async fn list_conversations(
        &self,
        filter: ListFilter,
        viewer: AgentId,
        limit: u32,
    ) -> Result<Vec<Conversation>, StoreError> {
        let condition = match filter {
            ListFilter::All => "c.mode != 'closed'",
            ListFilter::Ai => "c.mode = 'ai'",
            ListFilter::Waiting => "c.mode = 'ai' AND c.waiting_reason IS NOT NULL",
            ListFilter::Mine => "c.mode = 'human' AND c.owner_id = ?1",
            ListFilter::Others => "c.mode = 'human' AND c.owner_id != ?1",
            ListFilter::Closed => "c.mode = 'closed'",
        };
        // Waiting conversations first, longest-waiting on top; then latest activity.
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} WHERE {condition} AND ?1 IS NOT NULL
             ORDER BY c.waiting_since IS NULL, c.waiting_since, c.updated_at DESC LIMIT ?2"
        );
        let rows = sqlx::query(&sql)
            .bind(viewer.to_string())
            .bind(limit as i64)
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        rows.iter().map(conversation_from_row).collect()
    }

    async fn events(
        &self,
        id: ConversationId,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, payload FROM events WHERE conversation_id = ? AND seq > ?
             ORDER BY seq LIMIT ?",
        )
        .bind(id.to_string())
        .bind(after_seq.min(i64::MAX as u64) as i64)
        .bind(limit as i64)
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        rows.iter().map(|row| event_from_row(id, row)).collect()
    }

    async fn append_message(
        &self,
        id: ConversationId,
        message: NewMessage,
        at: Timestamp,
    ) -> Result<Appended, StoreError> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                let sender = sender_key(&message.author);
                let client_id = message.client_id.as_ref().map(|c| c.as_str().to_owned());
                let current = load_conversation(&mut *conn, id).await?;

                if let Some(client_id) = &client_id {
                    let earlier = sqlx::query(
                        "SELECT seq, at, payload FROM events
                         WHERE conversation_id = ? AND sender = ? AND client_id = ?",
                    )
                    .bind(id.to_string())
                    .bind(&sender)
                    .bind(client_id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(backend)?;
                    if let Some(row) = earlier {
                        let event = event_from_row(id, &row)?;
                        return Ok(Appended {
                            event,
                            created: false,
                            conversation: current,
                        });
                    }
                }
                if let Err(refusal) = current.mode.may_append(
                    app::domain::Writer::from(&message.author),
                    current.version,
                    message.decided_at,
                ) {
                    return Err(StoreError::Refused {
                        refusal,
                        conversation: Box::new(current),
                    });
                }

                let seq = current.last_seq + 1;
                let kind = EventKind::Message {
                    message: Message {
                        id: MessageId::new(),
                        author: message.author,
                        body: message.body,
                        client_id: client_id.clone(),
                    },
                };
                let events = insert_events(
                    &mut *conn,
                    id,
                    seq,
                    vec![kind],
                    Some(&sender),
                    client_id.as_deref(),
                    at,
                )
                .await?;
                let preview = preview_of(&events);
                sqlx::query(
                    "UPDATE conversations SET last_seq = ?, preview = ?, updated_at = ? WHERE id = ?",
                )
                .bind(seq as i64)
                .bind(&preview)
                .bind(at.millis())
                .bind(id.to_string())
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
                // This task is the only writer: the row is what was read, plus this update.
                let conversation = Conversation {
                    last_seq: seq,
                    preview,
                    updated_at: at,
                    ..current
                };
                let event = events
                    .into_iter()
                    .next()
                    .ok_or_else(|| backend("no event"))?;
                Ok(Appended {
                    event,
                    created: true,
                    conversation,
                })
                })
            })
            .await
    }

    async fn commit_transition(
        &self,
        id: ConversationId,
        expected_version: u64,
        patch: TransitionPatch,
        at: Timestamp,
    ) -> Result<CommittedTransition, StoreError> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let count = patch.events.len() as i64;
                    let new_last: Option<i64> = sqlx::query_scalar(
                        "UPDATE conversations SET mode = ?, owner_id = ?, mode_since = ?,
                       waiting_reason = NULL, waiting_since = NULL, brief = ?,
                       version = version + 1, last_seq = last_seq + ?, updated_at = ?,
                       preview = COALESCE(?, preview)
                     WHERE id = ? AND version = ? RETURNING last_seq",
                    )
                    .bind(patch.mode.tag())
                    .bind(patch.mode.owner().map(|owner| owner.to_string()))
                    .bind(at.millis())
                    .bind(&patch.brief)
                    .bind(count)
                    .bind(at.millis())
                    .bind(preview_of_kinds(patch.events.iter()))
                    .bind(id.to_string())
                    .bind(expected_version as i64)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(backend)?;
                    let Some(new_last) = new_last else {
                        let exists: Option<i64> =
                            sqlx::query_scalar("SELECT 1 FROM conversations WHERE id = ?")
                                .bind(id.to_string())
                                .fetch_optional(&mut *conn)
                                .await
                                .map_err(backend)?;
                        return Err(match exists {
                            Some(_) => StoreError::VersionConflict,
                            None => StoreError::NotFound,
                        });
                    };
                    let first = (new_last - count + 1) as u64;
                    let events = insert_events(
                        &mut *conn,
                        id,
                        first,
                        patch.events,
                        Some("system"),
                        None,
                        at,
                    )
                    .await?;
                    if let Some(entry) = patch.audit {
                        insert_audit(&mut *conn, entry, at).await?;
                    }
                    let conversation = load_conversation(&mut *conn, id).await?;
                    Ok(CommittedTransition {
                        conversation,
                        events,
                    })
                })
            })
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
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let new_last: Option<i64> = sqlx::query_scalar(
                        "UPDATE conversations SET waiting_reason = ?, waiting_since = ?,
                       last_seq = last_seq + 2, updated_at = ?
                     WHERE id = ? AND mode = 'ai' AND waiting_reason IS NULL RETURNING last_seq",
                    )
                    .bind(reason.as_str())
                    .bind(at.millis())
                    .bind(at.millis())
                    .bind(id.to_string())
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(backend)?;
                    let Some(new_last) = new_last else {
                        return Ok(None);
                    };
                    let kinds = vec![
                        EventKind::WaitingForHuman {
                            reason,
                            detail,
                            summary,
                        },
                        EventKind::Message {
                            message: Message {
                                id: MessageId::new(),
                                author: Author::System,
                                body: notice,
                                client_id: None,
                            },
                        },
                    ];
                    let first = new_last as u64 - 1;
                    let events =
                        insert_events(&mut *conn, id, first, kinds, Some("system"), None, at)
                            .await?;
                    sqlx::query("UPDATE conversations SET preview = ? WHERE id = ?")
                        .bind(preview_of(&events))
                        .bind(id.to_string())
                        .execute(&mut *conn)
                        .await
                        .map_err(backend)?;
                    let conversation = load_conversation(&mut *conn, id).await?;
                    Ok(Some(CommittedTransition {
                        conversation,
                        events,
                    }))
                })
            })
            .await
    }

    async fn create_agent(
        &self,
        agent: &Agent,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let (agent, password_hash) = (agent.clone(), password_hash.to_owned());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let result = sqlx::query(
                        "INSERT INTO agents (id, email, display_name, password_hash, role,
                         status, max_chats, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(agent.id.to_string())
                    .bind(agent.email.as_str())
                    .bind(agent.display_name.as_str())
                    .bind(password_hash)
                    .bind(agent.role.as_str())
                    .bind(agent.status.as_str())
                    .bind(agent.max_chats as i64)
                    .bind(at.millis())
                    .execute(conn)
                    .await;
                    match result {
                        Ok(_) => Ok(()),
                        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => Err(
                            StoreError::Duplicate(format!("An agent with e-mail {}", agent.email)),
                        ),
                        Err(err) => Err(backend(err)),
                    }
                })
            })
            .await
    }

    async fn agent_credentials(
        &self,
        email: &Email,
    ) -> Result<Option<(Agent, String)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {AGENT_COLUMNS}, a.password_hash FROM agents a
             WHERE a.email = ? AND a.disabled = 0"
        ))
        .bind(email.as_str())
        .fetch_optional(&self.reader)
        .await
        .map_err(backend)?;
        row.map(|row| Ok((agent_from_row(&row)?, get(&row, "password_hash")?)))
            .transpose()
    }

    async fn agent(&self, id: AgentId) -> Result<Agent, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {AGENT_COLUMNS} FROM agents a WHERE a.id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.reader)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound)?;
        agent_from_row(&row)
    }

    async fn agents(&self) -> Result<Vec<AgentOverview>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {AGENT_COLUMNS},
               (SELECT COUNT(*) FROM conversations c
                 WHERE c.owner_id = a.id AND c.mode = 'human') AS open_conversations
             FROM agents a WHERE a.disabled = 0 ORDER BY a.display_name"
        ))
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                Ok(AgentOverview {
                    agent: agent_from_row(row)?,
                    open_conversations: get::<i64>(row, "open_conversations")? as u32,
                    connected: false,
                })
            })
            .collect()
    }

    async fn set_availability(
        &self,
        id: AgentId,
        status: Availability,
    ) -> Result<Agent, StoreError> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE agents SET status = ? WHERE id = ?")
                        .bind(status.as_str())
                        .bind(id.to_string())
                        .execute(conn)
                        .await
                        .map_err(backend)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                })
            })
            .await?;
        self.agent(id).await
    }

    async fn agent_count(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agents")
            .fetch_one(&self.reader)
            .await
            .map_err(backend)?;
        Ok(count as u64)
    }

    async fn create_session(
        &self,
        token_hash: &str,
        agent: AgentId,
        created_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let token_hash = token_hash.to_owned();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, agent_id, created_at, expires_at)
                         VALUES (?, ?, ?, ?)",
                    )
                    .bind(token_hash)
                    .bind(agent.to_string())
                    .bind(created_at.millis())
                    .bind(expires_at.millis())
                    .execute(conn)
                    .await
                    .map_err(backend)?;
                    Ok(())
                })
            })
            .await
    }

    async fn session_agent(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Agent>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {AGENT_COLUMNS} FROM sessions s JOIN agents a ON a.id = s.agent_id
             WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled = 0"
        ))
        .bind(token_hash)
        .bind(now.millis())
        .fetch_optional(&self.reader)
        .await
        .map_err(backend)?;
        row.as_ref().map(agent_from_row).transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let token_hash = token_hash.to_owned();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
                        .bind(token_hash)
                        .execute(conn)
                        .await
                        .map_err(backend)?;
                    Ok(())
                })
            })
            .await
    }

    async fn disable_agent(&self, id: AgentId) -> Result<(), StoreError> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE agents SET disabled = 1, status = 'offline' WHERE id = ?",
                    )
                    .bind(id.to_string())
                    .execute(&mut *conn)
                    .await
                    .map_err(backend)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    end_sessions(&mut *conn, id).await?;
                    Ok(())
                })
            })
            .await
    }

    async fn set_password(&self, id: AgentId, password_hash: &str) -> Result<(), StoreError> {
        let password_hash = password_hash.to_owned();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE agents SET password_hash = ? WHERE id = ?")
                        .bind(password_hash)
                        .bind(id.to_string())
                        .execute(&mut *conn)
                        .await
                        .map_err(backend)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    end_sessions(&mut *conn, id).await?;
                    Ok(())
                })
            })
            .await
    }

    async fn append_audit(&self, entry: NewAudit, at: Timestamp) -> Result<(), StoreError> {
        self.writer
            .run(move |conn| Box::pin(insert_audit(conn, entry, at)))
            .await
    }

    async fn audit_log(
        &self,
        conversation: Option<ConversationId>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor_id, actor_name, action, conversation_id, detail FROM audit_log
             WHERE (?1 IS NULL OR conversation_id = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .bind(conversation.map(|id| id.to_string()))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        rows.iter().map(audit_from_row).collect()
    }
}
