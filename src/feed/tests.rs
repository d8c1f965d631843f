//! Tests of feed parsing and normalisation on small hand-written feeds.

use super::*;

fn base() -> Url {
    Url::parse("https://news.example.org/rss/world.xml").unwrap()
}

/// The titles of the entries of an RSS document of `items`.
fn titles(items: &str) -> Vec<String> {
    let feed = parse(rss(items).as_bytes(), None, None).unwrap();
    feed.entries.into_iter().map(|e| e.title).collect()
}

fn rss(items: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>World</title><link>https://news.example.org/</link>{items}</channel></rss>"#
    )
}

#[test]
fn rss_item_is_normalised() {
    let xml = rss(
        r#"<item><title>Truce &amp; talks</title><link>/world/1?utm_source=rss</link>
        <guid isPermaLink="false">abc-1</guid><pubDate>Tue, 03 Nov 2026 10:00:00 +0200</pubDate>
        <description>&lt;p&gt;Both sides &lt;b&gt;agreed&lt;/b&gt;.&lt;/p&gt;</description></item>"#,
    );
    let feed = parse(xml.as_bytes(), None, Some(&base())).unwrap();
    let e = &feed.entries[0];
    assert_eq!(e.id, "guid:abc-1");
    assert_eq!(e.title, "Truce & talks");
    assert_eq!(
        e.link.as_deref(),
        Some("https://news.example.org/world/1?utm_source=rss")
    );
    assert_eq!(
        e.canonical_link.as_deref(),
        Some("https://news.example.org/world/1")
    );
    assert_eq!(
        e.published.unwrap().to_rfc3339(),
        "2026-11-03T08:00:00+00:00"
    );
    assert_eq!(e.summary, "Both sides agreed.");
}

#[test]
fn identity_falls_back_to_link_then_hash() {
    let xml = rss(
        r#"<item><title>A</title><link>https://e.org/a?utm_medium=x</link></item>
        <item><title>B</title><description>only text</description></item>"#,
    );
    let feed = parse(xml.as_bytes(), None, None).unwrap();
    assert_eq!(feed.entries[0].id, "link:https://e.org/a");
    assert!(feed.entries[1].id.starts_with("hash:"));
    let again = parse(xml.as_bytes(), None, None).unwrap();
    assert_eq!(
        feed.entries[1].id, again.entries[1].id,
        "hash identity must be stable"
    );
}

#[test]
fn atom_and_json_feed_are_read() {
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>f</id>
        <entry><id>urn:1</id><title type="html">&lt;i&gt;Peace&lt;/i&gt; deal</title>
        <link rel="alternate" href="https://e.org/1"/><updated>2026-11-01T00:00:00Z</updated>
        <author><name>Ann</name></author><content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"#;
    let e = &parse(atom.as_bytes(), None, None).unwrap().entries[0];
    assert_eq!(
        (e.title.as_str(), e.content.as_str()),
        ("Peace deal", "Body")
    );
    assert_eq!(e.author.as_deref(), Some("Ann"));

    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[
        {"id":"7","url":"https://e.org/7","title":"Hi","content_text":"Plain"}]}"#;
    let e = &parse(json.as_bytes(), None, None).unwrap().entries[0];
    assert_eq!((e.id.as_str(), e.content.as_str()), ("guid:7", "Plain"));
}

#[test]
fn invalid_utf8_is_repaired_not_fatal() {
    let mut xml = rss("<item><guid>1</guid><title>Bad XX byte</title></item>").into_bytes();
    let at = xml.windows(2).position(|w| w == b"XX").unwrap();
    xml[at] = 0xff;
    let feed = parse(&xml, None, None).unwrap();
    assert!(feed.warning.is_some());
    assert_eq!(feed.entries[0].title, "Bad \u{fffd}X byte");
}

#[test]
fn not_a_feed_and_empty_feed_are_errors() {
    assert!(matches!(
        parse(b"<html><body>hi</body></html>", None, None),
        Err(FeedError::NotAFeed(_))
    ));
    assert!(matches!(
        parse(b"garbage", None, None),
        Err(FeedError::NotAFeed(_))
    ));
    assert!(matches!(
        parse(rss("").as_bytes(), None, None),
        Err(FeedError::Empty)
    ));
}

#[test]
fn links_that_are_not_http_are_dropped() {
    let xml = rss("<item><guid>1</guid><title>x</title><link>javascript:alert(1)</link></item>");
    assert_eq!(
        parse(xml.as_bytes(), None, None).unwrap().entries[0].link,
        None
    );
}

