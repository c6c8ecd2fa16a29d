//! The PostgreSQL store: a pool of connections shared by many writers (and, with several
//! nodes, many processes). Every write that allocates sequence numbers either locks the
//! conversation row first (`SELECT … FOR UPDATE`) or is itself a conditional `UPDATE` of that
//! row, so sequence numbers stay gap-free and every guard is checked against the latest state.

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
    preview_of, sender_key, Columns, AGENT_COLUMNS, CONVERSATION_COLUMNS,
};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::{ConnectOptions, Connection, Row};

/// The pool opens at most this many connections.
const CONNECTIONS: u32 = 16;

/// Baton's data in one PostgreSQL database (or one schema of it).
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://…`) and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(backend)?;
        Self::connect(options).await
    }

    /// Connects to the database at `url` with every connection working in `schema`, which
    /// is created if missing, and migrates that schema. Tests use it for a fresh schema each.
    pub async fn open_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        check_schema_name(schema)?;
        let options = PgConnectOptions::from_str(url).map_err(backend)?;
        let mut conn = options.connect().await.map_err(backend)?;
        sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
            .execute(&mut conn)
            .await
            .map_err(backend)?;
        conn.close().await.map_err(backend)?;
        // Quoted like the schema itself, so the name is taken exactly as given.
        let options = options.options([("search_path", format!("\"{schema}\""))]);
        Self::connect(options).await
    }

    /// Opens the pool and runs the migrations.
    async fn connect(options: PgConnectOptions) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(backend)?;
        sqlx::migrate!("../migrations/postgres")
            .run(&pool)
            .await
            .map_err(backend)?;
        Ok(Self { pool })
    }

    /// The knowledge-base articles: (slug, title, body).
    pub async fn kb_articles(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows = sqlx::query("SELECT slug, title, body FROM kb_articles ORDER BY slug")
            .fetch_all(&self.pool)
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
        sqlx::query(
            "INSERT INTO kb_articles (slug, title, body, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (slug) DO UPDATE SET title = excluded.title, body = excluded.body,
             updated_at = excluded.updated_at",
        )
        .bind(slug)
        .bind(title)
        .bind(body)
        .bind(at.millis())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    /// Sends a small hint on `channel` to every node that `LISTEN`s on it. Only a hint: a
    /// failure is logged, and listeners catch up from the store by `seq`.
    pub async fn notify(&self, channel: &str, payload: &str) {
        let result = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.pool)
            .await;
        if let Err(err) = result {
            tracing::warn!(%err, %payload, "could not notify other nodes");
        }
    }

    /// The pool (for the listener's own connection options).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// For each conversation with events at or after `since`: its id and the first such seq.
    pub async fn events_since(
        &self,
        since: Timestamp,
    ) -> Result<Vec<(ConversationId, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT conversation_id, MIN(seq) AS first FROM events WHERE at >= $1
             GROUP BY conversation_id",
        )
        .bind(since.millis())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("conversation_id").map_err(backend)?;
                let first: i64 = row.try_get("first").map_err(backend)?;
                let id = ConversationId::parse(&id).map_err(backend)?;
                Ok((id, first as u64))
            })
            .collect()
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Refuses schema names that could not be quoted safely in SQL and in the connection's
/// `search_path` option.
fn check_schema_name(schema: &str) -> Result<(), StoreError> {
    let valid = !schema.is_empty()
        && schema.len() <= 63
        && !schema
            .chars()
            .any(|c| c == '"' || c == '\\' || c == '\0' || c.is_whitespace() || c.is_control());
    if valid {
        Ok(())
    } else {
        Err(StoreError::Backend(format!(
            "invalid schema name {schema:?}"
        )))
    }
}

fn get<'r, T>(row: &'r PgRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(column).map_err(backend)
}

