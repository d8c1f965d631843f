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
    let extracted = extract(CLUTTERED, &Guide::default());
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
    let m = extract(CLUTTERED, &Guide::default()).metadata;
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
    let text = extract(
        page,
        &Guide {
            rule: Some(&rule),
            ..Guide::default()
        },
    )
    .text;
    assert_eq!(text, "Kept paragraph one.\n\nKept paragraph two.");
    assert!(
        SelectorRule::parse("div[", &[])
            .unwrap_err()
            .to_string()
            .contains("div[")
    );
}

#[test]
fn a_page_without_prose_yields_its_few_visible_words() {
    let page = "<html><body><nav><a href='/'>Home</a></nav><div><a href='/x'>Login</a></div></body></html>";
    assert_eq!(extract(page, &Guide::default()).text, "Login");
}

#[test]
fn undeclared_legacy_bytes_decode_before_extraction() {
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(
        "<html><head><meta charset=\"windows-1251\"></head><body><article><p>Стороны объявили перемирие, сообщили официальные лица в понедельник вечером.</p></article></body></html>",
    );
    let text = extract_bytes(&bytes, Some("text/html"), &Guide::default()).text;
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
    let text = extract(&page, &Guide::default()).text;
    assert!(
        text.contains("ceasefire held") && text.contains("deep text"),
        "{}",
        &text[..text.len().min(200)]
    );
    let rule = SelectorRule::parse("article", &[]).unwrap();
    assert!(
        extract(
            &page,
            &Guide {
                rule: Some(&rule),
                ..Guide::default()
            }
        )
        .text
        .contains("deep text")
    );
}

/// Wraps `body` in a page with navigation and a footer.
fn page(lang: &str, body: &str) -> String {
    format!(
        "<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>t</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>{body}\
         <footer><p>Copyright 2026 The Wire. All rights reserved, terms and privacy.</p></footer></body></html>"
    )
}

#[test]
fn comments_longer_than_the_article_stay_out() {
    let comment = "<div class=\"comment\"><p>I have been following this conflict for years, and honestly, \
                   I think this agreement, like the last three, will not survive the winter.</p></div>";
    let html = page(
        "en",
        &format!(
            "<article><div class=\"article-body\">\
             <p>The two sides signed the ceasefire in Doha on Friday, after four days of talks.</p>\
             <p>Monitors from the mediating countries will arrive next week, officials said.</p></div></article>\
             <section id=\"comments\"><h2>12 comments</h2>{}</section>",
            comment.repeat(12)
        ),
    );
    assert_eq!(
        extract(&html, &Guide::default()).text,
        "The two sides signed the ceasefire in Doha on Friday, after four days of talks.\n\n\
         Monitors from the mediating countries will arrive next week, officials said."
    );
}

#[test]
fn an_article_split_by_an_ad_comes_out_whole() {
    let first: String = (1..=4)
        .map(|i| format!("<p>First part, paragraph {i}: the talks, which began in spring, resumed on Monday in Geneva.</p>"))
        .collect();
    let second: String = (1..=4)
        .map(|i| format!("<p>Second part, paragraph {i}: both delegations, officials said, will meet again soon.</p>"))
        .collect();
    let html = page(
        "en",
        &format!(
            "<main><div class=\"col\"><div class=\"story\"><div class=\"chunk\">{first}</div></div></div>\
             <div class=\"ad-slot\">Advertisement</div>\
             <div class=\"col\"><div class=\"story\"><div class=\"chunk\">{second}</div></div></div></main>\
             <aside><p>Most popular: a story about something else entirely, with many words in it.</p></aside>"
        ),
    );
    let text = extract(&html, &Guide::default()).text;
    assert!(text.starts_with("First part, paragraph 1"), "{text}");
    assert!(
        text.ends_with("paragraph 4: both delegations, officials said, will meet again soon."),
        "{text}"
    );
    assert!(
        !text.contains("Advertisement") && !text.contains("Most popular"),
        "{text}"
    );
}

#[test]
fn a_live_blog_keeps_every_update() {
    let updates: String = [
        ("09:00", "Negotiators arrived at the venue, and the talks are expected to start within the hour."),
        ("10:30", "The first session ended; a spokesperson said progress was made on prisoner exchanges."),
        ("12:15", "Both delegations broke for lunch, with a second session planned for the afternoon."),
    ]
    .iter()
    .map(|(time, text)| format!("<div class=\"live-update\"><time>{time}</time><p>{text}</p></div>"))
    .collect();
    let html = page("en", &format!("<div class=\"live-blog\">{updates}</div>"));
    let text = extract(&html, &Guide::default()).text;
    for part in [
        "venue, and the talks",
        "progress was made",
        "second session planned",
    ] {
        assert!(text.contains(part), "missing {part:?} in {text}");
    }
}

#[test]
fn prose_in_divs_without_paragraph_tags_is_found() {
    let html = page(
        "en",
        "<div class=\"post-body\"><div>The ceasefire held overnight, residents said, for the first time in weeks.</div>\
         <div>Aid convoys, which had waited at the border, began to move at dawn on Tuesday.</div></div>",
    );
    assert_eq!(
        extract(&html, &Guide::default()).text,
        "The ceasefire held overnight, residents said, for the first time in weeks.\n\n\
         Aid convoys, which had waited at the border, began to move at dawn on Tuesday."
    );
}

