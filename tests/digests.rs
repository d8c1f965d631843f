//! Digests and storm control end to end: feeds served from 127.0.0.1, a
//! real SMTP server on 127.0.0.1, the SQLite file, and `newshound` run as
//! a process; every mail is read back with a MIME parser.

mod common;

use chrono::{Duration, Utc};
use common::*;
use wiremock::MockServer;

/// A `[[digest]]` section.
fn digest(name: &str, to: &str) -> String {
    format!(
        "[[digest]]\nname = \"{name}\"\nschedule = \"0 7 * * *\"\ntimezone = \"Europe/Berlin\"\n\
         to = [\"{to}\"]\n"
    )
}

/// Serves one matching story in the feed "wire", configures `smtp` (a
/// section or "") and a rule collected into the digest "morning", and
/// polls; returns the feed's `[[feed]]`.
async fn one_match_for_morning(server: &MockServer, env: &Env, smtp: &str) -> String {
    let wire = serve_feed(
        server,
        "wire",
        rss(&server.uri(), &[Item::new("1", "Ceasefire agreed", "x")]),
    )
    .await;
    env.write_config(&format!(
        "{smtp}{wire}{}{}",
        rule_notifying("ceasefire", "ceasefire", "\"morning\"", ""),
        digest("morning", "editor@example.org"),
    ));
    env.poll(0).await;
    wire
}

/// A `[[rule]]` section with its own notify list and extra lines.
fn rule_notifying(name: &str, query: &str, notify: &str, extra: &str) -> String {
    format!("[[rule]]\nname = \"{name}\"\nquery = '{query}'\nnotify = [{notify}]\n{extra}")
}

/// The ceasefire rule mailing desk@example.org at once, as `notify`
/// says, with `extra` lines.
fn desk_ceasefire(notify: &str, extra: &str) -> String {
    let extra = format!("to = [\"desk@example.org\"]\n{extra}");
    rule_notifying("ceasefire", "ceasefire", notify, &extra)
}

/// Serves `count` matching items in the feed "wire", mailed to desk as
/// `notify` says, at most `per_hour` an hour, with the config's `rest`;
/// polls once.
async fn storm(count: usize, notify: &str, per_hour: u32, rest: &str) -> (SmtpSink, Env) {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let env = Env::new();
    let wire = serve_updates(&server, count).await;
    let limit = format!("max_immediate_per_hour = {per_hour}\n");
    let rule = desk_ceasefire(notify, &limit);
    env.write_config(&format!("{}{wire}{rule}{rest}", smtp.config()));
    env.poll(0).await;
    (smtp, env)
}

/// Serves `items` as the feed `name` at `/NAME.xml`; returns its `[[feed]]`.
async fn serve_feed(server: &MockServer, name: &str, xml: String) -> String {
    serve_xml(server, &format!("/{name}.xml"), xml).await;
    feed_at(name, server, &format!("/{name}.xml"))
}

/// Sets how far the schedule of digest `key` was handled to `ago` before
/// now, as if the daemon had been down since.
fn handled_until(env: &Env, key: &str, ago: Duration) {
    let db = rusqlite::Connection::open(env.database()).unwrap();
    let changed = db
        .execute(
            "UPDATE digests SET done_until = ?2 WHERE key = ?1",
            rusqlite::params![key, (Utc::now() - ago).timestamp()],
        )
        .unwrap();
    assert_eq!(changed, 1, "the digest {key} is known to the store");
}

/// Serves the feed "wire" with `count` matching items; returns its `[[feed]]`.
async fn serve_updates(server: &MockServer, count: usize) -> String {
    let xml = rss_numbered(
        &server.uri(),
        1..count + 1,
        "Ceasefire update",
        "the ceasefire",
    );
    serve_feed(server, "wire", xml).await
}

fn html_part(mail: &Received) -> String {
    mail.parsed().body_html(0).unwrap().to_string()
}

