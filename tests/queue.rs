//! The delivery queue across a mail server outage and a killed daemon: a
//! real SMTP server on 127.0.0.1 that is down, then up; the daemon killed
//! with SIGKILL in between; every alert delivered exactly once.

mod common;

use std::collections::HashSet;

use common::*;
use wiremock::MockServer;

/// Deliveries in `state`, read from the database file.
fn deliveries(env: &Env, state: &str) -> i64 {
    let Ok(db) = rusqlite::Connection::open(env.database()) else {
        return 0;
    };
    db.query_row(
        "SELECT COUNT(*) FROM deliveries WHERE state = ?1",
        [state],
        |r| r.get(0),
    )
    .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_alerts_wait_out_a_dead_mail_server_and_a_killed_daemon_then_go_once() {
    let server = MockServer::start().await;
    let xml = rss_numbered(&server.uri(), 1..51, "Ceasefire talks", "ceasefire");
    serve_xml(&server, "/feed.xml", xml).await;
    let port = free_port();
    let env = Env::new();
    // No storm limit: this is about the queue.
    env.write_config(&format!(
        "{}max_immediate_per_hour = 0\n",
        wire_config(&smtp_config(port), &server.uri())
    ));

    // The daemon stores the 50 alerts; the mail server is down.
    let daemon = env.spawn_daemon();
    wait_until("50 alerts queued", PATIENCE, || {
        deliveries(&env, "pending") >= 50
    })
    .await;
    // Killed without warning, mid-retry.
    daemon.kill().await;
    assert_eq!(deliveries(&env, "pending"), 50, "nothing was lost");
    assert_eq!(deliveries(&env, "sent"), 0);

    // The server is back; a person's poll sends every pending alert now.
    let smtp = SmtpSink::start_at(port);
    let up = env.poll(0).await;
    assert_contains(&stdout(&up), "alerts: 50 sent");
    env.poll(0).await;
    let mails = smtp.mails();
    assert_eq!(mails.len(), 50, "each alert delivered exactly once");
    let ids: HashSet<String> = mails
        .iter()
        .map(|m| m.parsed().message_id().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 50, "fifty different mails");
    assert_eq!(deliveries(&env, "sent"), 50);
}
