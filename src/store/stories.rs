//! Which story an entry belongs to, decided inside the transaction that
//! stores its matches and deliveries: the story of an earlier entry with
//! the same canonical link, else of an earlier entry within the story
//! window whose text holds most of this one's, else its own.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Store, StoreError, from_secs, to_secs};
use crate::model::{Sketch, hashes_from_bytes, hashes_to_bytes};

/// How copies are recognised: `[daemon] story_window` and
/// `story_similarity`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoryRules {
    /// How far back a copy's original may be.
    pub window: Duration,
    /// The share of a new entry's shingles an earlier entry must hold.
    pub similarity: f64,
}

/// Candidates whose text is compared, those sharing most bands first: the
/// bands already say which are close, and a comparison reads a sketch.
const MAX_CANDIDATES: i64 = 16;

/// One entry of a story, as `story` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryCopy {
    pub entry_id: i64,
    pub feed: String,
    pub title: String,
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub seen: DateTime<Utc>,
    /// How it joined the story: None for the story's first entry.
    pub joined: Option<Joined>,
}

/// How an entry joined a story.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Joined {
    /// Its canonical link is the first entry's.
    SameLink,
    /// This share of its text was in an earlier entry of the story.
    Text(f64),
    /// Its sketch is forgotten (older than the story window).
    Forgotten,
}

/// Puts entry `entry_id` in its story, and keeps its sketch to recognise
/// later copies. An entry already in a story (matched before, now
/// updated) stays where it is.
pub(super) fn join_story(
    tx: &Transaction,
    entry_id: i64,
    sketch: Option<&Sketch>,
    at: i64,
    rules: StoryRules,
) -> Result<(), StoreError> {
    let placed: Option<i64> = tx
        .prepare_cached("SELECT story_id FROM entries WHERE id = ?1")?
        .query_row([entry_id], |r| r.get(0))?;
    if placed.is_some() {
        return Ok(());
    }
    let by_link: Option<i64> = tx
        .prepare_cached(
            "SELECT o.story_id FROM entries o, entries me
             WHERE me.id = ?1 AND o.canonical_link = me.canonical_link AND o.id != ?1
               AND o.story_id IS NOT NULL
             ORDER BY o.id LIMIT 1",
        )?
        .query_row([entry_id], |r| r.get(0))
        .optional()?;
    let mut best: Option<(i64, f64)> = None;
    if let (None, Some(sketch), false) = (by_link, sketch, rules.window.is_zero()) {
        let since = at - i64::try_from(rules.window.as_secs()).unwrap_or(i64::MAX);
        best = closest_earlier(tx, entry_id, sketch, since)?;
    }
    let story = match (by_link, best) {
        (Some(story), _) => story,
        (None, Some((story, share))) if share >= rules.similarity => story,
        _ => entry_id,
    };
    tx.prepare_cached("UPDATE entries SET story_id = ?2 WHERE id = ?1")?
        .execute(params![entry_id, story])?;
    if let Some(sketch) = sketch {
        keep_sketch(tx, entry_id, sketch, at, best.map(|(_, share)| share))?;
    }
    Ok(())
}

