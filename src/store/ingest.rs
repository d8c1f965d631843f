//! Storing a successful poll: new entries, the validators that go with them,
//! and the matches and deliveries they cause, in one transaction, so a crash
//! can never advance validators past entries that were not stored.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction, params};

use super::digests::add_digest_item;
use super::outbox::parse_list;
use super::{Store, StoreError, to_secs};
use crate::model::{Entry, Validators, delivery_key, message_id, overflow_key};

/// A rule that matched a new entry.
#[derive(Debug, Clone)]
pub struct NewMatch {
    pub rule: String,
    pub terms: Vec<String>,
    pub snippet: String,
    /// Keys of the digests the match goes to (`digest:NAME`).
    pub digests: Vec<String>,
    /// The rule's `max_immediate_per_hour` (0: no limit). Past it the
    /// match is not mailed at once: it waits in the rule's digests, or,
    /// without one, for the rule's "more matches" mail.
    pub hourly_limit: u32,
}

/// One mail (or webhook call) to send because of a new entry.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// `email` or `webhook`.
    pub channel: &'static str,
    /// A mail address, or a webhook's name.
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
    /// False when its page is still to be fetched: it is stored
    /// unprocessed, and matched once the page's text is in.
    pub processed: bool,
}

/// The text rules matched an entry against, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub text: String,
    /// `page`, `selector` or `feed`.
    pub source: &'static str,
    /// Why the page was not used, when it was not.
    pub note: Option<String>,
}

/// An entry the feed already held whose text changed: what it caused now.
#[derive(Debug, Clone)]
pub struct UpdatedEntry {
    pub entry_id: i64,
    /// The new text, with only the rules that had not matched it before.
    pub update: NewEntry,
}

/// An entry the store already holds for a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownEntry {
    pub entry_id: i64,
    /// True when the stored text differs from the text now in the feed.
    pub changed: bool,
    /// The rules that already matched it (filled only when `changed`).
    pub matched_rules: Vec<String>,
}

/// The outcome of one successful poll of a feed.
#[derive(Debug, Clone)]
pub struct PollRecord {
    pub validators: Validators,
    /// What had to be mended to read the feed, kept on the feed until a clean poll.
    pub warning: Option<String>,
    pub entries: Vec<NewEntry>,
    pub updated: Vec<UpdatedEntry>,
    pub at: DateTime<Utc>,
    pub next_poll: DateTime<Utc>,
}

/// What a stored poll added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stored {
    pub entries: usize,
    /// New entries stored to be matched once their page is read.
    pub unprocessed: usize,
    /// Entries whose text changed.
    pub updated: usize,
    pub matches: usize,
    pub deliveries: usize,
}

