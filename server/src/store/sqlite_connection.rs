//! SQLite connections that run statements on the thread that calls them (rusqlite): the
//! writer's, on the group-committing thread that owns it ([`super::group_commit`]), and each
//! reader's, on a reader thread ([`super::sqlite_readers`]).
//!
//! A sqlx SQLite connection runs on a worker thread of its own and hands every statement
//! across a channel: two thread wake-ups per statement, four or five statements per message,
//! and a pool to check a reader out and back in. These connections run their statements where
//! they are called, from a cache of prepared statements, so a batch of writes or a request's
//! reads costs one wake-up of the thread that owns the connection. Their [`Db`] methods never
//! wait on anything but SQLite: each future is ready the first time it is polled.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{CachedStatement, Connection, OpenFlags};

use super::engine::Db;
use super::rows::Columns;
use super::sql::{Param, SearchEngine, Statement};
use super::DbError;

/// Starts the thread named `name` that owns a connection and runs `body`, inside the current
/// Tokio runtime's context: the jobs it runs may reach the runtime, although none waits on it.
pub fn spawn_owner(name: String, body: impl FnOnce() + Send + 'static) -> Result<(), DbError> {
    let runtime = tokio::runtime::Handle::current();
    std::thread::Builder::new().name(name).spawn(move || {
        let _runtime = runtime.enter();
        body();
    })?;
    Ok(())
}

/// Prepared statements kept per connection: every statement Baton runs, with room to spare.
const CACHED_STATEMENTS: usize = 256;

/// A connection that runs statements where it is called: the one writer or a reader.
pub struct DirectConnection(Connection);

impl DirectConnection {
    /// Opens the database file at `path` (already created and migrated) for writing: WAL,
    /// `synchronous=FULL` (a commit is on disk before anyone hears of it), foreign keys on.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<Self, DbError> {
        let opened = Self::configured(Connection::open(path)?, busy_timeout)?;
        opened.0.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )?;
        Ok(opened)
    }

    /// Opens the database file at `path` (already created, migrated and in WAL mode) for
    /// reading only: a statement that would write fails.
    pub fn open_read_only(path: &Path, busy_timeout: Duration) -> Result<Self, DbError> {
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::configured(connection, busy_timeout)
    }

    /// What every connection sets first: how long a statement waits on a lock, and the
    /// prepared statements it keeps.
    fn configured(connection: Connection, busy_timeout: Duration) -> Result<Self, DbError> {
        connection.busy_timeout(busy_timeout)?;
        connection.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
        Ok(Self(connection))
    }

    /// Runs SQL without arguments or rows: the batch's `BEGIN`, savepoints and `COMMIT`.
    pub fn run_plain(&mut self, sql: &str) -> Result<(), String> {
        self.0.execute_batch(sql).map_err(|err| err.to_string())
    }

    /// `statement` prepared (or taken from the cache) with its arguments bound.
    fn prepared(&self, statement: &Statement) -> Result<CachedStatement<'_>, DbError> {
        let mut prepared = self.0.prepare_cached(&statement.sql)?;
        for index in 1..=prepared.parameter_count() {
            // `$N` binds the N-th argument wherever it appears, as on PostgreSQL.
            let position = match prepared.parameter_name(index) {
                Some(name) => name
                    .trim_start_matches(['$', '?'])
                    .parse::<usize>()
                    .unwrap_or(index),
                None => index,
            };
            let param = position
                .checked_sub(1)
                .and_then(|at| statement.params.get(at))
                .ok_or_else(|| DbError::Corrupt {
                    what: "statement arguments",
                    value: format!("no argument {position} for {}", statement.sql),
                })?;
            match param {
                Param::Text(text) => prepared.raw_bind_parameter(index, text.as_deref())?,
                Param::Int(int) => prepared.raw_bind_parameter(index, *int)?,
                Param::Bytes(bytes) => prepared.raw_bind_parameter(index, bytes.as_slice())?,
            }
        }
        Ok(prepared)
    }

    fn rows(&self, statement: &Statement, limit: usize) -> Result<Vec<Row>, DbError> {
        let mut prepared = self.prepared(statement)?;
        let names: Arc<[Box<str>]> = prepared.column_names().into_iter().map(Box::from).collect();
        let mut rows = prepared.raw_query();
        let mut read = Vec::new();
        while read.len() < limit {
            let Some(row) = rows.next()? else { break };
            let values = (0..names.len())
                .map(|column| row.get::<_, Value>(column))
                .collect::<Result<_, _>>()?;
            read.push(Row {
                names: names.clone(),
                values,
            });
        }
        Ok(read)
    }
}

impl Db for DirectConnection {
    type Row = Row;
    const LOCKS_ROWS: bool = false;
    const SEARCH: SearchEngine = SearchEngine::Fts5;

    async fn execute(&mut self, statement: Statement) -> Result<u64, DbError> {
        let mut prepared = self.prepared(&statement)?;
        // Stepped to the end, so a statement with `RETURNING` runs whole as well.
        let mut rows = prepared.raw_query();
        while rows.next()?.is_some() {}
        drop(rows);
        drop(prepared);
        Ok(self.0.changes())
    }

