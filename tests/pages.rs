//! Article pages end to end: a feed and its pages served on 127.0.0.1, the
//! entry's stored body, and the alerts the page's text causes.

mod common;

use std::time::Duration;

use common::*;
use wiremock::{MockServer, ResponseTemplate};

/// A news page whose article alone mentions the watched term, amid clutter
/// that mentions a second term.
fn article_page(article: &str) -> String {
    format!(
        "<html><head><title>Talks</title></head><body>\
         <nav><a href='/'>Home</a> <a href='/world'>World</a></nav>\
         <div class='cookie-banner'>We use cookies. Mediation of your consent is required to continue.</div>\
         <article><h1>Talks continue</h1><div class='story-body'>\
         <p>Delegations met in Geneva on Tuesday for a second day, officials said, in a room above the lake.</p>\
         <p>{article}</p>\
         <p>Both sides said they would return next week, and the talks would go on as planned after that.</p>\
         </div></article>\
         <aside class='related'><a href='/x'>Mediation in other conflicts, an explainer for readers</a></aside>\
         <footer>© Wire</footer></body></html>"
    )
}

fn html(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/html; charset=utf-8")
}

/// A feed whose one item says nothing about a ceasefire.
async fn serve_feed(server: &MockServer) {
    let feed = rss(
        &server.uri(),
        &[Item::new("1", "Talks continue", "Delegations met.")],
    );
    serve_xml(server, "/feed.xml", feed).await;
}

fn config(smtp: &SmtpSink, server: &MockServer, feed_extra: &str) -> String {
    format!(
        "{}{}{feed_extra}\n{}{}",
        smtp.config(),
        feed_at("wire", server, "/feed.xml"),
        rule("ceasefire", "ceasefire", &["desk@example.org"]),
        rule("mediation", "mediation", &["desk@example.org"]),
    )
}

