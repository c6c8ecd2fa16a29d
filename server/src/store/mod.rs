//! Storage behind the [`app::backend::Store`] port, on SQLite or PostgreSQL as `DATABASE_URL`
//! says.
//!
//! ## Layout
//! Both backends share everything but their transaction shells: [`sql`] holds every
//! statement, [`engine`] every sequence of statements (the [`Store`] implementation),
//! [`rows`] the reading of rows. [`sqlite`] and [`postgres`] only open their databases and
//! say how a read gets a connection and how a write becomes one transaction.

use std::sync::Arc;

use app::backend::{Store, StoreError};
use app::domain::Timestamp;

/// The store written once for both backends, over each backend's transaction shell.
pub mod engine;
/// One SQLite writer thread that commits concurrent writes together.
mod group_commit;
/// Schema migrations, embedded and applied at start.
mod migrate;
/// PostgreSQL: several nodes on one database.
pub mod postgres;
/// Reading rows into domain values.
pub mod rows;
/// Every SQL statement, once for both backends.
pub mod sql;
/// SQLite: the embedded default.
pub mod sqlite;
/// SQLite connections that run statements without a thread hand-off.
mod sqlite_connection;
/// SQLite's reader threads, each with a read-only connection.
mod sqlite_readers;

/// A failure inside the store. Every sqlx and rusqlite call converts with `?`; the port's
/// own answers (not found, version moved, refused) travel as [`DbError::Answer`] and come out
/// unchanged as the [`StoreError`] the port returns; everything else becomes
/// [`StoreError::Backend`].
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// From the SQLite writer's connection.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("event encoding: {0}")]
    Json(#[from] serde_json::Error),
    #[error("database directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored {what} is invalid: {value}")]
    Corrupt { what: &'static str, value: String },
    /// A database URL or schema name Baton cannot use.
    #[error("{0}")]
    Config(String),
    /// The write's batch did not commit, or the writer stopped.
    #[error("the database write did not complete: {0}")]
    Unwritten(String),
    /// No SQLite reader took the read in time, or the readers stopped.
    #[error("the database read did not run: {0}")]
    Unread(String),
    /// Not a failure: the port's answer, e.g. not found or a version conflict.
    #[error(transparent)]
    Answer(#[from] StoreError),
}

/// How long a request waits for a free database connection before it is answered 503:
/// a lost database fails requests fast instead of holding them.
pub(crate) const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

impl From<DbError> for StoreError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Answer(answer) => answer,
            failure if failure.is_transient() => StoreError::Unavailable(failure.to_string()),
            failure => StoreError::Backend(failure.to_string()),
        }
    }
}

impl DbError {
    /// True when the database is out of reach rather than wrong: a lost or refused
    /// connection, a pool with no free connection in time, a database shutting down, a
    /// file that cannot be written. The write did not happen; retrying is safe.
    fn is_transient(&self) -> bool {
        match self {
            DbError::Sqlx(err) => match err {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(db) => db.code().is_some_and(|code| transient_code(&code)),
                _ => false,
            },
            DbError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => {
                transient_sqlite_code(failure.extended_code)
            }
            DbError::Io(_) | DbError::Unwritten(_) | DbError::Unread(_) => true,
            _ => false,
        }
    }

    /// True when the write broke a uniqueness rule (a duplicate e-mail, shortcut, name).
    pub(crate) fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlx(sqlx::Error::Database(err)) => err.is_unique_violation(),
            DbError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => matches!(
                failure.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            _ => false,
        }
    }
}

/// PostgreSQL: connection exceptions (class 08), shutdowns (57P01–57P03), too many
/// connections (53300). sqlx gives SQLite's extended code as text too.
fn transient_code(code: &str) -> bool {
    if code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300") {
        return true;
    }
    code.parse::<i32>().is_ok_and(transient_sqlite_code)
}

/// SQLite (primary code of an extended one): busy, locked, read-only, I/O error, disk full,
/// cannot open.
fn transient_sqlite_code(extended: i32) -> bool {
    matches!(extended & 0xff, 5 | 6 | 8 | 10 | 13 | 14)
}

/// The store a server runs on, with what only the server needs beyond the port.
#[derive(Clone)]
pub enum Backend {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

impl Backend {
    /// Opens the database `url` names (`sqlite://…` or `postgres://…`) and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres(postgres::PgStore::open(url).await?))
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite(sqlite::SqliteStore::open(url).await?))
        } else {
            Err(StoreError::Backend(format!(
                "unsupported DATABASE_URL `{url}`: use sqlite://path or postgres://…"
            )))
        }
    }

    /// The port.
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite(store) => Arc::new(store.clone()),
            Backend::Postgres(store) => Arc::new(store.clone()),
        }
    }

    /// The webhook outbox, for the dispatcher.
    pub fn outbox(&self) -> Arc<dyn crate::webhooks::Outbox> {
        match self {
            Backend::Sqlite(store) => Arc::new(store.clone()),
            Backend::Postgres(store) => Arc::new(store.clone()),
        }
    }

    /// The knowledge-base articles: (slug, title, body).
    pub async fn kb_articles(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        match self {
            Backend::Sqlite(store) => store.kb_articles().await,
            Backend::Postgres(store) => store.kb_articles().await,
        }
    }

    /// Adds or replaces a knowledge-base article.
    pub async fn put_kb_article(
        &self,
        slug: &str,
        title: &str,
        body: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        match self {
            Backend::Sqlite(store) => store.put_kb_article(slug, title, body, at).await,
            Backend::Postgres(store) => store.put_kb_article(slug, title, body, at).await,
        }
    }

    /// Closes the connections.
    pub async fn close(&self) {
        match self {
            Backend::Sqlite(store) => store.close().await,
            Backend::Postgres(store) => store.close().await,
        }
    }
}
