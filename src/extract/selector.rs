//! A feed's own extraction rule: the text of the elements a CSS selector
//! picks, minus those the `remove` selectors pick inside them.

use std::collections::HashSet;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node, Selector};

use crate::html_text::{BLOCKS, collapse};

/// A checked `extract = { selector, remove }` override.
#[derive(Debug, Clone)]
pub struct SelectorRule {
    pub selector: Selector,
    pub remove: Vec<Selector>,
}

impl SelectorRule {
    /// Parses the CSS; the error names the selector that is invalid.
    pub fn parse(selector: &str, remove: &[String]) -> Result<SelectorRule, String> {
        let parse = |css: &str| {
            Selector::parse(css).map_err(|e| format!("invalid CSS selector \"{css}\": {e}"))
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
    for element in document.select(&rule.selector) {
        let mut raw = String::new();
        push_text(element, &removed, &mut raw);
        paragraphs.extend(collapse(&raw).lines().map(str::to_string));
    }
    paragraphs.join("\n\n")
}

fn push_text(element: ElementRef, removed: &HashSet<NodeId>, raw: &mut String) {
    if removed.contains(&element.id())
        || matches!(
            element.value().name(),
            "script" | "style" | "noscript" | "template"
        )
    {
        return;
    }
    let block = BLOCKS.contains(&element.value().name());
    if block {
        raw.push('\n');
    }
    for child in element.children() {
        match child.value() {
            Node::Text(t) => raw.push_str(t),
            Node::Element(_) => {
                push_text(ElementRef::wrap(child).expect("an element"), removed, raw)
            }
            _ => {}
        }
    }
    if block {
        raw.push('\n');
    }
}
