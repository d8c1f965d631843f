//! Hard faults: the daemon killed with SIGKILL at random moments, a disk
//! that fills up and a database that turns read-only, a mail server down
//! past the queue's max age. Feeds and article pages served from 127.0.0.1,
//! a real SMTP server on 127.0.0.1, the SQLite file; only outcomes are
//! asserted, never times.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::*;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Items per feed in the crash test.
const ITEMS: usize = 8;

/// Serves feed `fN` at `/fN.xml` for every N, each with [`ITEMS`] matching
/// items linking to pages `/fN/K` that say "ceasefire" too.
async fn serve_feeds(server: &MockServer) {
    let uri = server.uri();
    Mock::given(method("GET"))
        .and(path_regex(r"^/f\d+\.xml$"))
        .respond_with(move |request: &wiremock::Request| {
            let feed = request
                .url
                .path()
                .trim_start_matches('/')
                .trim_end_matches(".xml");
            let guids: Vec<String> = (0..ITEMS).map(|k| format!("{feed}-{k}")).collect();
            let titles: Vec<String> = guids.iter().map(|g| format!("Ceasefire {g}")).collect();
            let items: Vec<Item> = guids
                .iter()
                .zip(&titles)
                .map(|(g, t)| {
                    Item::new(g, t, "talks").link(&format!("{uri}/{}", g.replace('-', "/")))
                })
                .collect();
            rss_response(rss(&uri, &items))
        })
        .mount(server)
        .await;
    let page = format!(
        "<html><body><article><h1>Ceasefire</h1><p>{}</p></article></body></html>",
        "The ceasefire held overnight, officials said, and talks resume today. ".repeat(6)
    );
    Mock::given(method("GET"))
        .and(path_regex(r"^/f\d+/\d+$"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html"))
        .mount(server)
        .await;
}

fn crash_config(smtp: &SmtpSink, server: &MockServer, feeds: usize) -> String {
    let mut config = smtp.config();
    for i in 0..feeds {
        config += &feed_at(&format!("f{i}"), server, &format!("/f{i}.xml"));
        config += "respect_robots = false\n";
    }
    config += &ceasefire_rule();
    config + "max_immediate_per_hour = 0\n"
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_anywhere_nothing_is_lost_and_a_repeat_keeps_its_message_id() {
    let iterations: usize = std::env::var("NEWSHOUND_CRASH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    // NEWSHOUND_CRASH_SEED repeats a run's kill times.
    let seed: u64 = std::env::var("NEWSHOUND_CRASH_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    fastrand::seed(seed);
    eprintln!("crash test: seed {seed}");
    let server = MockServer::start().await;
    serve_feeds(&server).await;
    let smtp = SmtpSink::start();
    let env = Env::new();
    // Each run adds a feed, due at once; each is killed at a random moment:
    // the moment is what this test varies.
    for i in 0..iterations {
        env.write_config(&crash_config(&smtp, &server, i + 1));
        let daemon = env.spawn_daemon();
        let after = Duration::from_millis(fastrand::u64(20..900));
        tokio::time::sleep(after).await;
        daemon.kill().await;
    }
    // A last run, left to finish its work, then stopped (once it said it
    // is ready, so that its signal handlers are in place).
    let (daemon, _) = env.spawn_ready(&[]).await;
    let expected = (iterations * ITEMS) as i64;
    let sent = "SELECT COUNT(*) FROM deliveries WHERE state = 'sent'";
    let unprocessed = "SELECT COUNT(*) FROM entries WHERE processed_at IS NULL";
    wait_until("the last run finishing the work", 2 * PATIENCE, || {
        env.number(sent) == Some(expected) && env.number(unprocessed) == Some(0)
    })
    .await;
    let output = daemon.stop().await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{:?}\n{}",
        output.status,
        stderr(&output)
    );

    let check: String = rusqlite::Connection::open(env.database())
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // Every item was mailed; a mail repeated (the kill fell between the
    // server's acceptance and the commit) carries the same Message-ID.
    let mut ids_by_title: HashMap<String, HashSet<String>> = HashMap::new();
    let mails = smtp.mails();
    for mail in &mails {
        let parsed = mail.parsed();
        let subject = parsed.subject().unwrap_or_default().to_string();
        let id = parsed.message_id().unwrap_or_default().to_string();
        ids_by_title.entry(subject).or_default().insert(id);
    }
    for i in 0..iterations {
        for k in 0..ITEMS {
            let subject = format!("[newshound] ceasefire: Ceasefire f{i}-{k}");
            let ids = ids_by_title.get(&subject);
            assert!(ids.is_some(), "{subject} was mailed");
            assert_eq!(ids.unwrap().len(), 1, "{subject}: one Message-ID");
        }
    }
    assert_eq!(ids_by_title.len(), iterations * ITEMS, "no other mail");
    let repeats = mails.len() - ids_by_title.len();
    eprintln!(
        "crash test: {iterations} kills, {} items, {} mails, {repeats} repeated with their Message-ID",
        iterations * ITEMS,
        mails.len()
    );
}

/// A tmpfs of `size` mounted on `dir`, unmounted on drop. Mounting needs
/// root: the tests that use one are ignored unless asked for.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &std::path::Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(
            mounted.success(),
            "mount a tmpfs on {} (as root)",
            dir.display()
        );
        Tmpfs(dir.to_path_buf())
    }

    fn remount(&self, options: &str) {
        let done = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(done.success(), "remount {options}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

/// Serves `/feed.xml` with an ETag: 60 matching items of 20 KB each.
async fn serve_big_feed(server: &MockServer) {
    let text = "ceasefire talks ".repeat(1300);
    let xml = rss_numbered(&server.uri(), 0..60, "Ceasefire", &text);
    let tagged = rss_response(xml).insert_header("ETag", "\"v1\"");
    respond(server, "/feed.xml", tagged).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root: mounts a tmpfs"]
async fn a_full_disk_stores_nothing_half_way_and_the_daemon_recovers_when_space_returns() {
    let server = MockServer::start().await;
    serve_big_feed(&server).await;
    let env = Env::new();
    let disk = Tmpfs::mount(&env.state_dir(), "700k");
    env.write_config(&format!(
        "{}{}max_immediate_per_hour = 0\n",
        wire_feed(&server),
        ceasefire_rule(),
    ));
    let daemon = env.spawn_daemon();
    // The first poll cannot be stored: no entry, no validator, no mail.
    // Fetched twice: the retry shows the first poll could not be stored.
    wait_for_requests(&server, "/feed.xml", 2).await;
    assert_eq!(env.number("SELECT COUNT(*) FROM entries"), Some(0));
    assert_eq!(
        env.number("SELECT COUNT(*) FROM feeds WHERE etag IS NOT NULL"),
        Some(0)
    );
    let status = env.newshound(&["status"]).await;
    assert_contains(&stdout(&status), "KiB free");

    // Space returns: the daemon stores the poll and mails by itself.
    disk.remount("size=64m");
    let sent = "SELECT COUNT(*) FROM deliveries WHERE state = 'sent'";
    wait_for_number(&env, sent, 60).await;
    assert_eq!(
        env.number("SELECT COUNT(*) FROM feeds WHERE etag = '\"v1\"'"),
        Some(1)
    );
    let output = daemon.stop().await;
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert_contains(&log, "database error, nothing of this poll was stored");
    assert_eq!(env.maildir_new().len(), 60);
    drop(disk);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root: mounts a tmpfs"]
async fn a_read_only_database_loses_nothing_and_writes_again_once_writable() {
    let server = MockServer::start().await;
    let env = Env::new();
    let disk = Tmpfs::mount(&env.state_dir(), "64m");
    let serve = |name: &'static str| {
        let xml = rss(
            &server.uri(),
            &[Item::new(name, &format!("Ceasefire {name}"), "x")],
        );
        respond(
            &server,
            if name == "a" { "/a.xml" } else { "/b.xml" },
            rss_response(xml),
        )
    };
    serve("a").await;
    env.write_config(&format!(
        "{}{}{}",
        feed_at("a", &server, "/a.xml"),
        feed_at("b", &server, "/b.xml"),
        ceasefire_rule(),
    ));
    // a is stored; b is not there yet (404).
    env.poll(1).await;
    assert_eq!(env.number("SELECT COUNT(*) FROM entries"), Some(1));
    // The file system turns read-only, and b comes in: nothing can be stored.
    disk.remount("ro");
    serve("b").await;
    let polled = env.newshound(&["poll"]).await;
    assert_ne!(polled.status.code(), Some(0), "{}", stdout(&polled));
    let status = env.newshound(&["status"]).await;
    assert!(
        stdout(&status).contains("read-only file system"),
        "{}{}",
        stdout(&status),
        stderr(&status)
    );
    // Writable again: the next poll stores b, and a was never lost.
    disk.remount("rw");
    env.poll(0).await;
    assert_eq!(env.number("SELECT COUNT(*) FROM entries"), Some(2));
    assert_eq!(env.maildir_new().len(), 2);
    drop(disk);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mail_server_down_past_the_max_age_leaves_the_alert_dead_and_says_so() {
    let server = feed_server(&[Item::new("1", "Ceasefire", "x")]).await;
    let port = free_port();
    let env = Env::new();
    env.write_config(&wire_config(&smtp_config(port), &server.uri()));
    // Down: each failure pushes the next try back, a minute then two.
    env.poll(1).await;
    let wait = "SELECT next_attempt_at - last_attempt_at FROM deliveries";
    let first = env.number(wait).unwrap();
    assert!((50..=70).contains(&first), "about a minute: {first} s");
    env.poll(1).await;
    let second = env.number(wait).unwrap();
    assert!(
        (100..=140).contains(&second),
        "about two minutes: {second} s"
    );

    // The clock moves on: the alert was queued four days ago (max age 3).
    let db = rusqlite::Connection::open(env.database()).unwrap();
    db.execute(
        "UPDATE deliveries SET created_at = created_at - 4 * 86400",
        [],
    )
    .unwrap();
    let last = env.poll(1).await;
    assert_contains(&stdout(&last), "1 dead (refused for good or too old");
    let status = stdout(&env.newshound(&["status"]).await);
    assert_contains(&status, "0 pending, 1 dead");

    // The server comes back: a dead alert is not sent.
    let smtp = SmtpSink::start_at(port);
    env.poll(0).await;
    assert!(smtp.mails().is_empty());
}
