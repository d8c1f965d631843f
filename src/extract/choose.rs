//! Which candidate text is the article: the best block's, unless the
//! page's own signals say it is wrong, when a second opinion is taken and
//! the candidate holding more of the article is kept. The signals are the
//! feed's summary (or the page's description) found in another block, a
//! JSON-LD body the text covers too little of, and a text much shorter
//! than the page's prose.

use ego_tree::NodeId;
use scraper::Html;

use super::paragraphs::{PROSE_PARAGRAPH, Paragraph, join, normalise};
use super::readable::Candidates;
use super::tuning::Tuning;
use super::{jsonld, metadata};

/// How the text was found, for a user deciding whether a feed needs a
/// selector of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// The best-scoring block of prose and what continues it.
    #[default]
    Blocks,
    /// The body the page declares in its JSON-LD, or the block holding it.
    JsonLd,
    /// The block holding the feed's summary.
    Hint,
    /// A looser candidate, kept because the best block held too little.
    Fallback,
    /// The feed's own CSS selector.
    Selector,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Blocks => "blocks",
            Method::JsonLd => "json-ld",
            Method::Hint => "hint",
            Method::Fallback => "fallback",
            Method::Selector => "selector",
        }
    }
}

/// What the feed says of the article, to find it in the page. (Its title
/// is no help: pages give it in the headline the extractor leaves out.)
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct Hint {
    #[serde(default)]
    pub summary: String,
}

/// A summary's first words are looked for, not all of it: feeds cut
/// summaries short and rewrite their ends ("…", "Read more").
const PROBE_CHARS: usize = 60;

/// The longest standfirst, unless the summary is longer: two or three
/// sentences.
const STANDFIRST_CHARS: usize = 500;

/// Under this much prose (in bytes, about 150 English words) an article
/// is rare enough that a page with much more prose gets a second look.
const SHORT_ARTICLE: usize = 1000;

/// A declared body shorter than this is a teaser, not a check.
const MIN_DECLARED_WORDS: usize = 50;

/// The article text of `document` and how it was found.
pub fn article(document: &Html, hint: Option<&Hint>, tuning: &Tuning) -> (String, Method) {
    let candidates = Candidates::score(document);
    let Some(best) = candidates.best() else {
        return (candidates.whole_page(), Method::Blocks);
    };
    let blocks = candidates.article_from(best, tuning);
    let summary = hint
        .map(|h| h.summary.clone())
        .filter(|s| !s.trim().is_empty())
        .or_else(|| metadata::description(document));
    if let Some(choice) = summary.and_then(|s| guided(&candidates, best, &blocks, &s, tuning)) {
        return choice;
    }
    if let Some(declared) = jsonld::article_body(document)
        && let Some(choice) = checked_against(&candidates, best, &blocks, &declared, tuning)
    {
        return choice;
    }
    if blocks.is_empty() {
        return (candidates.whole_page(), Method::Blocks);
    }
    // Much less prose than the page holds outside clutter: the best block
    // is one piece of an article the scores did not see as one (a
    // slideshow's captions, a post of short paragraphs).
    let prose = prose_bytes(&blocks);
    if prose < SHORT_ARTICLE {
        let loose = candidates.every_paragraph();
        if (prose as f64) < prose_bytes(loose) as f64 * tuning.loose_ratio {
            return (join(loose), Method::Fallback);
        }
    }
    (join(&blocks), Method::Blocks)
}

/// What the summary changes when the best block (`blocks`) lacks its
/// first words: the standfirst found just before the block, else the
/// block found elsewhere that holds them. `None` when it changes nothing.
fn guided(
    candidates: &Candidates,
    best: NodeId,
    blocks: &[Paragraph],
    summary: &str,
    tuning: &Tuning,
) -> Option<(String, Method)> {
    let probe = probe(summary)?;
    let holds = |text: &str| normalise(text).contains(&probe);
    if blocks.iter().any(|p| holds(&p.text)) {
        return None;
    }
    // A standfirst is a paragraph, not a block holding the article.
    let longest = STANDFIRST_CHARS.max(2 * summary.chars().count());
    let standfirst_like = |text: &str| text.chars().count() <= longest && holds(text);
    let standfirst = tuning
        .standfirst
        .then(|| candidates.standfirst(best, blocks, tuning, standfirst_like))
        .flatten();
    if let Some(standfirst) = standfirst {
        let mut with_standfirst = vec![standfirst];
        with_standfirst.extend_from_slice(blocks);
        return Some((join(&with_standfirst), Method::Hint));
    }
    let hinted = hinted_block(candidates, best, blocks, &probe, tuning)?;
    Some((join(&hinted), Method::Hint))
}