/// Of the entries kept since `since` that share a band with `sketch`, the
/// one holding the largest share of its shingles: its story and that share.
fn closest_earlier(
    tx: &Transaction,
    entry_id: i64,
    sketch: &Sketch,
    since: i64,
) -> Result<Option<(i64, f64)>, StoreError> {
    let marks = vec!["?"; sketch.bands.len()].join(", ");
    let sql = format!(
        "SELECT s.shingles, COALESCE(e.story_id, e.id)
         FROM (SELECT entry_id, COUNT(*) AS shared FROM story_bands
               WHERE band IN ({marks}) AND entry_id != ? GROUP BY entry_id) c
              JOIN story_sketches s ON s.entry_id = c.entry_id
              JOIN entries e ON e.id = c.entry_id
         WHERE s.at >= ?
         ORDER BY c.shared DESC, c.entry_id LIMIT {MAX_CANDIDATES}"
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let args = sketch
        .bands
        .iter()
        .copied()
        .chain([entry_id, since])
        .map(rusqlite::types::Value::Integer);
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    let mut best: Option<(i64, f64)> = None;
    while let Some(row) = rows.next()? {
        let bytes: Vec<u8> = row.get(0)?;
        let shingles = hashes_from_bytes(&bytes).ok_or_else(|| {
            StoreError::Corrupt(format!("a story sketch of {} bytes", bytes.len()))
        })?;
        let share = sketch.share_in(&shingles);
        if best.is_none_or(|(_, b)| share > b) {
            best = Some((row.get(1)?, share));
        }
    }
    Ok(best)
}

fn keep_sketch(
    tx: &Transaction,
    entry_id: i64,
    sketch: &Sketch,
    at: i64,
    best_share: Option<f64>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO story_sketches (entry_id, at, shingles, minhash, best_share)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        entry_id,
        at,
        hashes_to_bytes(&sketch.shingles),
        hashes_to_bytes(&sketch.minhash),
        best_share
    ])?;
    let mut band =
        tx.prepare_cached("INSERT OR IGNORE INTO story_bands (band, entry_id) VALUES (?1, ?2)")?;
    for key in &sketch.bands {
        band.execute(params![key, entry_id])?;
    }
    Ok(())
}

impl Store {
    /// Forgets the sketches of entries matched before `cutoff` (the story
    /// window): they can no longer be copied from. Their stories stay.
    pub fn forget_sketches(&mut self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM story_bands WHERE entry_id IN
                 (SELECT entry_id FROM story_sketches WHERE at < ?1)",
            [to_secs(cutoff)],
        )?;
        let forgotten = tx.execute(
            "DELETE FROM story_sketches WHERE at < ?1",
            [to_secs(cutoff)],
        )?;
        tx.commit()?;
        Ok(forgotten)
    }

    /// The story entry `entry_id` is in (the id of its first entry), and the
    /// share of its text the closest earlier entry held, when it has a
    /// sketch; None when there is no such entry.
    pub fn story_of(&self, entry_id: i64) -> Result<Option<(i64, Option<f64>)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT COALESCE(e.story_id, e.id), s.best_share
                 FROM entries e LEFT JOIN story_sketches s ON s.entry_id = e.id
                 WHERE e.id = ?1",
            )?
            .query_row([entry_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// The story of entry `entry_id`: every entry in it, first seen first.
    /// None when there is no such entry.
    pub fn story(&self, entry_id: i64) -> Result<Option<Vec<StoryCopy>>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.feed, e.title, e.link, e.published_at, e.seen_at, s.best_share,
                    e.id = COALESCE(e.story_id, e.id), e.canonical_link = first.canonical_link
             FROM entries me
                  JOIN entries e ON COALESCE(e.story_id, e.id) = COALESCE(me.story_id, me.id)
                  JOIN entries first ON first.id = COALESCE(me.story_id, me.id)
                  LEFT JOIN story_sketches s ON s.entry_id = e.id
             WHERE me.id = ?1
             ORDER BY e.id != COALESCE(e.story_id, e.id), e.seen_at, e.id",
        )?;
        let copies: Vec<StoryCopy> = stmt
            .query_map([entry_id], |r| {
                let first: bool = r.get(7)?;
                let by_link: Option<bool> = r.get(8)?;
                let share: Option<f64> = r.get(6)?;
                Ok(StoryCopy {
                    entry_id: r.get(0)?,
                    feed: r.get(1)?,
                    title: r.get(2)?,
                    link: r.get(3)?,
                    published: r.get::<_, Option<i64>>(4)?.map(from_secs),
                    seen: from_secs(r.get(5)?),
                    joined: match (first, by_link, share) {
                        (true, ..) => None,
                        (false, Some(true), _) => Some(Joined::SameLink),
                        (false, _, Some(share)) => Some(Joined::Text(share)),
                        (false, _, None) => Some(Joined::Forgotten),
                    },
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok((!copies.is_empty()).then_some(copies))
    }
}
