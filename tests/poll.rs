//! `newshound poll` end to end: a feed served over HTTP from 127.0.0.1, a
//! real SMTP server on 127.0.0.1, and the SQLite file in a temp directory.

mod common;

use chrono::{Duration, Utc};
use common::*;
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(server: &MockServer, route: &str, body: String) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(rss_response(body))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_mails_each_matching_item_once_per_recipient() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let items = [
        Item::new("1", "Ceasefire agreed in the north", "Both sides signed."),
        Item::new(
            "2",
            "Talks resume",
            "Mediation led to a cease-fire, officials said.",
        ),
        Item::new("3", "Markets rally", "Nothing about the war."),
    ];
    serve(&server, "/feed.xml", rss(&server.uri(), &items)).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}connections = 2\n{}{}{}",
        smtp.config(),
        wire_feed(&server),
        rule(
            "ceasefire",
            "ceasefire OR \"cease fire\"",
            &["a@example.org", "b@example.org"]
        ),
        rule("mediation", "mediation", &["a@example.org"]),
    ));

    let output = env.poll(0).await;
    assert_contains(
        &stdout(&output),
        "wire: 3 new entries, 3 matches, 4 alerts queued",
    );

    let mails = smtp.mails();
    let mut seen: Vec<(String, String)> = mails
        .iter()
        .map(|m| (m.to.join(","), m.parsed().subject().unwrap().to_string()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            (
                "a@example.org".into(),
                "[newshound] ceasefire, mediation: Talks resume".into()
            ),
            (
                "a@example.org".into(),
                "[newshound] ceasefire: Ceasefire agreed in the north".into()
            ),
            (
                "b@example.org".into(),
                "[newshound] ceasefire: Ceasefire agreed in the north".into()
            ),
            (
                "b@example.org".into(),
                "[newshound] ceasefire: Talks resume".into()
            ),
        ]
    );
    // The four mails shared sessions (two at a time are allowed), rather
    // than one each; a session idle for a moment on a busy machine may be
    // probed and replaced, so the count is not exact.
    let sessions = smtp.sessions();
    assert!((1..4).contains(&sessions), "{sessions} sessions");

    let both = mails
        .iter()
        .find(|m| m.to == ["a@example.org"] && m.parsed().subject().unwrap().contains("Talks"))
        .unwrap();
    let parsed = both.parsed();
    assert_eq!((parsed.text_body_count(), parsed.html_body_count()), (1, 1));
    let text = parsed.body_text(0).unwrap();
    let html = parsed.body_html(0).unwrap();
    let link = format!("{}/story/2", server.uri());
    for part in [&text, &html] {
        assert_contains(part, "Talks resume");
        assert_contains(part, &link);
        assert!(
            part.contains("ceasefire") && part.contains("mediation"),
            "{part}"
        );
    }
    // The hit is highlighted: between asterisks in text, marked in HTML.
    assert_contains(&text, "Mediation led to a *cease-fire*");
    assert_contains(&html, "Mediation led to a <mark");
    assert_contains(&html, ">cease-fire</mark>");
    assert!(text.contains("Feed:      wire"));
    assert!(
        text.contains("\"cease fire\""),
        "the matched phrase is named: {text}"
    );
    assert_eq!(
        parsed.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn second_poll_is_conditional_and_sends_nothing() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let body = rss(&server.uri(), &[Item::new("1", "Ceasefire", "x")]);
    let last_modified = "Sat, 28 Nov 2026 10:00:00 GMT";
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(header("If-None-Match", "\"v1\""))
        .and(header_exists("If-Modified-Since"))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(
            rss_response(body)
                .insert_header("ETag", "\"v1\"")
                .insert_header("Last-Modified", last_modified),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let env = Env::new();
    env.write_config(&wire_config(&smtp.config(), &server.uri()));

    env.poll(0).await;
    assert_eq!(smtp.mails().len(), 1);
    assert_contains(&stdout(&env.poll(0).await), "wire: not modified");
    assert_eq!(smtp.mails().len(), 1, "nothing is mailed twice");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].headers.get("If-None-Match").is_none());
    assert_eq!(requests[1].headers.get("If-None-Match").unwrap(), "\"v1\"");
    assert_eq!(
        requests[1].headers.get("If-Modified-Since").unwrap(),
        last_modified
    );
    let agent = requests[0]
        .headers
        .get("User-Agent")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(agent.starts_with("newshound/"), "{agent}");
}