impl Store {
    /// Of the entries `(identity, text hash)`, those `feed` already holds.
    pub fn known_entries(
        &self,
        feed: &str,
        entries: &[(&str, &str)],
    ) -> Result<HashMap<String, KnownEntry>, StoreError> {
        let mut find = self.conn.prepare_cached(
            "SELECT id, content_hash, processed_at IS NOT NULL FROM entries
             WHERE feed = ?1 AND identity = ?2",
        )?;
        let mut rules = self
            .conn
            .prepare_cached("SELECT rule FROM matches WHERE entry_id = ?1")?;
        let mut known = HashMap::new();
        for (id, hash) in entries {
            let found: Option<(i64, String, bool)> = find
                .query_row(params![feed, id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((entry_id, stored_hash, processed)) = found else {
                continue;
            };
            // An entry still waiting for its page is matched once, when the
            // page is read; an edit before then is not a second chance.
            let changed = processed && stored_hash != *hash;
            let matched_rules = match changed {
                true => rules
                    .query_map([entry_id], |r| r.get(0))?
                    .collect::<Result<_, _>>()?,
                false => Vec::new(),
            };
            known.insert(
                id.to_string(),
                KnownEntry {
                    entry_id,
                    changed,
                    matched_rules,
                },
            );
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
        for updated in &poll.updated {
            update_entry(&tx, updated, at, &mut stored)?;
        }
        tx.prepare_cached(
            "UPDATE feeds SET etag = ?2, last_modified = ?3, last_polled_at = ?4,
                    last_success_at = ?4, first_polled_at = COALESCE(first_polled_at, ?4),
                    next_poll_at = ?5, last_error_class = NULL, last_error_message = NULL,
                    last_error_at = NULL, error_count = 0, last_warning = ?6,
                    disabled_at = NULL, disabled_reason = NULL
             WHERE name = ?1",
        )?
        .execute(params![
            feed,
            poll.validators.etag,
            poll.validators.last_modified,
            at,
            to_secs(poll.next_poll),
            poll.warning,
        ])?;
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
                                  published_at, summary, content, content_hash, seen_at, processed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?11, ?10, ?12)
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
            e.text_hash(),
            new.processed.then_some(at),
        ])?;
    if inserted == 0 {
        return Ok(());
    }
    let entry_id = tx.last_insert_rowid();
    stored.entries += 1;
    if !new.processed {
        stored.unprocessed += 1;
    }
    insert_outcome(tx, entry_id, new, at, stored)
}

/// Stores an entry's new text and what the change caused.
fn update_entry(
    tx: &Transaction,
    updated: &UpdatedEntry,
    at: i64,
    stored: &mut Stored,
) -> Result<(), StoreError> {
    let e = &updated.update.entry;
    tx.prepare_cached(
        "UPDATE entries SET title = ?2, link = ?3, canonical_link = ?4, author = ?5,
                published_at = ?6, summary = ?7, content = ?8, content_hash = ?9, indexed = 0,
                pruned_at = NULL
         WHERE id = ?1",
    )?
    .execute(params![
        updated.entry_id,
        e.title,
        e.link,
        e.canonical_link,
        e.author,
        e.published.map(to_secs),
        e.summary,
        e.content,
        e.text_hash(),
    ])?;
    stored.updated += 1;
    insert_outcome(tx, updated.entry_id, &updated.update, at, stored)
}

impl Store {
    /// The feeds holding entries stored before their page was read.
    pub fn feeds_with_unprocessed(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT feed FROM entries WHERE processed_at IS NULL")?;
        let feeds = stmt.query_map([], |r| r.get(0))?;
        Ok(feeds.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` entries of `feed` stored before their page was read,
    /// oldest first, with their row ids.
    pub fn unprocessed_entries(
        &self,
        feed: &str,
        limit: usize,
    ) -> Result<Vec<(i64, Entry)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, identity, title, link, canonical_link, author, published_at, summary, content
             FROM entries WHERE feed = ?1 AND processed_at IS NULL ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![feed, limit as i64], |r| {
            Ok((
                r.get(0)?,
                Entry {
                    id: r.get(1)?,
                    title: r.get(2)?,
                    link: r.get(3)?,
                    canonical_link: r.get(4)?,
                    author: r.get(5)?,
                    published: r.get::<_, Option<i64>>(6)?.map(super::from_secs),
                    summary: r.get(7)?,
                    content: r.get(8)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores an entry's body with its matches and deliveries, and marks it
    /// processed, in one transaction. An entry another process processed
    /// meanwhile is left alone, with nothing it would have caused.
    pub fn record_processed(
        &mut self,
        entry_id: i64,
        body: &Body,
        outcome: &NewEntry,
        at: DateTime<Utc>,
    ) -> Result<Stored, StoreError> {
        let tx = self.conn.transaction()?;
        let at = to_secs(at);
        let changed = tx.execute(
            "UPDATE entries SET body = ?2, body_source = ?3, body_note = ?4, processed_at = ?5,
                    indexed = 0
             WHERE id = ?1 AND processed_at IS NULL",
            params![entry_id, body.text, body.source, body.note, at],
        )?;
        let mut stored = Stored::default();
        if changed == 1 {
            insert_outcome(&tx, entry_id, outcome, at, &mut stored)?;
        }
        tx.commit()?;
        Ok(stored)
    }
}

/// Inserts an entry's matches and deliveries. A match that exists already
/// (a rule never matches one entry twice) is skipped, and so is its rule in
/// the deliveries: two processes that read different versions of an
/// updated entry each insert only the matches that are new, so no (entry,
/// rule) pair is mailed twice. A rule already mailed to a recipient for
/// the same story (same canonical link) from another feed is left out too:
/// one story is one alert, which lists every feed that carried it. A
/// delivery with a known Message-ID is skipped. Each new match joins the
/// digests its rule names; a rule past its hourly limit of immediate mails
/// is left out of the mails, and its match waits for its digest (or its
/// "more matches" mail) instead.
fn insert_outcome(
    tx: &Transaction,
    entry_id: i64,
    new: &NewEntry,
    at: i64,
    stored: &mut Stored,
) -> Result<(), StoreError> {
    let mut insert_match = tx.prepare_cached(
        "INSERT INTO matches (entry_id, rule, terms, snippet, matched_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (entry_id, rule) DO NOTHING",
    )?;
    let mut fresh: Vec<&str> = Vec::new();
    // Rules past their hourly limit: not mailed at once.
    let mut held: Vec<&str> = Vec::new();
    for m in &new.matches {
        let inserted =
            insert_match.execute(params![entry_id, m.rule, json(&m.terms), m.snippet, at])?;
        stored.matches += inserted;
        if inserted == 0 {
            continue;
        }
        let match_id = tx.last_insert_rowid();
        fresh.push(&m.rule);
        let mailed_at_once = new
            .deliveries
            .iter()
            .any(|d| d.channel == "email" && d.rules.contains(&m.rule));
        let storm = mailed_at_once && m.hourly_limit > 0 && {
            let this_hour = immediate_this_hour(tx, &m.rule, at)?;
            this_hour >= u64::from(m.hourly_limit)
        };
        if storm {
            held.push(&m.rule);
        }
        for key in &m.digests {
            add_digest_item(tx, key, match_id, at)?;
        }
        if storm && m.digests.is_empty() {
            add_digest_item(tx, &overflow_key(&m.rule), match_id, at)?;
        }
    }
    let mut insert_delivery = tx.prepare_cached(
        "INSERT INTO deliveries (entry_id, channel, recipient, rules, message_id, created_at)
         VALUES (?1, ?6, ?2, ?3, ?4, ?5)
         ON CONFLICT DO NOTHING",
    )?;
    let mut mailed_for_story = tx.prepare_cached(
        "SELECT d.rules FROM deliveries d JOIN entries e ON e.id = d.entry_id
         WHERE e.canonical_link = (SELECT canonical_link FROM entries WHERE id = ?1)
           AND e.id != ?1 AND d.recipient = ?2 AND d.channel = ?3",
    )?;
    // Most stories are in one feed only: then nothing was mailed for them.
    let shared_story = !new.deliveries.is_empty()
        && tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM entries
                 WHERE canonical_link = (SELECT canonical_link FROM entries WHERE id = ?1)
                   AND id != ?1)",
            )?
            .query_row([entry_id], |r| r.get::<_, bool>(0))?;
    let mut held_for_story = tx.prepare_cached(
        "SELECT m.rule FROM digest_items di JOIN matches m ON m.id = di.match_id
             JOIN entries e ON e.id = m.entry_id
         WHERE di.key = 'overflow:' || m.rule AND e.id != ?1
           AND e.canonical_link = (SELECT canonical_link FROM entries WHERE id = ?1)",
    )?;
    for d in &new.deliveries {
        // The same story from another feed: what was mailed for it to this
        // recipient is not mailed again.
        let mut mailed: Vec<String> = Vec::new();
        if shared_story {
            let mailed_rows = mailed_for_story
                .query_map(params![entry_id, d.recipient, d.channel], |r| {
                    r.get::<_, String>(0)
                })?;
            for rules in mailed_rows {
                mailed.extend(parse_list(&rules?)?);
            }
        }
        if shared_story && d.channel == "email" {
            // Held by storm control for a "more matches" mail: as good as
            // mailed, so another feed's copy does not go out at once.
            let held = held_for_story.query_map([entry_id], |r| r.get::<_, String>(0))?;
            for rule in held {
                mailed.push(rule?);
            }
        }
        let rules: Vec<String> = d
            .rules
            .iter()
            .filter(|r| fresh.contains(&r.as_str()) && !mailed.contains(r))
            .filter(|r| d.channel != "email" || !held.contains(&r.as_str()))
            .cloned()
            .collect();
        if rules.is_empty() {
            continue;
        }
        let message_id = match rules.len() == d.rules.len() {
            true => d.message_id.clone(),
            // Fewer rules than planned: the mail is another mail.
            false => {
                let (feed, identity): (String, String) = tx.query_row(
                    "SELECT feed, identity FROM entries WHERE id = ?1",
                    [entry_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                message_id(
                    &feed,
                    &identity,
                    &delivery_key(d.channel, &d.recipient),
                    &rules,
                )
            }
        };
        let queued = insert_delivery.execute(params![
            entry_id,
            d.recipient,
            json(&rules),
            message_id,
            at,
            d.channel
        ])?;
        stored.deliveries += queued;
        if queued == 1 && d.channel == "email" {
            // Only storm control reads the mark: rules without a limit
            // (as in bulk setups) skip the write.
            let limited = rules.iter().filter(|r| {
                new.matches
                    .iter()
                    .any(|m| m.rule == **r && m.hourly_limit > 0)
            });
            for rule in limited {
                tx.prepare_cached(
                    "UPDATE matches SET immediate = 1 WHERE entry_id = ?1 AND rule = ?2",
                )?
                .execute(params![entry_id, rule])?;
            }
        }
    }
    Ok(())
}

/// Matches of `rule` mailed at once in the clock hour (UTC) of `at`.
fn immediate_this_hour(tx: &Transaction, rule: &str, at: i64) -> Result<u64, StoreError> {
    let hour_start = at - at.rem_euclid(3600);
    Ok(tx
        .prepare_cached(
            "SELECT COUNT(*) FROM matches WHERE rule = ?1 AND matched_at >= ?2 AND immediate = 1",
        )?
        .query_row(params![rule, hour_start], |r| r.get::<_, i64>(0))? as u64)
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).expect("a list of strings always serialises")
}
