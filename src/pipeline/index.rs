//! Keeping the search index in step with the archive: entries stored or
//! changed since the last pass are indexed in batches, so polling never
//! waits for the index and a search first catches up.

use crate::store::index_text;
use crate::store::{Store, StoreError, StoreHandle};

/// Entries indexed per transaction: enough to amortise the commit, few
/// enough that polls waiting for the store thread are not held up long.
const BATCH: usize = 256;

/// Indexes every entry whose text is not in the index, a batch per store
/// call, while `go_on` says so; returns how many.
pub async fn index_archive(
    store: &StoreHandle,
    go_on: impl Fn() -> bool,
) -> Result<usize, StoreError> {
    let mut total = 0;
    while go_on() {
        let done = store.call(|s| s.index_pending(BATCH, index_text)).await?;
        total += done;
        if done < BATCH {
            break;
        }
    }
    Ok(total)
}

/// [`index_archive`] for a command that holds the store itself.
pub fn index_archive_now(store: &mut Store) -> Result<usize, StoreError> {
    let mut total = 0;
    loop {
        let done = store.index_pending(BATCH, index_text)?;
        total += done;
        if done < BATCH {
            return Ok(total);
        }
    }
}
