//! Deep nesting and page floods, served from 127.0.0.1 beside a normal
//! feed: HTML nested 100,000 deep in a feed item, XML nested 70,000 deep,
//! article pages nested 200,000 deep, and a feed listing more links than a
//! poll fetches. In each the normal feed's alert still arrives.

mod common;

use common::*;
use wiremock::{MockServer, ResponseTemplate};

fn xml(body: String) -> ResponseTemplate {
    rss_response(body)
}

fn html(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/html; charset=utf-8")
}

/// `depth` nested `<div>`s around `core`.
fn nested_divs(depth: usize, core: &str) -> String {
    format!("{}{core}{}", "<div>".repeat(depth), "</div>".repeat(depth))
}

/// The normal feed "calm" at `/calm.xml`, whose one item alerts.
async fn serve_calm_feed(server: &MockServer) {
    let calm =
        rss(
            &server.uri(),
            &[Item::new("c", "Ceasefire holds in the north", "Quiet.")
                .link("mailto:desk@example.org")],
        );
    respond(server, "/calm.xml", xml(calm)).await;
}

/// `[[feed]]` sections for "calm" and "deep" (at `/deep.xml`, reading
/// its pages from 127.0.0.1), a ceasefire rule, and `daemon` lines.
fn config(smtp: &SmtpSink, server: &MockServer, daemon: &str) -> String {
    format!(
        "{}{}{}allow_private_network = true\n{}[daemon]\n{daemon}\n",
        smtp.config(),
        feed_at("calm", server, "/calm.xml"),
        feed_at("deep", server, "/deep.xml"),
        ceasefire_rule(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn nested_html_in_a_feed_item_does_not_hold_the_other_feeds() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    serve_calm_feed(&server).await;
    // One item whose description holds <div> nested 100,000 deep (1.1 MB).
    let markup = nested_divs(100_000, "The ceasefire deep inside");
    let escaped = markup.replace('<', "&lt;").replace('>', "&gt;");
    let deep = rss(
        &server.uri(),
        &[Item::new("d", "Deep markup", &escaped).link("mailto:nobody@example.org")],
    );
    respond(&server, "/deep.xml", xml(deep)).await;
    let env = Env::new();
    env.write_config(&config(&smtp, &server, ""));

    env.poll(0).await;
    let mut subjects = subjects(&smtp);
    subjects.sort();
    // Both alert: the deep item's text is kept, only its nesting is cut.
    assert_eq!(
        subjects,
        [
            "[newshound] ceasefire: Ceasefire holds in the north",
            "[newshound] ceasefire: Deep markup",
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn xml_nested_70000_deep_is_refused_as_not_a_feed_and_the_others_alert() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    serve_calm_feed(&server).await;
    let deep = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item>\
         <title>a</title>{}{}</item></channel></rss>",
        "<x>".repeat(70_000),
        "</x>".repeat(70_000)
    );
    respond(&server, "/deep.xml", xml(deep)).await;
    let env = Env::new();
    env.write_config(&config(&smtp, &server, ""));

    let output = env.poll(1).await;
    assert_contains(&stdout(&output), "nest more than 1000 levels deep");
    assert_eq!(
        subjects(&smtp),
        ["[newshound] ceasefire: Ceasefire holds in the north"]
    );
}

/// A feed "deep" of `items` entries, each linking to `/page/N`, each page
/// nested 200,000 deep (2.2 MB) around a paragraph on talks.
async fn serve_deep_pages(server: &MockServer, items: usize) {
    let guids: Vec<String> = (0..items).map(|i| format!("p{i}")).collect();
    let entries: Vec<Item> = guids
        .iter()
        .map(|g| {
            Item::new(g, "Talks resume", "Delegations met again.")
                .link(&format!("{}/page/{g}", server.uri()))
        })
        .collect();
    respond(server, "/deep.xml", xml(rss(&server.uri(), &entries))).await;
    let page = format!(
        "<html><body>{}</body></html>",
        nested_divs(
            200_000,
            "<p>Delegations met again and talked at length.</p>"
        )
    );
    wiremock::Mock::given(wiremock::matchers::path_regex("^/page/"))
        .respond_with(html(page))
        .mount(server)
        .await;
}

/// The stored body sources and notes of feed "deep"'s entries.
fn deep_bodies(env: &Env) -> Vec<(String, Option<String>)> {
    let db = rusqlite::Connection::open(env.database()).unwrap();
    let mut query = db
        .prepare("SELECT body_source, body_note FROM entries WHERE feed = 'deep' ORDER BY id")
        .unwrap();
    query
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Polls feed "calm" beside a feed of `pages` deep pages, with `daemon`
/// lines; asserts the calm feed's alert arrived, and returns the state.
async fn poll_beside_deep_pages(pages: usize, daemon: &str) -> Env {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    serve_calm_feed(&server).await;
    serve_deep_pages(&server, pages).await;
    let env = Env::new();
    env.write_config(&config(&smtp, &server, daemon));

    env.poll(0).await;
    assert_eq!(
        subjects(&smtp),
        ["[newshound] ceasefire: Ceasefire holds in the north"]
    );
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn deeply_nested_article_pages_do_not_hold_the_other_feeds_alerts() {
    let env = poll_beside_deep_pages(8, "").await;
    // Every deep page was read to its text, not given up.
    let bodies = deep_bodies(&env);
    assert_eq!(bodies.len(), 8);
    assert!(
        bodies.iter().all(|(source, _)| source == "page"),
        "{bodies:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extraction_past_its_deadline_falls_back_to_the_feed_text_with_the_reason() {
    // No 2 MB page parses in a millisecond.
    let env = poll_beside_deep_pages(2, "extract_timeout = \"1ms\"").await;
    let bodies = deep_bodies(&env);
    assert_eq!(bodies.len(), 2);
    for (source, note) in bodies {
        assert_eq!(source, "feed");
        let note = note.unwrap_or_default();
        assert_contains(&note, "timeout");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_with_many_links_fetches_at_most_max_pages_per_poll() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    serve_calm_feed(&server).await;
    let entries = rss_numbered(&server.uri(), 0..30, "Talks resume", "Delegations met.");
    respond(&server, "/deep.xml", xml(entries)).await;
    wiremock::Mock::given(wiremock::matchers::path_regex("^/story/"))
        .respond_with(html(
            "<html><body><article><p>The talks went on.</p></article></body></html>".into(),
        ))
        .mount(&server)
        .await;
    let env = Env::new();
    env.write_config(&config(&smtp, &server, "max_pages_per_poll = 5"));

    env.poll(0).await;
    let pages = paths(&server)
        .await
        .into_iter()
        .filter(|p| p.starts_with("/story/"))
        .count();
    assert_eq!(pages, 5);
    let bodies = deep_bodies(&env);
    assert_eq!(bodies.len(), 30);
    let limited = bodies
        .iter()
        .filter(|(source, note)| {
            source == "feed" && note.as_deref().is_some_and(|n| n.contains("page_limit"))
        })
        .count();
    assert_eq!(limited, 25, "{bodies:?}");
    assert_eq!(
        subjects(&smtp),
        ["[newshound] ceasefire: Ceasefire holds in the north"]
    );
}
