//! One page per mechanism of the general extractor, each checked against
//! the extractor with that mechanism turned off, so that a test fails when
//! the mechanism stops doing its job.

use super::*;

/// `body` in a page with navigation and a footer, and `head` in its head.
fn page(head: &str, body: &str) -> String {
    format!(
        "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title>{head}</head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>{body}\
         <footer><p>Copyright 2026 The Wire. All rights reserved, terms and privacy.</p></footer></body></html>"
    )
}

fn with_tuning(html: &str, tuning: Tuning) -> Extracted {
    extract(
        html,
        &Guide {
            tuning,
            ..Guide::default()
        },
    )
}

/// `count` paragraphs saying `what`, numbered.
fn paragraphs(count: usize, what: &str) -> String {
    (1..=count)
        .map(|i| format!("<p>{what}, paragraph {i}, as the delegations said on Tuesday evening in Geneva.</p>"))
        .collect()
}

#[test]
fn an_article_split_by_an_ad_and_a_newsletter_box_keeps_its_lede() {
    let lede =
        "<p>LONDON: The ceasefire agreed in Doha held through its first night, officials said.</p>";
    let html = page(
        "",
        &format!(
            "<main><div class=\"row\"><div class=\"col-8\"><div class=\"article-part\">{lede}</div></div></div>\
             <div class=\"row\"><div class=\"ad-slot\">Advertisement</div></div>\
             <div class=\"row\"><div class=\"newsletter-box\"><p>Sign up for our morning briefing, \
             delivered every day before breakfast, free of charge.</p></div></div>\
             <div class=\"row\"><div class=\"col-8\"><div class=\"article-part\">{}</div></div></div></main>",
            paragraphs(6, "The talks went on")
        ),
    );
    let extracted = extract(&html, &Guide::default());
    assert_eq!(extracted.method, Method::Blocks);
    let text = extracted.text;
    assert!(text.starts_with("LONDON: The ceasefire agreed"), "{text}");
    assert!(text.contains("paragraph 6"), "{text}");
    for clutter in ["Advertisement", "morning briefing", "Copyright"] {
        assert!(!text.contains(clutter), "{clutter:?} in {text}");
    }
    // Without looking past the best block's parent, the lede is lost.
    let narrow = Tuning {
        join_levels: 0,
        ..Tuning::default()
    };
    assert!(!with_tuning(&html, narrow).text.contains("LONDON"));
}

/// A paywalled page: a teaser in the page, the article in its JSON-LD.
fn declared(body: &str) -> String {
    let json = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Truce holds",
        "articleBody": body,
    });
    page(
        &format!("<script type=\"application/ld+json\">{json}</script>"),
        "<article><div class=\"article-body\"><p>The ceasefire agreed in Doha held through its first \
         night, officials said, and monitors will arrive next week.</p>\
         <div class=\"paywall\"><p>Subscribe to read the rest of this story, from only one pound a week.</p></div>\
         </div></article>",
    )
}

#[test]
fn a_full_json_ld_body_replaces_a_teaser() {
    let full = "The ceasefire agreed in Doha held through its first night, officials said. \
        Mediators from Qatar and Egypt will check both sides' positions along the river every morning. \
        Aid convoys carrying flour, medicine and fuel crossed into the northern districts at dawn. \
        Hospitals there had run out of anaesthetics weeks ago, according to doctors reached by phone. \
        A second round of negotiations, on prisoners and the return of displaced families, opens Monday. \
        Diplomats cautioned that earlier truces collapsed within days over disputed checkpoints.";
    let extracted = extract(&declared(full), &Guide::default());
    assert_eq!(extracted.method, Method::JsonLd);
    assert_contains(&extracted.text, "Mediators from Qatar and Egypt");
    // Without the check, the teaser stands.
    let off = Tuning {
        declared_coverage: 0.0,
        ..Tuning::default()
    };
    assert_eq!(with_tuning(&declared(full), off).method, Method::Blocks);
}

