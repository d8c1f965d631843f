//! Storing a successful poll: new entries, the validators that go with them,
//! and the matches and deliveries they cause, in one transaction, so a crash
//! can never advance validators past entries that were not stored.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Store, StoreError, to_secs};
use crate::model::{Entry, Validators};

/// A rule that matched a new entry.
#[derive(Debug, Clone)]
pub struct NewMatch {
    pub rule: String,
    pub terms: Vec<String>,
    pub snippet: String,
}

/// One mail to send because of a new entry.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub recipient: String,
    /// Names of the rules the mail stands for.
    pub rules: Vec<String>,
    pub message_id: String,
}

/// An entry not seen before in its feed, with what it caused.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub entry: Entry,
    pub matches: Vec<NewMatch>,
    pub deliveries: Vec<NewDelivery>,
}

/// The outcome of one successful poll of a feed.
#[derive(Debug, Clone)]
pub struct PollRecord {
    pub validators: Validators,
    /// What had to be mended to read the feed, kept on the feed until a clean poll.
    pub warning: Option<String>,
    pub entries: Vec<NewEntry>,
    pub at: DateTime<Utc>,
    pub next_poll: DateTime<Utc>,
}

/// What a stored poll added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stored {
    pub entries: usize,
    pub matches: usize,
    pub deliveries: usize,
}

impl Store {
    /// Of `ids`, those already stored for `feed`.
    pub fn known_entries(&self, feed: &str, ids: &[&str]) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM entries WHERE feed = ?1 AND identity = ?2")?;
        let mut known = Vec::new();
        for id in ids {
            if stmt
                .query_row(params![feed, id], |_| Ok(()))
                .optional()?
                .is_some()
            {
                known.push((*id).to_string());
            }
        }
        Ok(known)
    }

    /// Writes a successful poll of `feed` in one transaction. Entries that
    /// are already stored (a concurrent or repeated poll) are skipped with
    /// everything they would have caused.
    pub fn record_poll(&mut self, feed: &str, poll: &PollRecord) -> Result<Stored, StoreError> {
        let tx = self.conn.transaction()?;
        let at = to_secs(poll.at);
        let mut stored = Stored::default();
        for new in &poll.entries {
            insert_entry(&tx, feed, new, at, &mut stored)?;
        }
        tx.execute(
            "UPDATE feeds SET etag = ?2, last_modified = ?3, last_polled_at = ?4,
                    last_success_at = ?4, first_polled_at = COALESCE(first_polled_at, ?4),
                    next_poll_at = ?5, last_error_class = NULL, last_error_message = NULL,
                    last_error_at = NULL, error_count = 0, last_warning = ?6,
                    disabled_at = NULL, disabled_reason = NULL
             WHERE name = ?1",
            params![
                feed,
                poll.validators.etag,
                poll.validators.last_modified,
                at,
                to_secs(poll.next_poll),
                poll.warning,
            ],
        )?;
        tx.commit()?;
        Ok(stored)
    }
}

/// Inserts one entry with its matches and deliveries, unless the feed
/// already holds it.
fn insert_entry(
    tx: &Transaction,
    feed: &str,
    new: &NewEntry,
    at: i64,
    stored: &mut Stored,
) -> Result<(), StoreError> {
    let e = &new.entry;
    let inserted = tx
        .prepare_cached(
            "INSERT INTO entries (feed, identity, title, link, canonical_link, author,
                                  published_at, summary, content, seen_at, processed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
             ON CONFLICT (feed, identity) DO NOTHING",
        )?
        .execute(params![
            feed,
            e.id,
            e.title,
            e.link,
            e.canonical_link,
            e.author,
            e.published.map(to_secs),
            e.summary,
            e.content,
            at,
        ])?;
    if inserted == 0 {
        return Ok(());
    }
    let entry_id = tx.last_insert_rowid();
    stored.entries += 1;
    let mut insert_match = tx.prepare_cached(
        "INSERT INTO matches (entry_id, rule, terms, snippet, matched_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for m in &new.matches {
        insert_match.execute(params![entry_id, m.rule, json(&m.terms), m.snippet, at])?;
        stored.matches += 1;
    }
    let mut insert_delivery = tx.prepare_cached(
        "INSERT INTO deliveries (entry_id, channel, recipient, rules, message_id, created_at)
         VALUES (?1, 'email', ?2, ?3, ?4, ?5)
         ON CONFLICT DO NOTHING",
    )?;
    for d in &new.deliveries {
        stored.deliveries += insert_delivery.execute(params![
            entry_id,
            d.recipient,
            json(&d.rules),
            d.message_id,
            at
        ])?;
    }
    Ok(())
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).expect("a list of strings always serialises")
}
