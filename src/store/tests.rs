//! Tests of the store against a real SQLite file.

use super::*;
use crate::model::{Channel, DigestKey, Entry, FailureClass, Validators};
use crate::pipeline::plan_deliveries as policy;

/// Copies recognised as the daemon does by default.
const STORIES: StoryRules = StoryRules {
    window: std::time::Duration::from_secs(72 * 3600),
    similarity: crate::stories::DEFAULT_SIMILARITY,
};

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state/newshound.db")).unwrap();
    (dir, store)
}

fn entry(id: &str) -> Entry {
    Entry {
        id: id.to_string(),
        title: format!("title {id}"),
        link: Some(format!("https://e.org/{id}")),
        canonical_link: Some(format!("https://e.org/{id}")),
        published: None,
        author: None,
        summary: String::new(),
        content: "ceasefire".into(),
        language: None,
    }
}

/// Index text that is the fields lowercased.
fn lowercase(_language: Option<&str>, fields: [&str; 3]) -> [String; 3] {
    fields.map(str::to_lowercase)
}

fn poll(ids: &[&str], etag: &str) -> PollRecord {
    PollRecord {
        validators: Validators {
            etag: Some(etag.into()),
            last_modified: None,
        },
        warning: None,
        updated: Vec::new(),
        entries: ids
            .iter()
            .map(|id| NewEntry {
                entry: entry(id),
                matches: vec![NewMatch {
                    rule: "c".into(),
                    terms: vec!["ceasefire".into()],
                    snippet: "a ceasefire".into(),
                    digests: Vec::new(),
                    hourly_limit: 0,
                    every_copy: false,
                }],
                deliveries: vec![NewDelivery {
                    channel: Channel::Email,
                    recipient: "desk@example.org".into(),
                    rules: vec!["c".into()],
                    message_id: format!("{id}@newshound"),
                }],
                processed: true,
                sketch: None,
            })
            .collect(),
        at: Utc::now(),
        next_poll: Utc::now(),
    }
}

/// The pending alerts (not digests) due by `due_by`.
fn pending_alerts(
    store: &Store,
    due_by: Option<chrono::DateTime<Utc>>,
) -> Vec<crate::model::Alert> {
    store
        .pending_deliveries(due_by)
        .unwrap()
        .into_iter()
        .filter_map(|o| match o {
            crate::model::Outgoing::Alert(a) => Some(a),
            crate::model::Outgoing::Digest(_) | crate::model::Outgoing::Surge(_) => None,
        })
        .collect()
}

#[test]
fn schema_uses_wal_and_incremental_vacuum() {
    let (_dir, store) = open();
    assert_eq!(store.pragma_text("journal_mode").unwrap(), "wal");
    assert_eq!(store.pragma_text("auto_vacuum").unwrap(), "2");
    assert_eq!(
        store.pragma_text("user_version").unwrap(),
        MIGRATIONS.len().to_string()
    );
}

#[test]
fn reopening_keeps_data_and_does_not_remigrate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.db");
    let mut store = Store::open(&path).unwrap();
    store.ensure_feed("f", "https://e.org/f").unwrap();
    store
        .record_poll("f", &poll(&["guid:1"], "v1"), policy, STORIES)
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let known = store
        .known_entries("f", &[("guid:1", "x"), ("guid:2", "y")])
        .unwrap();
    assert_eq!(known.keys().collect::<Vec<_>>(), ["guid:1"]);
    assert!(known["guid:1"].changed, "the stored hash differs from x");
    assert_eq!(known["guid:1"].matched_rules, ["c"]);
}