fn text_part(mail: &Received) -> String {
    mail.parsed().body_text(0).unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_digest_groups_its_matches_by_rule_and_goes_out_once() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let now = Utc::now();
    // One story in three feeds (tracking parameters differ), and two more
    // stories in the wire.
    let agreed = |feed: &str| {
        Item::new("1", "Ceasefire agreed", "Both sides agreed to a ceasefire.")
            .published(now - Duration::hours(3))
            .link(&format!("{}/story/1?utm_source={feed}", server.uri()))
    };
    let mut feeds = String::new();
    for name in ["agency", "daily"] {
        feeds += &serve_feed(&server, name, rss(&server.uri(), &[agreed(name)])).await;
    }
    let wire = rss(
        &server.uri(),
        &[
            agreed("wire"),
            Item::new("2", "Ceasefire holds", "The ceasefire held overnight.")
                .published(now - Duration::hours(1)),
            Item::new("3", "Talks resume", "Mediation in Doha resumed.")
                .published(now - Duration::hours(2)),
        ],
    );
    feeds += &serve_feed(&server, "wire", wire).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{feeds}{}{}{}",
        smtp.config(),
        rule_notifying("ceasefire", "ceasefire", "\"morning\"", ""),
        rule_notifying("mediation", "mediation", "\"morning\"", ""),
        digest("morning", "editor@example.org"),
    ));

    env.poll(0).await;
    assert!(smtp.mails().is_empty(), "digest rules send nothing at once");

    // The preview shows what waits and changes nothing.
    let preview = env.newshound(&["digest", "morning", "--preview"]).await;
    assert_exit(&preview, 0);
    let html = stdout(&preview);
    assert_contains(&html, "<mark style=\"background:#fff3a3\">ceasefire</mark>");
    assert!(html.find("Ceasefire holds").unwrap() < html.find("Ceasefire agreed").unwrap());
    assert!(smtp.mails().is_empty(), "a preview sends nothing");

    let sent = env.newshound(&["digest", "morning", "--now"]).await;
    assert_exit(&sent, 0);
    assert_contains(&stdout(&sent), "digest morning: 3 matches in 1 mail(s)");
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["editor@example.org"]);
    let parsed = mails[0].parsed();
    assert_eq!(
        parsed.subject().unwrap(),
        "[newshound] morning: 3 new matches — ceasefire (2), mediation (1)"
    );
    let text = text_part(&mails[0]);
    // Grouped by rule, the rule with most first; newest story first.
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {text}"))
    };
    assert!(at("== ceasefire (2) ==") < at("Ceasefire holds"));
    assert!(at("Ceasefire holds") < at("Ceasefire agreed"));
    assert!(at("Ceasefire agreed") < at("== mediation (1) =="));
    assert!(
        text.contains("agency, daily, wire (3 outlets) ·"),
        "one story, every feed: {text}"
    );
    assert_contains(&text, "The *ceasefire* held overnight.");
    assert!(html_part(&mails[0]).contains("<mark"));

    // Sent once: nothing waits any more, and the preview says so.
    let again = env.newshound(&["digest", "morning", "--now"]).await;
    assert_exit(&again, 0);
    assert!(stdout(&again).contains("no new matches; nothing to send"));
    assert_eq!(smtp.mails().len(), 1);
    let empty = stdout(&env.newshound(&["digest", "morning", "--preview"]).await);
    assert_contains(&empty, "No new matches");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_digest_missed_while_nothing_ran_is_sent_once() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let env = Env::new();
    one_match_for_morning(&server, &env, &smtp.config()).await;
    // A new digest starts from now: no slot of the past is due.
    assert!(smtp.mails().is_empty());

    // Three 07:00 slots passed while nothing ran: one digest goes out.
    handled_until(&env, "digest:morning", Duration::days(3));
    env.poll(0).await;
    assert_eq!(
        subjects(&smtp),
        ["[newshound] morning: 1 new match — ceasefire (1)"]
    );
    env.poll(0).await;
    assert_eq!(smtp.mails().len(), 1, "the missed slots are handled");
}

#[tokio::test(flavor = "multi_thread")]
async fn past_the_hourly_limit_matches_wait_for_one_more_matches_mail() {
    let (smtp, env) = storm(5, "\"immediate\"", 2, "").await;
    assert_eq!(smtp.mails().len(), 2, "the limit: two immediate mails");

    // The hour ends: one mail names the three held back.
    handled_until(&env, "overflow:ceasefire", Duration::hours(2));
    env.poll(0).await;
    let mails = smtp.mails();
    assert_eq!(mails.len(), 3);
    assert_eq!(
        mails[2].parsed().subject().unwrap(),
        "[newshound] ceasefire: 3 more matches this hour"
    );
    assert_eq!(mails[2].to, ["desk@example.org"]);
    assert!(text_part(&mails[2]).contains("== ceasefire (3) =="));
    env.poll(0).await;
    assert_eq!(smtp.mails().len(), 3, "each match is mailed once");
}