#[test]
fn a_gallery_with_little_text_gives_what_text_it_has() {
    let html = page(
        "en",
        "<div class=\"gallery\"><figure><img src=\"1.jpg\"><figcaption>Crowds in the square</figcaption></figure>\
         <p class=\"intro\">Scenes from the capital as the truce began.</p></div>",
    );
    let text = extract(&html, &Guide::default()).text;
    assert!(
        text.contains("Scenes from the capital as the truce began."),
        "{text}"
    );
    assert!(!text.contains("Home"), "{text}");
}

#[test]
fn right_to_left_text_comes_out_in_logical_order() {
    let html = page(
        "ar",
        "<article dir=\"rtl\"><p>أعلن الطرفان وقف إطلاق النار مساء الجمعة، بعد أربعة أيام من المفاوضات في الدوحة.</p>\
         <p>وقال مسؤولون إن المراقبين سيصلون الأسبوع المقبل، وإن المساعدات ستدخل قريبا.</p></article>",
    );
    assert_eq!(
        extract(&html, &Guide::default()).text,
        "أعلن الطرفان وقف إطلاق النار مساء الجمعة، بعد أربعة أيام من المفاوضات في الدوحة.\n\n\
         وقال مسؤولون إن المراقبين سيصلون الأسبوع المقبل، وإن المساعدات ستدخل قريبا."
    );
}

#[test]
fn a_chinese_page_keeps_its_paragraphs() {
    let html = page(
        "zh-CN",
        "<div class=\"article-content\"><p>双方于周五晚间宣布停火，此前在多哈进行了为期四天的谈判，各方代表均表示欢迎。</p>\
         <p>官员表示，观察员将于下周抵达，人道主义援助也将很快进入该地区，民众对此充满期待。</p></div>\
         <div class=\"related\"><a href=\"/a\">相关新闻：另一条消息的标题</a></div>",
    );
    assert_eq!(
        extract(&html, &Guide::default()).text,
        "双方于周五晚间宣布停火，此前在多哈进行了为期四天的谈判，各方代表均表示欢迎。\n\n\
         官员表示，观察员将于下周抵达，人道主义援助也将很快进入该地区，民众对此充满期待。"
    );
}

#[test]
fn nested_matches_article_classes_scripts_and_inner_blocks() {
    // A nested selector match is taken once; a removed block parts the
    // text around it.
    let nested = "<div class=\"c\">Outer<div class=\"c\">Inner</div></div>";
    let rule = SelectorRule::parse(".c", &[]).unwrap();
    assert_eq!(
        extract(
            nested,
            &Guide {
                rule: Some(&rule),
                ..Guide::default()
            }
        )
        .text,
        "Outer\n\nInner"
    );
    let parted = "<div class=\"b\">Kept one.<div class=\"ad\">Buy</div>Kept two.</div>";
    let rule = SelectorRule::parse(".b", &[".ad".into()]).unwrap();
    assert_eq!(
        extract(
            parted,
            &Guide {
                rule: Some(&rule),
                ..Guide::default()
            }
        )
        .text,
        "Kept one.\n\nKept two."
    );

    // The article's own class cannot make it clutter.
    let prose = "<p>The ceasefire, agreed on Monday, held through the night, officials said.</p>\
                 <p>Aid convoys, which had waited for days, crossed the border at dawn.</p>";
    let page = format!("<html><body><div class=\"layout no-sidebar\">{prose}</div></body></html>");
    assert!(
        extract(&page, &Guide::default())
            .text
            .contains("held through the night")
    );

    // Script text does not vote.
    let script = format!(
        "<html><body><table><tr><td>menu <script>var a = {{{}}};</script></td></tr></table>\
         <article>{prose}</article></body></html>",
        "k: 1, ".repeat(200)
    );
    assert!(
        extract(&script, &Guide::default())
            .text
            .starts_with("The ceasefire")
    );

    // Blocks inside a paragraph-level element keep their own lines.
    let quote = format!(
        "<html><body><article>{prose}<blockquote><p>First quoted sentence.</p><p>Second quoted sentence.</p></blockquote></article></body></html>"
    );
    assert!(
        extract(&quote, &Guide::default())
            .text
            .contains("First quoted sentence.\nSecond quoted sentence.")
    );
}

#[test]
fn a_name_ending_in_a_clutter_word_is_clutter_beside_an_article_word() {
    let page = "<html><body><article class=\"post\">\
        <div class=\"post-meta\">By Jane Doe | 12 March 2026 | 4 min read, with photos</div>\
        <div class=\"post-body\"><p>The ceasefire, agreed on Monday, held through the night, officials said.</p>\
        <p>Aid convoys, which had waited for days, crossed the border at dawn.</p></div>\
        <div class=\"post-tags\"><a href=\"/t/a\">Truce</a> <a href=\"/t/b\">Aid</a></div>\
        </article></body></html>";
    let text = extract(page, &Guide::default()).text;
    assert!(
        text.starts_with("The ceasefire") && !text.contains("Jane Doe"),
        "{text}"
    );
}
