//! Sharing the store with async code: each call runs on a blocking thread,
//! so SQLite never holds up the async runtime; and the outbox lock that
//! lets one process at a time send mail from this database.

use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{Store, StoreError};

/// A clonable handle to one open store.
#[derive(Clone)]
pub struct StoreHandle {
    store: Arc<Mutex<Store>>,
    outbox_lock: PathBuf,
}

/// Held while a process sends mail from the outbox; released on drop, and
/// by the kernel when the process dies.
pub struct OutboxLock(#[allow(dead_code)] File);

impl StoreHandle {
    /// Shares `store`.
    pub fn new(store: Store) -> StoreHandle {
        let outbox_lock = store.path.with_extension("outbox-lock");
        StoreHandle {
            store: Arc::new(Mutex::new(store)),
            outbox_lock,
        }
    }

    /// Runs `f` with the store on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            // A panic in another call poisons the lock, but the connection
            // itself is still consistent: SQLite rolled back what was open.
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("store task failed: {e}")))?
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
        .map_err(|e| StoreError::Corrupt(format!("outbox lock task failed: {e}")))?
    }
}