#[test]
fn a_poll_is_stored_once_with_its_validators_and_outbox() {
    let (_dir, mut store) = open();
    store.ensure_feed("f", "https://e.org/f").unwrap();
    let first = store
        .record_poll("f", &poll(&["guid:1", "guid:2"], "v1"), policy, STORIES)
        .unwrap();
    assert_eq!((first.entries, first.matches, first.deliveries), (2, 2, 2));
    let again = store
        .record_poll("f", &poll(&["guid:2", "guid:3"], "v2"), policy, STORIES)
        .unwrap();
    assert_eq!((again.entries, again.deliveries), (1, 1));
    let state = store.feed_state("f").unwrap().unwrap();
    assert_eq!(state.validators.etag.as_deref(), Some("v2"));
    assert!(state.first_polled_at.is_some());

    let pending = pending_alerts(&store, None);
    assert_eq!(pending.len(), 3);
    assert_eq!(pending[0].rules[0].terms, ["ceasefire"]);
    assert_eq!(pending[0].snippet, "a ceasefire");
    let retry_at = Utc::now() + chrono::Duration::minutes(1);
    store
        .mark_attempt_failed(pending[0].delivery.id, "down", Utc::now(), Some(retry_at))
        .unwrap();
    store
        .mark_sent(&[pending[1].delivery.id], Utc::now())
        .unwrap();
    let left: Vec<i64> = pending_alerts(&store, None)
        .iter()
        .map(|a| a.delivery.id)
        .collect();
    assert_eq!(left, [pending[0].delivery.id, pending[2].delivery.id]);
    // The failed one waits for its retry time; a person's pass (None) does not.
    let due: Vec<i64> = pending_alerts(&store, Some(Utc::now()))
        .iter()
        .map(|a| a.delivery.id)
        .collect();
    assert_eq!(due, [pending[2].delivery.id]);
    assert_eq!(pending_alerts(&store, Some(retry_at)).len(), 2);
    // Without a retry time it is dead: never pending again.
    store
        .mark_attempt_failed(pending[2].delivery.id, "550 no such user", Utc::now(), None)
        .unwrap();
    assert_eq!(pending_alerts(&store, None).len(), 1);
    assert_eq!(store.outbox_summary().unwrap().dead, 1);
}

#[test]
fn failure_keeps_validators_and_counts() {
    let (_dir, mut store) = open();
    store.ensure_feed("f", "https://e.org/f").unwrap();
    store
        .record_poll("f", &poll(&["guid:1"], "v1"), policy, STORIES)
        .unwrap();
    store
        .record_failure(
            "f",
            FailureClass::Http(500),
            "the server answered 500",
            Utc::now(),
            Utc::now(),
        )
        .unwrap();
    let state = store.feed_state("f").unwrap().unwrap();
    assert_eq!(state.validators.etag.as_deref(), Some("v1"));
    assert_eq!(
        state.last_error,
        Some(("http".into(), "the server answered 500".into()))
    );
    assert_eq!(state.error_count, 1);
    store
        .record_not_modified("f", Utc::now(), Utc::now())
        .unwrap();
    let state = store.feed_state("f").unwrap().unwrap();
    assert_eq!((state.last_error, state.error_count), (None, 0));
}

#[test]
fn changed_url_drops_old_validators() {
    let (_dir, mut store) = open();
    store.ensure_feed("f", "https://e.org/old").unwrap();
    store
        .record_poll("f", &poll(&["guid:1"], "v1"), policy, STORIES)
        .unwrap();
    let same = store.ensure_feed("f", "https://e.org/old").unwrap();
    assert_eq!(same.validators.etag.as_deref(), Some("v1"));
    let moved = store.ensure_feed("f", "https://e.org/new").unwrap();
    assert_eq!(
        (moved.url.as_str(), moved.validators.etag),
        ("https://e.org/new", None)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_outbox_lock_excludes_a_second_handle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.db");
    let first = StoreHandle::new(Store::open(&path).unwrap());
    let second = StoreHandle::new(Store::open(&path).unwrap());
    let held = first.lock_outbox().await.unwrap();
    let waiting = tokio::spawn(async move { second.lock_outbox().await.map(|_| ()) });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        !waiting.is_finished(),
        "the second lock waits while the first is held"
    );
    drop(held);
    waiting.await.unwrap().unwrap();
}

