//! `newshound run` as systemd runs it: `NOTIFY_SOCKET` bound to a datagram
//! socket the test reads, a watchdog, SIGHUP with a valid and an invalid
//! config, and SIGTERM; feeds served from 127.0.0.1.

mod common;

use common::*;
use wiremock::MockServer;

/// Serves the feed `name` at `/NAME.xml`, one item titled `title`; its
/// `[[feed]]`.
async fn serve(server: &MockServer, name: &str, title: &str) -> String {
    let route = format!("/{name}.xml");
    serve_rss(server, &route, &[Item::new(name, title, "x")]).await;
    feed_at(name, server, &route)
}

/// A watchdog that wants a ping every 150 ms.
const WATCHDOG: (&str, &str) = ("WATCHDOG_USEC", "300000");

#[tokio::test(flavor = "multi_thread")]
async fn under_systemd_it_notifies_reloads_and_stops_with_nothing_lost() {
    let server = MockServer::start().await;
    let feed_a = serve(&server, "a", "Ceasefire in the north").await;
    let feed_b = serve(&server, "b", "Ceasefire in the south").await;
    let env = Env::new();
    let one_feed = format!("{feed_a}{}", ceasefire_rule());
    env.write_config(&one_feed);

    let (daemon, notified) = env.spawn_ready(&[WATCHDOG]).await;
    assert_contains(&notified.ready, "STATUS=1 feeds, 0 failing");
    let alive = notified.expect("WATCHDOG=1").await;
    assert_contains(&alive, "\nSTATUS=1 feeds");
    wait_for_requests(&server, "/a.xml", 1).await;

    // A valid new config: the new feed is polled.
    env.write_config(&format!("{one_feed}{feed_b}"));
    daemon.signal("-HUP");
    let reloading = notified.expect("RELOADING=1").await;
    assert!(
        reloading.starts_with("RELOADING=1\nMONOTONIC_USEC="),
        "{reloading}"
    );
    let reloaded = notified.expect("READY=1").await;
    assert_contains(&reloaded, "STATUS=2 feeds");
    wait_for_requests(&server, "/b.xml", 1).await;

    // An invalid one is refused; the old config stays in force.
    std::fs::write(env.config_path(), "[[feed]]\nname = \"a\"\nurl = 7\n").unwrap();
    daemon.signal("-HUP");
    notified.expect("RELOADING=1").await;
    let refused = notified.expect("READY=1").await;
    assert_contains(&refused, "config not reloaded");
    let still = notified.expect("WATCHDOG=1").await;
    assert_contains(&still, "STATUS=2 feeds");

    daemon.signal("-TERM");
    notified.expect("STOPPING=1").await;
    let output = daemon.wait().await;
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert_contains(&log, "config not reloaded, still running on the old one");
    assert_contains(&log, "newshound.toml:3:7: ");
    // Both alerts were delivered (to the Maildir): nothing left pending.
    assert_eq!(env.maildir_new().len(), 2, "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reload_with_a_query_nested_6000_deep_is_refused_and_the_daemon_lives() {
    let server = MockServer::start().await;
    let feed_a = serve(&server, "a", "Ceasefire in the north").await;
    let env = Env::new();
    env.write_config(&format!("{feed_a}{}", ceasefire_rule()));
    let (daemon, notified) = env.spawn_ready(&[]).await;

    let deep = format!("{}ceasefire{}", "(".repeat(6_000), ")".repeat(6_000));
    env.write_config(&format!(
        "{feed_a}{}",
        rule("ceasefire", &deep, &["desk@example.org"])
    ));
    daemon.signal("-HUP");
    let refused = notified.expect("READY=1").await;
    assert_contains(&refused, "config not reloaded");

    // Still alive, on the old config: it stops as asked, with code 0.
    let output = daemon.stop().await;
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert_contains(&log, "more than 100 deep");
}

/// Writes `config` with metrics on a free port; the metrics' base URL.
fn with_metrics(env: &Env, config: &str) -> String {
    let port = free_port();
    env.write_config(&format!(
        "{config}[metrics]\nlisten = \"127.0.0.1:{port}\"\n"
    ));
    format!("http://127.0.0.1:{port}")
}

/// The status and body of GET `url`, once it answers and `wanted` holds.
async fn get_until(url: &str, wanted: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let client = reqwest::Client::new();
    wait_for(
        &format!("an answer as wanted from {url}"),
        PATIENCE,
        async || {
            let answer = client.get(url).send().await.ok()?;
            let status = answer.status().as_u16();
            let body = answer.text().await.unwrap_or_default();
            wanted(status, &body).then_some((status, body))
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_are_prometheus_text_and_health_says_ok() {
    let server = MockServer::start().await;
    let env = Env::new();
    let feed_a = serve(&server, "a", "Ceasefire in the north").await;
    let base = with_metrics(&env, &format!("{feed_a}{}", ceasefire_rule()));
    let daemon = env.spawn_daemon();
    // Until the first poll is counted and its entry matched: matching
    // waits for the article's page, so it may come a moment after the poll.
    let (_, text) = get_until(&format!("{base}/metrics"), |_, text| {
        text.contains("newshound_polls_total{result=\"ok\"} 1")
            && text.contains("newshound_matches_total{rule=\"ceasefire\"}")
    })
    .await;
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text");
    let value = |name: &str, label: Option<(&str, &str)>| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
    };
    assert_eq!(value("newshound_entries", None), Some(1.0));
    assert_eq!(
        value("newshound_matches_total", Some(("rule", "ceasefire"))),
        Some(1.0)
    );
    assert_eq!(value("newshound_feeds", Some(("state", "ok"))), Some(1.0));
    assert!(value("newshound_deliveries", Some(("state", "pending"))).is_some());
    assert!(
        scrape
            .samples
            .iter()
            .any(|s| s.metric == "newshound_poll_duration_seconds")
    );

    let client = reqwest::Client::new();
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let missing = client.get(format!("{base}/nothing")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let output = daemon.stop().await;
    assert_eq!(output.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_deleted_under_a_running_daemon_makes_it_unhealthy_and_status_makes_none() {
    let server = MockServer::start().await;
    let env = Env::new();
    let base = with_metrics(&env, &serve(&server, "a", "Ceasefire in the north").await);
    let health = format!("{base}/healthz");
    let (daemon, notified) = env.spawn_ready(&[WATCHDOG]).await;
    get_until(&health, |status, _| status == 200).await;
    notified.expect("WATCHDOG=1").await;

    let db = env.database();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let (_, body) = get_until(&health, |status, _| status == 503).await;
    assert_contains(&body, "was deleted or replaced");
    // The watchdog is no longer fed: systemd restarts the daemon. Each
    // tick of the watchdog logs the deletion instead of a ping. Once one
    // has, every ping sent before it is in the socket and read; two ticks
    // later, none may have come since.
    let replaced = "was deleted or replaced while the daemon ran";
    daemon.wait_for_log(replaced, 1).await;
    notified.drain();
    let ticks = daemon.log_lines(replaced);
    daemon.wait_for_log(replaced, ticks + 2).await;
    let since = notified.drain();
    assert!(
        !since.iter().any(|m| m.starts_with("WATCHDOG=1")),
        "WATCHDOG=1 was sent after the file went: {since:?}"
    );

    // A command that only reads says so, and makes no new database.
    let status = env.newshound(&["status"]).await;
    assert_exit(&status, 1);
    assert_contains(&stderr(&status), "no database at");
    assert!(!db.exists());
    let output = daemon.stop().await;
    assert_contains(&stderr(&output), replaced);
}
