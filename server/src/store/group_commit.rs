//! Group commit for SQLite's one writer connection.
//!
//! Every write is a job sent to one thread that owns the connection. It takes whatever
//! jobs are waiting (up to [`MAX_BATCH`]), runs them in one transaction, each inside its own
//! savepoint, and commits once: one fsync for the whole batch instead of one per write. A job
//! that fails is rolled back to its savepoint and leaves the others untouched. Callers hear
//! their result only after the commit is durable, so nothing acknowledged can be lost.
//!
//! A lone job runs without a savepoint, so an idle server pays nothing for batching. The
//! connection ([`DirectConnection`]) runs statements where it is called, so the thread wakes
//! once per batch, not twice per statement.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use super::sqlite_connection::{spawn_owner, DirectConnection};
use super::DbError;

/// Jobs committed together at most.
pub const MAX_BATCH: usize = 256;
/// Jobs waiting beyond this make callers wait to send (backpressure).
const QUEUE: usize = 4_096;

/// Tells a caller how its job ended, once the batch's commit is known.
type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A job's work: runs on the connection, says whether it succeeded, and how to answer.
type Work =
    Box<dyn for<'c> FnOnce(&'c mut DirectConnection) -> BoxFuture<'c, (bool, Finish)> + Send>;

enum Command {
    Job(Work),
    Close(oneshot::Sender<()>),
}

/// The handle every clone of the store shares.
#[derive(Clone)]
pub struct Committer {
    commands: mpsc::Sender<Command>,
    /// Set when a batch could not begin or commit; cleared by the next commit that lands.
    failing: Arc<AtomicBool>,
}

fn stopped() -> DbError {
    DbError::Unwritten("the writer stopped".into())
}

impl Committer {
    /// Starts the thread that owns `connection`. Jobs run inside the current Tokio runtime's
    /// context, although none of them waits on it.
    pub fn start(connection: DirectConnection) -> Result<Self, DbError> {
        let (commands, queue) = mpsc::channel(QUEUE);
        let failing = Arc::new(AtomicBool::new(false));
        let flag = failing.clone();
        spawn_owner("sqlite-writer".into(), move || {
            futures::executor::block_on(serve(connection, queue, flag));
        })?;
        Ok(Self { commands, failing })
    }

    /// True while the last batch could not be written (e.g. the file is unwritable).
    pub fn failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    /// Runs `work` in the next batch; returns its result once the batch is committed.
    /// If `work` fails, whatever it wrote is rolled back and its error returned.
    pub async fn run<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut DirectConnection) -> BoxFuture<'c, Result<T, DbError>>
            + Send
            + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Work = Box::new(move |conn| {
            Box::pin(async move {
                let result = work(conn).await;
                let succeeded = result.is_ok();
                let finish: Finish = Box::new(move |committed: Result<(), String>| {
                    let _ = answer.send(committed.map_err(DbError::Unwritten).and(result));
                });
                (succeeded, finish)
            })
        });
        self.commands
            .send(Command::Job(job))
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Finishes the jobs already queued, then closes the connection.
    pub async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.commands.send(Command::Close(done)).await.is_ok() {
            let _ = closed.await;
        }
    }
}

async fn serve(
    mut conn: DirectConnection,
    mut queue: mpsc::Receiver<Command>,
    failing: Arc<AtomicBool>,
) {
    let mut commands = Vec::with_capacity(MAX_BATCH);
    let mut close = None;
    while close.is_none() && queue.recv_many(&mut commands, MAX_BATCH).await > 0 {
        let mut batch = Vec::with_capacity(commands.len());
        for command in commands.drain(..) {
            match command {
                Command::Job(work) => batch.push(work),
                Command::Close(done) => close = Some(done),
            }
        }
        if !batch.is_empty() {
            commit_batch(&mut conn, batch, &failing).await;
        }
    }
    drop(conn);
    if let Some(done) = close {
        let _ = done.send(());
    }
}

/// Records in `failing` whether the database could be written.
fn record(failing: &AtomicBool, landed: bool) {
    if failing.swap(!landed, Ordering::Relaxed) == landed {
        if landed {
            tracing::info!("database writes succeed again");
        } else {
            tracing::error!("database writes are failing: requests are answered 503");
        }
    }
}