#[test]
fn an_entry_waiting_for_its_page_is_processed_once_and_not_rematched_meanwhile() {
    let (_dir, mut store) = open();
    store.ensure_feed("wire", "https://e.org/feed").unwrap();
    let mut record = poll(&["a"], "v1");
    record.entries[0].matches.clear();
    record.entries[0].deliveries.clear();
    record.entries[0].processed = false;
    let stored = store.record_poll("wire", &record, policy, STORIES).unwrap();
    assert_eq!((stored.entries, stored.unprocessed), (1, 1));
    assert_eq!(store.feeds_with_unprocessed().unwrap(), ["wire"]);

    // Its text changed before the page was read: not a change to re-match.
    let known = store
        .known_entries("wire", &[("a", "another hash")])
        .unwrap();
    assert!(!known["a"].changed);

    let (id, waiting) = store.unprocessed_entries("wire", 10).unwrap().remove(0);
    assert_eq!(waiting.id, "a");
    let body = Body {
        text: "the page".into(),
        source: "page",
        note: None,
    };
    let outcome = poll(&["a"], "v1").entries.remove(0);
    let first = store
        .record_processed(id, &body, &outcome, Utc::now(), policy, STORIES)
        .unwrap();
    assert_eq!((first.matches, first.deliveries), (1, 1));
    // A second process arriving late changes nothing.
    let second = store
        .record_processed(id, &body, &outcome, Utc::now(), policy, STORIES)
        .unwrap();
    assert_eq!((second.matches, second.deliveries), (0, 0));
    assert!(store.unprocessed_entries("wire", 10).unwrap().is_empty());
    assert!(
        store
            .known_entries("wire", &[("a", "another hash")])
            .unwrap()["a"]
            .changed
    );
}

#[test]
fn two_versions_of_an_update_never_mail_one_rule_twice() {
    let (_dir, mut store) = open();
    store.ensure_feed("wire", "https://e.org/feed").unwrap();
    store
        .record_poll("wire", &poll(&["a"], "v1"), policy, STORIES)
        .unwrap();
    let entry_id = store.known_entries("wire", &[("a", "x")]).unwrap()["a"].entry_id;
    // Two processes saw two versions of the edited entry: one matched rule
    // d, the other d and e; each thought only c had matched before.
    let update = |rules: &[&str]| {
        let mut record = poll(&[], "v2");
        let rules: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
        record.updated.push(UpdatedEntry {
            entry_id,
            update: NewEntry {
                entry: entry("a"),
                matches: rules
                    .iter()
                    .map(|r| NewMatch {
                        rule: r.clone(),
                        terms: vec![],
                        snippet: String::new(),
                        digests: Vec::new(),
                        hourly_limit: 0,
                        every_copy: false,
                    })
                    .collect(),
                deliveries: vec![NewDelivery {
                    channel: Channel::Email,
                    recipient: "desk@example.org".into(),
                    rules: rules.clone(),
                    message_id: crate::model::message_id(
                        "wire",
                        "a",
                        Channel::Email,
                        "desk@example.org",
                        &rules,
                    ),
                }],
                processed: true,
                sketch: None,
            },
        });
        record
    };
    store
        .record_poll("wire", &update(&["d"]), policy, STORIES)
        .unwrap();
    store
        .record_poll("wire", &update(&["d", "e"]), policy, STORIES)
        .unwrap();
    let mut mailed: Vec<String> = pending_alerts(&store, None)
        .iter()
        .flat_map(|a| a.rules.iter().map(|r| r.name.clone()))
        .collect();
    mailed.sort();
    assert_eq!(mailed, ["c", "d", "e"]);
}

/// The key of the digest "m".
fn digest_m() -> DigestKey {
    DigestKey::Digest("m".into())
}

