//! Online backups of the embedded SQLite database (`baton backup FILE`).
//!
//! `VACUUM INTO` copies one consistent snapshot of the database (everything committed
//! before it began, nothing after) into a new, compact file, from its own read-only
//! connection, while the server goes on writing through WAL. The copy is an ordinary Baton
//! database: restoring is starting Baton on it. PostgreSQL has its own tools (README).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// Why a backup could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "only SQLite databases are backed up this way; for PostgreSQL use pg_dump (see README)"
    )]
    NotSqlite,
    #[error("{0} already exists: choose a new file")]
    Exists(String),
    #[error("the database failed: {0}")]
    Database(#[from] sqlx::Error),
}

/// Writes a consistent copy of the SQLite database at `database_url` to `file`.
pub async fn sqlite(database_url: &str, file: &Path) -> Result<(), BackupError> {
    if !database_url.starts_with("sqlite:") {
        return Err(BackupError::NotSqlite);
    }
    if file.exists() {
        return Err(BackupError::Exists(file.display().to_string()));
    }
    let mut connection = SqliteConnectOptions::from_str(database_url)?
        .read_only(true)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await?;
    sqlx::query("VACUUM INTO $1")
        .bind(file.to_string_lossy().into_owned())
        .execute(&mut connection)
        .await?;
    connection.close().await?;
    Ok(())
}
