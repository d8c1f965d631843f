//! The only place with SQL: one SQLite file, migrated at open, in WAL mode.
//!
//! Methods are synchronous; async callers run them on blocking threads.
//! Times cross this boundary as `DateTime<Utc>` and are stored as Unix
//! seconds.

mod archive;
mod browse;
mod codec;
mod digests;
mod feeds;
mod fts;
mod handle;
mod ingest;
mod outbox;
mod plan;
mod rows;
mod search;
mod status;
mod stories;
mod surges;
mod trends;

pub use archive::ArchivedEntry;
pub use browse::{FeedHealth, Mailing, MatchFilter, MatchedStory, SendState, Unsent};
pub use digests::{Closed, DigestClose};
pub use feeds::FeedState;
pub use fts::{FtsError, fts_query, index_text};
pub use handle::{OutboxLock, StoreHandle};
pub use ingest::{Body, KnownEntry, PollRecord, Stored, UpdatedEntry};
pub use plan::{
    DeliveryFacts, DeliveryPlan, DeliveryPolicy, NewDelivery, NewEntry, NewMatch, PlannedDelivery,
};
pub use search::{PRUNE_BATCH, SearchHit};
pub use status::{FeedSummary, OutboxSummary, StoreMetrics};
pub use stories::{Joined, StoryCopy, StoryRules};
pub use surges::NewSurge;
pub use trends::{Series, hours_to_days};

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

/// Schema migrations, applied in order at open; never edit a released one.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../migrations/0001_initial.sql")),
    M::up(include_str!("../../migrations/0002_article_pages.sql")),
    M::up(include_str!("../../migrations/0003_delivery_backoff.sql")),
    M::up(include_str!("../../migrations/0004_digests.sql")),
    M::up(include_str!("../../migrations/0005_search.sql")),
    M::up(include_str!("../../migrations/0006_language.sql")),
    M::up(include_str!("../../migrations/0007_stories.sql")),
    M::up(include_str!("../../migrations/0008_trends_and_surges.sql")),
];

/// A failure of the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The schema could not be brought up to date.
    #[error("cannot migrate the database: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The state directory or a file in it could not be created or locked.
    #[error("cannot use {path}: {source}")]
    StateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A stored value could not be read back.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The store's thread is gone (it panicked, or the process is ending),
    /// so the call never ran.
    #[error("the database is no longer open: {0}")]
    Stopped(String),
    /// A command that only reads found no database, and made none.
    #[error(
        "no database at {0}: nothing was polled into this state directory yet, or the file was \
         deleted (`newshound poll` or the daemon creates it)"
    )]
    Missing(String),
    /// The database file the daemon opened was deleted or replaced.
    #[error(
        "the database file {0} was deleted or replaced while the daemon ran; what it writes now \
         is lost: restore the file (or remove the new one) and restart the daemon"
    )]
    Replaced(String),
}

/// The newshound database.
pub struct Store {
    conn: Connection,
    /// The database file, beside which the outbox lock lives.
    path: std::path::PathBuf,
    /// The device and inode of the file opened, to notice it was deleted or
    /// replaced (SQLite goes on writing to an unlinked file).
    file: Option<(u64, u64)>,
}

/// The device and inode of the file at `path`.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::StateDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        // Two processes starting on a new state directory (the daemon and a
        // `poll`) must not both apply the migrations: one waits here.
        let lock_path = path.with_extension("migrate-lock");
        let lock = match std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .and_then(|file| file.lock().map(|()| file))
        {
            Ok(lock) => lock,
            Err(source) => {
                return Err(StoreError::StateDir {
                    path: lock_path.display().to_string(),
                    source,
                });
            }
        };
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // Migrate before switching to WAL: the first migration sets
        // auto_vacuum, which SQLite only accepts before the file has a
        // header in WAL format.
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Room for every statement the daemon prepares, so none is parsed
        // again after another evicted it (the default holds 16).
        conn.set_prepared_statement_cache_capacity(96);
        drop(lock);
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            file: file_id(path),
        })
    }

    /// Opens the database to read it, also where it cannot be written (a
    /// read-only file system or snapshot), for commands that only read:
    /// as [`Store::open`] when that works; else read-only, through the WAL
    /// when one is there (SQLite needs its `-shm` file then), or as an
    /// immutable file when there is none, so nothing committed is missed.
    pub fn open_for_reading(path: &Path) -> Result<Store, StoreError> {
        // Opening creates a missing file: a command that only reads never
        // makes one, which would hide a database that was deleted.
        if !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        let error = match Store::open(path) {
            Ok(store) => return Ok(store),
            Err(e) => e,
        };
        if !path.exists() {
            return Err(error);
        }
        let absolute = std::path::absolute(path).map_err(|source| StoreError::StateDir {
            path: path.display().to_string(),
            source,
        })?;
        let mut uri = url::Url::from_file_path(&absolute)
            .map_err(|()| StoreError::Corrupt(format!("{} is not a file path", path.display())))?;
        let wal = absolute.with_file_name(format!(
            "{}-wal",
            absolute.file_name().unwrap_or_default().to_string_lossy()
        ));
        uri.set_query(Some(if wal.exists() {
            "mode=ro"
        } else {
            "immutable=1"
        }));
        let conn = Connection::open_with_flags(
            uri.as_str(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|_| error)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version != MIGRATIONS.len() as i64 {
            return Err(StoreError::Corrupt(format!(
                "{} needs migrating, which a read-only file system does not allow",
                path.display()
            )));
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            file: file_id(path),
        })
    }

    /// Fails when the file at the database's path is no longer the one
    /// opened: deleted, or replaced by another.
    pub fn check_file(&self) -> Result<(), StoreError> {
        match file_id(&self.path) {
            now if now.is_some() && now == self.file => Ok(()),
            _ => Err(StoreError::Replaced(self.path.display().to_string())),
        }
    }

    /// Runs a read-only check query; used by tests and health checks.
    pub fn pragma_text(&self, pragma: &str) -> Result<String, StoreError> {
        let value: rusqlite::types::Value =
            self.conn
                .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))?;
        Ok(match value {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
    }
}

fn to_secs(time: DateTime<Utc>) -> i64 {
    time.timestamp()
}

fn from_secs(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

#[cfg(test)]
mod tests;
