//! The paragraphs of a candidate block: each paragraph element's text,
//! with clutter and link lists left out, in page order; and the output
//! text they make.

use std::collections::HashSet;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};

use super::classes::is_clutter;
use super::stats::Stats;

/// Elements whose text is one paragraph of the output.
const PARAGRAPHS: &[&str] = &[
    "p",
    "pre",
    "blockquote",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dd",
    "dt",
    "td",
    "th",
    "figcaption",
    "address",
];

/// A paragraph this long (in bytes) is a sentence or more, not a label.
/// Bytes of UTF-8 weigh scripts about fairly: a Chinese character says
/// about as much as three Latin letters, and takes three bytes.
pub const PROSE_PARAGRAPH: usize = 80;

/// Shorter paragraphs do not vote for their ancestors.
pub const MIN_PARAGRAPH: usize = 25;

/// One paragraph of a candidate text: the node it came from (an element,
/// or a text node written straight into a container) and its text.
#[derive(Debug, Clone)]
pub struct Paragraph {
    pub node: NodeId,
    /// Place in the page, to merge paragraphs from several blocks.
    pub order: usize,
    pub text: String,
    /// A section heading (`h2`–`h6`), which introduces what follows.
    pub heading: bool,
}

/// The paragraphs without the headings after the article's last prose:
/// the labels of boxes left out ("Related posts", "Share this", "More on
/// this"), which stay behind when their box goes.
pub fn without_orphan_headings(mut paragraphs: Vec<Paragraph>) -> Vec<Paragraph> {
    // The prose that ends the article; headings after it introduce none.
    let Some(last_prose) = paragraphs
        .iter()
        .rposition(|p| !p.heading && p.text.len() >= PROSE_PARAGRAPH)
    else {
        return paragraphs;
    };
    let mut index = 0;
    paragraphs.retain(|p| {
        index += 1;
        index <= last_prose + 1 || !p.heading
    });
    paragraphs
}

/// Paragraphs as the extractor's text: separated by blank lines.
pub fn join(paragraphs: &[Paragraph]) -> String {
    paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Lower-case words joined by single spaces: punctuation, quotes and
/// spacing differ between a feed and its page.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Appends the paragraphs under `root` to `out`, skipping clutter and link
/// lists. A loop over an explicit stack, not recursion: hostile pages nest
/// elements deeper than any thread's stack.
pub fn collect_paragraphs(root: ElementRef, stats: &Stats, out: &mut Vec<Paragraph>) {
    collect(root, stats, &Walk::default(), out);
}

/// [`collect_paragraphs`], with the paragraphs of page headers too: where
/// a standfirst may sit.
pub fn collect_with_headers(root: ElementRef, stats: &Stats, out: &mut Vec<Paragraph>) {
    let walk = Walk {
        headers: true,
        ..Walk::default()
    };
    collect(root, stats, &walk, out);
}

/// [`collect_paragraphs`], leaving out the paragraphs already `taken`
/// (their text is not read again).
pub fn collect_paragraphs_besides(
    root: ElementRef,
    stats: &Stats,
    taken: &HashSet<NodeId>,
    out: &mut Vec<Paragraph>,
) {
    let walk = Walk {
        taken: Some(taken),
        ..Walk::default()
    };
    collect(root, stats, &walk, out);
}

/// What a walk for paragraphs takes in besides the usual.
#[derive(Default)]
struct Walk<'t> {
    /// The paragraphs of page headers.
    headers: bool,
    /// Paragraphs to pass over.
    taken: Option<&'t HashSet<NodeId>>,
}

fn collect(root: ElementRef, stats: &Stats, walk: &Walk, out: &mut Vec<Paragraph>) {
    let mut stack = vec![*root];
    while let Some(node) = stack.pop() {
        if walk.taken.is_some_and(|t| t.contains(&node.id())) {
            continue;
        }
        let element = match node.value() {
            Node::Element(_) => ElementRef::wrap(node).expect("an element"),
            Node::Text(t) => {
                let text = crate::html::collapse(t);
                if text.chars().count() >= MIN_PARAGRAPH {
                    let parent = node.parent().and_then(ElementRef::wrap);
                    let order = parent.map_or(0, |p| stats.of(p).order);
                    out.push(Paragraph {
                        node: node.id(),
                        order,
                        text,
                        heading: false,
                    });
                }
                continue;
            }
            _ => continue,
        };
        let m = stats.of(element);
        let excluded = if walk.headers { m.never } else { m.excluded() };
        if element.id() != root.id() && is_clutter(element) || excluded {
            continue;
        }
        let name = element.value().name();
        // The headline is the entry's title, not its body.
        if name == "h1" {
            continue;
        }
        if PARAGRAPHS.contains(&name) || is_text_block(element) {
            // Mostly links: "Related: …", tag lists, teasers.
            if m.link_density() > 0.5 {
                continue;
            }
            let text = inline_text(element);
            if !text.is_empty() {
                out.push(Paragraph {
                    node: node.id(),
                    order: m.order,
                    text,
                    heading: matches!(name, "h2" | "h3" | "h4" | "h5" | "h6"),
                });
            }
            continue;
        }
        if matches!(name, "ul" | "ol") && m.link_density() > 0.5 {
            continue;
        }
        stack.extend(node.children().rev());
    }
}

/// A `div` or `section` holding only text and inline elements: a paragraph
/// written without `<p>`.
fn is_text_block(element: ElementRef) -> bool {
    matches!(element.value().name(), "div" | "section" | "span")
        && element.children().all(|c| match c.value() {
            Node::Element(e) => !crate::html::BLOCKS.contains(&e.name()) || e.name() == "br",
            _ => true,
        })
        && element.text().any(|t| !t.trim().is_empty())
}

/// The text of a paragraph, spaces collapsed, `<br>` kept as a line break,
/// clutter inside it left out. One pass over the subtree, no recursion.
fn inline_text(element: ElementRef) -> String {
    let mut raw = String::new();
    // The clutter element being skipped, until it closes.
    let mut skipping: Option<NodeId> = None;
    for edge in element.traverse() {
        match edge {
            Edge::Open(node) if skipping.is_none() => match node.value() {
                Node::Text(t) => raw.push_str(t),
                Node::Element(e) if e.name() == "br" => raw.push('\n'),
                // A block inside a paragraph (a quote's <p>, a nested list)
                // starts a line of its own.
                Node::Element(e)
                    if node.id() != element.id()
                        && crate::html::BLOCKS.contains(&e.name())
                        && !is_clutter(ElementRef::wrap(node).expect("an element")) =>
                {
                    raw.push('\n');
                }
                Node::Element(_)
                    if node.id() != element.id()
                        && is_clutter(ElementRef::wrap(node).expect("an element")) =>
                {
                    skipping = Some(node.id());
                }
                _ => {}
            },
            Edge::Close(node) if skipping == Some(node.id()) => skipping = None,
            Edge::Close(node) if skipping.is_none() && node.id() != element.id() => {
                if let Node::Element(e) = node.value()
                    && crate::html::BLOCKS.contains(&e.name())
                {
                    raw.push('\n');
                }
            }
            _ => {}
        }
    }
    crate::html::collapse(&raw)
}
