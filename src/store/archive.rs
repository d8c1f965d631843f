//! Reading the archive back: stored entries in id order, for backtests.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Store, StoreError, from_secs, to_secs};

/// A stored entry as a backtest sees it.
#[derive(Debug, Clone)]
pub struct ArchivedEntry {
    pub id: i64,
    pub feed: String,
    pub title: String,
    pub link: Option<String>,
    pub summary: String,
    pub content: String,
    /// Published time, else when newshound first saw it.
    pub when: DateTime<Utc>,
    /// The language it was matched in, when known.
    pub language: Option<String>,
}

/// Entries count from their publication, or from when they were first seen.
const WHEN: &str = "COALESCE(published_at, seen_at)";

impl Store {
    /// How many entries date from `since` or later.
    pub fn count_entries_since(&self, since: DateTime<Utc>) -> Result<u64, StoreError> {
        let sql = format!("SELECT COUNT(*) FROM entries WHERE {WHEN} >= ?1");
        Ok(self
            .conn
            .query_row(&sql, [to_secs(since)], |r| r.get::<_, i64>(0))? as u64)
    }

    /// The publication times of the feed's `limit` most recently
    /// published entries, newest first.
    pub fn recent_publications(
        &self,
        feed: &str,
        limit: usize,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT published_at FROM entries WHERE feed = ?1 AND published_at IS NOT NULL
             ORDER BY published_at DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![feed, limit as i64], |r| Ok(from_secs(r.get(0)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` entries dating from `since`, with ids above `after`,
    /// in id order: call again with the last id to page through.
    pub fn entries_since(
        &self,
        since: DateTime<Utc>,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ArchivedEntry>, StoreError> {
        let sql = format!(
            "SELECT id, feed, title, link, summary, content, {WHEN}, language FROM entries
             WHERE {WHEN} >= ?1 AND id > ?2 ORDER BY id LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![to_secs(since), after, limit as i64], |r| {
            Ok(ArchivedEntry {
                id: r.get(0)?,
                feed: r.get(1)?,
                title: r.get(2)?,
                link: r.get(3)?,
                summary: r.get(4)?,
                content: r.get(5)?,
                when: from_secs(r.get(6)?),
                language: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
