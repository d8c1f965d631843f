//! Sharing the store with async code: every call runs on the store's own
//! thread, one after another, so SQLite never holds up the async runtime;
//! and the outbox lock that lets one process at a time send mail from this
//! database.

use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, mpsc};

use tokio::sync::oneshot;

use super::{Store, StoreError};

/// A piece of work for the store's thread.
type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// A clonable handle to one open store. The store lives on a thread of its
/// own: one connection runs one statement at a time anyway, and a queue to
/// one thread costs less than a pool of threads taking turns at a lock.
#[derive(Clone)]
pub struct StoreHandle {
    thread: Arc<StoreThread>,
    outbox_lock: PathBuf,
    database: PathBuf,
}

/// The store's thread and its queue. Dropped with the last handle: the
/// queue closes, the thread finishes what is queued and closes the
/// database (checkpointing its WAL), and the drop waits for that.
struct StoreThread {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for StoreThread {
    fn drop(&mut self) {
        drop(self.jobs.take());
        // A thread cannot wait for itself (were the last handle dropped by
        // a job); it ends by itself once this returns.
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != std::thread::current().id()
        {
            let _ = thread.join();
        }
    }
}

/// Held while a process sends mail from the outbox; released on drop, and
/// by the kernel when the process dies.
pub struct OutboxLock(#[allow(dead_code)] File);

impl StoreHandle {
    /// Moves `store` to a thread of its own, which ends when the last
    /// handle is dropped.
    pub fn new(mut store: Store) -> StoreHandle {
        let outbox_lock = store.path.with_extension("outbox-lock");
        let database = store.path.clone();
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("store".into())
            .spawn(move || {
                for job in queue {
                    job(&mut store);
                }
            })
            .expect("the store thread starts");
        StoreHandle {
            thread: Arc::new(StoreThread {
                jobs: Some(jobs),
                thread: Some(thread),
            }),
            outbox_lock,
            database,
        }
    }

    /// The database file, for readers that open connections of their own.
    pub fn database_path(&self) -> &std::path::Path {
        &self.database
    }

    /// Runs `f` with the store on its thread and waits for the result.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            // A panic inside `f` ends only this job: SQLite rolls back what
            // it left open, and the caller is told below.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(store)));
            let _ = reply.send(outcome);
        });
        let lost = || StoreError::Stopped("its thread has stopped".into());
        let jobs = self.thread.jobs.as_ref().ok_or_else(lost)?;
        jobs.send(job).map_err(|_| lost())?;
        match result.await.map_err(|_| lost())? {
            Ok(outcome) => outcome,
            Err(_) => Err(StoreError::Stopped("a call to it panicked".into())),
        }
    }

    /// Waits until no other process (a `poll` beside the daemon) is sending
    /// from this outbox, so two processes never send the same mail.
    pub async fn lock_outbox(&self) -> Result<OutboxLock, StoreError> {
        let path = self.outbox_lock.clone();
        tokio::task::spawn_blocking(move || {
            let file = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|source| StoreError::StateDir {
                    path: path.display().to_string(),
                    source,
                })?;
            file.lock().map_err(|source| StoreError::StateDir {
                path: path.display().to_string(),
                source,
            })?;
            Ok(OutboxLock(file))
        })
        .await
        .map_err(|e| StoreError::Stopped(format!("the outbox lock task failed: {e}")))?
    }
}
