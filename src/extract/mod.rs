//! The article text rules match and mails quote.
//!
//! For a polled entry the body is the feed's own full content. For a whole
//! HTML page (as `test-rules` reads one) the text is the page's visible
//! text without scripts, navigation, headers, footers and asides — a plain
//! first cut that a main-text extractor will replace, pure like the rest of
//! this module.

use scraper::{Html, Selector};

use crate::html_text::{collapse, visible_text};

use crate::model::Entry;

/// The body text of `entry`: its full content when the feed carries one.
pub fn article_body(entry: &Entry) -> &str {
    &entry.content
}

/// A page's title and visible text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageText {
    pub title: String,
    pub text: String,
}

/// Elements whose text is not part of what a reader reads on the page.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "nav", "header", "footer", "aside",
    "form", "head",
];

/// The title and visible text of an HTML page.
pub fn page_text(html: &str) -> PageText {
    let document = Html::parse_document(html);
    let title_selector = Selector::parse("title").expect("a valid selector");
    let title = document
        .select(&title_selector)
        .next()
        .map(|t| t.text().collect::<String>())
        .unwrap_or_default();
    PageText {
        title: collapse(&title),
        text: visible_text(document.root_element(), SKIPPED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_text_keeps_what_a_reader_reads() {
        let page = page_text(
            "<html><head><title> Truce  holds </title><script>var x</script></head><body>\
             <nav>Home | World</nav><article><h1>Truce</h1><p>Both sides <b>agreed</b>.</p></article>\
             <footer>© News</footer></body></html>",
        );
        assert_eq!(page.title, "Truce holds");
        assert_eq!(page.text, "Truce\nBoth sides agreed.");
    }
}
