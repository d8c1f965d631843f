//! The archive end to end: search in every script the rules handle,
//! retention that never touches what mail still needs, and a backup taken
//! while the daemon runs. Feeds served from 127.0.0.1, the SQLite file.

mod common;

use common::*;

fn sql(env: &Env, statement: &str) -> usize {
    rusqlite::Connection::open(env.database())
        .unwrap()
        .execute(statement, [])
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn search_finds_words_in_every_script_with_their_hits_marked() {
    let server = feed_server(&[
        Item::new("1", "俄乌双方同意停火三天", "新华社报道"),
        Item::new("2", "Стороны объявили перемирие", "Переговоры"),
        Item::new("3", "Talks resume", "A Cease-Fire holds in the north."),
        Item::new("4", "Football", "Mediation failed at the football match."),
    ])
    .await;
    let env = Env::new();
    env.write_config(&[wire_feed(&server), feed_at("other", &server, "/none.xml")].concat());
    env.newshound(&["poll"]).await;

    let found = |query: &'static str| {
        let env = &env;
        async move {
            let output = env.newshound(&["search", query]).await;
            assert_exit(&output, 0);
            stdout(&output)
        }
    };
    let chinese = found("停火").await;
    assert_contains(&chinese, "俄乌双方同意*停火*三天");
    assert_contains(&chinese, "wire  俄乌双方同意停火三天");
    let russian = found("перемирие").await;
    assert_contains(&russian, "*перемирие*");
    let phrase = found("\"cease fire\" OR truce").await;
    assert_contains(&phrase, "A *Cease-Fire* holds");
    assert_contains(&phrase, "1 result(s)");
    let excluded = found("mediat* -football").await;
    assert_contains(&excluded, "no entry matches");
    let scoped = env.newshound(&["search", "停火", "--feed", "other"]).await;
    assert_contains(&stdout(&scoped), "no entry matches");

    // Search finds inflected forms as the rules do, and a quoted word as
    // written only.
    let talk = found("talk").await;
    assert_contains(&talk, "*Talks* resume");
    assert_contains(&talk, "matched: talk (as \"Talks\")");
    let written = found("\"talk\"").await;
    assert_contains(&written, "no entry matches");
    let case = found("перемирием").await;
    assert_contains(&case, "Стороны объявили *перемирие*");

    let bad = env.newshound(&["search", "truce AND (talks"]).await;
    assert_exit(&bad, 2);
    assert!(
        stderr(&bad).starts_with("error: query: "),
        "{}",
        stderr(&bad)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_prunes_old_text_but_never_what_a_pending_mail_needs() {
    let server = feed_server(&[
        Item::new("1", "Ceasefire agreed", "old ceasefire story"),
        Item::new("2", "Harvest report", "nothing to alert"),
    ])
    .await;
    let env = Env::new();
    // The mail server is down: the ceasefire alert stays pending.
    let config = wire_config(&smtp_config(free_port()), &server.uri());
    env.write_config(&format!("{config}[daemon]\nkeep_days = 1\n"));
    env.newshound(&["poll"]).await;
    assert_eq!(
        sql(&env, "UPDATE entries SET seen_at = seen_at - 3 * 86400"),
        2
    );

    let daemon = env.spawn_daemon();
    let db = rusqlite::Connection::open(env.database()).unwrap();
    let pruned = |title: &str| -> bool {
        db.query_row(
            "SELECT pruned_at IS NOT NULL FROM entries WHERE identity LIKE ?1",
            [format!("%{title}")],
            |r| r.get(0),
        )
        .unwrap()
    };
    wait_until("the old entry's pruning", PATIENCE, || pruned("2")).await;
    assert!(!pruned("1"), "the entry of a pending alert keeps its text");
    let title: String = db
        .query_row(
            "SELECT title FROM entries WHERE identity LIKE '%1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(title, "Ceasefire agreed");

    // A backup while the daemon runs is a whole, consistent database.
    let copy = env.dir.path().join("copy.db");
    let backup = env.newshound(&["backup", copy.to_str().unwrap()]).await;
    assert_exit(&backup, 0);
    let check: String = rusqlite::Connection::open(&copy)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let again = env.newshound(&["backup", copy.to_str().unwrap()]).await;
    assert_exit(&again, 2);
    daemon.stop().await;
}