#[tokio::test(flavor = "multi_thread")]
async fn first_poll_alerts_only_what_is_within_backfill() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let items = [
        Item::new("old", "Old ceasefire", "x").published(Utc::now() - Duration::days(30)),
        Item::new("new", "New ceasefire", "x").published(Utc::now() - Duration::hours(2)),
    ];
    serve(&server, "/feed.xml", rss(&server.uri(), &items)).await;
    let env = Env::new();
    env.write_config(&wire_config(&smtp.config(), &server.uri()));

    let output = env.poll(0).await;
    assert!(stdout(&output).contains("wire: 2 new entries, 1 matches, 1 alerts queued"));
    let subjects = subjects(&smtp);
    assert_eq!(subjects, ["[newshound] ceasefire: New ceasefire"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_item_is_mailed_once_across_processes() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let first = [Item::new("1", "Ceasefire one", "x")];
    respond_first(
        &server,
        "/feed.xml",
        1,
        rss_response(rss(&server.uri(), &first)),
    )
    .await;
    let second = [
        Item::new("2", "Ceasefire two", "x"),
        Item::new("1", "Ceasefire one", "x"),
    ];
    serve(&server, "/feed.xml", rss(&server.uri(), &second)).await;
    let env = Env::new();
    env.write_config(&wire_config(&smtp.config(), &server.uri()));

    env.poll(0).await;
    assert_eq!(smtp.mails().len(), 1);
    let output = env.poll(0).await;
    assert_contains(&stdout(&output), "wire: 1 new entries");
    env.poll(0).await;
    let subjects = subjects(&smtp);
    assert_eq!(
        subjects,
        [
            "[newshound] ceasefire: Ceasefire one",
            "[newshound] ceasefire: Ceasefire two"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_down_keeps_the_alert_pending_until_it_is_back() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/feed.xml",
        rss(&server.uri(), &[Item::new("1", "Ceasefire", "x")]),
    )
    .await;
    let port = free_port();
    let env = Env::new();
    env.write_config(&wire_config(&smtp_config(port), &server.uri()));

    let down = env.poll(1).await;
    assert_contains(&stdout(&down), "alerts: 0 sent via SMTP 127.0.0.1");
    assert_contains(&stdout(&down), "1 pending");

    let smtp = SmtpSink::start_at(port);
    let up = env.poll(0).await;
    assert_contains(&stdout(&up), "alerts: 1 sent");
    env.poll(0).await;
    assert_eq!(smtp.mails().len(), 1, "delivered exactly once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recipient_refused_for_good_is_dead_and_the_others_get_their_mail() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::refusing("gone@example.org");
    serve_rss(
        &server,
        "/feed.xml",
        &[Item::new("1", "Ceasefire agreed", "x")],
    )
    .await;
    let env = Env::new();
    let rule = rule(
        "ceasefire",
        "ceasefire",
        &["gone@example.org", "desk@example.org"],
    );
    env.write_config(&format!("{}{}{rule}", smtp.config(), wire_feed(&server)));

    let first = env.poll(1).await;
    assert!(
        stdout(&first).contains("alerts: 1 sent via SMTP 127.0.0.1")
            && stdout(&first).contains("0 pending, 1 dead"),
        "{}",
        stdout(&first)
    );
    let delivered: Vec<String> = smtp.mails().iter().map(|m| m.to.join(",")).collect();
    assert_eq!(delivered, ["desk@example.org"]);

    // Dead is final: the next pass neither retries nor resends.
    env.poll(0).await;
    assert_eq!(smtp.mails().len(), 1);
    let json = env.status_json().await;
    assert_eq!(json["deliveries"]["dead"], 1);
    assert_eq!(json["deliveries"]["pending"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_smtp_the_mail_is_a_file_in_the_maildir() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/feed.xml",
        rss(
            &server.uri(),
            &[Item::new("1", "Перемирие объявлено", "停火三天")],
        ),
    )
    .await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{}",
        wire_feed(&server),
        rule("ceasefire", "перемирие OR 停火", &["desk@example.org"]),
    ));

    env.poll(0).await;
    let files = env.maildir_new();
    assert_eq!(files.len(), 1, "{files:?}");
    let bytes = std::fs::read(&files[0]).unwrap();
    let mail = mail_parser::MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(
        mail.subject(),
        Some("[newshound] ceasefire: Перемирие объявлено")
    );
    assert!(mail.body_text(0).unwrap().contains("*停火*三天"));

    env.poll(0).await;
    assert_eq!(env.maildir_new().len(), 1, "nothing delivered twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_developing_story_alerts_once_for_each_rule_it_comes_to_match() {
    let server = MockServer::start().await;
    let versions = [
        "Mediation continues in Doha.",
        "Mediation produced a ceasefire.",
        "Mediation produced a ceasefire.",
        "Mediation and the ceasefire hold.",
    ];
    for (i, text) in versions.iter().enumerate() {
        Mock::given(method("GET"))
            .and(path("/feed.xml"))
            .respond_with(rss_response(rss(
                &server.uri(),
                &[Item::new("1", "Talks in Doha", text)],
            )))
            .up_to_n_times(1)
            .with_priority(u8::try_from(i + 1).unwrap())
            .mount(&server)
            .await;
    }
    let smtp = SmtpSink::start();
    let env = Env::new();
    env.write_config(&format!(
        "{}{}{}{}",
        smtp.config(),
        wire_feed(&server),
        ceasefire_rule(),
        desk_rule("mediation"),
    ));
    let mut lines = Vec::new();
    for _ in versions {
        let output = env.poll(0).await;
        lines.push(
            stdout(&output)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
        );
    }
    assert_eq!(
        lines,
        [
            "wire: 1 new entries, 1 matches, 1 alerts queued",
            "wire: 0 new entries, 1 changed, 1 matches, 1 alerts queued",
            "wire: 0 new entries, 0 matches, 0 alerts queued",
            "wire: 0 new entries, 1 changed, 0 matches, 0 alerts queued",
        ]
    );
    assert_eq!(
        subjects(&smtp),
        [
            "[newshound] mediation: Talks in Doha",
            "[newshound] ceasefire: Talks in Doha"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_on_one_database_send_each_alert_once() {
    let server = MockServer::start().await;
    let items = rss_numbered(&server.uri(), 0..20, "Ceasefire", "x");
    serve(&server, "/feed.xml", items).await;
    let smtp = SmtpSink::start();
    let env = Env::new();
    env.write_config(&wire_config(&smtp.config(), &server.uri()));
    let (first, second) = tokio::join!(env.newshound(&["poll"]), env.newshound(&["poll"]));
    assert_exit(&first, 0);
    assert_exit(&second, 0);
    assert_eq!(
        smtp.mails().len(),
        20,
        "every alert once, whichever process sent it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_story_in_three_feeds_is_one_mail_naming_the_three() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    // The same story (same link, tracking parameters aside) in three feeds.
    let story = |feed: &str| {
        rss(&server.uri(), &[Item::new("1", "Ceasefire agreed", "x")])
            .replace("/story/1<", &format!("/story/1?utm_source={feed}<"))
    };
    let mut feeds = String::new();
    for name in ["agency", "daily", "wire"] {
        serve(&server, &format!("/{name}.xml"), story(name)).await;
        feeds.push_str(&feed_at(name, &server, &format!("/{name}.xml")));
    }
    let env = Env::new();
    env.write_config(&format!("{}{feeds}{}", smtp.config(), ceasefire_rule()));

    env.poll(0).await;
    env.poll(0).await;
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "one mail for the story");
    let text = mails[0].parsed().body_text(0).unwrap().to_string();
    assert_contains(&text, "Feeds:     agency, daily, wire");
}
