//! OPML import and export: a subscription list shaped like a feed reader's
//! export, imported as config, exported again, read back the same.

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
        assert!(toml.contains(expected), "missing {expected:?} in:\n{toml}");
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
