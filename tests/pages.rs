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

/// The article page at `/story/1`, agreeing a ceasefire.
fn agreed() -> (&'static str, ResponseTemplate) {
    ("/story/1", html(article_page("A ceasefire was agreed.")))
}

/// A robots.txt that disallows `path` to every agent.
fn robots(path: &str) -> (&'static str, ResponseTemplate) {
    let text = format!("User-agent: *\nDisallow: {path}\n");
    (
        "/robots.txt",
        ResponseTemplate::new(200).set_body_string(text),
    )
}

/// What the feed's one item says by default: nothing about a ceasefire.
const QUIET: &str = "Delegations met.";

/// Lets the feed's article pages come from 127.0.0.1.
const PRIVATE: &str = "allow_private_network = true\n";

/// The alert the feed's one item causes.
const ALERT: &str = "[newshound] ceasefire: Talks continue";

/// Serves the feed: one item, "Talks continue", saying `description` and
/// linking to `/story/1`.
async fn serve_feed(server: &MockServer, description: &str) {
    serve_rss(
        server,
        "/feed.xml",
        &[Item::new("1", "Talks continue", description)],
    )
    .await;
}

/// A feed server answering `pages` beside the feed, an SMTP sink, and a
/// config for both: `feed_extra` in the feed, then `rest`.
struct Site {
    server: MockServer,
    smtp: SmtpSink,
    env: Env,
}

impl Site {
    async fn start(pages: &[(&str, ResponseTemplate)], feed_extra: &str) -> Site {
        Site::serving(QUIET, pages, feed_extra, "").await
    }

    async fn serving(
        description: &str,
        pages: &[(&str, ResponseTemplate)],
        feed_extra: &str,
        rest: &str,
    ) -> Site {
        let server = MockServer::start().await;
        let smtp = SmtpSink::start();
        serve_feed(&server, description).await;
        for (route, page) in pages {
            respond(&server, route, page.clone()).await;
        }
        let env = Env::new();
        let (smtp_section, wire) = (smtp.config(), wire_feed(&server));
        let rules = ceasefire_rule() + &desk_rule("mediation");
        env.write_config(&format!("{smtp_section}{wire}{feed_extra}\n{rules}{rest}"));
        Site { server, smtp, env }
    }

    async fn asked(&self, route: &str) -> usize {
        requests_for(&self.server, route).await
    }