/// The stored body's source and note of the feed's only entry.
fn stored_body(env: &Env) -> (Option<String>, Option<String>, Option<String>) {
    let db = rusqlite::Connection::open(env.database()).unwrap();
    db.query_row(
        "SELECT body, body_source, body_note FROM entries",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

/// A feed server whose one item links to `/story/1`, answered with `page`;
/// an SMTP sink; and a config for both with `feed_extra` in the feed.
struct Site {
    server: MockServer,
    smtp: SmtpSink,
    env: Env,
}

async fn site(page: ResponseTemplate, feed_extra: &str) -> Site {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    serve_feed(&server).await;
    respond(&server, "/story/1", page).await;
    let env = Env::new();
    env.write_config(&config(&smtp, &server, feed_extra));
    Site { server, smtp, env }
}

fn requested(paths: &[wiremock::Request], path: &str) -> usize {
    paths.iter().filter(|r| r.url.path() == path).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_term_only_in_the_article_alerts_exactly_once() {
    let Site {
        server: _server,
        smtp,
        env,
    } = site(
        html(article_page(
            "A ceasefire was agreed overnight, the mediators announced.",
        )),
        "allow_private_network = true\n",
    )
    .await;

    assert_exit(&env.newshound(&["poll"]).await, 0);
    assert_exit(&env.newshound(&["poll"]).await, 0);

    // The page's text alerted; the clutter's "mediation" did not.
    assert_eq!(subjects(&smtp), ["[newshound] ceasefire: Talks continue"]);
    let mail = &smtp.mails()[0];
    let text = mail.parsed().body_text(0).unwrap().to_string();
    assert_contains(&text, "*ceasefire* was agreed");
    let (body, source, note) = stored_body(&env);
    assert_eq!(source.as_deref(), Some("page"));
    assert_eq!(note, None);
    let body = body.unwrap();
    assert!(
        body.contains("second day") && !body.contains("cookies"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_article_on_a_private_address_needs_allow_private_network() {
    // The feed's own host is trusted; the article link is not.
    let Site { server, smtp, env } = site(html(article_page("A ceasefire was agreed.")), "").await;

    assert_exit(&env.newshound(&["poll"]).await, 0);
    assert_eq!(
        requested(&server.received_requests().await.unwrap(), "/story/1"),
        0
    );
    assert!(subjects(&smtp).is_empty());
    let (_, source, note) = stored_body(&env);
    assert_eq!(source.as_deref(), Some("feed"));
    assert!(note.unwrap().contains("blocked_address"));
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_keeps_a_disallowed_page_unfetched_unless_told_otherwise() {
    for respect in [true, false] {
        let server = MockServer::start().await;
        let smtp = SmtpSink::start();
        serve_feed(&server).await;
        respond(
            &server,
            "/robots.txt",
            ResponseTemplate::new(200).set_body_string("User-agent: *\nDisallow: /story/\n"),
        )
        .await;
        respond(
            &server,
            "/story/1",
            html(article_page("A ceasefire was agreed.")),
        )
        .await;
        let env = Env::new();
        let extra = format!("allow_private_network = true\nrespect_robots = {respect}\n");
        env.write_config(&config(&smtp, &server, &extra));

        assert_exit(&env.newshound(&["poll"]).await, 0);
        let requests = server.received_requests().await.unwrap();
        let (_, source, note) = stored_body(&env);
        if respect {
            assert_eq!(requested(&requests, "/story/1"), 0);
            assert_eq!(source.as_deref(), Some("feed"));
            assert!(note.unwrap().contains("robots.txt disallows /story/1"));
        } else {
            assert_eq!(requested(&requests, "/robots.txt"), 0);
            assert_eq!(source.as_deref(), Some("page"));
            assert_eq!(subjects(&smtp).len(), 1);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_that_cannot_be_used_fall_back_to_the_feed_text_with_the_reason() {
    let cases = [
        (
            ResponseTemplate::new(200)
                .set_body_raw(b"%PDF-1.7 ceasefire".to_vec(), "application/pdf"),
            "application/pdf, not HTML",
        ),
        (
            html(article_page(&"ceasefire ".repeat(20_000))),
            "too_large",
        ),
        (
            html("<html><body><a href='/'>Subscribe to read</a></body></html>".into()),
            "yielded only",
        ),
        (ResponseTemplate::new(404), "http"),
        // A page that does not finish within the deadline.
        (
            html(article_page("ceasefire")).set_delay(Duration::from_secs(20)),
            "timeout",
        ),
    ];
    for (page, reason) in cases {
        let server = MockServer::start().await;
        let smtp = SmtpSink::start();
        let feed = rss(
            &server.uri(),
            &[Item::new(
                "1",
                "Talks continue",
                &"The ceasefire holds, the mediators said. ".repeat(3),
            )],
        );
        serve_xml(&server, "/feed.xml", feed).await;
        respond(&server, "/story/1", page).await;
        let env = Env::new();
        let text = config(&smtp, &server, "allow_private_network = true\n")
            + "[daemon]\npage_max_bytes = 100000\nfetch_timeout = \"2s\"\n";
        env.write_config(&text);

        assert_exit(&env.newshound(&["poll"]).await, 0);
        let (_, source, note) = stored_body(&env);
        assert_eq!(source.as_deref(), Some("feed"), "{reason}");
        let note = note.unwrap();
        assert!(note.contains(reason), "{reason}: {note}");
        // The term is in the feed's own text: the fallback still alerts.
        assert_eq!(
            subjects(&smtp),
            ["[newshound] ceasefire: Talks continue"],
            "{reason}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_selector_override_takes_its_text_minus_what_it_removes() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    serve_feed(&server).await;
    let page = "<html><body><div class='body'><p>A ceasefire was agreed overnight.</p>\
                <div class='ad'>Mediation courses, 50% off!</div></div></body></html>";
    respond(&server, "/story/1", html(page.into())).await;
    let env = Env::new();
    let extra =
        "allow_private_network = true\nextract = { selector = \"div.body\", remove = [\".ad\"] }\n";
    env.write_config(&config(&smtp, &server, extra));

    assert_exit(&env.newshound(&["poll"]).await, 0);
    assert_eq!(subjects(&smtp), ["[newshound] ceasefire: Talks continue"]);
    let (body, source, _) = stored_body(&env);
    assert_eq!(source.as_deref(), Some("selector"));
    assert_eq!(body.as_deref(), Some("A ceasefire was agreed overnight."));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_entry_killed_before_processing_is_processed_once_after_restart() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    serve_feed(&server).await;
    // The page hangs: the daemon stores the entry and waits on its page.
    respond(
        &server,
        "/story/1",
        html(article_page("A ceasefire was agreed.")).set_delay(Duration::from_secs(60)),
    )
    .await;
    let env = Env::new();
    env.write_config(&config(&smtp, &server, "allow_private_network = true\n"));

    let daemon = env.spawn_daemon();
    let unprocessed = "SELECT COUNT(*) FROM entries WHERE processed_at IS NULL";
    wait_for_number(&env, unprocessed, 1).await;
    daemon.kill().await;

    // Back up, the page answers at once: the entry is processed once.
    server.reset().await;
    serve_feed(&server).await;
    respond(
        &server,
        "/story/1",
        html(article_page("A ceasefire was agreed.")),
    )
    .await;
    assert_exit(&env.newshound(&["poll"]).await, 0);
    assert_exit(&env.newshound(&["poll"]).await, 0);
    assert_eq!(subjects(&smtp), ["[newshound] ceasefire: Talks continue"]);
    let (_, source, _) = stored_body(&env);
    assert_eq!(source.as_deref(), Some("page"));
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_is_asked_again_for_each_redirect_hop() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    serve_feed(&server).await;
    respond(
        &server,
        "/robots.txt",
        ResponseTemplate::new(200).set_body_string("User-agent: *\nDisallow: /hidden/\n"),
    )
    .await;
    // The feed links to /story/1, which redirects into the disallowed path.
    respond(
        &server,
        "/story/1",
        ResponseTemplate::new(302).insert_header("Location", "/hidden/1"),
    )
    .await;
    respond(
        &server,
        "/hidden/1",
        html(article_page("A ceasefire was agreed.")),
    )
    .await;
    let env = Env::new();
    env.write_config(&config(&smtp, &server, "allow_private_network = true\n"));

    assert_exit(&env.newshound(&["poll"]).await, 0);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requested(&requests, "/story/1"), 1);
    assert_eq!(requested(&requests, "/hidden/1"), 0);
    let (_, source, note) = stored_body(&env);
    assert_eq!(source.as_deref(), Some("feed"));
    assert!(note.unwrap().contains("disallows /hidden/1"));
    assert!(subjects(&smtp).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_reads_pages_apart_from_polls_and_mails_once() {
    let Site {
        server: _server,
        smtp,
        env,
    } = site(
        html(article_page("A ceasefire was agreed overnight.")),
        "allow_private_network = true\n",
    )
    .await;

    let daemon = env.spawn_daemon();
    wait_until("a mail from the daemon", PATIENCE, || {
        !smtp.mails().is_empty()
    })
    .await;
    assert_exit(&daemon.stop().await, 0);
    assert_eq!(subjects(&smtp), ["[newshound] ceasefire: Talks continue"]);
    let (_, source, _) = stored_body(&env);
    assert_eq!(source.as_deref(), Some("page"));
}