/// The size in bytes of a text's paragraphs that are sentences, not labels.
fn prose_bytes(paragraphs: &[Paragraph]) -> usize {
    paragraphs
        .iter()
        .map(|p| p.text.len())
        .filter(|&bytes| bytes >= PROSE_PARAGRAPH)
        .sum()
}

/// The article around the paragraph that holds the summary's first words
/// (`probe`), found away from the best block, when it is prose enough to
/// be an article rather than a teaser of it.
fn hinted_block(
    candidates: &Candidates,
    best: NodeId,
    blocks: &[Paragraph],
    probe: &str,
    tuning: &Tuning,
) -> Option<Vec<Paragraph>> {
    let holder = candidates.paragraph_holding(probe)?;
    // Only a summary found away from the best block says it is not the
    // article (around it, it is the block's standfirst).
    let block = candidates.block_holding(holder.node, best)?;
    let hinted = candidates.article_from(block, tuning);
    // Holding the best block's text and more, it is the same article with
    // its standfirst, not another one.
    if Words::of(&join(blocks)).coverage(&Words::of(&join(&hinted))) > 0.5 {
        return None;
    }
    let chars = |ps: &[Paragraph]| ps.iter().map(|p| p.text.len()).sum::<usize>();
    (chars(&hinted) as f64 >= chars(blocks) as f64 * tuning.hint_ratio).then_some(hinted)
}

/// When the best block covers too little of the page's declared body: the
/// block holding the declared body's start if it covers more, else the
/// declared body itself. `None` when the best block is fine.
fn checked_against(
    candidates: &Candidates,
    best: NodeId,
    blocks: &[Paragraph],
    declared: &str,
    tuning: &Tuning,
) -> Option<(String, Method)> {
    let reference = Words::of(declared);
    if reference.count < MIN_DECLARED_WORDS {
        return None;
    }
    let coverage = |ps: &[Paragraph]| reference.coverage(&Words::of(&join(ps)));
    let found = coverage(blocks);
    if found >= tuning.declared_coverage {
        return None;
    }
    let probe = probe(declared)?;
    let located = candidates
        .paragraph_holding(&probe)
        .and_then(|p| candidates.block_holding(p.node, best))
        .map(|block| candidates.article_from(block, tuning));
    if let Some(located) = located.filter(|l| coverage(l) > found.max(tuning.declared_coverage)) {
        return Some((join(&located), Method::JsonLd));
    }
    Some((declared.replace('\n', "\n\n"), Method::JsonLd))
}

/// The summary's first words, normalised, to look for in paragraphs.
fn probe(summary: &str) -> Option<String> {
    let normal = normalise(summary);
    let mut cut = normal.len().min(PROBE_CHARS);
    while !normal.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &normal[..cut];
    // Whole words, where the script has spaces; a word cut in half would
    // not match the page's.
    let head = match (cut < normal.len(), head.rfind(' ')) {
        (true, Some(space)) => &head[..space],
        _ => head,
    };
    (head.chars().count() >= 20).then(|| head.to_string())
}

/// A text's distinct words, to measure how much of one another holds.
struct Words {
    set: std::collections::HashSet<String>,
    count: usize,
}

impl Words {
    fn of(text: &str) -> Words {
        let normal = normalise(text);
        let words: Vec<&str> = normal.split(' ').filter(|w| !w.is_empty()).collect();
        Words {
            count: words.len(),
            set: words.into_iter().map(str::to_string).collect(),
        }
    }

    /// Share of these distinct words that `other` holds.
    fn coverage(&self, other: &Words) -> f64 {
        match self.set.len() {
            0 => 1.0,
            n => self.set.intersection(&other.set).count() as f64 / n as f64,
        }
    }
}
