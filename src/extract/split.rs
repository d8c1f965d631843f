//! The rest of an article split over several containers. Publishers cut
//! one article into parts with ad slots, newsletter boxes and "read more"
//! promos between them, often each part in a wrapper of its own, so the
//! best-scoring block holds one part. The parts share their markup (one
//! template writes them all), so paragraphs of the same kind a few levels
//! around the best block are the same article.

use std::collections::HashSet;

use ego_tree::NodeId;
use scraper::{ElementRef, Node};

use super::paragraphs::{MIN_PARAGRAPH, Paragraph, collect_paragraphs_besides};
use super::stats::Stats;
use super::tuning::Tuning;

/// How a paragraph is marked up: its own tag and class, and its
/// container's tag and class words.
#[derive(Debug, PartialEq)]
struct Kind<'a> {
    tag: &'a str,
    class: &'a str,
    container_tag: &'a str,
    container_classes: Vec<&'a str>,
}

impl Kind<'_> {
    /// Same paragraph markup in a container of the same tag that shares a
    /// class word (or has none, like this one's): a template's variants
    /// (`body`, `body -bottom-space`) are one container.
    fn continues(&self, other: &Kind) -> bool {
        self.tag == other.tag
            && self.class == other.class
            && self.container_tag == other.container_tag
            && (self.container_classes.is_empty() && other.container_classes.is_empty()
                || self
                    .container_classes
                    .iter()
                    .any(|c| other.container_classes.contains(c)))
    }
}

fn kind_of(node: ego_tree::NodeRef<'_, Node>) -> Option<Kind<'_>> {
    let (tag, class) = match node.value() {
        Node::Element(e) => (e.name(), e.attr("class").unwrap_or("")),
        Node::Text(_) => ("#text", ""),
        _ => return None,
    };
    let container = node.parent().and_then(ElementRef::wrap)?;
    Some(Kind {
        tag,
        class,
        container_tag: container.value().name(),
        container_classes: container
            .value()
            .attr("class")
            .unwrap_or("")
            .split_whitespace()
            .collect(),
    })
}

/// Adds to `out` (the paragraphs taken from around `best`) the paragraphs
/// of the same kind under `best`'s ancestors up to `tuning.join_levels`
/// above it (never the whole `<body>`), outside clutter, in page order.
pub fn join_split_parts(
    best: ElementRef,
    stats: &Stats,
    tuning: &Tuning,
    out: &mut Vec<Paragraph>,
) {
    let tree = best.tree();
    // Only prose defines the article's kinds: a short line of the same
    // markup as a caption is no evidence.
    let kinds: Vec<Kind> = out
        .iter()
        .filter(|p| p.text.chars().count() >= MIN_PARAGRAPH)
        .filter_map(|p| kind_of(tree.get(p.node)?))
        .collect();
    let (Some(scope), false) = (scope(best, tuning), kinds.is_empty()) else {
        return;
    };
    let taken: HashSet<NodeId> = out.iter().map(|p| p.node).collect();
    let mut around = Vec::new();
    collect_paragraphs_besides(scope, stats, &taken, &mut around);
    let more: Vec<Paragraph> = around
        .into_iter()
        .filter(|p| {
            tree.get(p.node)
                .and_then(kind_of)
                .is_some_and(|k| kinds.iter().any(|kind| kind.continues(&k)))
        })
        .collect();
    if !more.is_empty() {
        *out = merge_in_page_order(std::mem::take(out), more);
    }
}

/// Where the rest of the article around `best` is looked for: its
/// ancestor `tuning.join_levels` branching levels up, never the whole
/// `<body>`.
pub fn scope<'a>(best: ElementRef<'a>, tuning: &Tuning) -> Option<ElementRef<'a>> {
    let mut levels = 0;
    let mut scope = None;
    for ancestor in best.ancestors().filter_map(ElementRef::wrap) {
        if matches!(ancestor.value().name(), "body" | "html") || levels == tuning.join_levels {
            break;
        }
        // A wrapper around one element is not a level: templates nest
        // each part in several.
        if ancestor
            .children()
            .filter_map(ElementRef::wrap)
            .nth(1)
            .is_some()
        {
            levels += 1;
        }
        scope = Some(ancestor);
    }
    scope
}

/// Two lists each in page order, merged into one.
fn merge_in_page_order(a: Vec<Paragraph>, b: Vec<Paragraph>) -> Vec<Paragraph> {
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.order <= y.order,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return merged,
        };
        merged.extend(if take_a { a.next() } else { b.next() });
    }
}
