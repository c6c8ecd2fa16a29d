//! The PostgreSQL shell: a pool of connections shared by many writers (and, with several
//! nodes, many processes). Each write is one pooled transaction. A write that reads before it
//! writes locks the conversation's row first (`SELECT … FOR UPDATE`); the others are a
//! conditional `UPDATE` of that row. Either way sequence numbers stay gap-free and every rule
//! is checked against the latest state. Beyond the port: `NOTIFY` hints to other nodes and
//! the catch-up query of their listeners.

use std::str::FromStr;

use app::backend::StoreError;
use app::domain::{ConversationId, Timestamp};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::{ConnectOptions, Connection};

use super::engine::{Db, Job, Shell, SqlStore};
use super::rows::Columns;
use super::{sql, DbError, ACQUIRE_TIMEOUT};

/// Baton's data in one PostgreSQL database (or one schema of it).
pub type PgStore = SqlStore<Postgres>;

/// PostgreSQL's transaction shell: the pool.
#[derive(Clone)]
pub struct Postgres {
    pool: PgPool,
    /// The `application_name` of this node's pooled connections.
    name: std::sync::Arc<str>,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://…`) and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(DbError::from)?;
        Ok(SqlStore(Postgres::connect(options).await?))
    }

    /// Connects to the database at `url` with every connection working in `schema`, which
    /// is created if missing, and migrates that schema. Tests use it for a fresh schema each.
    pub async fn open_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        Ok(SqlStore(Postgres::connect_in_schema(url, schema).await?))
    }

    /// Creates `schema` in the database at `url` if missing and returns a URL whose
    /// connections work in it, for a Baton process of its own (the tests' and the bench's
    /// servers, a fresh schema each).
    pub async fn url_in_schema(url: &str, schema: &str) -> Result<String, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(DbError::from)?;
        create_schema(&options, schema).await?;
        let separator = if url.contains('?') { '&' } else { '?' };
        Ok(format!(
            "{url}{separator}options=-c%20search_path%3D{schema}"
        ))
    }

    /// The `application_name` of this node's pooled connections (`baton-<id>`), as
    /// `pg_stat_activity` shows it.
    pub fn connection_name(&self) -> &str {
        &self.0.name
    }

    /// Sends a small hint on `channel` to every node that `LISTEN`s on it. Only a hint: a
    /// failure is logged, and listeners catch up from the store by `seq`.
    pub async fn notify(&self, channel: &str, payload: &str) {
        let result = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.0.pool)
            .await;
        if let Err(err) = result {
            tracing::warn!(%err, %payload, "could not notify other nodes");
        }
    }

    /// The pool (for the listener's own connection options).
    pub fn pool(&self) -> &PgPool {
        &self.0.pool
    }

    /// For each conversation with events at or after `since`: its id and the first such seq.
    pub async fn events_since(
        &self,
        since: Timestamp,
    ) -> Result<Vec<(ConversationId, u64)>, StoreError> {
        self.all(sql::events_since(since), |row| {
            let id = row.text("conversation_id")?;
            let id = ConversationId::parse(&id).map_err(|_| DbError::Corrupt {
                what: "conversation id",
                value: id,
            })?;
            Ok((id, row.int("first")?.max(0) as u64))
        })
        .await
    }
}

impl Postgres {
    async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, DbError> {
        let options = PgConnectOptions::from_str(url)?;
        create_schema(&options, schema).await?;
        // Quoted like the schema itself, so the name is taken exactly as given.
        let options = options.options([("search_path", format!("\"{schema}\""))]);
        Self::connect(options).await
    }

