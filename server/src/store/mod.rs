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
/// One SQLite writer task that commits concurrent writes together.
mod group_commit;
/// PostgreSQL: several nodes on one database.
pub mod postgres;
/// Reading rows into domain values.
pub mod rows;
/// Every SQL statement, once for both backends.
pub mod sql;
/// SQLite: the embedded default.
pub mod sqlite;

/// A failure inside the store. Every sqlx call converts with `?`; the port's own answers
/// (not found, version moved, refused) travel as [`DbError::Answer`] and come out unchanged
/// as the [`StoreError`] the port returns; everything else becomes [`StoreError::Backend`].
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
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
    /// Not a failure: the port's answer, e.g. not found or a version conflict.
    #[error(transparent)]
    Answer(#[from] StoreError),
}

impl From<DbError> for StoreError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Answer(answer) => answer,
            failure => StoreError::Backend(failure.to_string()),
        }
    }
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