    async fn fetch_optional(&mut self, statement: Statement) -> Result<Option<Row>, DbError> {
        Ok(self.rows(&statement, 1)?.into_iter().next())
    }

    async fn fetch_all(&mut self, statement: Statement) -> Result<Vec<Row>, DbError> {
        self.rows(&statement, usize::MAX)
    }
}

/// A row read off a direct connection, owning its values.
pub struct Row {
    names: Arc<[Box<str>]>,
    values: Vec<Value>,
}

impl Row {
    fn value(&self, column: &str) -> Result<&Value, DbError> {
        self.names
            .iter()
            .position(|name| &**name == column)
            .map(|at| &self.values[at])
            .ok_or_else(|| DbError::Corrupt {
                what: "column",
                value: format!("no column {column}"),
            })
    }
}

fn mistyped(column: &str, value: &Value) -> DbError {
    DbError::Corrupt {
        what: "column value",
        value: format!("{column}: {value:?}"),
    }
}

impl Columns for Row {
    fn text(&self, column: &str) -> Result<String, DbError> {
        self.opt_text(column)?
            .ok_or_else(|| mistyped(column, &Value::Null))
    }

    fn opt_text(&self, column: &str) -> Result<Option<String>, DbError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Text(text) => Ok(Some(text.clone())),
            other => Err(mistyped(column, other)),
        }
    }

    fn int(&self, column: &str) -> Result<i64, DbError> {
        self.opt_int(column)?
            .ok_or_else(|| mistyped(column, &Value::Null))
    }

    fn bytes(&self, column: &str) -> Result<Vec<u8>, DbError> {
        match self.value(column)? {
            Value::Blob(bytes) => Ok(bytes.clone()),
            other => Err(mistyped(column, other)),
        }
    }

    fn opt_int(&self, column: &str) -> Result<Option<i64>, DbError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Integer(int) => Ok(Some(*int)),
            other => Err(mistyped(column, other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Param {
        Param::Text(Some(value.into()))
    }

    #[tokio::test]
    async fn arguments_bind_by_their_number_and_rows_read_by_column_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut db =
            DirectConnection::open(&dir.path().join("w.db"), Duration::from_secs(1)).unwrap();
        db.run_plain("CREATE TABLE t (a TEXT, b INTEGER, c TEXT, d BLOB)")
            .unwrap();
        // `$2` before `$1`, and `$1` twice: each binds its own argument, as on PostgreSQL.
        let insert = Statement::with_params(
            "INSERT INTO t (a, b, c, d) VALUES ($2, $1, $2 || '!', $3) RETURNING b",
            vec![Param::Int(Some(7)), text("seven"), Param::Bytes(vec![1, 2])],
        );
        assert_eq!(db.execute(insert).await.unwrap(), 1);
        let nulls = Statement::with_params(
            "INSERT INTO t (a, b) VALUES ($1, $2)",
            vec![Param::Text(None), Param::Int(None)],
        );
        assert_eq!(db.execute(nulls).await.unwrap(), 1);

        let rows = db
            .fetch_all(Statement::with_params(
                "SELECT a, b, c, d FROM t ORDER BY rowid",
                vec![],
            ))
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].text("a").unwrap(), "seven");
        assert_eq!(rows[0].int("b").unwrap(), 7);
        assert_eq!(rows[0].text("c").unwrap(), "seven!");
        assert_eq!(rows[0].bytes("d").unwrap(), [1, 2]);
        assert_eq!(rows[1].opt_text("a").unwrap(), None);
        assert_eq!(rows[1].opt_int("b").unwrap(), None);
        // A missing column and a NULL where a value must be are errors, not defaults.
        assert!(rows[0].text("nope").is_err());
        assert!(rows[1].int("b").is_err());
        assert!(rows[0].int("a").is_err());

        let first = db
            .fetch_optional(Statement::with_params(
                "SELECT b FROM t WHERE a = $1",
                vec![text("seven")],
            ))
            .await
            .unwrap();
        assert_eq!(first.map(|row| row.int("b").unwrap()), Some(7));
    }

    #[tokio::test]
    async fn a_missing_argument_and_a_duplicate_key_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut db =
            DirectConnection::open(&dir.path().join("w.db"), Duration::from_secs(1)).unwrap();
        db.run_plain("CREATE TABLE t (k TEXT PRIMARY KEY)").unwrap();
        let missing = Statement::with_params("INSERT INTO t (k) VALUES ($2)", vec![text("x")]);
        assert!(matches!(
            db.execute(missing).await,
            Err(DbError::Corrupt { .. })
        ));
        let insert = || Statement::with_params("INSERT INTO t (k) VALUES ($1)", vec![text("x")]);
        db.execute(insert()).await.unwrap();
        let duplicate = db.execute(insert()).await.unwrap_err();
        assert!(duplicate.is_unique_violation(), "{duplicate}");
    }
}