/// Locks the conversation's row until the end of the transaction; false if there is none.
async fn lock_conversation(
    conn: &mut PgConnection,
    id: ConversationId,
) -> Result<bool, StoreError> {
    let locked: Option<String> =
        sqlx::query_scalar("SELECT id FROM conversations WHERE id = $1 FOR UPDATE")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await
            .map_err(backend)?;
    Ok(locked.is_some())
}

async fn load_conversation(
    conn: &mut PgConnection,
    id: ConversationId,
) -> Result<Conversation, StoreError> {
    let row = sqlx::query(&format!("SELECT {CONVERSATION_COLUMNS} WHERE c.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound)?;
    conversation_from_row(&row)
}

/// Appends `events` numbered from `first_seq`; returns them as stored.
async fn insert_events(
    conn: &mut PgConnection,
    id: ConversationId,
    first_seq: u64,
    kinds: Vec<EventKind>,
    sender: Option<&str>,
    client_id: Option<&str>,
    at: Timestamp,
) -> Result<Vec<Event>, StoreError> {
    let mut events = Vec::with_capacity(kinds.len());
    for (offset, kind) in kinds.into_iter().enumerate() {
        let seq = first_seq + offset as u64;
        let payload = serde_json::to_string(&kind).map_err(backend)?;
        let tag = kind_tag(&kind);
        sqlx::query(
            "INSERT INTO events (conversation_id, seq, at, kind, payload, sender, client_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.to_string())
        .bind(seq as i64)
        .bind(at.millis())
        .bind(tag)
        .bind(payload)
        .bind(sender)
        .bind(client_id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
        events.push(Event {
            conversation_id: id,
            seq,
            at,
            kind,
        });
    }
    Ok(events)
}

/// Appends an audit-log entry (inside the caller's transaction, if any).
async fn insert_audit(
    conn: &mut PgConnection,
    entry: NewAudit,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, conversation_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
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
async fn end_sessions(conn: &mut PgConnection, agent: AgentId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
        .bind(agent.to_string())
        .execute(conn)
        .await
        .map_err(backend)?;
    Ok(())
}

impl Columns for PgRow {
    fn text(&self, column: &str) -> Result<String, StoreError> {
        self.try_get(column).map_err(backend)
    }

    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.try_get(column).map_err(backend)
    }

    fn int(&self, column: &str) -> Result<i64, StoreError> {
        self.try_get::<i64, _>(column)
            .or_else(|_| self.try_get::<i32, _>(column).map(i64::from))
            .map_err(backend)
    }

    fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.try_get(column).map_err(backend)
    }
}

#[async_trait]
impl Store for PgStore {
    async fn create_conversation(
        &self,
        new: NewConversation,
        at: Timestamp,
    ) -> Result<Conversation, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query(
            "INSERT INTO conversations (id, customer_name, token_hash, mode, mode_since,
             last_seq, created_at, updated_at) VALUES ($1, $2, $3, 'ai', $4, 1, $5, $6)",
        )
        .bind(new.id.to_string())
        .bind(new.customer_name.as_str())
        .bind(&new.token_hash)
        .bind(at.millis())
        .bind(at.millis())
        .bind(at.millis())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let started = EventKind::Started {
            customer_name: new.customer_name.to_string(),
        };
        insert_events(&mut tx, new.id, 1, vec![started], None, None, at).await?;
        let conversation = load_conversation(&mut tx, new.id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(conversation)
    }

    async fn conversation(&self, id: ConversationId) -> Result<Conversation, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        load_conversation(&mut conn, id).await
    }

    async fn customer_token_hash(&self, id: ConversationId) -> Result<String, StoreError> {
        let hash: Option<String> =
            sqlx::query_scalar("SELECT token_hash FROM conversations WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        hash.ok_or(StoreError::NotFound)
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
            ListFilter::Mine => "c.mode = 'human' AND c.owner_id = $1",
            ListFilter::Others => "c.mode = 'human' AND c.owner_id != $1",
            ListFilter::Closed => "c.mode = 'closed'",
        };
        // Waiting conversations first, longest-waiting on top; then latest activity.
        // (`$1` is always mentioned: PostgreSQL wants every bound parameter used.)
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} WHERE {condition} AND $1::TEXT IS NOT NULL
             ORDER BY c.waiting_since IS NULL, c.waiting_since, c.updated_at DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(viewer.to_string())
            .bind(limit as i64)
            .fetch_all(&self.pool)
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
            "SELECT seq, at, payload FROM events WHERE conversation_id = $1 AND seq > $2
             ORDER BY seq LIMIT $3",
        )
        .bind(id.to_string())
        .bind(after_seq.min(i64::MAX as u64) as i64)
        .bind(limit as i64)
        .fetch_all(&self.pool)
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
        let sender = sender_key(&message.author);
        let client_id = message.client_id.as_ref().map(|c| c.as_str().to_owned());
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // Many writers: hold the row so the guard, the repeat check and the next seq all see
        // the same, latest state until the commit.
        if !lock_conversation(&mut tx, id).await? {
            tx.rollback().await.map_err(backend)?;
            return Err(StoreError::NotFound);
        }
        let current = load_conversation(&mut tx, id).await?;

        if let Some(client_id) = &client_id {
            let earlier = sqlx::query(
                "SELECT seq, at, payload FROM events
                 WHERE conversation_id = $1 AND sender = $2 AND client_id = $3",
            )
            .bind(id.to_string())
            .bind(&sender)
            .bind(client_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            if let Some(row) = earlier {
                let event = event_from_row(id, &row)?;
                tx.rollback().await.map_err(backend)?;
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
            tx.rollback().await.map_err(backend)?;
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
            &mut tx,
            id,
            seq,
            vec![kind],
            Some(&sender),
            client_id.as_deref(),
            at,
        )
        .await?;
        sqlx::query(
            "UPDATE conversations SET last_seq = $1, preview = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(seq as i64)
        .bind(preview_of(&events))
        .bind(at.millis())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let conversation = load_conversation(&mut tx, id).await?;
        tx.commit().await.map_err(backend)?;
        let event = events
            .into_iter()
            .next()
            .ok_or_else(|| backend("no event"))?;
        Ok(Appended {
            event,
            created: true,
            conversation,
        })
    }

    async fn commit_transition(
        &self,
        id: ConversationId,
        expected_version: u64,
        patch: TransitionPatch,
        at: Timestamp,
    ) -> Result<CommittedTransition, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let count = patch.events.len() as i64;
        // The conditional update locks the row; a concurrent writer's update makes it match
        // nothing (the version moved), and `last_seq` is read from the latest row.
        let new_last: Option<i64> = sqlx::query_scalar(
            "UPDATE conversations SET mode = $1, owner_id = $2, mode_since = $3,
               waiting_reason = NULL, waiting_since = NULL, brief = $4,
               version = version + 1, last_seq = last_seq + $5, updated_at = $6
             WHERE id = $7 AND version = $8 RETURNING last_seq",
        )
        .bind(patch.mode.tag())
        .bind(patch.mode.owner().map(|owner| owner.to_string()))
        .bind(at.millis())
        .bind(&patch.brief)
        .bind(count)
        .bind(at.millis())
        .bind(id.to_string())
        .bind(expected_version.min(i64::MAX as u64) as i64)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(new_last) = new_last else {
            let exists: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM conversations WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            tx.rollback().await.map_err(backend)?;
            return Err(match exists {
                Some(_) => StoreError::VersionConflict,
                None => StoreError::NotFound,
            });
        };
        let first = (new_last - count + 1) as u64;
        let events =
            insert_events(&mut tx, id, first, patch.events, Some("system"), None, at).await?;
        if let Some(preview) = preview_of(&events) {
            sqlx::query("UPDATE conversations SET preview = $1 WHERE id = $2")
                .bind(preview)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        if let Some(entry) = patch.audit {
            insert_audit(&mut tx, entry, at).await?;
        }
        let conversation = load_conversation(&mut tx, id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(CommittedTransition {
            conversation,
            events,
        })
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
        let mut tx = self.pool.begin().await.map_err(backend)?;
        if !lock_conversation(&mut tx, id).await? {
            tx.rollback().await.map_err(backend)?;
            return Ok(None);
        }
        // Allocates the next two seqs (the escalation and the notice) if it still applies.
        let new_last: Option<i64> = sqlx::query_scalar(
            "UPDATE conversations SET waiting_reason = $1, waiting_since = $2,
               last_seq = last_seq + 2, updated_at = $3
             WHERE id = $4 AND mode = 'ai' AND waiting_reason IS NULL RETURNING last_seq",
        )
        .bind(reason.as_str())
        .bind(at.millis())
        .bind(at.millis())
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(new_last) = new_last else {
            tx.rollback().await.map_err(backend)?;
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
        let events = insert_events(&mut tx, id, first, kinds, Some("system"), None, at).await?;
        sqlx::query("UPDATE conversations SET preview = $1 WHERE id = $2")
            .bind(preview_of(&events))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let conversation = load_conversation(&mut tx, id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(Some(CommittedTransition {
            conversation,
            events,
        }))
    }

    async fn create_agent(
        &self,
        agent: &Agent,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO agents (id, email, display_name, password_hash, role, status,
             max_chats, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(agent.id.to_string())
        .bind(agent.email.as_str())
        .bind(agent.display_name.as_str())
        .bind(password_hash)
        .bind(agent.role.as_str())
        .bind(agent.status.as_str())
        .bind(agent.max_chats.min(i32::MAX as u32) as i32)
        .bind(at.millis())
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(err)) if err.is_unique_violation() => Err(
                StoreError::Duplicate(format!("An agent with e-mail {}", agent.email)),
            ),
            Err(err) => Err(backend(err)),
        }
    }

    async fn agent_credentials(
        &self,
        email: &Email,
    ) -> Result<Option<(Agent, String)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {AGENT_COLUMNS}, a.password_hash FROM agents a
             WHERE a.email = $1 AND NOT a.disabled"
        ))
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(|row| Ok((agent_from_row(&row)?, get(&row, "password_hash")?)))
            .transpose()
    }

    async fn agent(&self, id: AgentId) -> Result<Agent, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {AGENT_COLUMNS} FROM agents a WHERE a.id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
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
             FROM agents a WHERE NOT a.disabled ORDER BY a.display_name"
        ))
        .fetch_all(&self.pool)
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
        let done = sqlx::query("UPDATE agents SET status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.agent(id).await
    }

    async fn agent_count(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agents")
            .fetch_one(&self.pool)
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
        sqlx::query(
            "INSERT INTO sessions (token_hash, agent_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(agent.to_string())
        .bind(created_at.millis())
        .bind(expires_at.millis())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn session_agent(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Agent>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {AGENT_COLUMNS} FROM sessions s JOIN agents a ON a.id = s.agent_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT a.disabled"
        ))
        .bind(token_hash)
        .bind(now.millis())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(agent_from_row).transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn disable_agent(&self, id: AgentId) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let done =
            sqlx::query("UPDATE agents SET disabled = TRUE, status = 'offline' WHERE id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        end_sessions(&mut tx, id).await?;
        tx.commit().await.map_err(backend)
    }

    async fn set_password(&self, id: AgentId, password_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let done = sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        end_sessions(&mut tx, id).await?;
        tx.commit().await.map_err(backend)
    }

    async fn append_audit(&self, entry: NewAudit, at: Timestamp) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        insert_audit(&mut conn, entry, at).await
    }

    async fn audit_log(
        &self,
        conversation: Option<ConversationId>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor_id, actor_name, action, conversation_id, detail FROM audit_log
             WHERE ($1 IS NULL OR conversation_id = $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(conversation.map(|id| id.to_string()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(audit_from_row).collect()
    }
}