/// A poll of `ids` whose matches go to the digest `key` only.
fn digest_poll(ids: &[&str], key: &DigestKey) -> PollRecord {
    let mut record = poll(ids, "v");
    for new in &mut record.entries {
        new.matches[0].digests = vec![key.clone()];
        new.deliveries.clear();
    }
    record
}

fn close<'a>(key: &'a DigestKey, to: &'a [String], send_empty: bool, slot: i64) -> DigestClose<'a> {
    DigestClose {
        key,
        slot: from_secs(slot),
        timezone: "UTC",
        to,
        send_empty,
        advance: true,
        at: from_secs(slot + 5),
    }
}

#[test]
fn a_digest_slot_is_closed_once_and_its_matches_go_in_one_run() {
    let (_dir, mut store) = open();
    store.ensure_feed("f", "https://e.org/f").unwrap();
    let to = vec!["desk@example.org".to_string()];
    let start = store
        .digest_done_until(&digest_m(), from_secs(1000))
        .unwrap();
    assert_eq!(start, from_secs(1000), "a new digest starts now");
    store
        .record_poll("f", &digest_poll(&["a", "b"], &digest_m()), policy, STORIES)
        .unwrap();
    assert_eq!(store.digest_pending_count(&digest_m()).unwrap(), 2);

    let closed = store
        .close_digest(&close(&digest_m(), &to, false, 2000))
        .unwrap();
    assert_eq!(closed, Some(Closed { items: 2, mails: 1 }));
    // The same slot again (another process): nothing.
    assert_eq!(
        store
            .close_digest(&close(&digest_m(), &to, false, 2000))
            .unwrap(),
        None
    );
    assert_eq!(store.digest_pending_count(&digest_m()).unwrap(), 0);
    let pending = store.pending_deliveries(None).unwrap();
    let [crate::model::Outgoing::Digest(mail)] = &pending[..] else {
        panic!("one digest mail: {pending:?}");
    };
    assert_eq!(mail.digest.len(), 2);
    assert_eq!(mail.digest.name, "m");

    // An empty slot: handled, nothing queued, unless the digest says so.
    let empty = store
        .close_digest(&close(&digest_m(), &to, false, 3000))
        .unwrap();
    assert_eq!(empty, Some(Closed::default()));
    assert_eq!(store.pending_deliveries(None).unwrap().len(), 1);
    let sent_empty = store
        .close_digest(&close(&digest_m(), &to, true, 4000))
        .unwrap();
    assert_eq!(sent_empty, Some(Closed { items: 0, mails: 1 }));
    assert_eq!(
        store
            .digest_done_until(&digest_m(), from_secs(9999))
            .unwrap(),
        from_secs(4005)
    );
}

#[test]
fn one_story_from_two_feeds_is_one_digest_item() {
    let (_dir, mut store) = open();
    store.ensure_feed("f", "https://e.org/f").unwrap();
    store.ensure_feed("g", "https://e.org/g").unwrap();
    store
        .record_poll("f", &digest_poll(&["a"], &digest_m()), policy, STORIES)
        .unwrap();
    store
        .record_poll("g", &digest_poll(&["a"], &digest_m()), policy, STORIES)
        .unwrap();
    assert_eq!(store.digest_pending_count(&digest_m()).unwrap(), 1);
    let content = store
        .digest_pending_content(&digest_m(), "UTC", Utc::now())
        .unwrap();
    assert_eq!(content.sections[0].items[0].sources, ["f", "g"]);
}

#[test]
fn storm_control_holds_matches_past_the_hourly_limit() {
    let (_dir, mut store) = open();
    store.ensure_feed("f", "https://e.org/f").unwrap();
    let mut record = poll(&["a", "b", "c"], "v");
    for new in &mut record.entries {
        new.matches[0].hourly_limit = 2;
    }
    let stored = store.record_poll("f", &record, policy, STORIES).unwrap();
    assert_eq!((stored.matches, stored.deliveries), (3, 2));
    // The third waits for the rule's "more matches" mail.
    assert_eq!(
        store
            .digest_pending_count(&DigestKey::Overflow("c".into()))
            .unwrap(),
        1
    );
}

