//! The extractors on pages written with the usual clutter.

use super::*;

/// A news page: navigation, cookie banner, share bar, the article, a
/// "most read" box, related links, comments and a footer.
const CLUTTERED: &str = r##"<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Truce holds in the north | Daily Planet</title>
<meta property="og:title" content="Truce holds in the north">
<meta name="author" content="Lois Lane">
<meta property="article:published_time" content="2026-11-28T09:30:00+01:00">
<script>var tracking = "ceasefire-tracker";</script>
<style>.x { color: red }</style>
</head><body>
<div id="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<header class="site-header"><a href="/">Daily Planet</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main>
<article class="story">
<h1>Truce holds in the north</h1>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Email this article</a></div>
<div class="story-body">
<p>The ceasefire agreed on Monday held through its first night, officials said, with no shelling reported along the front line for the first time in months.</p>
<p>Mediators from three countries met both delegations in Geneva on Tuesday, and a second round of talks, which could extend the truce, is planned for next week.</p>
<p>"We are cautiously optimistic," a spokesperson for the mediation team said, adding that humanitarian convoys had begun to move into the area.</p>
</div>
</article>
<aside class="most-read"><h2>Most read</h2><ol><li><a href="/a">Celebrity chef opens restaurant</a></li><li><a href="/b">Weather: storm warning issued for the coast</a></li></ol></aside>
<section class="related-stories"><h2>Related</h2><ul><li><a href="/c">Earlier: talks collapse after a week of fighting in the region</a></li><li><a href="/d">Analysis: what a truce means for the region and its people</a></li></ul></section>
<section id="comments"><h2>Comments</h2><div class="comment"><p>This is the best news I have read all year, finally some hope for everyone involved.</p></div></section>
</main>
<footer><p>© 2026 Daily Planet. All rights reserved. Terms of use, privacy policy and contact details for the newsroom.</p></footer>
</body></html>"##;

#[test]
fn the_article_comes_out_without_the_clutter() {
    let extracted = extract(CLUTTERED, None);
    let text = &extracted.text;
    assert!(
        text.starts_with("The ceasefire agreed on Monday") || text.starts_with("Truce holds"),
        "{text}"
    );
    for kept in [
        "first night, officials said",
        "second round of talks",
        "cautiously optimistic",
    ] {
        assert!(text.contains(kept), "missing {kept:?} in {text}");
    }
    for clutter in [
        "cookies",
        "World",
        "Share on",
        "Most read",
        "Celebrity",
        "Earlier:",
        "best news",
        "rights reserved",
        "tracking",
        "color",
    ] {
        assert!(!text.contains(clutter), "{clutter:?} leaked into {text}");
    }
    // Paragraphs stay apart.
    assert!(text.contains("months.\n\nMediators"), "{text}");
}

#[test]
fn metadata_comes_from_the_usual_places() {
    let m = extract(CLUTTERED, None).metadata;
    assert_eq!(m.title.as_deref(), Some("Truce holds in the north"));
    assert_eq!(m.author.as_deref(), Some("Lois Lane"));
    assert_eq!(
        m.published.map(|t| t.to_rfc3339()),
        Some("2026-11-28T08:30:00+00:00".to_string())
    );
    assert_eq!(m.language.as_deref(), Some("en-GB"));
}

#[test]
fn a_selector_override_keeps_what_it_picks_minus_what_it_removes() {
    let page = r#"<html><body><div class="body"><p>Kept paragraph one.</p>
        <div class="ad">Buy now!</div><p>Kept paragraph two.</p>
        <div class="related">Other story</div></div><p>Outside.</p></body></html>"#;
    let rule = SelectorRule::parse("div.body", &[".ad".into(), ".related".into()]).unwrap();
    let text = extract(page, Some(&rule)).text;
    assert_eq!(text, "Kept paragraph one.\n\nKept paragraph two.");
    assert!(
        SelectorRule::parse("div[", &[])
            .unwrap_err()
            .contains("div[")
    );
}

#[test]
fn a_page_without_prose_yields_its_few_visible_words() {
    let page = "<html><body><nav><a href='/'>Home</a></nav><div><a href='/x'>Login</a></div></body></html>";
    assert_eq!(extract(page, None).text, "Login");
}

#[test]
fn undeclared_legacy_bytes_decode_before_extraction() {
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(
        "<html><head><meta charset=\"windows-1251\"></head><body><article><p>Стороны объявили перемирие, сообщили официальные лица в понедельник вечером.</p></article></body></html>",
    );
    let text = extract_bytes(&bytes, Some("text/html"), None).text;
    assert!(text.contains("перемирие"), "{text}");
}

#[test]
fn deeply_nested_markup_neither_overflows_nor_loses_the_text() {
    // Far deeper than a thread's stack allows a recursive walk to go.
    let depth = 50_000;
    let page = format!(
        "<html><body><article><p>The ceasefire held through the night, officials said, in the north. {}deep text{}</p></article></body></html>",
        "<span>".repeat(depth),
        "</span>".repeat(depth)
    );
    let text = extract(&page, None).text;
    assert!(
        text.contains("ceasefire held") && text.contains("deep text"),
        "{}",
        &text[..text.len().min(200)]
    );
    let rule = SelectorRule::parse("article", &[]).unwrap();
    assert!(extract(&page, Some(&rule)).text.contains("deep text"));
}
