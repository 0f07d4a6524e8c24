//! The SQLite writer: one thread that owns the write connection and commits
//! every waiting write in one group (one fsync for many pushes), copying
//! committed frames back into the database between groups; and the
//! background checkpointer that keeps the WAL small beside it.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc;

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::storage::{StorageError, StorageResult};

/// Most jobs folded into one commit.
const GROUP_MAX: usize = 512;

/// One write waiting for the next group commit.
trait Job: Send {
    /// Runs the write inside the group's transaction; false if it failed.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the group's fate is known.
    fn finish(self: Box<Self>, committed: bool);
}

struct Write<F, T> {
    f: F,
    result: Option<StorageResult<T>>,
    reply: oneshot::Sender<StorageResult<T>>,
}

impl<F, T> Job for Write<F, T>
where
    F: Fn(&Connection) -> StorageResult<T> + Send,
    T: Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let r = (self.f)(conn);
        let ok = r.is_ok();
        self.result = Some(r);
        ok
    }

    fn finish(self: Box<Self>, committed: bool) {
        let answer = match self.result {
            Some(Err(e)) => Err(e),
            Some(Ok(v)) if committed => Ok(v),
            _ => Err(StorageError::Database("the commit failed".into())),
        };
        let _ = self.reply.send(answer);
    }
}

/// The queue of the writer thread.
pub(super) struct Writer {
    queue: Mutex<mpsc::Sender<Box<dyn Job>>>,
}

impl Writer {
    /// Starts the writer thread on `conn`, the migrated write connection.
    /// Commits no longer copy the WAL back themselves: the writer
    /// checkpoints between its groups (see [`writer_loop`]).
    pub(super) fn start(conn: Connection) -> StorageResult<Self> {
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "journal_size_limit", WAL_KEEP_BYTES as i64)?;
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|e| StorageError::Database(e.to_string()))?;
        Ok(Writer {
            queue: Mutex::new(tx),
        })
    }

    /// Runs `f` on the writer thread inside the next group commit; answers
    /// after the commit. `f` may run twice: if another write in its group
    /// fails, the group is rolled back and each write is retried alone.
    pub(super) async fn write<T: Send + 'static>(
        &self,
        f: impl Fn(&Connection) -> StorageResult<T> + Send + 'static,
    ) -> StorageResult<T> {
        let (reply, rx) = oneshot::channel::<StorageResult<T>>();
        let job: Box<dyn Job> = Box::new(Write {
            f,
            result: None,
            reply,
        });
        self.queue
            .lock()
            .map_err(|_| StorageError::Unavailable("writer lock poisoned".into()))?
            .send(job)
            .map_err(|_| StorageError::Unavailable("the writer stopped".into()))?;
        rx.await
            .map_err(|_| StorageError::Unavailable("the writer stopped".into()))?
    }
}

/// Starts the background checkpointer on its own connection `conn` to the
/// database whose WAL file is `wal`.
pub(super) fn start_checkpointer(conn: Connection, wal: PathBuf) -> StorageResult<()> {
    conn.busy_timeout(RESTART_PATIENCE)?;
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || checkpoint_loop(conn, wal))
        .map_err(|e| StorageError::Database(e.to_string()))?;
    Ok(())
}

/// Copies committed frames back into the database file off the writer's
/// thread, many times a second (PASSIVE: it never blocks the writer), so
/// that the writer's own checkpoint (see [`writer_loop`]) has only the last
/// few frames left to copy. Should the WAL still fail to start over for
/// long (a reader that never lets go, or a slow disk), a RESTART checkpoint
/// here waits for the readers, holding the writer, but at most
/// [`RESTART_PATIENCE`] before it gives up until the next second.
fn checkpoint_loop(conn: Connection, wal: PathBuf) {
    let mut last_restart_check = std::time::Instant::now();
    loop {
        std::thread::sleep(BACKGROUND_CHECKPOINT_EVERY);
        let mut result = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        if last_restart_check.elapsed() >= std::time::Duration::from_secs(1) {
            last_restart_check = std::time::Instant::now();
            let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
            if result.is_ok() && size > WAL_RESTART_BYTES {
                result = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
            }
        }
        if let Err(e) = result {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    }
}

/// How often the background checkpointer copies frames back.
const BACKGROUND_CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(20);
/// How long the safety valve's RESTART waits for readers and the writer.
/// Writers wait while it does: with the connections' usual 10 s, one RESTART
/// behind a slow disk held every push for 10.5 s.
const RESTART_PATIENCE: std::time::Duration = std::time::Duration::from_millis(100);
/// WAL size past which the safety valve forces the WAL to start over.
const WAL_RESTART_BYTES: u64 = 64 * 1024 * 1024;
/// What the WAL file is trimmed to when it starts over.
const WAL_KEEP_BYTES: u64 = 16 * 1024 * 1024;
/// How often the writer copies committed frames back into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// The writer takes every write waiting, commits them as one group and
/// answers their callers; every [`CHECKPOINT_EVERY`] it also checkpoints
/// itself (PASSIVE), between two groups. The background checkpointer has
/// copied nearly everything by then, so this pass copies only the last few
/// frames, and because no commit can land meanwhile it catches up with the
/// end of the WAL whenever no reader still reads older frames. The next
/// commit then starts the WAL over from its beginning: the file stays small,
/// and the RESTART that holds writers while it waits for readers is left to
/// the safety valve.
fn writer_loop(conn: Connection, rx: mpsc::Receiver<Box<dyn Job>>) {
    let mut last_checkpoint = std::time::Instant::now();
    // Whether anything was committed since the last checkpoint.
    let mut dirty = false;
    loop {
        let first = match rx.recv_timeout(CHECKPOINT_EVERY) {
            Ok(job) => Some(job),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if dirty && last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "checkpoint failed");
            }
            last_checkpoint = std::time::Instant::now();
            dirty = false;
        }
        let Some(first) = first else { continue };
        dirty = true;
        let mut jobs = vec![first];
        while jobs.len() < GROUP_MAX {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if run_group(&conn, &mut jobs) {
            for job in jobs {
                job.finish(true);
            }
            continue;
        }
        // Something in the group failed: retry each write in its own transaction.
        for mut job in jobs {
            let committed = run_group(&conn, std::slice::from_mut(&mut job));
            job.finish(committed);
        }
    }
}

/// Runs `jobs` in one transaction; true if all ran and the commit succeeded.
fn run_group(conn: &Connection, jobs: &mut [Box<dyn Job>]) -> bool {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "could not begin a write transaction");
        return false;
    }
    let all_ran = jobs.iter_mut().all(|job| job.run(conn));
    if all_ran && conn.execute_batch("COMMIT").is_ok() {
        return true;
    }
    let _ = conn.execute_batch("ROLLBACK");
    false
}
