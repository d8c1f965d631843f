//! The general extractor: finds the element that holds the article the way
//! Readability does, by scoring each paragraph's ancestors with the
//! paragraph's weight of prose, then keeps that element's paragraphs (and
//! its siblings' that read like the same article), leaving out the
//! clutter: navigation, share bars, related links, comments, footers.

use std::collections::HashMap;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

use super::stats::Stats;
use super::tuning::Tuning;

/// Elements never part of an article's text.
const NEVER: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "button",
    "select",
    "input",
    "textarea",
    "nav",
    "aside",
    "footer",
    "head",
    "object",
    "embed",
    "dialog",
    "figure",
    "figcaption",
];

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

/// A page measured and its blocks scored once, from which the candidate
/// texts are read: the best block's, another block's, or a looser one.
pub struct Candidates<'a> {
    document: &'a Html,
    stats: Stats,
    scores: HashMap<NodeId, Score>,
    /// Every paragraph outside clutter, read once when first asked for.
    every_paragraph: std::cell::OnceCell<Vec<Paragraph>>,
}

impl<'a> Candidates<'a> {
    pub fn score(document: &'a Html) -> Candidates<'a> {
        let root = document.root_element();
        let stats = Stats::measure(root, NEVER);
        let scores = score_candidates(root, &stats);
        Candidates {
            document,
            stats,
            scores,
            every_paragraph: std::cell::OnceCell::new(),
        }
    }

    /// The highest-scoring block; of equal ones, the first in the page.
    pub fn best(&self) -> Option<NodeId> {
        let (&id, _) = self.scores.iter().max_by(|a, b| {
            a.1.final_score
                .total_cmp(&b.1.final_score)
                .then(b.1.order.cmp(&a.1.order))
        })?;
        Some(id)
    }

    /// The article text around the block `best_id`: the block, the
    /// siblings that read like the same article, and the parts of a split
    /// article further off. Empty when none of it is prose.
    pub fn article_from(&self, best_id: NodeId, tuning: &Tuning) -> Vec<Paragraph> {
        let best_score = self.scores.get(&best_id).map_or(0.0, |s| s.final_score);
        let best = enclosing_article(self.document, &self.scores, best_id, best_score);
        let best_id = best.id();
        let threshold = (best_score * tuning.sibling_ratio).max(10.0);
        let mut parts: Vec<ElementRef> = Vec::new();
        match best.parent().and_then(ElementRef::wrap) {
            Some(parent) => {
                for sibling in parent.children().filter_map(ElementRef::wrap) {
                    // A sibling scoring above the block is another article
                    // (the block is a hint's, not the best).
                    let keep = self
                        .scores
                        .get(&sibling.id())
                        .is_some_and(|s| (threshold..=best_score).contains(&s.final_score))
                        || reads_like_a_paragraph(sibling, &self.stats);
                    // The article itself stays whatever its class says
                    // (`no-sidebar`, `ad-free`): it won on its prose.
                    if sibling.id() == best_id || keep && !is_clutter(sibling) {
                        parts.push(sibling);
                    }
                }
            }
            None => parts.push(best),
        }
        let mut out = Vec::new();
        for part in parts {
            collect_paragraphs(part, &self.stats, &mut out);
        }
        super::split::join_split_parts(best, &self.stats, tuning, &mut out);
        without_orphan_headings(out)
    }

    /// The best-scoring block among the ancestors of the paragraph `node`
    /// (a few levels up) that do not hold the block `other`: where a hint
    /// found in it points, away from the block it questions.
    pub fn block_holding(&self, node: NodeId, other: NodeId) -> Option<NodeId> {
        let node = self.document.tree.get(node)?;
        node.ancestors()
            .take(5)
            .take_while(|a| !self.related(a.id(), other))
            .filter(|a| self.scores.contains_key(&a.id()))
            .max_by(|a, b| {
                self.scores[&a.id()]
                    .final_score
                    .total_cmp(&self.scores[&b.id()].final_score)
            })
            .map(|a| a.id())
    }

    /// The paragraph before the article text `article` (taken around
    /// `best`) that `is_standfirst` accepts, looked for where split parts
    /// are: a standfirst sits before the body, often in the header that
    /// holds the headline.
    pub fn standfirst(
        &self,
        best: NodeId,
        article: &[Paragraph],
        tuning: &Tuning,
        is_standfirst: impl Fn(&str) -> bool,
    ) -> Option<Paragraph> {
        let first = article.first()?.order;
        let best = ElementRef::wrap(self.document.tree.get(best)?)?;
        let scope = super::split::scope(best, tuning)?;
        let mut around = Vec::new();
        collect(scope, &self.stats, true, &mut around);
        around
            .into_iter()
            .take_while(|p| p.order < first)
            .find(|p| is_standfirst(&p.text))
    }

    /// Whether one of the two nodes holds the other.
    pub fn related(&self, a: NodeId, b: NodeId) -> bool {
        let holds = |outer: NodeId, inner: NodeId| {
            self.document
                .tree
                .get(inner)
                .is_some_and(|n| n.ancestors().any(|a| a.id() == outer))
        };
        a == b || holds(a, b) || holds(b, a)
    }

    /// Every paragraph of the page outside clutter: the loosest candidate,
    /// a second opinion when the best block looks wrong.
    pub fn every_paragraph(&self) -> &[Paragraph] {
        self.every_paragraph.get_or_init(|| {
            let mut out = Vec::new();
            collect_paragraphs(self.document.root_element(), &self.stats, &mut out);
            out
        })
    }

    /// The whole visible text, a line per paragraph: what a page without a
    /// block of prose gives (a line, a gallery's captions).
    pub fn whole_page(&self) -> String {
        crate::html::visible_text(self.document.root_element(), NEVER).replace('\n', "\n\n")
    }
}

/// The paragraphs without the headings after the article's last prose:
/// the labels of boxes left out ("Related posts", "Share this", "More on
/// this"), which stay behind when their box goes.
fn without_orphan_headings(mut paragraphs: Vec<Paragraph>) -> Vec<Paragraph> {
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

/// The best candidate, or the ancestor (a few levels up at most) that also
/// holds another candidate scoring nearly as well: an article split in
/// two blocks by an ad or a paywall notice is one article.
fn enclosing_article<'a>(
    document: &'a Html,
    scores: &HashMap<NodeId, Score>,
    best_id: NodeId,
    best_score: f64,
) -> ElementRef<'a> {
    let best = ElementRef::wrap(document.tree.get(best_id).expect("scored nodes exist"))
        .expect("scored nodes are elements");
    // Candidates apart from the best: neither inside it nor around it.
    let related: std::collections::HashSet<NodeId> = best
        .descendants()
        .map(|d| d.id())
        .chain(best.ancestors().map(|a| a.id()))
        .collect();
    let rivals: std::collections::HashSet<NodeId> = scores
        .iter()
        .filter(|(id, s)| !related.contains(id) && s.final_score >= best_score * 0.75)
        .map(|(id, _)| *id)
        .collect();
    if rivals.is_empty() {
        return best;
    }
    for ancestor in best.ancestors().filter_map(ElementRef::wrap).take(3) {
        if matches!(ancestor.value().name(), "body" | "html") {
            break;
        }
        let holds_rival = ancestor.descendants().any(|d| rivals.contains(&d.id()));
        if holds_rival {
            return ancestor;
        }
    }
    best
}

