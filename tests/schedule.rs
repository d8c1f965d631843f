//! Scheduling and visibility: backoff after failures, Retry-After, paused
//! feeds and rules, and `status`.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::*;
use newshound::store::Store;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Seconds from now until the feed's stored next poll.
fn seconds_until_next_poll(env: &Env, feed: &str) -> i64 {
    let store = Store::open(&env.database()).unwrap();
    let state = store.feed_state(feed).unwrap().unwrap();
    (state.next_poll_at.unwrap() - Utc::now()).num_seconds()
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_back_off_exponentially_and_success_resets() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&server)
        .await;
    respond(
        &server,
        "/feed.xml",
        ResponseTemplate::new(200).set_body_raw(
            rss(&server.uri(), &[Item::new("1", "x", "y")]),
            "application/rss+xml",
        ),
    )
    .await;
    let env = Env::new();
    env.write_config(&format!(
        "{}interval = \"10m\"\n",
        feed("wire", &format!("{}/feed.xml", server.uri()))
    ));

    let mut waits = Vec::new();
    for _ in 0..3 {
        assert_exit(&env.newshound(&["poll"]).await, 1);
        waits.push(seconds_until_next_poll(&env, "wire"));
    }
    // 10, 20, 40 minutes, each within the ±10% jitter.
    for (wait, minutes) in waits.iter().zip([10, 20, 40]) {
        let base = minutes * 60;
        assert!(
            *wait >= base * 9 / 10 - 2 && *wait <= base * 11 / 10,
            "{waits:?}"
        );
    }
    assert_exit(&env.newshound(&["poll"]).await, 0);
    let after = seconds_until_next_poll(&env, "wire");
    assert!(
        (538..=660).contains(&after),
        "success resets the schedule: {after}"
    );
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
        feed("seconds", &format!("{}/seconds.xml", server.uri())),
        feed("date", &format!("{}/date.xml", server.uri())),
    ));
    let output = env.newshound(&["poll"]).await;
    assert_exit(&output, 1);
    assert!(stdout(&output).contains("seconds: failed (http): the server answered 503 Service Unavailable and asked to wait 2h"), "{}", stdout(&output));
    assert!(seconds_until_next_poll(&env, "seconds") >= 7200 - 5);
    assert!(seconds_until_next_poll(&env, "date") >= 3 * 3600 - 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn paused_feeds_and_rules_do_nothing_until_asked() {
    let server = MockServer::start().await;
    let body = rss(&server.uri(), &[Item::new("1", "Ceasefire", "x")]);
    respond(
        &server,
        "/live.xml",
        ResponseTemplate::new(200).set_body_raw(body.clone(), "application/rss+xml"),
    )
    .await;
    respond(
        &server,
        "/paused.xml",
        ResponseTemplate::new(200).set_body_raw(body, "application/rss+xml"),
    )
    .await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{}enabled = false\n{}{}enabled = false\n",
        feed("live", &format!("{}/live.xml", server.uri())),
        feed("paused", &format!("{}/paused.xml", server.uri())),
        rule("ceasefire", "ceasefire", &["desk@example.org"]),
        rule("quiet", "ceasefire", &["other@example.org"]),
    ));
    let output = env.newshound(&["poll"]).await;
    assert_exit(&output, 0);
    assert!(!stdout(&output).contains("paused:"), "{}", stdout(&output));
    let requested = paths(&server).await;
    assert_eq!(requested, ["/live.xml"]);
    let mails = env.maildir_new();
    assert_eq!(mails.len(), 1, "the paused rule sends nothing");
    let mail = std::fs::read_to_string(&mails[0]).unwrap();
    assert!(mail.contains("To: desk@example.org"), "{mail}");

    let asked = env.newshound(&["poll", "--feed", "paused"]).await;
    assert_exit(&asked, 0);
    assert!(
        stdout(&asked).contains("paused: 1 new entries"),
        "{}",
        stdout(&asked)
    );
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
    respond(
        &server,
        "/good.xml",
        ResponseTemplate::new(200).set_body_raw(body, "application/rss+xml"),
    )
    .await;
    respond(&server, "/bad.xml", ResponseTemplate::new(500)).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{}{}{}enabled = false\n{}",
        smtp_config(free_port()),
        feed("a-good", &format!("{}/good.xml", server.uri())),
        feed("b-bad", &format!("{}/bad.xml", server.uri())),
        feed("c-paused", &format!("{}/good.xml", server.uri())),
        rule("ceasefire", "ceasefire", &["desk@example.org"]),
    ));
    assert_exit(&env.newshound(&["poll"]).await, 1);

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
    assert!(
        stdout(&table).contains("deliveries: 1 pending (oldest queued"),
        "{}",
        stdout(&table)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_keeps_the_schedule() {
    let server = MockServer::start().await;
    let body = rss(&server.uri(), &[Item::new("1", "Truce", "x")]);
    respond(
        &server,
        "/feed.xml",
        ResponseTemplate::new(200).set_body_raw(body, "application/rss+xml"),
    )
    .await;
    let env = Env::new();
    env.write_config(&feed("wire", &format!("{}/feed.xml", server.uri())));

    let daemon = env.spawn_daemon();
    let started = std::time::Instant::now();
    while server.received_requests().await.unwrap().is_empty() && started.elapsed().as_secs() < 60 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_exit(&Env::stop_daemon(daemon).await, 0);
    let due = seconds_until_next_poll(&env, "wire");
    assert!(due > 600, "next poll about 15 minutes away: {due}");

    // Started again, it waits for the stored time instead of polling now.
    let daemon = env.spawn_daemon();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_exit(&Env::stop_daemon(daemon).await, 0);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// Asserts `seconds` is `base` give or take the 10% jitter.
fn about(seconds: i64, base: i64) -> bool {
    seconds >= base * 9 / 10 - 2 && seconds <= base * 11 / 10
}

#[tokio::test(flavor = "multi_thread")]
async fn freshness_hints_lengthen_the_interval_up_to_the_cap() {
    let server = MockServer::start().await;
    let body = rss(&server.uri(), &[Item::new("1", "x", "y")]);
    let with_ttl = body.replacen("<channel>", "<channel><ttl>180</ttl>", 1);
    let cases = [
        (
            "max-age",
            ResponseTemplate::new(200).insert_header("Cache-Control", "public, max-age=7200"),
        ),
        (
            "short",
            ResponseTemplate::new(200).insert_header("Cache-Control", "max-age=60"),
        ),
        (
            "capped",
            ResponseTemplate::new(200).insert_header("Cache-Control", "max-age=999999"),
        ),
        ("ttl", ResponseTemplate::new(200)),
    ];
    let mut config = String::new();
    for (name, response) in cases {
        let text = if name == "ttl" {
            with_ttl.clone()
        } else {
            body.clone()
        };
        respond(
            &server,
            &format!("/{name}.xml"),
            response.set_body_raw(text, "application/rss+xml"),
        )
        .await;
        config.push_str(&feed(name, &format!("{}/{name}.xml", server.uri())));
        config.push_str("interval = \"10m\"\n");
    }
    let env = Env::new();
    env.write_config(&format!("{config}[daemon]\nmax_interval = \"6h\"\n"));
    assert_exit(&env.newshound(&["poll"]).await, 0);
    let waits: Vec<i64> = ["max-age", "short", "capped", "ttl"]
        .iter()
        .map(|f| seconds_until_next_poll(&env, f))
        .collect();
    assert!(about(waits[0], 7200), "{waits:?}");
    assert!(about(waits[1], 600), "a hint never shortens: {waits:?}");
    assert!(
        about(waits[2], 6 * 3600),
        "capped at max_interval: {waits:?}"
    );
    assert!(about(waits[3], 3 * 3600), "<ttl> in minutes: {waits:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_adaptive_feed_follows_how_often_it_publishes() {
    let server = MockServer::start().await;
    let items: Vec<Item> = (0..10)
        .map(|i| {
            Item::new(
                ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"][i],
                "x",
                "y",
            )
            .published(Utc::now() - chrono::Duration::hours(2 * i as i64))
        })
        .collect();
    respond(
        &server,
        "/feed.xml",
        ResponseTemplate::new(200).set_body_raw(rss(&server.uri(), &items), "application/rss+xml"),
    )
    .await;
    let env = Env::new();
    env.write_config(&format!(
        "{}interval = \"adaptive\"\n",
        feed("wire", &format!("{}/feed.xml", server.uri()))
    ));
    assert_exit(&env.newshound(&["poll"]).await, 0);
    assert_exit(&env.newshound(&["poll"]).await, 0);
    let wait = seconds_until_next_poll(&env, "wire");
    assert!(
        about(wait, 3600),
        "every 2 hours published, polled about hourly: {wait}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_with_the_clock_far_ahead_does_not_freeze_the_feed_or_its_digest() {
    let server = MockServer::start().await;
    serve_rss(&server, "/feed.xml", &[Item::new("1", "Truce", "x")]).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}[[rule]]\nname = \"truce\"\nquery = 'truce'\nnotify = [\"morning\"]\n\
         [[digest]]\nname = \"morning\"\nschedule = \"0 7 * * *\"\ntimezone = \"UTC\"\nto = [\"desk@example.org\"]\n",
        feed("wire", &format!("{}/feed.xml", server.uri()))
    ));
    assert_exit(&env.newshound(&["poll"]).await, 0);
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
    let output = Env::stop_daemon(daemon).await;
    let now = Utc::now().timestamp();
    // Due within the longest schedule (a day's backoff, with jitter), the
    // digest handled up to now.
    assert!(read("SELECT next_poll_at FROM feeds") <= now + 27 * 3600);
    assert!(read("SELECT done_until FROM digests") <= now);
    let log = stderr(&output);
    assert!(
        log.contains("the clock moved back: 1 feed(s) were due and 1 digest(s)"),
        "{log}"
    );
}
