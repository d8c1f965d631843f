//! Hard faults: the daemon killed with SIGKILL at random moments, a disk
//! that fills up and a database that turns read-only, a mail server down
//! past the queue's max age. Feeds and article pages served from 127.0.0.1,
//! a real SMTP server on 127.0.0.1, the SQLite file; only outcomes are
//! asserted, never times.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

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
            ResponseTemplate::new(200).set_body_raw(rss(&uri, &items), "application/rss+xml")
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
        config += &feed(&format!("f{i}"), &format!("{}/f{i}.xml", server.uri()));
        config += "respect_robots = false\n";
    }
    config += &rule("ceasefire", "ceasefire", &["desk@example.org"]);
    config + "max_immediate_per_hour = 0\n"
}

fn count(env: &Env, sql: &str) -> i64 {
    let Ok(db) = rusqlite::Connection::open(env.database()) else {
        return -1;
    };
    db.query_row(sql, [], |r| r.get(0)).unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_anywhere_nothing_is_lost_and_a_repeat_keeps_its_message_id() {
    let iterations: usize = std::env::var("NEWSHOUND_CRASH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    let server = MockServer::start().await;
    serve_feeds(&server).await;
    let smtp = SmtpSink::start();
    let env = Env::new();
    // Each run adds a feed, due at once; each is killed at a random moment.
    for i in 0..iterations {
        env.write_config(&crash_config(&smtp, &server, i + 1));
        let mut daemon = env.spawn_daemon();
        let after = Duration::from_millis(fastrand::u64(20..900));
        tokio::time::sleep(after).await;
        daemon.start_kill().unwrap();
        daemon.wait().await.unwrap();
    }
    // A last run, left to finish its work, then stopped (once it said it
    // is ready, so that its signal handlers are in place).
    let socket_path = env.dir.path().join("notify");
    let socket = tokio::net::UnixDatagram::bind(&socket_path).unwrap();
    let daemon = env.spawn_daemon_with(&[("NOTIFY_SOCKET", socket_path.to_str().unwrap())]);
    let mut buf = [0u8; 512];
    let ready = tokio::time::timeout(Duration::from_secs(30), socket.recv(&mut buf)).await;
    assert!(ready.is_ok(), "the last run got ready");
    let expected = (iterations * ITEMS) as i64;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let done = count(&env, "SELECT COUNT(*) FROM deliveries WHERE state = 'sent'") == expected
            && count(
                &env,
                "SELECT COUNT(*) FROM entries WHERE processed_at IS NULL",
            ) == 0;
        if done {
            break;
        }
        assert!(Instant::now() < deadline, "the last run finished the work");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let output = Env::stop_daemon(daemon).await;
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