#[test]
fn pruning_keeps_identities_and_whatever_mail_still_needs() {
    let (_dir, mut store) = open();
    store.ensure_feed("f", "https://e.org/f").unwrap();
    // a: mailed already; b: its mail still pending.
    store
        .record_poll("f", &poll(&["a", "b"], "v"), policy, STORIES)
        .unwrap();
    let pending = pending_alerts(&store, None);
    store
        .mark_sent(&[pending[0].delivery.id], Utc::now())
        .unwrap();
    store.index_pending(10, lowercase).unwrap();

    let now = Utc::now();
    let pruned = store
        .prune_batch(now + chrono::Duration::seconds(1), now)
        .unwrap();
    assert_eq!(pruned, 1, "the entry with a pending mail is kept");
    // a's text is gone from the table and the index; its identity stays,
    // unchanged, so the item is not new if the feed carries it again.
    assert!(
        store
            .search("\"title\"", None, None, 10, 0)
            .unwrap()
            .iter()
            .all(|h| h.title == "title b")
    );
    let known = store
        .known_entries("f", &[("a", &entry("a").text_hash())])
        .unwrap();
    assert!(!known["a"].changed);
    assert_eq!(
        store
            .prune_batch(now + chrono::Duration::seconds(1), now)
            .unwrap(),
        0
    );
    store.tidy().unwrap();
}

#[test]
fn the_index_follows_changed_text() {
    let (_dir, mut store) = open();
    store.ensure_feed("f", "https://e.org/f").unwrap();
    store
        .record_poll("f", &poll(&["a"], "v"), policy, STORIES)
        .unwrap();
    assert_eq!(store.index_pending(10, lowercase).unwrap(), 1);
    assert_eq!(store.index_pending(10, lowercase).unwrap(), 0);
    assert_eq!(
        store.search("ceasefire", None, None, 10, 0).unwrap().len(),
        1
    );
    // New text: indexed again, the old words gone.
    let (entry_id, _) = (1, ());
    let mut changed = entry("a");
    changed.content = "armistice".into();
    let mut record = poll(&[], "v2");
    record.updated.push(UpdatedEntry {
        entry_id,
        update: NewEntry {
            entry: changed,
            matches: Vec::new(),
            deliveries: Vec::new(),
            processed: true,
            sketch: None,
        },
    });
    store.record_poll("f", &record, policy, STORIES).unwrap();
    assert_eq!(store.index_pending(10, lowercase).unwrap(), 1);
    assert!(
        store
            .search("ceasefire", None, None, 10, 0)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .search("armistice", Some(&["f".into()]), None, 10, 0)
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .search("armistice", Some(&["g".into()]), None, 10, 0)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn tidying_gives_pruned_pages_back() {
    let (_dir, mut store) = open();
    store.ensure_feed("f", "https://e.org/f").unwrap();
    let ids: Vec<String> = (0..200).map(|i| format!("e{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut record = poll(&ids, "v");
    for new in &mut record.entries {
        new.entry.content = "ceasefire ".repeat(2000);
        new.deliveries.clear();
    }
    store.record_poll("f", &record, policy, STORIES).unwrap();
    let now = Utc::now();
    let pruned = store.prune_batch(now + chrono::Duration::seconds(1), now);
    assert_eq!(pruned.unwrap(), 200);
    let free = |s: &Store| {
        s.pragma_text("freelist_count")
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    assert!(free(&store) > 10, "pruning freed pages");
    store.tidy().unwrap();
    assert_eq!(
        free(&store),
        0,
        "every free page went back to the file system"
    );
}
