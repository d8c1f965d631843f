//! Surge alerts end to end: a rule with a week of quiet history and a
//! burst of matches now gets exactly one surge mail, through the outbox,
//! however often it is polled within the window.

mod common;

use chrono::Utc;
use common::*;
use mail_parser::MimeHeaders;

const HOUR: i64 = 3600;

/// Writes `count` matches of `rule`, one every `every` seconds, the last
/// `ago` seconds before now: history as the daemon would have stored it
/// (the summary tables follow by their triggers).
fn seed_history(env: &Env, rule: &str, count: i64, every: i64, ago: i64) {
    let db = rusqlite::Connection::open(env.database()).unwrap();
    let now = Utc::now().timestamp();
    for i in 0..count {
        let at = now - ago - (count - 1 - i) * every;
        db.execute(
            "INSERT INTO entries (feed, identity, title, summary, content, content_hash, seen_at,
                                  processed_at)
             VALUES ('wire', ?1, ?2, 'An earlier ceasefire story.', '', ?1, ?3, ?3)",
            rusqlite::params![
                format!("old-{i}"),
                format!("Earlier ceasefire story {i}"),
                at
            ],
        )
        .unwrap();
        let entry = db.last_insert_rowid();
        db.execute("UPDATE entries SET story_id = id WHERE id = ?1", [entry])
            .unwrap();
        db.execute(
            "INSERT INTO matches (entry_id, rule, terms, snippet, matched_at)
             VALUES (?1, ?2, '[\"ceasefire\"]', 'An earlier ceasefire story.', ?3)",
            rusqlite::params![entry, rule, at],
        )
        .unwrap();
    }
}

fn items(from: usize, to: usize) -> Vec<(String, String)> {
    (from..to)
        .map(|i| {
            (
                format!("now-{i}"),
                format!("Ceasefire breaks down in region {i}"),
            )
        })
        .collect()
}

async fn serve_burst(server: &wiremock::MockServer, burst: &[(String, String)]) {
    server.reset().await;
    let items: Vec<Item> = burst
        .iter()
        .map(|(guid, title)| {
            let about = match title.contains("Ceasefire") {
                true => "Fighting resumed despite the ceasefire.",
                false => "Nothing much happened.",
            };
            Item::new(guid, title, about)
        })
        .collect();
    serve_rss(server, "/wire.xml", &items).await;
}

fn surge_mails(smtp: &SmtpSink) -> Vec<Received> {
    smtp.mails()
        .into_iter()
        .filter(|m| {
            m.parsed()
                .subject()
                .is_some_and(|s| s.starts_with("[newshound] surge:"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_over_a_quiet_week_gives_one_surge_mail() {
    let env = Env::new();
    let server = wiremock::MockServer::start().await;
    serve_burst(&server, &[("calm".into(), "Weather: sunny".into())]).await;
    let smtp = SmtpSink::start();
    env.write_config(&format!(
        "{}\n{}scrape = false\n{}surge = {{ factor = 3, window = \"6h\", baseline = \"7d\", min = 10 }}\n",
        smtp.config(),
        feed_at("wire", &server, "/wire.xml"),
        rule("ceasefire", "ceasefire", &["desk@example.org"]),
    ));
    env.poll(0).await;
    // Two matches a day for eight days: about 0.5 per 6 hours.
    seed_history(&env, "ceasefire", 16, 12 * HOUR, 7 * HOUR);

    // Nine now: a lot, but under `min`.
    serve_burst(&server, &items(0, 9)).await;
    env.poll(0).await;
    assert!(
        surge_mails(&smtp).is_empty(),
        "9 matches are under min = 10"
    );

    serve_burst(&server, &items(0, 12)).await;
    let polled = env.poll(0).await;
    assert_contains(&stdout(&polled), "surge: rule \"ceasefire\"");
    let surges = surge_mails(&smtp);
    assert_eq!(surges.len(), 1, "one surge mail");
    let mail = surges[0].parsed();
    let subject = mail.subject().unwrap().to_string();
    assert!(
        subject.starts_with("[newshound] surge: ceasefire: 12 matches in 6 h, ")
            && subject.ends_with("× the 7-day rate"),
        "{subject}"
    );
    let text = mail.body_text(0).unwrap().to_string();
    assert_contains_all(&text, &["Top stories", "Ceasefire breaks down in region"]);
    let html = mail.body_html(0).unwrap().to_string();
    assert_contains(&html, "src=\"cid:surge-chart@newshound\"");
    let chart = mail
        .attachments()
        .find(|part| part.content_id() == Some("surge-chart@newshound"))
        .expect("the chart travels with the mail");
    assert!(
        chart.contents().starts_with(b"\x89PNG"),
        "the chart is a PNG"
    );

    // Still surging, polled again within the window: no second mail.
    serve_burst(&server, &items(0, 15)).await;
    env.poll(0).await;
    assert_eq!(
        surge_mails(&smtp).len(),
        1,
        "at most one surge mail per window"
    );
    assert_eq!(env.number("SELECT COUNT(*) FROM surges"), Some(1));
    assert_eq!(
        env.number("SELECT COUNT(*) FROM deliveries WHERE surge IS NOT NULL AND state = 'sent'"),
        Some(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_without_a_week_of_history_does_not_surge() {
    let env = Env::new();
    let server = wiremock::MockServer::start().await;
    serve_burst(&server, &items(0, 20)).await;
    let smtp = SmtpSink::start();
    env.write_config(&format!(
        "{}\n{}scrape = false\n{}surge = {{ min = 10 }}\n",
        smtp.config(),
        feed_at("wire", &server, "/wire.xml"),
        rule("ceasefire", "ceasefire", &["desk@example.org"]),
    ));
    env.poll(0).await;
    assert!(
        surge_mails(&smtp).is_empty(),
        "a new rule's first matches are not a surge: it has no usual rate yet"
    );
    assert!(
        !smtp.mails().is_empty(),
        "the matches themselves were mailed"
    );
}
