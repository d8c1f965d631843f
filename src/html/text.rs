//! Visible text of parsed HTML: the one walk over a document that both
//! feed markup and whole pages go through. Plain functions, like `model`:
//! no I/O.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};

/// Elements after which a new line starts.
pub const BLOCKS: &[&str] = &[
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

/// The text under `root`, skipping elements named in `skip` with all they
/// hold; a block element puts its text on lines of its own; spaces are
/// collapsed and empty lines dropped.
pub fn visible_text(root: ElementRef, skip: &[&str]) -> String {
    let mut raw = String::new();
    let mut skipping = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) if skip.contains(&e.name()) => skipping += 1,
                Node::Element(e) if skipping == 0 && BLOCKS.contains(&e.name()) => raw.push('\n'),
                Node::Text(t) if skipping == 0 => raw.push_str(t),
                _ => {}
            },
            Edge::Close(node) => match node.value() {
                Node::Element(e) if skip.contains(&e.name()) => skipping -= 1,
                Node::Element(e) if skipping == 0 && BLOCKS.contains(&e.name()) => raw.push('\n'),
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
