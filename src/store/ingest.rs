//! Storing a successful poll: new entries, the validators that go with them,
//! and the matches and deliveries they cause, in one transaction, so a crash
//! can never advance validators past entries that were not stored.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction, params};

use super::digests::add_digest_item;
use super::plan::{DeliveryFacts, DeliveryPolicy, NewEntry, PlannedDelivery};
use super::rows::{json_list, parse_list};
use super::stories::{StoryRules, join_story};
use super::{Store, StoreError, to_secs};
use crate::model::{Channel, Entry, Validators, message_id};

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
    pub fn record_poll(
        &mut self,
        feed: &str,
        poll: &PollRecord,
        policy: DeliveryPolicy,
        stories: StoryRules,
    ) -> Result<Stored, StoreError> {
        let tx = self.conn.transaction()?;
        let at = to_secs(poll.at);
        let mut stored = Stored::default();
        for new in &poll.entries {
            insert_entry(&tx, feed, new, at, (policy, stories), &mut stored)?;
        }
        for updated in &poll.updated {
            update_entry(&tx, updated, at, policy, &mut stored)?;
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
    (policy, stories): (DeliveryPolicy, StoryRules),
    stored: &mut Stored,
) -> Result<(), StoreError> {
    let e = &new.entry;
    let inserted = tx
        .prepare_cached(
            "INSERT INTO entries (feed, identity, title, link, canonical_link, author,
                                  published_at, summary, content, content_hash, seen_at, processed_at,
                                  language)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?11, ?10, ?12, ?13)
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
            e.language,
        ])?;
    if inserted == 0 {
        return Ok(());
    }
    let entry_id = tx.last_insert_rowid();
    stored.entries += 1;
    match new.processed {
        // Its story is decided with its matches, once its page is read.
        false => stored.unprocessed += 1,
        true => join_story(tx, entry_id, new.sketch.as_ref(), at, stories)?,
    }
    insert_outcome(tx, entry_id, new, at, policy, stored)
}

/// Stores an entry's new text and what the change caused.
fn update_entry(
    tx: &Transaction,
    updated: &UpdatedEntry,
    at: i64,
    policy: DeliveryPolicy,
    stored: &mut Stored,
) -> Result<(), StoreError> {
    let e = &updated.update.entry;
    tx.prepare_cached(
        "UPDATE entries SET title = ?2, link = ?3, canonical_link = ?4, author = ?5,
                published_at = ?6, summary = ?7, content = ?8, content_hash = ?9, indexed = 0,
                pruned_at = NULL, language = ?10
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
        e.language,
    ])?;
    stored.updated += 1;
    insert_outcome(tx, updated.entry_id, &updated.update, at, policy, stored)
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
            "SELECT id, identity, title, link, canonical_link, author, published_at, summary, content,
                    language
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
                    language: r.get(9)?,
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
        policy: DeliveryPolicy,
        stories: StoryRules,
    ) -> Result<Stored, StoreError> {
        let tx = self.conn.transaction()?;
        let at = to_secs(at);
        let changed = tx.execute(
            "UPDATE entries SET body = ?2, body_source = ?3, body_note = ?4, processed_at = ?5,
                    indexed = 0, language = ?6
             WHERE id = ?1 AND processed_at IS NULL",
            params![
                entry_id,
                body.text,
                body.source,
                body.note,
                at,
                outcome.entry.language
            ],
        )?;
        let mut stored = Stored::default();
        if changed == 1 {
            join_story(&tx, entry_id, outcome.sketch.as_ref(), at, stories)?;
            insert_outcome(&tx, entry_id, outcome, at, policy, &mut stored)?;
        }
        tx.commit()?;
        Ok(stored)
    }
}

/// Inserts an entry's matches, then lets `policy` plan its digest items and
/// mails from what the database holds, and writes the plan. A match that
/// exists already (a rule never matches one entry twice) is skipped, and so
/// is its rule in the facts the policy sees: two processes that read
/// different versions of an updated entry each insert only the matches that
/// are new, so no (entry, rule) pair is mailed twice. A delivery with a
/// known Message-ID is skipped.
fn insert_outcome(
    tx: &Transaction,
    entry_id: i64,
    new: &NewEntry,
    at: i64,
    policy: DeliveryPolicy,
    stored: &mut Stored,
) -> Result<(), StoreError> {
    let match_ids = insert_matches(tx, entry_id, new, at)?;
    stored.matches += match_ids.len();
    let mut facts = DeliveryFacts {
        entry: new,
        fresh: match_ids.iter().map(|(index, _)| *index).collect(),
        mailed_for_story: HashMap::new(),
        held_for_story: Vec::new(),
        immediate_this_hour: immediate_this_hour(tx, new, at)?,
    };
    // Most stories are in one feed only: then nothing was mailed for them.
    if !new.deliveries.is_empty() && shares_story(tx, entry_id)? {
        facts.mailed_for_story = mailed_for_story(tx, entry_id, new)?;
        facts.held_for_story = held_for_story(tx, entry_id)?;
    }
    let plan = policy(&facts);
    for (index, key) in &plan.digest_items {
        if let Some((_, match_id)) = match_ids.iter().find(|(i, _)| i == index) {
            add_digest_item(tx, key, *match_id, at, new.matches[*index].every_copy)?;
        }
    }
    for planned in &plan.deliveries {
        let queued = insert_delivery(tx, entry_id, new, planned, at)?;
        stored.deliveries += queued;
        if queued == 1 {
            for rule in &planned.counted {
                tx.prepare_cached(
                    "UPDATE matches SET immediate = 1 WHERE entry_id = ?1 AND rule = ?2",
                )?
                .execute(params![entry_id, rule])?;
            }
        }
    }
    Ok(())
}

