//! The general extractor's candidates: finds the element that holds the
//! article the way Readability does, by scoring each paragraph's
//! ancestors with the paragraph's weight of prose, then reads a block's
//! paragraphs (and its siblings' that read like the same article),
//! leaving out the clutter: navigation, share bars, related links,
//! comments, footers. Which candidate wins is `choose`'s job.

use std::collections::HashMap;

use ego_tree::NodeId;
use scraper::{ElementRef, Html};

use super::classes::{class_weight, is_clutter};
use super::paragraphs::{
    MIN_PARAGRAPH, Paragraph, collect_paragraphs, collect_with_headers, normalise,
    without_orphan_headings,
};
use super::stats::Stats;
use super::tuning::Tuning;

/// Elements never part of an article's text.
pub const NEVER: &[&str] = &[
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

/// A page measured and its blocks scored once, from which the candidate
/// texts are read: the best block's, another block's, or a looser one.
pub struct Candidates<'a> {
    document: &'a Html,
    stats: Stats,
    scores: HashMap<NodeId, Score>,
    /// Every paragraph outside clutter, read once when first asked for.
    every_paragraph: std::cell::OnceCell<Vec<Paragraph>>,
    /// Their texts normalised for searching, made once when first asked.
    searchable: std::cell::OnceCell<Vec<String>>,
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
            searchable: std::cell::OnceCell::new(),
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
        collect_with_headers(scope, &self.stats, &mut around);
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

    /// The first paragraph outside clutter whose [`normalise`]d text holds
    /// `probe`: where a summary or a declared body starts in the page.
    pub fn paragraph_holding(&self, probe: &str) -> Option<&Paragraph> {
        let paragraphs = self.every_paragraph();
        let searchable = self
            .searchable
            .get_or_init(|| paragraphs.iter().map(|p| normalise(&p.text)).collect());
        let index = searchable.iter().position(|text| text.contains(probe))?;
        paragraphs.get(index)
    }

    /// The whole visible text, a line per paragraph: what a page without a
    /// block of prose gives (a line, a gallery's captions).
    pub fn whole_page(&self) -> String {
        crate::html::visible_text(self.document.root_element(), NEVER).replace('\n', "\n\n")
    }
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
        if length < MIN_PARAGRAPH || m.excluded() {
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
