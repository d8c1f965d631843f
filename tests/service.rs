//! `newshound run` as systemd runs it: `NOTIFY_SOCKET` bound to a datagram
//! socket the test reads, a watchdog, SIGHUP with a valid and an invalid
//! config, and SIGTERM; feeds served from 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tokio::net::UnixDatagram;
use wiremock::MockServer;

/// Reads notifications until one satisfies `wanted` (at most 30 s).
async fn expect(socket: &UnixDatagram, what: &str, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut buf = vec![0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let received = tokio::time::timeout(left, socket.recv(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("no {what} within 30 s"))
            .unwrap();
        let message = String::from_utf8_lossy(&buf[..received]).into_owned();
        if wanted(&message) {
            return message;
        }
    }
}

fn signal(daemon: &tokio::process::Child, name: &str) {
    let pid = daemon.id().expect("the daemon is running").to_string();
    let sent = std::process::Command::new("kill")
        .args([name, &pid])
        .status()
        .unwrap();
    assert!(sent.success());
}

async fn serve(server: &MockServer, name: &str, title: &str) {
    let xml = rss(&server.uri(), &[Item::new(name, title, "x")]);
    respond(
        server,
        &format!("/{name}.xml"),
        wiremock::ResponseTemplate::new(200).set_body_raw(xml, "application/rss+xml"),
    )
    .await;
}

/// Waits until `server` was asked for `route` (at most 30 s).
async fn wait_for_request(server: &MockServer, route: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !paths(server).await.iter().any(|p| p == route) {
        assert!(Instant::now() < deadline, "{route} was not polled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn under_systemd_it_notifies_reloads_and_stops_with_nothing_lost() {
    let server = MockServer::start().await;
    serve(&server, "a", "Ceasefire in the north").await;
    serve(&server, "b", "Ceasefire in the south").await;
    let env = Env::new();
    let rule = rule("ceasefire", "ceasefire", &["desk@example.org"]);
    let one_feed = format!("{}{rule}", feed("a", &format!("{}/a.xml", server.uri())));
    env.write_config(&one_feed);
    let socket_path = env.dir.path().join("notify");
    let socket = UnixDatagram::bind(&socket_path).unwrap();

    let daemon = env.spawn_daemon_with(&[
        ("NOTIFY_SOCKET", socket_path.to_str().unwrap()),
        // A ping every 150 ms.
        ("WATCHDOG_USEC", "300000"),
    ]);
    let ready = expect(&socket, "READY=1", |m| m.contains("READY=1")).await;
    assert!(ready.contains("STATUS=1 feeds, 0 failing"), "{ready}");
    let alive = expect(&socket, "WATCHDOG=1", |m| m.starts_with("WATCHDOG=1")).await;
    assert!(alive.contains("\nSTATUS=1 feeds"), "{alive}");
    wait_for_request(&server, "/a.xml").await;

    // A valid new config: the new feed is polled.
    env.write_config(&format!(
        "{one_feed}{}",
        feed("b", &format!("{}/b.xml", server.uri()))
    ));
    signal(&daemon, "-HUP");
    expect(&socket, "RELOADING=1", |m| {
        m.starts_with("RELOADING=1\nMONOTONIC_USEC=")
    })
    .await;
    let reloaded = expect(&socket, "READY=1", |m| m.contains("READY=1")).await;
    assert!(reloaded.contains("STATUS=2 feeds"), "{reloaded}");
    wait_for_request(&server, "/b.xml").await;

    // An invalid one is refused; the old config stays in force.
    std::fs::write(env.config_path(), "[[feed]]\nname = \"a\"\nurl = 7\n").unwrap();
    signal(&daemon, "-HUP");
    expect(&socket, "RELOADING=1", |m| m.starts_with("RELOADING=1")).await;
    let refused = expect(&socket, "READY=1", |m| m.contains("READY=1")).await;
    assert!(refused.contains("config not reloaded"), "{refused}");
    let still = expect(&socket, "WATCHDOG=1", |m| m.starts_with("WATCHDOG=1")).await;
    assert!(still.contains("STATUS=2 feeds"), "{still}");

    signal(&daemon, "-TERM");
    expect(&socket, "STOPPING=1", |m| m.starts_with("STOPPING=1")).await;
    let output = tokio::time::timeout(Duration::from_secs(60), daemon.wait_with_output())
        .await
        .expect("the daemon stops after SIGTERM")
        .unwrap();
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert!(
        log.contains("config not reloaded, still running on the old one")
            && log.contains("newshound.toml:3:7: "),
        "{log}"
    );
    // Both alerts were delivered (to the Maildir): nothing left pending.
    assert_eq!(env.maildir_new().len(), 2, "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reload_with_a_query_nested_6000_deep_is_refused_and_the_daemon_lives() {
    let server = MockServer::start().await;
    serve(&server, "a", "Ceasefire in the north").await;
    let env = Env::new();
    let feed_a = feed("a", &format!("{}/a.xml", server.uri()));
    env.write_config(&format!(
        "{feed_a}{}",
        rule("ceasefire", "ceasefire", &["desk@example.org"])
    ));
    let socket_path = env.dir.path().join("notify");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    let daemon = env.spawn_daemon_with(&[("NOTIFY_SOCKET", socket_path.to_str().unwrap())]);
    expect(&socket, "READY=1", |m| m.contains("READY=1")).await;

    let deep = format!("{}ceasefire{}", "(".repeat(6_000), ")".repeat(6_000));
    env.write_config(&format!(
        "{feed_a}{}",
        rule("ceasefire", &deep, &["desk@example.org"])
    ));
    signal(&daemon, "-HUP");
    let refused = expect(&socket, "READY=1", |m| m.contains("READY=1")).await;
    assert!(refused.contains("config not reloaded"), "{refused}");

    // Still alive, on the old config: it stops as asked, with code 0.
    let output = Env::stop_daemon(daemon).await;
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert!(log.contains("more than 100 deep"), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_are_prometheus_text_and_health_says_ok() {
    let server = MockServer::start().await;
    serve(&server, "a", "Ceasefire in the north").await;
    let env = Env::new();
    let port = free_port();
    env.write_config(&format!(
        "{}{}[metrics]\nlisten = \"127.0.0.1:{port}\"\n",
        feed("a", &format!("{}/a.xml", server.uri())),
        rule("ceasefire", "ceasefire", &["desk@example.org"]),
    ));
    let daemon = env.spawn_daemon();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    // Until the first poll is counted (at most 30 s).
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        if let Ok(answer) = client.get(format!("{base}/metrics")).send().await {
            let text = answer.text().await.unwrap();
            if text.contains("newshound_polls_total{result=\"ok\"} 1") {
                break text;
            }
        }
        assert!(Instant::now() < deadline, "no poll counted in /metrics");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
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

    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let missing = client.get(format!("{base}/nothing")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let output = Env::stop_daemon(daemon).await;
    assert_eq!(output.status.code(), Some(0));
}

/// `/healthz`'s status and body, once it answers (at most 30 s).
async fn health_until(base: &str, wanted: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(answer) = client.get(format!("{base}/healthz")).send().await {
            let status = answer.status().as_u16();
            let body = answer.text().await.unwrap_or_default();
            if wanted(status, &body) {
                return (status, body);
            }
        }
        assert!(
            Instant::now() < deadline,
            "/healthz never answered as wanted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_deleted_under_a_running_daemon_makes_it_unhealthy_and_status_makes_none() {
    let server = MockServer::start().await;
    serve(&server, "a", "Ceasefire in the north").await;
    let env = Env::new();
    let port = free_port();
    env.write_config(&format!(
        "{}[metrics]\nlisten = \"127.0.0.1:{port}\"\n",
        feed("a", &format!("{}/a.xml", server.uri())),
    ));
    let socket_path = env.dir.path().join("notify");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    let daemon = env.spawn_daemon_with(&[
        ("NOTIFY_SOCKET", socket_path.to_str().unwrap()),
        ("WATCHDOG_USEC", "300000"),
    ]);
    let base = format!("http://127.0.0.1:{port}");
    health_until(&base, |status, _| status == 200).await;
    expect(&socket, "WATCHDOG=1", |m| m.starts_with("WATCHDOG=1")).await;

    let db = env.database();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let (_, body) = health_until(&base, |status, _| status == 503).await;
    assert!(body.contains("was deleted or replaced"), "{body}");
    // The watchdog is no longer fed: systemd restarts the daemon.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut buf = vec![0u8; 4096];
    while socket.try_recv(&mut buf).is_ok() {}
    let quiet = tokio::time::timeout(Duration::from_secs(1), socket.recv(&mut buf)).await;
    assert!(quiet.is_err(), "WATCHDOG=1 was sent after the file went");

    // A command that only reads says so, and makes no new database.
    let status = env.newshound(&["status"]).await;
    assert_exit(&status, 1);
    assert!(
        stderr(&status).contains("no database at"),
        "{}",
        stderr(&status)
    );
    assert!(!db.exists());
    let output = Env::stop_daemon(daemon).await;
    assert!(
        stderr(&output).contains("was deleted or replaced while the daemon ran"),
        "{}",
        stderr(&output)
    );
}
