//! The full-text index in the database: bringing it up to date in batches,
//! and finding candidates for a search, best first.

use chrono::{DateTime, Utc};
use rusqlite::{TransactionBehavior, params};

use super::rows::STORY_SOURCES;
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
    /// The language it was matched in, when known.
    pub language: Option<String>,
    /// The story it is in: the number of the story's first entry.
    pub story: i64,
    /// Every feed that carried the story, by name.
    pub sources: Vec<String>,
}

impl Store {
    /// Indexes up to `limit` entries whose current text is not in the
    /// index, in one transaction; returns how many. `prepare` turns the
    /// stored language and the title, summary and body into the index's
    /// text of each.
    pub fn index_pending(
        &mut self,
        limit: usize,
        prepare: impl Fn(Option<&str>, [&str; 3]) -> [String; 3],
    ) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        type Pending = (i64, String, String, String, Option<String>);
        let pending: Vec<Pending> = tx
            .prepare_cached(
                "SELECT id, title, summary, COALESCE(body, content), language FROM entries
                 WHERE indexed = 0 ORDER BY id LIMIT ?1",
            )?
            .query_map([limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        {
            let mut forget = tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?;
            let mut add = tx.prepare_cached(
                "INSERT INTO search (rowid, title, summary, body) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut done = tx.prepare_cached("UPDATE entries SET indexed = 1 WHERE id = ?1")?;
            for (id, title, summary, body, language) in &pending {
                forget.execute([id])?;
                let [title, summary, body] = prepare(language.as_deref(), [title, summary, body]);
                add.execute(params![id, title, summary, body])?;
                done.execute([id])?;
            }
        }
        tx.commit()?;
        Ok(pending.len())
    }

    /// Up to `limit` entries matching the FTS5 query `fts`, best first
    /// (title hits weigh most), of `feeds` (all when None), dated `since`
    /// or later, after skipping the first `offset`. Their `sources` are
    /// left empty: [`Store::story_sources`] reads them for those shown.
    pub fn search(
        &self,
        fts: &str,
        feeds: Option<&[String]>,
        since: Option<DateTime<Utc>>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<SearchHit>, StoreError> {
        // Ranked by the index alone, then only the page's rows are read
        // whole: sorting every candidate's text is what a large archive
        // cannot afford. A filter joins the narrow columns it needs.
        let filter = if feeds.is_some() || since.is_some() {
            "JOIN entries f ON f.id = search.rowid
             WHERE search MATCH ?1
               AND (?2 IS NULL OR f.feed IN (SELECT value FROM json_each(?2)))
               AND (?3 IS NULL OR COALESCE(f.published_at, f.seen_at) >= ?3)"
        } else {
            // Both None: named only so that the parameters are the same.
            "WHERE search MATCH ?1 AND ?2 IS NULL AND ?3 IS NULL"
        };
        let sql = format!(
            "SELECT {HIT_COLUMNS}
             FROM (SELECT search.rowid AS id, bm25(search, 10.0, 3.0, 1.0) AS score
                   FROM search {filter}
                   ORDER BY score, id DESC LIMIT ?4 OFFSET ?5) ranked
             JOIN entries e ON e.id = ranked.id
             ORDER BY ranked.score, ranked.id DESC"
        );
        let feeds = feeds.map(|f| serde_json::to_string(f).expect("names serialise"));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let hits = stmt.query_map(
            params![fts, feeds, since.map(to_secs), limit as i64, offset as i64],
            hit_row,
        )?;
        Ok(hits.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` entries matching the FTS5 query `fts` dated `since`
    /// or later, newest first (by when newshound stored them), unranked:
    /// what counting needs, without ranking every candidate.
    pub fn search_newest(
        &self,
        fts: &str,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {HIT_COLUMNS}
             FROM search JOIN entries e ON e.id = search.rowid
             WHERE search MATCH ?1 AND COALESCE(e.published_at, e.seen_at) >= ?2
             ORDER BY search.rowid DESC LIMIT ?3"
        ))?;
        let hits = stmt.query_map(params![fts, to_secs(since), limit as i64], hit_row)?;
        Ok(hits.collect::<Result<_, _>>()?)
    }

    /// Every feed that carried the story of entry `entry`, by name.
    pub fn story_sources(&self, entry: i64) -> Result<Vec<String>, StoreError> {
        let mut sources = self.conn.prepare_cached(STORY_SOURCES)?;
        let rows = sources.query_map([entry], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The columns of entries `e` that [`hit_row`] reads.
const HIT_COLUMNS: &str = "e.id, e.feed, e.title, e.link, COALESCE(e.published_at, e.seen_at),
     e.summary, COALESCE(e.body, e.content), e.language, COALESCE(e.story_id, e.id)";

fn hit_row(r: &rusqlite::Row) -> rusqlite::Result<SearchHit> {
    Ok(SearchHit {
        id: r.get(0)?,
        feed: r.get(1)?,
        title: r.get(2)?,
        link: r.get(3)?,
        when: from_secs(r.get(4)?),
        summary: r.get(5)?,
        body: r.get(6)?,
        language: r.get(7)?,
        story: r.get(8)?,
        sources: Vec::new(),
    })
}

/// Entries pruned per transaction, so a first prune of a large archive
/// never holds the database for long.
pub const PRUNE_BATCH: usize = 500;

impl Store {
    /// Empties the text of up to [`PRUNE_BATCH`] entries first seen before
    /// `cutoff` and drops them from the search index, keeping their
    /// identity and text hash so an item that reappears in its feed is
    /// never new again. An entry a pending mail or a digest still to be
    /// sent needs is kept whole. Returns how many were pruned; fewer than
    /// the batch means none is left.
    pub fn prune_batch(
        &mut self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ids: Vec<i64> = tx
            .prepare_cached(
                "SELECT e.id FROM entries e
                 WHERE e.seen_at < ?1 AND e.pruned_at IS NULL AND e.processed_at IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM deliveries d
                                   WHERE d.entry_id = e.id AND d.state = 'pending')
                   AND NOT EXISTS (
                       SELECT 1 FROM digest_items di JOIN matches m ON m.id = di.match_id
                       WHERE m.entry_id = e.id
                         AND (di.run_id IS NULL OR di.run_id IN (
                             SELECT digest_run FROM deliveries
                             WHERE state = 'pending' AND digest_run IS NOT NULL)))
                 LIMIT ?2",
            )?
            .query_map(params![to_secs(cutoff), PRUNE_BATCH as i64], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        {
            let mut empty = tx.prepare_cached(
                "UPDATE entries SET title = '', summary = '', content = '', body = NULL,
                        author = NULL, pruned_at = ?2, indexed = 1
                 WHERE id = ?1",
            )?;
            let mut forget = tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?;
            let mut snippets =
                tx.prepare_cached("UPDATE matches SET snippet = '' WHERE entry_id = ?1")?;
            for id in &ids {
                empty.execute(params![id, to_secs(now)])?;
                forget.execute([id])?;
                snippets.execute([id])?;
            }
        }
        tx.commit()?;
        Ok(ids.len())
    }

    /// Keeps the file in shape: lets SQLite refresh its query statistics,
    /// and gives the pages pruning freed back to the file system.
    pub fn tidy(&self) -> Result<(), StoreError> {
        self.conn.execute_batch("PRAGMA optimize")?;
        // Each step frees one page: step until it is done.
        let mut vacuum = self.conn.prepare("PRAGMA incremental_vacuum")?;
        let mut rows = vacuum.query([])?;
        while rows.next()?.is_some() {}
        Ok(())
    }

    /// Writes a consistent copy of the database to `path` (which must not
    /// exist), while other processes go on using it, and flushes it to disk.
    pub fn backup_to(&self, path: &std::path::Path) -> Result<(), StoreError> {
        self.conn
            .execute("VACUUM INTO ?1", [path.to_string_lossy()])?;
        // SQLite does not sync what VACUUM INTO writes.
        let synced = std::fs::File::open(path).and_then(|f| f.sync_all());
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let dir_synced = dir.map_or(Ok(()), |d| {
            std::fs::File::open(d).and_then(|f| f.sync_all())
        });
        synced
            .and(dir_synced)
            .map_err(|source| StoreError::StateDir {
                path: path.display().to_string(),
                source,
            })
    }
}