#[test]
fn declared_windows_1251_is_decoded() {
    let mut xml = b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss version=\"2.0\"><channel><title>t</title><item><guid>1</guid><title>".to_vec();
    let (title, _, _) = encoding_rs::WINDOWS_1251.encode("Перемирие");
    xml.extend_from_slice(&title);
    xml.extend_from_slice(b"</title></item></channel></rss>");
    let feed = parse(&xml, Some("text/xml"), None).unwrap();
    assert_eq!(feed.entries[0].title, "Перемирие");
    assert!(feed.warning.is_none());
}

#[test]
fn titles_with_a_bare_ampersand_or_a_real_angle_bracket_keep_their_text() {
    let items = "<item><guid>1</guid><title>a&lt;b and c &amp; d</title></item>\
         <item><guid>2</guid><title>Cut&amp;copy, Rules&amp;regulations, Q&amp;A</title></item>";
    assert_eq!(
        titles(items),
        ["a<b and c & d", "Cut&copy, Rules&regulations, Q&A"]
    );
}

#[test]
fn titles_escaped_twice_are_decoded_and_controls_dropped() {
    let items =
        "<item><guid>1</guid><title>Say &amp;quot;truce&amp;quot; a\u{8}b &lt;3</title></item>";
    assert_eq!(titles(items), ["Say \"truce\" ab <3"]);
}

#[test]
fn a_permalink_guid_is_the_link() {
    let xml = rss(r#"<item><guid>https://news.example.org/a</guid><title>a</title></item>"#);
    let feed = parse(xml.as_bytes(), None, None).unwrap();
    assert_eq!(
        feed.entries[0].link.as_deref(),
        Some("https://news.example.org/a")
    );
}

#[test]
fn feeds_feed_rs_refuses_are_read_leniently_with_a_warning() {
    let bare = "<rss><channel><title>t</title><item><guid>1</guid><title>A & B</title></item></channel></rss>";
    let feed = parse(bare.as_bytes(), None, None).unwrap();
    assert_eq!(feed.entries[0].title, "A & B");
    let warning = feed.warning.unwrap();
    assert!(
        warning.contains("bare ampersands") && warning.contains("RSS version"),
        "{warning}"
    );

    let json =
        r#"{"version":"1.0","title":"t","items":[{"id":1,"title":"x","url":"https://e.org/1"}]}"#;
    let feed = parse(json.as_bytes(), None, None).unwrap();
    assert_eq!(feed.entries[0].id, "guid:1");
}

#[test]
fn utf16_without_a_mark_and_utf32_are_decoded() {
    let xml = rss("<item><guid>1</guid><title>Перемирие</title></item>")
        .replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
    let utf16be: Vec<u8> = xml.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let feed = parse(&utf16be, None, None).unwrap();
    assert_eq!(feed.entries[0].title, "Перемирие");
    let utf32le: Vec<u8> = xml.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
    let feed = parse(&utf32le, None, None).unwrap();
    assert_eq!(feed.entries[0].title, "Перемирие");
}

#[test]
fn markup_escaped_twice_in_a_plain_title_is_read_as_html() {
    let items = "<item><guid>1</guid><title>Flat 730ft&amp;lt;sup&amp;gt;2&amp;lt;/sup&amp;gt;</title></item>";
    assert_eq!(titles(items), ["Flat 730ft2"]);
}

#[test]
fn xml_declarations_quoted_in_a_well_formed_feed_are_kept() {
    let items = "<item><guid>1</guid><title><![CDATA[Why <?xml encoding matters]]></title></item>\
         <item><guid>2</guid><title><![CDATA[the end ?>]]></title></item>";
    assert_eq!(titles(items), ["Why <?xml encoding matters", "the end ?>"]);
    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","content_text":"begins with <?xml version"}]}"#;
    assert_eq!(parse(json.as_bytes(), None, None).unwrap().entries.len(), 1);
}

#[test]
fn a_second_xml_declaration_is_dropped_not_a_crash() {
    let first = rss("<item><guid>1</guid><title>One</title></item>");
    let pasted = format!(
        "{}<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><?xml-stylesheet href=\"s.css\"?>",
        first.trim_end_matches("</channel></rss>")
    ) + "</channel></rss>";
    let feed = parse(pasted.as_bytes(), None, None).unwrap();
    assert_eq!(feed.entries[0].title, "One");
}
