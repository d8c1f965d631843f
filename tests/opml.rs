//! Feeds in and out: OPML import and export (a subscription list shaped
//! like a feed reader's export, imported as config, exported again, read
//! back the same), and discovering the feeds a page served from 127.0.0.1
//! advertises.

mod common;

use common::*;

/// Nested categories, a category attribute, entities, an outline without a
/// title, two feeds of the same name, and a folder with no feeds.
const READER_EXPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions in Feedly</title></head>
  <body>
    <outline text="World" title="World">
      <outline type="rss" text="UN News" title="UN News" xmlUrl="https://news.un.org/feed/subscribe/en/news/all/rss.xml" htmlUrl="https://news.un.org"/>
      <outline type="rss" text="Al Jazeera &amp; more" xmlUrl="https://www.aljazeera.com/xml/rss/all.xml"/>
      <outline text="Europe">
        <outline type="rss" title="News" xmlUrl="https://www.example.eu/news.rss"/>
      </outline>
    </outline>
    <outline type="rss" title="News" xmlUrl="https://other.example/feed" category="/tech,science"/>
    <outline type="rss" text="" xmlUrl="https://untitled.example/rss"/>
    <outline text="Empty folder"></outline>
  </body>
</opml>
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_export_round_trips_through_config() {
    let env = Env::new();
    let opml = env.dir.path().join("subscriptions.opml");
    std::fs::write(&opml, READER_EXPORT).unwrap();

    let imported = env
        .newshound(&["opml", "import", opml.to_str().unwrap()])
        .await;
    assert_exit(&imported, 0);
    let toml = stdout(&imported);
    for expected in [
        "name = \"un-news\"\nurl = \"https://news.un.org/feed/subscribe/en/news/all/rss.xml\"\ntags = [\"World\"]",
        "name = \"al-jazeera-more\"\nurl = \"https://www.aljazeera.com/xml/rss/all.xml\"\ntags = [\"World\"]",
        "name = \"news\"\nurl = \"https://www.example.eu/news.rss\"\ntags = [\"World\", \"Europe\"]",
        "name = \"news-2\"\nurl = \"https://other.example/feed\"\ntags = [\"tech\", \"science\"]",
        "name = \"untitled-example\"\nurl = \"https://untitled.example/rss\"\n",
    ] {
        assert_contains(&toml, expected);
    }

    // The TOML is a valid config; exported and imported again, the same feeds.
    env.write_config(&toml);
    let exported = env.newshound(&["opml", "export"]).await;
    assert_exit(&exported, 0);
    let again = env.dir.path().join("again.opml");
    std::fs::write(&again, &exported.stdout).unwrap();
    let reimported = env
        .newshound(&["opml", "import", again.to_str().unwrap()])
        .await;
    assert_exit(&reimported, 0);
    assert_eq!(stdout(&reimported), toml);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_opml_file_is_a_clear_error() {
    let env = Env::new();
    let opml = env.dir.path().join("broken.opml");
    std::fs::write(
        &opml,
        "<opml><body><outline xmlUrl=\"https://a.example/\" </body>",
    )
    .unwrap();
    let output = env
        .newshound(&["opml", "import", opml.to_str().unwrap()])
        .await;
    assert_exit(&output, 1);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not valid OPML"),
        "{output:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn discover_finds_advertised_feeds_then_common_paths() {
    let server = wiremock::MockServer::start().await;
    let page = format!(
        "<html><head><title>News</title>\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"World\" href=\"/world.xml\">\
         <link rel=\"alternate\" type=\"application/atom+xml\" href=\"{}/missing.xml\">\
         </head><body>hello</body></html>",
        server.uri()
    );
    respond(
        &server,
        "/",
        wiremock::ResponseTemplate::new(200).set_body_raw(page, "text/html"),
    )
    .await;
    let feed_xml = rss(&server.uri(), &[Item::new("1", "Hello", "x")]);
    serve_xml(&server, "/world.xml", feed_xml.clone()).await;
    respond(
        &server,
        "/blog/",
        wiremock::ResponseTemplate::new(200).set_body_raw("<html>no links</html>", "text/html"),
    )
    .await;
    serve_xml(&server, "/rss.xml", feed_xml).await;
    let env = Env::new();
    env.write_config("");

    let found = env
        .newshound(&["discover", &format!("{}/", server.uri())])
        .await;
    assert_exit(&found, 0);
    assert_eq!(
        stdout(&found),
        format!(
            "[[feed]]\nname = \"test-wire\"\nurl = \"{}/world.xml\"\n\n",
            server.uri()
        )
    );
    // A page that advertises nothing: the common paths are tried.
    let guessed = env
        .newshound(&["discover", &format!("{}/blog/", server.uri())])
        .await;
    assert_exit(&guessed, 0);
    assert!(stdout(&guessed).contains(&format!("url = \"{}/rss.xml\"", server.uri())));
    // The printed TOML is a config newshound accepts.
    env.write_config(&stdout(&found));
    assert_exit(&env.newshound(&["check"]).await, 0);

    let nothing = env
        .newshound(&["discover", &format!("{}/missing", server.uri())])
        .await;
    assert_exit(&nothing, 1);
}
