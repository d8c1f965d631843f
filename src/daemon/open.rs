//! Opening what a poll or a delivery pass works with: the database in the
//! state directory, the HTTP client with each feed's headers, and the
//! transports alerts leave by.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::alert::{AlertError, Outbound};
use crate::config::Config;
use crate::pipeline::{Context, ContextError};
use crate::store::{Store, StoreError, StoreHandle};

/// Why the daemon (or a command that polls or delivers) could not start.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The database could not be opened or migrated.
    #[error("{}: {source}", path.display())]
    Store {
        path: PathBuf,
        #[source]
        source: StoreError,
    },
    /// The mail server's settings or the Maildir cannot be used.
    #[error(transparent)]
    Mailer(#[from] AlertError),
    /// The HTTP client or a feed's headers (a token file) cannot be set up.
    #[error(transparent)]
    Fetch(#[from] ContextError),
}

/// The database file inside the state directory.
pub fn database_path(state_dir: &Path) -> PathBuf {
    state_dir.join("newshound.db")
}

/// Opens the store and the mail transports for `config`.
pub fn open(config: Config, state_dir: &Path) -> Result<(Context, Outbound), OpenError> {
    let path = database_path(state_dir);
    let store = Store::open(&path).map_err(|source| OpenError::Store { path, source })?;
    let mailer = Outbound::new(&config, state_dir)?;
    let ctx = Context::new(Arc::new(config), StoreHandle::new(store))?;
    Ok((ctx, mailer))
}
