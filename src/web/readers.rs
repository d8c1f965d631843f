//! The web pages' connections to the database: a few read connections of
//! their own, beside the daemon's writer (SQLite's WAL lets them read while
//! it writes), used from blocking threads so a query never holds up the
//! async runtime.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::store::{Store, StoreError};

/// Open read connections, taken in turn.
#[derive(Clone)]
pub struct Readers {
    connections: Arc<[Mutex<Store>]>,
    next: Arc<AtomicUsize>,
}

impl Readers {
    /// `count` connections to the database at `path`.
    pub fn open(path: &Path, count: usize) -> Result<Readers, StoreError> {
        let connections = (0..count.max(1))
            .map(|_| Store::open_for_reading(path).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Readers {
            connections: connections.into(),
            next: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Runs `read` on a blocking thread with the next connection.
    pub async fn read<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = self.clone();
        tokio::task::spawn_blocking(move || {
            let turn = readers.next.fetch_add(1, Ordering::Relaxed) % readers.connections.len();
            // A panic in an earlier read left no transaction open: reads
            // hold none between statements.
            let store = readers.connections[turn]
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            read(&store)
        })
        .await
        .map_err(|e| StoreError::Stopped(format!("a web read failed: {e}")))?
    }
}
