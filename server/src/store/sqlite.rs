//! The SQLite shell: WAL mode, one writer connection owned by the group-committing task
//! ([`super::group_commit`]: concurrent writes share one transaction and one fsync, each in
//! its own savepoint) and a pool of read-only connections that never block it. With one
//! writer, nothing changes under a write between its reads and its writes, so writes take no
//! row locks.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use app::backend::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Connection, SqliteConnection, SqlitePool};

use super::engine::{sql_connection, Job, Shell, SqlStore};
use super::group_commit::Committer;
use super::{DbError, ACQUIRE_TIMEOUT};

/// Readers open at most this many connections.
const READERS: u32 = 8;

sql_connection!(SqliteConnection, SqliteRow, locks_rows: false, search: Fts5);

/// Baton's data in one SQLite file.
pub type SqliteStore = SqlStore<Sqlite>;

/// SQLite's transaction shell: the writer task and the reader pool.
#[derive(Clone)]
pub struct Sqlite {
    writer: Committer,
    reader: SqlitePool,
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
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = Path::new(options.get_filename()).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let mut connection = SqliteConnection::connect_with(&options).await?;
        super::migrate::sqlite(&mut connection).await?;
        let writer = Committer::start(connection);
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // A local file cannot drop the connection: no round trip to test it first.
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { writer, reader })
    }
}

impl Shell for Sqlite {
    type Database = sqlx::Sqlite;
    type Db = SqliteConnection;

    /// Finishes the queued writes after the readers are gone.
    async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    fn readers(&self) -> &SqlitePool {
        &self.reader
    }

    async fn write<T: Send + 'static>(&self, job: Job<SqliteConnection, T>) -> Result<T, DbError> {
        self.writer.run(job).await
    }

    fn writes_failing(&self) -> bool {
        self.writer.failing()
    }
}