    /// The stored body, its source and its note of the feed's only entry.
    fn body(&self) -> (Option<String>, Option<String>, Option<String>) {
        let db = rusqlite::Connection::open(self.env.database()).unwrap();
        db.query_row(
            "SELECT body, body_source, body_note FROM entries",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_term_only_in_the_article_alerts_exactly_once() {
    let page = article_page("A ceasefire was agreed overnight, the mediators announced.");
    let site = Site::start(&[("/story/1", html(page))], PRIVATE).await;

    site.env.poll(0).await;
    site.env.poll(0).await;

    // The page's text alerted; the clutter's "mediation" did not.
    assert_eq!(subjects(&site.smtp), [ALERT]);
    let mail = &site.smtp.mails()[0];
    let text = mail.parsed().body_text(0).unwrap().to_string();
    assert_contains(&text, "*ceasefire* was agreed");
    let (body, source, note) = site.body();
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
    let site = Site::start(&[agreed()], "").await;

    site.env.poll(0).await;
    assert_eq!(site.asked("/story/1").await, 0);
    assert!(subjects(&site.smtp).is_empty());
    let (_, source, note) = site.body();
    assert_eq!(source.as_deref(), Some("feed"));
    assert_contains(&note.unwrap(), "blocked_address");
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_keeps_a_disallowed_page_unfetched_unless_told_otherwise() {
    for respect in [true, false] {
        let extra = format!("{PRIVATE}respect_robots = {respect}\n");
        let site = Site::start(&[robots("/story/"), agreed()], &extra).await;

        site.env.poll(0).await;
        let (_, source, note) = site.body();
        if respect {
            assert_eq!(site.asked("/story/1").await, 0);
            assert_eq!(source.as_deref(), Some("feed"));
            assert_contains(&note.unwrap(), "robots.txt disallows /story/1");
        } else {
            assert_eq!(site.asked("/robots.txt").await, 0);
            assert_eq!(source.as_deref(), Some("page"));
            assert_eq!(subjects(&site.smtp).len(), 1);
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
    let says = "The ceasefire holds, the mediators said. ".repeat(3);
    let limits = "[daemon]\npage_max_bytes = 100000\nfetch_timeout = \"2s\"\n";
    for (page, reason) in cases {
        let site = Site::serving(&says, &[("/story/1", page)], PRIVATE, limits).await;

        site.env.poll(0).await;
        let (_, source, note) = site.body();
        assert_eq!(source.as_deref(), Some("feed"), "{reason}");
        let note = note.unwrap();
        assert!(note.contains(reason), "{reason}: {note}");
        // The term is in the feed's own text: the fallback still alerts.
        assert_eq!(subjects(&site.smtp), [ALERT], "{reason}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_selector_override_takes_its_text_minus_what_it_removes() {
    let page = "<html><body><div class='body'><p>A ceasefire was agreed overnight.</p>\
                <div class='ad'>Mediation courses, 50% off!</div></div></body></html>";
    let extra = format!("{PRIVATE}extract = {{ selector = \"div.body\", remove = [\".ad\"] }}\n");
    let site = Site::start(&[("/story/1", html(page.into()))], &extra).await;

    site.env.poll(0).await;
    assert_eq!(subjects(&site.smtp), [ALERT]);
    let (body, source, _) = site.body();
    assert_eq!(source.as_deref(), Some("selector"));
    assert_eq!(body.as_deref(), Some("A ceasefire was agreed overnight."));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_entry_killed_before_processing_is_processed_once_after_restart() {
    // The page hangs: the daemon stores the entry and waits on its page.
    let (route, page) = agreed();
    let hanging = page.set_delay(Duration::from_secs(60));
    let site = Site::start(&[(route, hanging)], PRIVATE).await;

    let daemon = site.env.spawn_daemon();
    let unprocessed = "SELECT COUNT(*) FROM entries WHERE processed_at IS NULL";
    wait_for_number(&site.env, unprocessed, 1).await;
    daemon.kill().await;

    // Back up, the page answers at once: the entry is processed once.
    site.server.reset().await;
    serve_feed(&site.server, QUIET).await;
    let (route, page) = agreed();
    respond(&site.server, route, page).await;
    site.env.poll(0).await;
    site.env.poll(0).await;
    assert_eq!(subjects(&site.smtp), [ALERT]);
    let (_, source, _) = site.body();
    assert_eq!(source.as_deref(), Some("page"));
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_is_asked_again_for_each_redirect_hop() {
    // The feed links to /story/1, which redirects into the disallowed path.
    let redirect = ResponseTemplate::new(302).insert_header("Location", "/hidden/1");
    let hidden = html(article_page("A ceasefire was agreed."));
    let pages = [
        robots("/hidden/"),
        ("/story/1", redirect),
        ("/hidden/1", hidden),
    ];
    let site = Site::start(&pages, PRIVATE).await;

    site.env.poll(0).await;
    assert_eq!(site.asked("/story/1").await, 1);
    assert_eq!(site.asked("/hidden/1").await, 0);
    let (_, source, note) = site.body();
    assert_eq!(source.as_deref(), Some("feed"));
    assert_contains(&note.unwrap(), "disallows /hidden/1");
    assert!(subjects(&site.smtp).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_reads_pages_apart_from_polls_and_mails_once() {
    let page = html(article_page("A ceasefire was agreed overnight."));
    let site = Site::start(&[("/story/1", page)], PRIVATE).await;

    let daemon = site.env.spawn_daemon();
    wait_until("a mail from the daemon", PATIENCE, || {
        !site.smtp.mails().is_empty()
    })
    .await;
    assert_exit(&daemon.stop().await, 0);
    assert_eq!(subjects(&site.smtp), [ALERT]);
    let (_, source, _) = site.body();
    assert_eq!(source.as_deref(), Some("page"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_summary_points_the_extractor_at_the_article() {
    // A featured story that outscores the article, beside the article,
    // which alone mentions a ceasefire after its first words.
    let two_stories = include_str!("fixtures/featured-beside-article.html");
    let page = || ("/story/1", html(two_stories.to_string()));
    // The feed's summary is the article's first words.
    let site = Site::serving(
        "Story 1: Delegations met in Geneva for a second day and agreed…",
        &[page()],
        PRIVATE,
        "",
    )
    .await;
    site.env.poll(0).await;
    assert_eq!(subjects(&site.smtp), [ALERT]);
    let (body, source, _) = site.body();
    assert_eq!(source.as_deref(), Some("page"));
    assert!(!body.unwrap().contains("Featured"));

    // Without a summary to go by, the featured story wins and nothing alerts.
    let site = Site::start(&[page()], PRIVATE).await;
    site.env.poll(0).await;
    assert!(subjects(&site.smtp).is_empty());
    assert!(site.body().0.unwrap().starts_with("Featured 1"));
}
