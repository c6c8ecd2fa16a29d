//! Storage backends behind the [`app::backend::Store`] port, chosen by `DATABASE_URL`.

use std::sync::Arc;

use app::backend::{Store, StoreError};
use app::domain::Timestamp;

/// One SQLite writer task that commits concurrent writes together.
mod group_commit;
/// PostgreSQL: several nodes on one database.
pub mod postgres;
/// Row reading and append rules both SQL backends share.
mod rows;
/// SQLite: the embedded default.
pub mod sqlite;

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
