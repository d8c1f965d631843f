//! A feed's own extraction rule: the text of the elements a CSS selector
//! picks, minus those the `remove` selectors pick inside them.

use std::collections::HashSet;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};

use crate::html::{BLOCKS, collapse};

/// A CSS selector that does not parse, with the selector and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(String);

/// A checked `extract = { selector, remove }` override.
#[derive(Debug, Clone)]
pub struct SelectorRule {
    pub selector: Selector,
    pub remove: Vec<Selector>,
}

impl SelectorRule {
    /// Parses the CSS; the error names the selector that is invalid.
    pub fn parse(selector: &str, remove: &[String]) -> Result<SelectorRule, SelectorError> {
        let parse = |css: &str| {
            Selector::parse(css)
                .map_err(|e| SelectorError(format!("invalid CSS selector \"{css}\": {e}")))
        };
        Ok(SelectorRule {
            selector: parse(selector)?,
            remove: remove.iter().map(|r| parse(r)).collect::<Result<_, _>>()?,
        })
    }
}

/// The text the rule picks from `document`, paragraphs separated by blank
/// lines; empty when the selector matches nothing.
pub fn selected_text(document: &Html, rule: &SelectorRule) -> String {
    let removed: HashSet<NodeId> = rule
        .remove
        .iter()
        .flat_map(|r| document.select(r))
        .map(|e| e.id())
        .collect();
    let mut paragraphs = Vec::new();
    // A match inside an earlier match is already in its text.
    let mut taken: HashSet<NodeId> = HashSet::new();
    for element in document.select(&rule.selector) {
        if element.ancestors().any(|a| taken.contains(&a.id())) {
            continue;
        }
        taken.insert(element.id());
        let raw = text_of(element, &removed);
        paragraphs.extend(collapse(&raw).lines().map(str::to_string));
    }
    paragraphs.join("\n\n")
}

/// The text under `root`, blocks on lines of their own, without what is in
/// `removed`. One pass, no recursion, however deep the page nests.
fn text_of(root: ElementRef, removed: &HashSet<NodeId>) -> String {
    let mut raw = String::new();
    let mut skipping: Option<NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) if skipping.is_none() => match node.value() {
                Node::Text(t) => raw.push_str(t),
                Node::Element(e)
                    if removed.contains(&node.id())
                        || matches!(e.name(), "script" | "style" | "noscript" | "template") =>
                {
                    // A removed block still parts the text around it.
                    if BLOCKS.contains(&e.name()) {
                        raw.push('\n');
                    }
                    skipping = Some(node.id());
                }
                Node::Element(e) if BLOCKS.contains(&e.name()) => raw.push('\n'),
                _ => {}
            },
            Edge::Close(node) if skipping == Some(node.id()) => skipping = None,
            Edge::Close(node) if skipping.is_none() => {
                if let Node::Element(e) = node.value()
                    && BLOCKS.contains(&e.name())
                {
                    raw.push('\n');
                }
            }
            _ => {}
        }
    }
    raw
}
