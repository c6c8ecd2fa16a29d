//! SQLite's readers: threads that each own a read-only [`DirectConnection`] and take a
//! request's reads, all its statements, as one job from a queue they share.
//!
//! A read costs one wake-up of an idle reader thread and one of the caller; sqlx's pool cost
//! a check-out, two wake-ups per statement and a check-in. A reader that waits on SQLite (a
//! lock a backup holds, the busy handler) holds up its own thread only, never an async
//! worker, so the tasks beside a slow read go on (reads on the async workers stalled every
//! task there for up to a second).

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::engine::Job;
use super::sqlite_connection::{spawn_owner, DirectConnection};
use super::{DbError, ACQUIRE_TIMEOUT};

/// Reads waiting beyond this make callers wait to hand theirs in (for up to
/// [`ACQUIRE_TIMEOUT`], then they are answered "unavailable").
const QUEUE: usize = 4_096;

/// A read as a reader thread runs it: it answers its caller itself.
type Work = Box<dyn FnOnce(&mut DirectConnection) + Send>;

/// The handle every clone of the store shares.
#[derive(Clone)]
pub struct Readers {
    /// Taken away by [`Readers::close`]: once every sender is gone, the threads finish
    /// the reads queued and end.
    queue: Arc<RwLock<Option<flume::Sender<Work>>>>,
    /// One message from each thread as it ends, its connection closed.
    ended: Arc<Mutex<Option<mpsc::Receiver<()>>>>,
}

fn stopped() -> DbError {
    DbError::Unread("the database readers stopped".into())
}

impl Readers {
    /// Opens `threads` read-only connections to the database at `path` (created, migrated,
    /// in WAL mode) and starts a thread for each. Reads run inside the current Tokio
    /// runtime's context, although none of them waits on it.
    pub fn start(path: &Path, threads: usize, busy_timeout: Duration) -> Result<Self, DbError> {
        let (queue, reads) = flume::bounded::<Work>(QUEUE);
        let (ending, ended) = mpsc::channel(threads.max(1));
        for number in 0..threads {
            let mut connection = DirectConnection::open_read_only(path, busy_timeout)?;
            let reads = reads.clone();
            let ending = ending.clone();
            spawn_owner(format!("sqlite-reader-{number}"), move || {
                // Ends once the queue is empty and no sender is left.
                while let Ok(work) = reads.recv() {
                    work(&mut connection);
                }
                drop(connection);
                let _ = ending.try_send(());
            })?;
        }
        Ok(Self {
            queue: Arc::new(RwLock::new(Some(queue))),
            ended: Arc::new(Mutex::new(Some(ended))),
        })
    }

    /// Runs `job` on the first reader thread free; returns what it read.
    pub async fn run<T: Send + 'static>(
        &self,
        job: Job<DirectConnection, T>,
    ) -> Result<T, DbError> {
        let queue = self
            .queue
            .read()
            .expect("reader queue lock poisoned")
            .clone()
            .ok_or_else(stopped)?;
        let (answer, answered) = oneshot::channel();
        let work: Work = Box::new(move |connection| {
            // The connection never waits on anything but SQLite: the job is done when this
            // returns, without an executor's help.
            let _ = answer.send(futures::executor::block_on(job(connection)));
        });
        match tokio::time::timeout(ACQUIRE_TIMEOUT, queue.send_async(work)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(stopped()),
            Err(_) => {
                return Err(DbError::Unread(format!(
                    "{QUEUE} reads were waiting for {ACQUIRE_TIMEOUT:?}"
                )))
            }
        }
        drop(queue);
        answered.await.map_err(|_| stopped())?
    }

    /// Refuses new reads, lets the reads already queued finish, then closes every reader's
    /// connection.
    pub async fn close(&self) {
        let queue = self
            .queue
            .write()
            .expect("reader queue lock poisoned")
            .take();
        drop(queue);
        let ended = self.ended.lock().expect("reader end lock poisoned").take();
        if let Some(mut ended) = ended {
            // `None` once every thread has ended (each dropped its sender).
            while ended.recv().await.is_some() {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::engine::Db;
    use crate::store::rows::Columns;
    use crate::store::sql::{Param, Statement};

    fn count() -> Statement {
        Statement::with_params("SELECT COUNT(*) AS n FROM t", vec![])
    }

    /// A database with one row, and its writer kept open as the server keeps it.
    async fn database() -> (tempfile::TempDir, std::path::PathBuf, DirectConnection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let mut writer = DirectConnection::open(&path, Duration::from_secs(1)).unwrap();
        writer.run_plain("CREATE TABLE t (n INTEGER)").unwrap();
        writer
            .execute(Statement::with_params(
                "INSERT INTO t (n) VALUES ($1)",
                vec![Param::Int(Some(1))],
            ))
            .await
            .unwrap();
        (dir, path, writer)
    }

    #[tokio::test]
    async fn a_read_runs_every_statement_of_its_job_and_cannot_write() {
        let (_dir, path, _writer) = database().await;
        let readers = Readers::start(&path, 2, Duration::from_secs(1)).unwrap();
        let (rows, n) = readers
            .run(Box::new(|db| {
                Box::pin(async move {
                    let rows = db.fetch_all(count()).await?;
                    let n = db
                        .fetch_optional(Statement::with_params("SELECT n FROM t", vec![]))
                        .await?;
                    Ok((rows.len(), n.map(|row| row.int("n")).transpose()?))
                })
            }))
            .await
            .unwrap();
        assert_eq!((rows, n), (1, Some(1)));

        let write = readers
            .run(Box::new(|db| {
                Box::pin(async move {
                    db.execute(Statement::with_params("DELETE FROM t", vec![]))
                        .await
                })
            }))
            .await;
        assert!(write.is_err(), "a reader wrote: {write:?}");
        let left = readers
            .run(Box::new(|db| {
                Box::pin(async move { db.fetch_optional(count()).await?.unwrap().int("n") })
            }))
            .await
            .unwrap();
        assert_eq!(left, 1);
        readers.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_run_side_by_side_and_none_is_lost() {
        let (_dir, path, _writer) = database().await;
        let readers = Arc::new(Readers::start(&path, 4, Duration::from_secs(1)).unwrap());
        let reads = (0..200).map(|_| {
            let readers = readers.clone();
            tokio::spawn(async move {
                readers
                    .run(Box::new(|db| {
                        Box::pin(async move { db.fetch_optional(count()).await?.unwrap().int("n") })
                    }))
                    .await
            })
        });
        for read in futures::future::join_all(reads).await {
            assert_eq!(read.unwrap().unwrap(), 1);
        }
        readers.close().await;
    }

    #[tokio::test]
    async fn after_close_a_read_is_refused_in_words() {
        let (_dir, path, _writer) = database().await;
        let readers = Readers::start(&path, 2, Duration::from_secs(1)).unwrap();
        readers.close().await;
        let refused = readers
            .run(Box::new(|db| {
                Box::pin(async move { db.fetch_optional(count()).await.map(|_| ()) })
            }))
            .await;
        let Err(err) = refused else {
            panic!("a closed reader pool read")
        };
        assert!(err.to_string().contains("readers stopped"), "{err}");
    }
}
