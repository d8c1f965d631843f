//! The full-text index in the database: bringing it up to date in batches,
//! and finding candidates for a search, best first.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Store, StoreError, from_secs, to_secs};

/// A stored entry a search found.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub id: i64,
    pub feed: String,
    pub title: String,
    pub link: Option<String>,
    /// Published time, else when newshound first saw it.
    pub when: DateTime<Utc>,
    pub summary: String,
    /// The page's text when it was read, else the feed's.
    pub body: String,
}

impl Store {
    /// Indexes up to `limit` entries whose current text is not in the
    /// index, each field as `prepare` turns it into index text, in one
    /// transaction; returns how many.
    pub fn index_pending(
        &mut self,
        limit: usize,
        prepare: impl Fn(&str) -> String,
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let pending: Vec<(i64, String, String, String)> = tx
            .prepare_cached(
                "SELECT id, title, summary, COALESCE(body, content) FROM entries
                 WHERE indexed = 0 ORDER BY id LIMIT ?1",
            )?
            .query_map([limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        {
            let mut forget = tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?;
            let mut add = tx.prepare_cached(
                "INSERT INTO search (rowid, title, summary, body) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut done = tx.prepare_cached("UPDATE entries SET indexed = 1 WHERE id = ?1")?;
            for (id, title, summary, body) in &pending {
                forget.execute([id])?;
                add.execute(params![id, prepare(title), prepare(summary), prepare(body)])?;
                done.execute([id])?;
            }
        }
        tx.commit()?;
        Ok(pending.len())
    }

    /// Up to `limit` entries matching the FTS5 query `fts`, best first
    /// (title hits weigh most), of `feeds` (all when None), dated `since`
    /// or later.
    pub fn search(
        &self,
        fts: &str,
        feeds: Option<&[String]>,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let feeds = feeds.map(|f| serde_json::to_string(f).expect("names serialise"));
        let mut stmt = self.conn.prepare(
            "SELECT e.id, e.feed, e.title, e.link, COALESCE(e.published_at, e.seen_at),
                    e.summary, COALESCE(e.body, e.content)
             FROM search JOIN entries e ON e.id = search.rowid
             WHERE search MATCH ?1
               AND (?2 IS NULL OR e.feed IN (SELECT value FROM json_each(?2)))
               AND (?3 IS NULL OR COALESCE(e.published_at, e.seen_at) >= ?3)
             ORDER BY bm25(search, 10.0, 3.0, 1.0)
             LIMIT ?4",
        )?;
        let hits = stmt.query_map(
            params![fts, feeds, since.map(to_secs), limit as i64],
            |r| {
                Ok(SearchHit {
                    id: r.get(0)?,
                    feed: r.get(1)?,
                    title: r.get(2)?,
                    link: r.get(3)?,
                    when: from_secs(r.get(4)?),
                    summary: r.get(5)?,
                    body: r.get(6)?,
                })
            },
        )?;
        Ok(hits.collect::<Result<_, _>>()?)
    }
}