/// A candidate's score: what its paragraphs voted, and that discounted by
/// how much of its text is links.
struct Score {
    final_score: f64,
    /// Place in the page, to break ties the same way every time.
    order: usize,
}

fn score_candidates(root: ElementRef, stats: &Stats) -> HashMap<NodeId, Score> {
    let mut votes: HashMap<NodeId, f64> = HashMap::new();
    for element in root.descendants().filter_map(ElementRef::wrap) {
        let m = stats.of(element);
        let (length, commas) = match element.value().name() {
            "p" | "pre" | "td" | "blockquote" => (m.chars, m.commas),
            // Prose written without <p>: the text a div holds outside its
            // block children (Readability turns such divs into paragraphs).
            "div" | "section" | "article" | "main" => (m.inline_chars, m.inline_commas),
            _ => continue,
        };
        if length < MIN_PARAGRAPH || m.excluded {
            continue;
        }
        let vote = 1.0 + commas as f64 + (length as f64 / 100.0).min(3.0);
        let ancestors = element.ancestors().filter_map(ElementRef::wrap).take(5);
        for (level, ancestor) in ancestors.enumerate() {
            let share = match level {
                0 => 1.0,
                1 => 0.5,
                n => 1.0 / (n as f64 * 3.0),
            };
            *votes
                .entry(ancestor.id())
                .or_insert_with(|| base_score(ancestor)) += vote * share;
        }
    }
    votes
        .into_iter()
        .filter_map(|(id, score)| {
            let m = stats.of(ElementRef::wrap(root.tree().get(id)?)?);
            Some((
                id,
                Score {
                    final_score: score * (1.0 - m.link_density()),
                    order: m.order,
                },
            ))
        })
        .collect()
}

/// The score an element starts with, from its tag and its class and id.
fn base_score(element: ElementRef) -> f64 {
    let tag = match element.value().name() {
        "article" => 10.0,
        "main" | "div" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    tag + class_weight(element)
}

/// +25 for a class or id that names article text, -25 for clutter.
fn class_weight(element: ElementRef) -> f64 {
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

/// A sibling of the article element that is itself prose: long with few
/// links, or a short sentence without any.
fn reads_like_a_paragraph(element: ElementRef, stats: &Stats) -> bool {
    if element.value().name() != "p" {
        return false;
    }
    let m = stats.of(element);
    let (length, density) = (m.chars, m.link_density());
    let text = element.text().collect::<String>();
    let text = text.trim_end();
    (length > 80 && density < 0.25)
        || (length > 0 && density == 0.0 && text.ends_with(['.', '。', '!', '?']))
}

/// Appends the paragraphs under `root` to `out`, skipping clutter and link
/// lists. A loop over an explicit stack, not recursion: hostile pages nest
/// elements deeper than any thread's stack.
pub fn collect_paragraphs(root: ElementRef, stats: &Stats, out: &mut Vec<Paragraph>) {
    collect(root, stats, false, out);
}

/// [`collect_paragraphs`], with the paragraphs of page headers too when
/// `headers` is set.
fn collect(root: ElementRef, stats: &Stats, headers: bool, out: &mut Vec<Paragraph>) {
    let mut stack = vec![*root];
    while let Some(node) = stack.pop() {
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
        let excluded = if headers { m.never } else { m.excluded };
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

#[cfg(test)]
mod tests {
    use super::*;

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