#[test]
fn a_truncated_json_ld_body_leaves_the_page_text_alone() {
    let html = declared("The ceasefire agreed in Doha held through its first night…");
    let extracted = extract(&html, &Guide::default());
    assert_eq!(extracted.method, Method::Blocks);
    assert!(
        extracted.text.starts_with(
            "The ceasefire agreed in Doha held through its first night, officials said"
        )
    );
}

/// A featured story that outscores the article, beside the article.
const TWO_STORIES: &str = include_str!("../../tests/fixtures/featured-beside-article.html");

#[test]
fn a_feed_summary_picks_the_right_one_of_two_blocks() {
    let html = TWO_STORIES;
    let unguided = extract(html, &Guide::default()).text;
    assert!(unguided.starts_with("Featured 1"), "{unguided}");
    let hint = Hint {
        summary: "Story 1: Delegations met in Geneva for a second day and agreed…".into(),
    };
    let guide = Guide {
        hint: Some(&hint),
        ..Guide::default()
    };
    let extracted = extract(html, &guide);
    assert_eq!(extracted.method, Method::Hint, "{}", extracted.text);
    assert!(extracted.text.starts_with("Story 1"), "{}", extracted.text);
    assert!(!extracted.text.contains("Featured"), "{}", extracted.text);
}

#[test]
fn a_page_description_names_the_standfirst_the_body_left_out() {
    let standfirst = "Both sides agreed to a truce after four days of talks in Doha.";
    let html = page(
        &format!("<meta property=\"og:description\" content=\"{standfirst}\">"),
        &format!(
            "<article><header><h1>Truce holds</h1><p class=\"dek\">{standfirst}</p></header>\
             <div class=\"article-body\">{}</div></article>",
            paragraphs(5, "The truce held")
        ),
    );
    let extracted = extract(&html, &Guide::default());
    assert_eq!(extracted.method, Method::Hint);
    assert!(extracted.text.starts_with(standfirst), "{}", extracted.text);
    let off = Tuning {
        standfirst: false,
        ..Tuning::default()
    };
    assert!(
        with_tuning(&html, off)
            .text
            .starts_with("The truce held, paragraph 1")
    );
}

#[test]
fn a_short_first_result_is_rescued_by_the_looser_candidate() {
    // A slideshow: a short introduction in the article block, and the
    // story told in captions, one slide per block, each marked up its own
    // way, so that no block holds more than one of them.
    let slides: String = (1..=8)
        .map(|i| {
            format!(
                "<div class=\"slide slide-{i}\"><p class=\"text-{i}\">Slide {i}: the delegations crossed \
                 the river at dawn and walked to the tent where the mediators waited for them with tea.</p></div>"
            )
        })
        .collect();
    let html = page(
        "",
        &format!(
            "<div class=\"article-body\"><p>Ten pictures from the first day of the truce, by our photographer.</p></div>\
             {slides}"
        ),
    );
    let extracted = extract(&html, &Guide::default());
    assert_eq!(extracted.method, Method::Fallback);
    assert!(extracted.text.contains("Slide 8"), "{}", extracted.text);
    let off = Tuning {
        loose_ratio: 0.0,
        ..Tuning::default()
    };
    assert!(!with_tuning(&html, off).text.contains("Slide 8"));
}

#[test]
fn headings_left_after_the_last_prose_go_with_their_boxes() {
    let html = page(
        "",
        &format!(
            "<article><div class=\"entry-content\">{}<h3>Related posts</h3>\
             <div class=\"relatedposts\"><a href=\"/a\">Another story</a></div></div></article>",
            paragraphs(4, "The truce held")
        ),
    );
    let text = extract(&html, &Guide::default()).text;
    assert!(text.ends_with("Tuesday evening in Geneva."), "{text}");
}

fn assert_contains(text: &str, part: &str) {
    assert!(text.contains(part), "missing {part:?} in {text}");
}