    /// Opens the pool and runs the migrations.
    async fn connect(options: PgConnectOptions) -> Result<Self, DbError> {
        let name = format!("baton-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let options = options.application_name(&name);
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        super::migrate::postgres(&mut *pool.acquire().await?).await?;
        Ok(Self {
            pool,
            name: name.into(),
        })
    }
}

/// Refuses schema names that could not be quoted safely in SQL and in the connection's
/// `search_path` option.
/// Creates `schema` (a checked name) in the database `options` reach, if missing.
async fn create_schema(options: &PgConnectOptions, schema: &str) -> Result<(), DbError> {
    check_schema_name(schema)?;
    let mut conn = options.connect().await?;
    sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

fn check_schema_name(schema: &str) -> Result<(), DbError> {
    let valid = !schema.is_empty()
        && schema.len() <= 63
        && !schema
            .chars()
            .any(|c| c == '"' || c == '\\' || c == '\0' || c.is_whitespace() || c.is_control());
    if valid {
        Ok(())
    } else {
        Err(DbError::Config(format!("invalid schema name {schema:?}")))
    }
}

/// The pool opens at most this many connections.
const CONNECTIONS: u32 = 16;

/// Binds a statement's arguments in order.
fn bound(
    statement: &sql::Statement,
) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
    statement
        .params
        .iter()
        .fold(sqlx::query(&statement.sql), |query, param| match param {
            sql::Param::Text(value) => query.bind(value.as_deref()),
            sql::Param::Int(value) => query.bind(*value),
            sql::Param::Bytes(value) => query.bind(value.as_slice()),
        })
}

impl Db for PgConnection {
    type Row = PgRow;
    const LOCKS_ROWS: bool = true;
    const SEARCH: sql::SearchEngine = sql::SearchEngine::Tsvector;

    async fn execute(&mut self, statement: sql::Statement) -> Result<u64, DbError> {
        Ok(bound(&statement).execute(self).await?.rows_affected())
    }

    async fn fetch_optional(
        &mut self,
        statement: sql::Statement,
    ) -> Result<Option<PgRow>, DbError> {
        Ok(bound(&statement).fetch_optional(self).await?)
    }

    async fn fetch_all(&mut self, statement: sql::Statement) -> Result<Vec<PgRow>, DbError> {
        Ok(bound(&statement).fetch_all(self).await?)
    }
}

impl Columns for PgRow {
    fn text(&self, column: &str) -> Result<String, DbError> {
        Ok(sqlx::Row::try_get(self, column)?)
    }

    fn opt_text(&self, column: &str) -> Result<Option<String>, DbError> {
        Ok(sqlx::Row::try_get(self, column)?)
    }

    fn bytes(&self, column: &str) -> Result<Vec<u8>, DbError> {
        Ok(sqlx::Row::try_get(self, column)?)
    }

    /// 64-bit integers, or 32-bit ones (PostgreSQL's `INTEGER` columns) widened.
    fn int(&self, column: &str) -> Result<i64, DbError> {
        Ok(sqlx::Row::try_get::<i64, _>(self, column)
            .or_else(|_| sqlx::Row::try_get::<i32, _>(self, column).map(i64::from))?)
    }

    fn opt_int(&self, column: &str) -> Result<Option<i64>, DbError> {
        Ok(
            sqlx::Row::try_get::<Option<i64>, _>(self, column).or_else(|_| {
                sqlx::Row::try_get::<Option<i32>, _>(self, column).map(|v| v.map(i64::from))
            })?,
        )
    }
}

impl Shell for Postgres {
    type Reader = PgConnection;
    type Writer = PgConnection;

    async fn read<T: Send + 'static>(&self, job: Job<PgConnection, T>) -> Result<T, DbError> {
        let mut connection = self.pool.acquire().await?;
        job(&mut connection).await
    }

    /// Commits when `job` succeeds; dropping the transaction otherwise rolls it back.
    async fn write<T: Send + 'static>(&self, job: Job<PgConnection, T>) -> Result<T, DbError> {
        let mut tx = self.pool.begin().await?;
        let out = job(&mut tx).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_that_cannot_be_quoted_are_refused() {
        for bad in ["", "a\"b", "a b", "a\\b", &"x".repeat(64)] {
            assert!(check_schema_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_schema_name("bt_0123abcd").is_ok());
    }
}