#[tokio::test(flavor = "multi_thread")]
async fn past_the_hourly_limit_matches_wait_for_the_rules_digest() {
    let morning = digest("morning", "editor@example.org");
    let (smtp, env) = storm(4, "\"immediate\", \"morning\"", 3, &morning).await;
    assert_eq!(smtp.mails().len(), 3);
    assert_exit(&env.newshound(&["digest", "morning", "--now"]).await, 0);
    let mails = smtp.mails();
    assert_eq!(mails.len(), 4);
    // The digest holds every match, the ones mailed at once too.
    assert_eq!(
        mails[3].parsed().subject().unwrap(),
        "[newshound] morning: 4 new matches — ceasefire (4)"
    );
    assert!(mails[..3].iter().all(|m| m.to == ["desk@example.org"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_digest_is_refused_at_check_with_its_line() {
    let env = Env::new();
    env.write_config(&format!(
        "{}[[digest]]\nname = \"morning\"\nschedule = \"0 25 * * *\"\nto = [\"a@example.org\"]\n",
        feed("wire", "https://news.test/feed.xml")
    ));
    let checked = env.newshound(&["check"]).await;
    assert_exit(&checked, 2);
    assert_contains(
        &stderr(&checked),
        ":6:12: digest \"morning\": schedule hour 25 is out of range (0 to 23)",
    );
    env.write_config(&format!(
        "{}[[digest]]\nname = \"morning\"\nschedule = \"0 7 * * *\"\ntimezone = \"Europe/Berlín\"\nto = [\"a@example.org\"]\n",
        feed("wire", "https://news.test/feed.xml")
    ));
    let checked = env.newshound(&["check"]).await;
    assert_exit(&checked, 2);
    assert!(stderr(&checked).contains("unknown time zone \"Europe/Berlín\""));
}

/// Serves `xml` as feed "wire", whose ceasefire rule mails at once and to
/// the "morning" digest; polls, sends the digest, and returns every mail.
async fn alert_and_digest(
    server: &MockServer,
    smtp: &SmtpSink,
    env: &Env,
    xml: Vec<u8>,
) -> Vec<Received> {
    serve_xml(server, "/wire.xml", xml).await;
    env.write_config(&format!(
        "{}{}{}{}",
        smtp.config(),
        feed_at("wire", server, "/wire.xml"),
        desk_ceasefire("\"immediate\", \"morning\"", ""),
        digest("morning", "editor@example.org"),
    ));
    env.poll(0).await;
    assert_exit(&env.newshound(&["digest", "morning", "--now"]).await, 0);
    smtp.mails()
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_feed_content_reaches_no_header_and_no_markup() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let env = Env::new();
    let long_title = format!("Ceasefire {}", "A".repeat(100_000));
    let items = [
        Item::new(
            "1",
            "&lt;script&gt;alert(1)&lt;/script&gt;Ceasefire &lt;img src=x onerror=alert(2)&gt;",
            "&lt;a href=\"javascript:alert(3)\"&gt;ceasefire&lt;/a&gt;",
        )
        .link("javascript:alert(4)"),
        Item::new("2", "Ceasefire&#13;&#10;Bcc: evil@example.org", "x"),
        Item::new("3", &long_title, "x"),
        Item::new("4", "Truce", "the ceasefire INVALID talks"),
    ];
    // One byte that is not UTF-8 in a feed that says it is.
    let xml = rss(&server.uri(), &items).replace("INVALID", "\u{1}");
    let xml = xml
        .into_bytes()
        .into_iter()
        .map(|b| if b == 1 { 0xFF } else { b })
        .collect::<Vec<u8>>();
    let mails = alert_and_digest(&server, &smtp, &env, xml).await;
    assert_eq!(mails.len(), 5, "four alerts and one digest");
    for mail in &mails {
        let raw = String::from_utf8_lossy(&mail.data);
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(
            !headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{headers}"
        );
        assert_eq!(mail.to.len(), 1, "no recipient was added");
        let parsed = mail.parsed();
        let subject = parsed.subject().unwrap();
        assert!(
            !subject.contains(['\r', '\n']) && subject.chars().count() <= 300,
            "{subject}"
        );
        let html = html_part(mail).to_ascii_lowercase();
        for forbidden in [
            "<script",
            "<img",
            "href=\"javascript",
            "<a href=\"javascript",
        ] {
            assert!(!html.contains(forbidden), "{forbidden} in {html}");
        }
        let text = text_part(mail);
        assert!(text.to_lowercase().contains("ceasefire"), "{text}");
        assert!(
            text.len() < 20_000,
            "a 100 KB title is cut: {} bytes",
            text.len()
        );
    }
    let digest_text = text_part(&mails[4]);
    assert_contains(&digest_text, "the *ceasefire* \u{FFFD} talks");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_names_each_digest_with_its_next_time_and_what_waits() {
    let server = MockServer::start().await;
    let env = Env::new();
    one_match_for_morning(&server, &env, "").await;
    let status = env.newshound(&["status"]).await;
    assert_exit(&status, 0);
    let text = stdout(&status);
    assert_contains(&text, "digest morning: next ");
    assert!(
        text.contains(":00 CE") && text.contains("(0 7 * * *), 1 match(es) waiting"),
        "{text}"
    );
    let json = env.status_json().await;
    assert_eq!(json["digests"][0]["name"], "morning");
    assert_eq!(json["digests"][0]["waiting"], 1);
    assert_eq!(json["digests"][0]["timezone"], "Europe/Berlin");
}

#[tokio::test(flavor = "multi_thread")]
async fn matches_waiting_for_a_digest_taken_out_of_the_config_are_reported() {
    let server = MockServer::start().await;
    let env = Env::new();
    let wire = one_match_for_morning(&server, &env, "").await;
    // The digest leaves the config: its match is kept, and status says so.
    env.write_config(&format!(
        "{wire}{}",
        rule_notifying("ceasefire", "ceasefire", "", "")
    ));
    let status = stdout(&env.newshound(&["status"]).await);
    assert_contains(
        &status,
        "warning: 1 match(es) wait for the digest \"morning\", which the config no longer names",
    );
    let json = env.status_json().await;
    assert_eq!(json["waiting_for_unconfigured"][0]["key"], "digest:morning");
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_display_spoofing_from_a_title_and_a_link_is_neutralised() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let env = Env::new();
    // "=?utf-8?b?DQpCY2M6IGV2aWxAZXhhbXBsZS5vcmc=?=" decodes to
    // "\r\nBcc: evil@example.org"; U+202E turns "gpj.exe" around.
    let items = [Item::new(
        "1",
        "Ceasefire =?utf-8?b?DQpCY2M6IGV2aWxAZXhhbXBsZS5vcmc=?= \u{202E}gpj.exe\u{200B}",
        "x",
    )
    .link("http://www.yourbank.example@evil.example/login")];
    let xml = rss(&server.uri(), &items).into_bytes();
    let mails = alert_and_digest(&server, &smtp, &env, xml).await;
    assert_eq!(mails.len(), 2, "an alert and a digest");
    // What the reader's client shows, encoded-words decoded.
    let subject = mails[0].parsed().subject().unwrap().to_string();
    assert!(!subject.contains("Bcc"), "{subject}");
    assert!(!subject.contains(['\u{202E}', '\u{200B}']), "{subject}");
    for mail in &mails {
        assert_eq!(mail.to.len(), 1, "no recipient was added");
        for part in [text_part(mail), html_part(mail)] {
            assert!(!part.contains("yourbank"), "{part}");
            assert_contains(&part, "http://evil.example/login");
        }
        // The title shown as the link's text: no override turns it around.
        let html = html_part(mail);
        let link_text = html.split("</a>").next().unwrap();
        let link_text = &link_text[link_text.rfind('>').unwrap()..];
        assert_contains(link_text, "gpj.exe");
        assert!(!link_text.contains(['\u{202E}', '\u{200B}']), "{link_text}");
    }
}
