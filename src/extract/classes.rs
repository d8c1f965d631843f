//! What an element's class, id, role and `itemprop` say about it: words
//! of clutter (share bars, related links, cookie banners) and words of
//! article text, matched as whole words of the names, camelCase and glued
//! compounds included.

use scraper::ElementRef;

use super::readable::NEVER;

/// Class and id words of clutter, matched as whole words of the names
/// (split at `-`, `_` and spaces): `ad` hits `ad-slot`, not `header`.
const NEGATIVE: &[&str] = &[
    "comment",
    "comments",
    "share",
    "sharing",
    "social",
    "related",
    "recommend",
    "recommended",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsor",
    "sponsored",
    "sidebar",
    "cookie",
    "cookies",
    "consent",
    "newsletter",
    "subscribe",
    "signup",
    "footer",
    "masthead",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "popup",
    "modal",
    "banner",
    "outbrain",
    "taboola",
    "trending",
    "tags",
    "paywall",
    "nav",
    "navigation",
    "skip",
    "toolbar",
    "mostread",
    "readmore",
    "caption",
    "credit",
    "byline",
    "dateline",
    "meta",
    "timestamp",
    "author",
    "bio",
    "toc",
    "flyout",
];

/// Words that lower a block's score but do not make it clutter: page
/// builders wrap articles in "widget" containers as readily as sidebars.
const WEAK_NEGATIVE: &[&str] = &["widget", "print"];

/// Clutter named by more than one word.
const NEGATIVE_PHRASES: &[&str] = &[
    "most-read",
    "read-more",
    "more-stories",
    "author-bio",
    "side-bar",
    "news-letter",
    "related-stories",
    "related-articles",
    "related-links",
];

/// Class and id words of article text, matched as whole words.
const POSITIVE: &[&str] = &[
    "article", "body", "content", "entry", "main", "post", "story", "text", "blog", "prose",
];

/// +25 for a class or id that names article text, -25 for clutter.
pub fn class_weight(element: ElementRef) -> f64 {
    let names = class_and_id(element);
    let mut weight = 0.0;
    if names_clutter(&names) || words(&names).any(|w| WEAK_NEGATIVE.contains(&w)) {
        weight -= 25.0;
    }
    if names_article(&names) {
        weight += 25.0;
    }
    weight
}

fn words(names: &str) -> impl Iterator<Item = &str> {
    names
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

fn names_clutter(names: &str) -> bool {
    words(names).any(is_clutter_word) || NEGATIVE_PHRASES.iter().any(|p| names.contains(p))
}

/// A clutter word, or a compound that starts with one (`relatedposts`,
/// `sharebar`, `cookiebanner`): class names glue words as often as they
/// hyphenate them. Short clutter words and short rests are left out, so
/// that `address` is not an ad and `commentary` not a comment.
fn is_clutter_word(word: &str) -> bool {
    NEGATIVE.contains(&word)
        || NEGATIVE
            .iter()
            .any(|n| n.len() >= 5 && word.len() >= n.len() + 4 && word.starts_with(n))
}

fn names_article(names: &str) -> bool {
    words(names).any(|w| POSITIVE.contains(&w))
}

fn class_and_id(element: ElementRef) -> String {
    let e = element.value();
    let mut names = String::new();
    for value in [e.attr("class"), e.id(), e.attr("role"), e.attr("itemprop")]
        .into_iter()
        .flatten()
    {
        names.push(' ');
        // camelCase parts are words too: `articleBody` is "article body".
        let mut previous_lower = false;
        for c in value.chars() {
            if c.is_ascii_uppercase() && previous_lower {
                names.push('-');
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            names.push(c.to_ascii_lowercase());
        }
    }
    names
}

/// Clutter by its tag, its role or its class and id (unless those also
/// name article text, as in `article-comments-count` inside the body).
pub fn is_clutter(element: ElementRef) -> bool {
    let e = element.value();
    if NEVER.contains(&e.name())
        || e.attr("hidden").is_some()
        || e.attr("aria-hidden") == Some("true")
    {
        return true;
    }
    if matches!(
        e.attr("role"),
        Some("navigation" | "complementary" | "contentinfo" | "banner" | "dialog")
    ) {
        return true;
    }
    let names = class_and_id(element);
    if !names_clutter(&names) {
        return false;
    }
    // A name ending in a clutter word or phrase is clutter even beside an
    // article word (`post-meta`, `entry-tags`, `content-related-stories`);
    // otherwise an article word rescues
    // it (`article-comments-count` inside the body).
    let ends_in_clutter = names.split_whitespace().any(|name| {
        words(name).last().is_some_and(is_clutter_word)
            || NEGATIVE_PHRASES.iter().any(|p| name.ends_with(p))
    });
    ends_in_clutter || !names_article(&names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn camel_case_class_names_are_words() {
        let html = Html::parse_fragment("<div itemprop=\"articleBody\" class=\"adSlot\"></div>");
        let div = html
            .select(&scraper::Selector::parse("div").unwrap())
            .next()
            .unwrap();
        let names = class_and_id(div);
        assert!(names_article(&names) && names_clutter(&names), "{names}");
    }
}
