//! The article text rules match and mails quote: the main text of an
//! article's HTML page (with a feed's own selector when it has one, the
//! general extractor otherwise) and the page's metadata. Pure: bytes in,
//! text out; fetching the page is `fetch`'s job.

mod charset;
mod choose;
mod classes;
mod jsonld;
mod metadata;
mod paragraphs;
mod readable;
mod selector;
mod split;
mod stats;
mod tuning;

pub use charset::decode_page;
pub use choose::{Hint, Method};
pub use metadata::Metadata;
pub use selector::{SelectorError, SelectorRule};
pub use tuning::{Tuning, TuningError};

use scraper::Html;

use crate::model::Entry;

/// An article page's main text and metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Paragraphs separated by blank lines.
    pub text: String,
    /// How the text was found.
    pub method: Method,
    pub metadata: Metadata,
}

/// What to extract with: a feed's selector, what the feed says of the
/// article, and the general extractor's knobs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Guide<'a> {
    pub rule: Option<&'a SelectorRule>,
    pub hint: Option<&'a Hint>,
    pub tuning: Tuning,
}

/// Extracts the article from an HTML page: the elements the guide's rule
/// picks when it has one, else what the general extractor finds.
pub fn extract(html: &str, guide: &Guide) -> Extracted {
    let document = crate::html::parse_document(html);
    let (text, method) = main_text(&document, guide);
    Extracted {
        text,
        method,
        metadata: metadata::metadata(&document),
    }
}

/// Only the main text of the page `bytes` a server sent with
/// `content_type`, as [`extract_bytes`] finds it: what the pipeline needs,
/// without the metadata only `newshound extract --json` shows.
pub fn extract_text(bytes: &[u8], content_type: Option<&str>, guide: &Guide) -> String {
    let document = crate::html::parse_document(&decode_page(bytes, content_type).0);
    main_text(&document, guide).0
}

fn main_text(document: &Html, guide: &Guide) -> (String, Method) {
    match guide.rule {
        Some(rule) => (selector::selected_text(document, rule), Method::Selector),
        None => choose::article(document, guide.hint, &guide.tuning),
    }
}

/// Like [`extract`], from the bytes a server sent with `content_type`.
pub fn extract_bytes(bytes: &[u8], content_type: Option<&str>, guide: &Guide) -> Extracted {
    extract(&decode_page(bytes, content_type).0, guide)
}

/// The body text of `entry` when its page is not used: its full content
/// when the feed carries one.
pub fn article_body(entry: &Entry) -> &str {
    &entry.content
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod mechanism_tests;
