//! Feed markup to plain text: what rules match against and mails quote.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// Elements whose text is never shown to a reader.
const HIDDEN: &[&str] = &[
    "script", "style", "template", "noscript", "iframe", "object",
];

/// Elements that start a new line of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "hr",
];

/// Plain text of an HTML fragment: tags dropped, entities decoded, hidden
/// elements skipped, blocks on their own lines, spaces collapsed.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return collapse(html);
    }
    let fragment = Html::parse_fragment(html);
    let mut raw = String::with_capacity(html.len());
    let mut hidden_depth = 0usize;
    for edge in fragment.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) if HIDDEN.contains(&e.name()) => hidden_depth += 1,
                Node::Element(e) if BLOCKS.contains(&e.name()) => raw.push('\n'),
                Node::Text(t) if hidden_depth == 0 => raw.push_str(t),
                _ => {}
            },
            Edge::Close(node) => match node.value() {
                Node::Element(e) if HIDDEN.contains(&e.name()) => hidden_depth -= 1,
                Node::Element(e) if BLOCKS.contains(&e.name()) => raw.push('\n'),
                _ => {}
            },
        }
    }
    collapse(&raw)
}

/// Collapses runs of spaces within lines and drops empty lines.
pub fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        for (i, word) in words.enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_tags_and_decodes_entities() {
        assert_eq!(html_to_text("<b>Truce</b> &amp; talks"), "Truce & talks");
    }

    #[test]
    fn skips_scripts_and_styles() {
        assert_eq!(
            html_to_text("<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>"),
            "a\nb"
        );
    }

    #[test]
    fn plain_text_is_only_collapsed() {
        assert_eq!(html_to_text("  a   b \n\n c "), "a b\nc");
    }
}