/// Inserts the entry's matches that are not stored yet; returns each new
/// one's index in `new.matches` with its row id.
fn insert_matches(
    tx: &Transaction,
    entry_id: i64,
    new: &NewEntry,
    at: i64,
) -> Result<Vec<(usize, i64)>, StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO matches (entry_id, rule, terms, snippet, matched_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (entry_id, rule) DO NOTHING",
    )?;
    let mut ids = Vec::new();
    for (index, m) in new.matches.iter().enumerate() {
        if insert.execute(params![
            entry_id,
            m.rule,
            json_list(&m.terms),
            m.snippet,
            at
        ])? == 1
        {
            ids.push((index, tx.last_insert_rowid()));
        }
    }
    Ok(ids)
}

/// Queues one planned delivery; returns 1 when it was queued, 0 when a
/// delivery with its Message-ID already exists.
fn insert_delivery(
    tx: &Transaction,
    entry_id: i64,
    new: &NewEntry,
    planned: &PlannedDelivery,
    at: i64,
) -> Result<usize, StoreError> {
    let asked = &new.deliveries[planned.index];
    let message_id = match planned.rules.len() == asked.rules.len() {
        true => asked.message_id.clone(),
        // Fewer rules than asked for: the mail is another mail.
        false => {
            let (feed, identity): (String, String) = tx.query_row(
                "SELECT feed, identity FROM entries WHERE id = ?1",
                [entry_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            message_id(
                &feed,
                &identity,
                asked.channel,
                &asked.recipient,
                &planned.rules,
            )
        }
    };
    Ok(tx
        .prepare_cached(
            "INSERT INTO deliveries (entry_id, channel, recipient, rules, message_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            entry_id,
            asked.channel,
            asked.recipient,
            json_list(&planned.rules),
            message_id,
            at,
        ])?)
}

/// True when another entry is in the entry's story.
fn shares_story(tx: &Transaction, entry_id: i64) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM entries
             WHERE story_id = (SELECT story_id FROM entries WHERE id = ?1) AND id != ?1)",
        )?
        .query_row([entry_id], |r| r.get::<_, bool>(0))?)
}

/// The rules mailed for the entry's story from its other entries, for
/// each channel and recipient the entry's mails go to (the others' rows
/// are not read).
fn mailed_for_story(
    tx: &Transaction,
    entry_id: i64,
    new: &NewEntry,
) -> Result<HashMap<(Channel, String), Vec<String>>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT d.rules FROM deliveries d JOIN entries e ON e.id = d.entry_id
         WHERE e.story_id = (SELECT story_id FROM entries WHERE id = ?1)
           AND e.id != ?1 AND d.recipient = ?2 AND d.channel = ?3",
    )?;
    let mut mailed: HashMap<(Channel, String), Vec<String>> = HashMap::new();
    for d in &new.deliveries {
        let rows = stmt.query_map(params![entry_id, d.recipient, d.channel], |r| {
            r.get::<_, String>(0)
        })?;
        for rules in rows {
            mailed
                .entry((d.channel, d.recipient.clone()))
                .or_default()
                .extend(parse_list(&rules?)?);
        }
    }
    Ok(mailed)
}

/// Rules whose match of the entry's story from another entry waits in the
/// rule's "more matches" mail.
fn held_for_story(tx: &Transaction, entry_id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT m.rule FROM digest_items di JOIN matches m ON m.id = di.match_id
             JOIN entries e ON e.id = m.entry_id
         WHERE di.key = 'overflow:' || m.rule AND e.id != ?1
           AND e.story_id = (SELECT story_id FROM entries WHERE id = ?1)",
    )?;
    let rules = stmt.query_map([entry_id], |r| r.get(0))?;
    Ok(rules.collect::<Result<_, _>>()?)
}

/// For each rule of the entry with an hourly limit that the entry mails at
/// once: its matches mailed at once in the clock hour (UTC) of `at`. Other
/// rules (as in bulk setups, without a limit) cost no query.
fn immediate_this_hour(
    tx: &Transaction,
    new: &NewEntry,
    at: i64,
) -> Result<HashMap<String, u64>, StoreError> {
    let hour_start = at - at.rem_euclid(3600);
    let mut count = tx.prepare_cached(
        "SELECT COUNT(*) FROM matches WHERE rule = ?1 AND matched_at >= ?2 AND immediate = 1",
    )?;
    let mut counts = HashMap::new();
    // Only a rule the entry mails at once can be held back by its limit.
    let mailed_at_once = |rule: &String| {
        new.deliveries
            .iter()
            .any(|d| d.channel == Channel::Email && d.rules.contains(rule))
    };
    for m in new
        .matches
        .iter()
        .filter(|m| m.hourly_limit > 0 && mailed_at_once(&m.rule))
    {
        let n = count.query_row(params![m.rule, hour_start], |r| r.get::<_, i64>(0))?;
        counts.insert(m.rule.clone(), n as u64);
    }
    Ok(counts)
}
