//! The SQLite shell: WAL mode, one writer connection owned by the group-committing thread
//! ([`super::group_commit`]: concurrent writes share one transaction and one fsync, each in
//! its own savepoint) and reader threads with read-only connections that never block it
//! ([`super::sqlite_readers`]). With one writer, nothing changes under a write between its
//! reads and its writes, so writes take no row locks.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use app::backend::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};

use super::engine::{Job, Shell, SqlStore};
use super::group_commit::Committer;
use super::sqlite_connection::DirectConnection;
use super::sqlite_readers::Readers;
use super::DbError;

/// Reader threads, each with its own connection: more than the cores, so a read that waits
/// on a lock leaves others free.
const READERS: usize = 8;

/// Baton's data in one SQLite file.
pub type SqliteStore = SqlStore<Sqlite>;

/// How long a statement waits for a lock another process holds (a backup, say).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite's transaction shell: the writer thread and the reader threads.
#[derive(Clone)]
pub struct Sqlite {
    writer: Committer,
    readers: Readers,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path`) and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Ok(SqlStore(Sqlite::open(url).await?))
    }
}

impl Sqlite {
    async fn open(url: &str) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before the caller hears of it.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let path = Path::new(options.get_filename());
        // sqlx names an in-memory database `:memory:` or `file:sqlx-in-memory-…`.
        let in_memory =
            path == Path::new(":memory:") || path.to_string_lossy().starts_with("file:");
        if in_memory {
            return Err(DbError::Config(format!(
                "`{url}` is in memory, where the writer and the readers cannot share it: \
                 give SQLite a file, e.g. sqlite://data/baton.db"
            )));
        }
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let mut connection = SqliteConnection::connect_with(&options).await?;
        super::migrate::sqlite(&mut connection).await?;
        connection.close().await?;
        let writer = Committer::start(DirectConnection::open(path, BUSY_TIMEOUT)?)?;
        let readers = Readers::start(path, READERS, BUSY_TIMEOUT)?;
        Ok(Self { writer, readers })
    }
}

impl Shell for Sqlite {
    type Reader = DirectConnection;
    type Writer = DirectConnection;

    /// Finishes the queued writes after the readers are gone.
    async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }

    async fn read<T: Send + 'static>(&self, job: Job<DirectConnection, T>) -> Result<T, DbError> {
        self.readers.run(job).await
    }

    async fn write<T: Send + 'static>(&self, job: Job<DirectConnection, T>) -> Result<T, DbError> {
        self.writer.run(job).await
    }

    fn writes_failing(&self) -> bool {
        self.writer.failing()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_in_memory_database_is_refused_in_words() {
        for url in ["sqlite::memory:", "sqlite://:memory:"] {
            let Err(err) = SqliteStore::open(url).await else {
                panic!("{url} opened");
            };
            assert!(err.to_string().contains("give SQLite a file"), "{err}");
        }
    }
}