/// Runs `batch` in one transaction and answers every job after the commit. Before the jobs
/// that ran are answered, `failing` learns whether the database could be written: not when
/// the transaction did not begin, roll back or commit; yes when a job's writes were
/// committed. (Jobs dropped unrun after a failed savepoint hear of the failure at once.) A batch whose
/// every job failed on its own leaves it as it was: a job's error may be its own (a
/// duplicate key) or the disk's, so it tells nothing of the database.
async fn commit_batch(conn: &mut DirectConnection, batch: Vec<Work>, failing: &AtomicBool) {
    if let Err(err) = conn.run_plain("BEGIN IMMEDIATE") {
        // Dropping the jobs unanswered tells their callers the writer failed.
        tracing::error!(%err, "could not begin a write transaction");
        record(failing, false);
        return;
    }
    let alone = batch.len() == 1;
    let mut finishes = Vec::with_capacity(batch.len());
    let mut broken: Option<String> = None;
    for work in batch {
        if broken.is_some() {
            drop(work);
            continue;
        }
        if alone {
            let (succeeded, finish) = work(conn).await;
            if !succeeded {
                if let Err(err) = conn.run_plain("ROLLBACK") {
                    tracing::error!(%err, "could not roll back a failed write");
                    record(failing, false);
                }
                finish(Ok(()));
                return;
            }
            finishes.push(finish);
            continue;
        }
        if let Err(err) = conn.run_plain("SAVEPOINT job") {
            broken = Some(err);
            drop(work);
            continue;
        }
        let (succeeded, finish) = work(conn).await;
        // Savepoints stay open until the commit releases them all (one statement fewer per
        // job); `ROLLBACK TO` undoes only the newest one of that name, this job's.
        let ended = if succeeded {
            Ok(())
        } else {
            conn.run_plain("ROLLBACK TO job")
        };
        match ended {
            Ok(()) if succeeded => finishes.push(finish),
            // Rolled back: the job's own error is its answer, whatever the batch does.
            Ok(()) => finish(Ok(())),
            Err(err) => {
                finishes.push(finish);
                broken = Some(err);
            }
        }
    }
    let outcome = match broken {
        None => conn.run_plain("COMMIT"),
        Some(err) => Err(err),
    };
    if let Err(err) = &outcome {
        tracing::error!(%err, jobs = finishes.len(), "a write batch failed and was rolled back");
        let _ = conn.run_plain("ROLLBACK");
    }
    if outcome.is_err() || !finishes.is_empty() {
        record(failing, outcome.is_ok());
    }
    for finish in finishes {
        finish(outcome.clone());
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use app::backend::StoreError;
    use futures::future::join_all;

    use super::*;
    use crate::store::engine::Db;
    use crate::store::sql::{Param, Statement};

    async fn writer(dir: &tempfile::TempDir) -> (Committer, PathBuf) {
        let path = dir.path().join("batch.db");
        let mut conn = DirectConnection::open(&path, Duration::from_secs(1)).unwrap();
        conn.run_plain("CREATE TABLE rows (n INTEGER PRIMARY KEY)")
            .unwrap();
        (Committer::start(conn).unwrap(), path)
    }

    /// Inserts `n`; when `fail` is set the job errs after its insert.
    async fn insert(writer: &Committer, n: i64, fail: bool) -> Result<i64, DbError> {
        writer
            .run(move |conn| {
                Box::pin(async move {
                    let statement = Statement {
                        sql: "INSERT INTO rows (n) VALUES ($1)".into(),
                        params: vec![Param::Int(Some(n))],
                    };
                    conn.execute(statement).await?;
                    if fail {
                        return Err(StoreError::VersionConflict.into());
                    }
                    Ok(n)
                })
            })
            .await
    }

    async fn stored(path: &Path) -> Vec<i64> {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut query = conn.prepare("SELECT n FROM rows ORDER BY n").unwrap();
        let rows = query.query_map([], |row| row.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_in_a_batch_leaves_the_others_committed() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, path) = writer(&dir).await;
        let results = join_all((0..200).map(|n| insert(&writer, n, n % 5 == 0))).await;
        for (n, result) in results.iter().enumerate() {
            if n % 5 == 0 {
                assert!(
                    matches!(result, Err(DbError::Answer(StoreError::VersionConflict))),
                    "{n}: {result:?}"
                );
            } else {
                assert_eq!(result.as_ref().ok(), Some(&(n as i64)));
            }
        }
        let expected: Vec<i64> = (0..200).filter(|n| n % 5 != 0).collect();
        assert_eq!(stored(&path).await, expected);
    }

    #[tokio::test]
    async fn a_lone_failing_write_is_rolled_back_and_the_next_one_lands() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, path) = writer(&dir).await;
        assert!(insert(&writer, 1, true).await.is_err());
        assert_eq!(insert(&writer, 2, false).await.unwrap(), 2);
        // A statement error (duplicate key) is the job's error; the batch goes on.
        assert!(matches!(
            insert(&writer, 2, false).await,
            Err(DbError::Sqlite(_))
        ));
        assert_eq!(stored(&path).await, vec![2]);
    }

    #[tokio::test]
    async fn a_job_that_fails_on_its_own_does_not_clear_the_failing_flag() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, _) = writer(&dir).await;
        // As after a batch the disk refused: health answers 503 until a write lands.
        writer.failing.store(true, Ordering::Relaxed);
        assert!(insert(&writer, 1, true).await.is_err());
        assert!(
            writer.failing(),
            "a job's own error was taken for a working disk"
        );
        assert_eq!(insert(&writer, 2, false).await.unwrap(), 2);
        assert!(
            !writer.failing(),
            "a committed write did not clear the flag"
        );
    }

    #[tokio::test]
    async fn after_close_writes_are_refused_and_acknowledged_ones_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, path) = writer(&dir).await;
        let queued: Vec<_> = (0..20)
            .map(|n| {
                let writer = writer.clone();
                tokio::spawn(async move { insert(&writer, n, false).await })
            })
            .collect();
        for task in queued {
            task.await.unwrap().unwrap();
        }
        writer.close().await;
        assert_eq!(stored(&path).await.len(), 20);
        assert!(insert(&writer, 99, false).await.is_err());
    }
}
