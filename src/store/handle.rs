//! Sharing the store with async code: each call runs on a blocking thread,
//! so SQLite never holds up the async runtime.

use std::sync::{Arc, Mutex};

use super::{Store, StoreError};

/// A clonable handle to one open store.
#[derive(Clone)]
pub struct StoreHandle(Arc<Mutex<Store>>);

impl StoreHandle {
    pub fn new(store: Store) -> StoreHandle {
        StoreHandle(Arc::new(Mutex::new(store)))
    }

    /// Runs `f` with the store on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || {
            // A panic in another call poisons the lock, but the connection
            // itself is still consistent: SQLite rolled back what was open.
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("store task failed: {e}")))?
    }
}
