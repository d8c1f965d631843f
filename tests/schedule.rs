//! Scheduling and visibility: backoff after failures, Retry-After, paused
//! feeds and rules, and `status`.

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::*;
use newshound::store::Store;
use wiremock::{MockServer, ResponseTemplate};

/// The feed's stored next poll, in seconds since the epoch.
fn next_poll(env: &Env, feed: &str) -> i64 {
    let store = Store::open(&env.database()).unwrap();
    let state = store.feed_state(feed).unwrap().unwrap();
    state.next_poll_at.unwrap().timestamp()
}

/// When a command ran: from just before it started to just after it ended.
struct Window {
    start: i64,
    end: i64,
}

/// Runs `newshound poll`, asserting it exits with `code`; when it ran,
/// and its output.
async fn timed_poll(env: &Env, code: i32) -> (Window, std::process::Output) {
    let start = Utc::now().timestamp();
    let output = env.poll(code).await;
    let end = Utc::now().timestamp();
    (Window { start, end }, output)
}

/// Asserts the feed is due `base` seconds after it was polled within
/// `window`, give or take the 10% jitter (whole seconds, as stored).
#[track_caller]
fn assert_due_after(env: &Env, feed: &str, window: &Window, base: i64, why: &str) {
    let next = next_poll(env, feed);
    let (earliest, latest) = (window.start + base * 9 / 10, window.end + base * 11 / 10);
    assert!(
        (earliest..=latest).contains(&next),
        "{feed} is due at {next}, not from {earliest} to {latest}: {why}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_back_off_exponentially_and_success_resets() {
    let server = MockServer::start().await;
    respond_first(&server, "/feed.xml", 3, ResponseTemplate::new(500)).await;
    serve_rss(&server, "/feed.xml", &[Item::new("1", "x", "y")]).await;
    let env = Env::new();
    env.write_config(&format!("{}interval = \"10m\"\n", wire_feed(&server)));

    // 10, 20, 40 minutes, each within the ±10% jitter.
    for minutes in [10, 20, 40] {
        let (window, _) = timed_poll(&env, 1).await;
        assert_due_after(
            &env,
            "wire",
            &window,
            minutes * 60,
            &format!("{minutes} minutes"),
        );
    }
    let (window, _) = timed_poll(&env, 0).await;
    assert_due_after(&env, "wire", &window, 600, "success resets the schedule");
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_is_honoured_in_seconds_and_as_a_date() {
    let server = MockServer::start().await;
    respond(
        &server,
        "/seconds.xml",
        ResponseTemplate::new(503).insert_header("Retry-After", "7200"),
    )
    .await;
    let date = (Utc::now() + chrono::Duration::hours(3))
        .to_rfc2822()
        .replace("+0000", "GMT");
    respond(
        &server,
        "/date.xml",
        ResponseTemplate::new(429).insert_header("Retry-After", date.as_str()),
    )
    .await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{}",
        feed_at("seconds", &server, "/seconds.xml"),
        feed_at("date", &server, "/date.xml"),
    ));
    let (window, output) = timed_poll(&env, 1).await;
    assert_contains(
        &stdout(&output),
        "seconds: failed (http): the server answered 503 Service Unavailable and asked to wait 2h",
    );
    assert!(next_poll(&env, "seconds") >= window.start + 7200);
    // The date is read as a wait, counted from when the poll began (up to
    // the poll's length, and a second cut, before the date).
    let asked = DateTime::parse_from_rfc2822(&date).unwrap().timestamp();
    assert!(next_poll(&env, "date") >= asked - (window.end - window.start) - 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn paused_feeds_and_rules_do_nothing_until_asked() {
    let server = MockServer::start().await;
    let body = rss(&server.uri(), &[Item::new("1", "Ceasefire", "x")]);
    serve_xml(&server, "/live.xml", body.clone()).await;
    serve_xml(&server, "/paused.xml", body).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{}enabled = false\n{}{}enabled = false\n",
        feed_at("live", &server, "/live.xml"),
        feed_at("paused", &server, "/paused.xml"),
        ceasefire_rule(),
        rule("quiet", "ceasefire", &["other@example.org"]),
    ));
    let output = env.poll(0).await;
    assert!(!stdout(&output).contains("paused:"), "{}", stdout(&output));
    let requested = paths(&server).await;
    assert_eq!(requested, ["/live.xml"]);
    let mails = env.maildir_new();
    assert_eq!(mails.len(), 1, "the paused rule sends nothing");
    let mail = std::fs::read_to_string(&mails[0]).unwrap();
    assert_contains(&mail, "To: desk@example.org");

    let asked = env.newshound(&["poll", "--feed", "paused"]).await;
    assert_exit(&asked, 0);
    assert_contains(&stdout(&asked), "paused: 1 new entries");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_shows_failing_feeds_first_with_counts() {
    let server = MockServer::start().await;
    let body = rss(
        &server.uri(),
        &[
            Item::new("1", "Ceasefire", "x"),
            Item::new("2", "Markets", "y"),
        ],
    );
    serve_xml(&server, "/good.xml", body).await;
    respond(&server, "/bad.xml", ResponseTemplate::new(500)).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{}{}{}enabled = false\n{}",
        smtp_config(free_port()),
        feed_at("a-good", &server, "/good.xml"),
        feed_at("b-bad", &server, "/bad.xml"),
        feed_at("c-paused", &server, "/good.xml"),
        ceasefire_rule(),
    ));
    env.poll(1).await;

    let output = env.newshound(&["status", "--json"]).await;
    assert_exit(&output, 0);
    let status: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let feeds = status["feeds"].as_array().unwrap();
    let summary: Vec<(&str, &str)> = feeds
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("b-bad", "failing"),
            ("c-paused", "paused"),
            ("a-good", "ok")
        ]
    );
    assert_eq!(feeds[0]["last_error"]["class"], "http");
    assert_eq!(feeds[0]["error_count"], 1);
    assert!(feeds[0]["last_success"].is_null());
    assert_eq!(
        (feeds[2]["entries"].as_i64(), feeds[2]["matches"].as_i64()),
        (Some(2), Some(1))
    );
    assert!(feeds[2]["next_poll"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        status["deliveries"]["pending"], 1,
        "the SMTP server was down"
    );
    assert!(status["deliveries"]["oldest_pending"].is_string());

    let table = env.newshound(&["status"]).await;
    assert_exit(&table, 0);
    let text = stdout(&table);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].starts_with("b-bad")
            && lines[1].contains("failing")
            && lines[1].contains("http ×1"),
        "{lines:?}"
    );
    assert_contains(&stdout(&table), "deliveries: 1 pending (oldest queued");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_keeps_the_schedule() {
    let server = MockServer::start().await;
    let item = [Item::new("1", "Truce", "x")];
    serve_rss(&server, "/feed.xml", &item).await;
    serve_rss(&server, "/probe.xml", &item).await;
    let env = Env::new();
    let wire = wire_feed(&server);
    env.write_config(&wire);

    let start = Utc::now().timestamp();
    let daemon = env.spawn_daemon();
    wait_for_requests(&server, "/feed.xml", 1).await;
    assert_exit(&daemon.stop().await, 0);
    let window = Window {
        start,
        end: Utc::now().timestamp(),
    };
    assert_due_after(
        &env,
        "wire",
        &window,
        15 * 60,
        "next poll about 15 minutes away",
    );

    // Started again, it waits for the stored time instead of polling now.
    // A feed new to it, listed after "wire", is due at once: by the time
    // that one is polled, "wire" had its turn had it been due, and its
    // poll would be finished before the daemon stops.
    env.write_config(&format!(
        "{wire}{}",
        feed_at("probe", &server, "/probe.xml")
    ));
    let daemon = env.spawn_daemon();
    daemon.wait_for_log("feed polled feed=probe", 1).await;
    assert_exit(&daemon.stop().await, 0);
    assert_eq!(requests_for(&server, "/probe.xml").await, 1);
    assert_eq!(requests_for(&server, "/feed.xml").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn freshness_hints_lengthen_the_interval_up_to_the_cap() {
    let server = MockServer::start().await;
    let body = rss(&server.uri(), &[Item::new("1", "x", "y")]);
    let with_ttl = body.replacen("<channel>", "<channel><ttl>180</ttl>", 1);
    let cache = |control: &str| rss_response(body.clone()).insert_header("Cache-Control", control);
    let cases = [
        ("max-age", cache("public, max-age=7200"), 7200, "a hint"),
        ("short", cache("max-age=60"), 600, "a hint never shortens"),
        (
            "capped",
            cache("max-age=999999"),
            6 * 3600,
            "capped at max_interval",
        ),
        ("ttl", rss_response(with_ttl), 3 * 3600, "<ttl> in minutes"),
    ];
    let mut config = String::new();
    for (name, response, _, _) in &cases {
        let route = format!("/{name}.xml");
        respond(&server, &route, response.clone()).await;
        config.push_str(&feed_at(name, &server, &route));
        config.push_str("interval = \"10m\"\n");
    }
    let env = Env::new();
    env.write_config(&format!("{config}[daemon]\nmax_interval = \"6h\"\n"));
    let (window, _) = timed_poll(&env, 0).await;
    for (name, _, base, why) in cases {
        assert_due_after(&env, name, &window, base, why);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_adaptive_feed_follows_how_often_it_publishes() {
    let server = MockServer::start().await;
    let guids = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    let items: Vec<Item> = (0..guids.len())
        .map(|i| {
            Item::new(guids[i], "x", "y")
                .published(Utc::now() - chrono::Duration::hours(2 * i as i64))
        })
        .collect();
    serve_rss(&server, "/feed.xml", &items).await;
    let env = Env::new();
    env.write_config(&format!("{}interval = \"adaptive\"\n", wire_feed(&server)));
    env.poll(0).await;
    let (window, _) = timed_poll(&env, 0).await;
    assert_due_after(
        &env,
        "wire",
        &window,
        3600,
        "every 2 hours published, polled about hourly",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_with_the_clock_far_ahead_does_not_freeze_the_feed_or_its_digest() {
    let server = feed_server(&[Item::new("1", "Truce", "x")]).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}[[rule]]\nname = \"truce\"\nquery = 'truce'\nnotify = [\"morning\"]\n\
         [[digest]]\nname = \"morning\"\nschedule = \"0 7 * * *\"\ntimezone = \"UTC\"\nto = [\"desk@example.org\"]\n",
        wire_feed(&server)
    ));
    env.poll(0).await;
    // What a poll made while the clock stood a year ahead leaves behind.
    let year_ahead = (Utc::now() + chrono::Duration::days(365)).timestamp();
    let db = rusqlite::Connection::open(env.database()).unwrap();
    db.execute("UPDATE feeds SET next_poll_at = ?1", [year_ahead])
        .unwrap();
    let digests = db
        .execute("UPDATE digests SET done_until = ?1", [year_ahead])
        .unwrap();
    assert_eq!(digests, 1);

    let daemon = env.spawn_daemon();
    let read = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    wait_until("the schedule pulled back", Duration::from_secs(30), || {
        read("SELECT MAX(next_poll_at) FROM feeds") < year_ahead
            && read("SELECT MAX(done_until) FROM digests") < year_ahead
    })
    .await;
    let output = daemon.stop().await;
    let now = Utc::now().timestamp();
    // Due within the longest schedule (a day's backoff, with jitter), the
    // digest handled up to now.
    assert!(read("SELECT next_poll_at FROM feeds") <= now + 27 * 3600);
    assert!(read("SELECT done_until FROM digests") <= now);
    let log = stderr(&output);
    assert_contains(
        &log,
        "the clock moved back: 1 feed(s) were due and 1 digest(s)",
    );
}
