//! Text measures of every element of a page, taken in one walk, so that
//! the extractor's scoring stays linear in the size of the page however
//! deeply it nests: visible characters, commas and linked characters per
//! subtree, the text an element holds outside its block children, whether
//! it sits in never-content (scripts, navigation, a page header), and its
//! place in document order.

use std::collections::HashMap;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};

use crate::html::BLOCKS;

/// The measures of one element.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measure {
    /// Visible characters in its subtree (whitespace runs count as one).
    pub chars: usize,
    pub commas: usize,
    /// Of `chars`, those inside links.
    pub link_chars: usize,
    /// Characters of its own text and inline children, not of its block
    /// children: the paragraph a `<div>` forms without `<p>`.
    pub inline_chars: usize,
    pub inline_commas: usize,
    /// Inside an element that is never content.
    pub never: bool,
    /// Inside a page's `<header>` (one outside any `<article>`), which may
    /// still hold an article's standfirst.
    pub page_header: bool,
    /// Position in document order.
    pub order: usize,
}

impl Measure {
    /// Never the article's text: never content, or in a page's header.
    pub fn excluded(&self) -> bool {
        self.never || self.page_header
    }

    /// Share of the text that is links.
    pub fn link_density(&self) -> f64 {
        match self.chars {
            0 => 0.0,
            chars => (self.link_chars as f64 / chars as f64).min(1.0),
        }
    }
}

/// Every element's measures, by node.
pub struct Stats(HashMap<NodeId, Measure>);

impl Stats {
    /// Measures every element under `root`; text inside `never` elements
    /// does not count.
    pub fn measure(root: ElementRef, never: &[&str]) -> Stats {
        let mut measures = HashMap::new();
        // The open elements' running measures, innermost last.
        let mut open: Vec<(NodeId, Measure, bool)> = Vec::new();
        let (mut never_depth, mut header_depth, mut article_depth, mut link_depth) = (0, 0, 0, 0);
        let mut order = 0;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(e) => {
                        let name = e.name();
                        let never_here = never.contains(&name);
                        let page_header = name == "header" && article_depth == 0;
                        never_depth += usize::from(never_here);
                        header_depth += usize::from(page_header);
                        article_depth += usize::from(name == "article");
                        link_depth += usize::from(name == "a");
                        let measure = Measure {
                            never: never_depth > 0,
                            page_header: header_depth > 0,
                            order,
                            ..Measure::default()
                        };
                        order += 1;
                        open.push((node.id(), measure, BLOCKS.contains(&name)));
                    }
                    Node::Text(t) if never_depth == 0 => {
                        let chars: usize =
                            t.split_whitespace().map(|w| w.chars().count() + 1).sum();
                        let commas = t.matches([',', '，', '、', '،']).count();
                        if let Some((_, m, _)) = open.last_mut() {
                            m.chars += chars;
                            m.commas += commas;
                            m.inline_chars += chars;
                            m.inline_commas += commas;
                            if link_depth > 0 {
                                m.link_chars += chars;
                            }
                        }
                    }
                    _ => {}
                },
                Edge::Close(node) => {
                    let Node::Element(e) = node.value() else {
                        continue;
                    };
                    let name = e.name();
                    never_depth -= usize::from(never.contains(&name));
                    article_depth -= usize::from(name == "article");
                    header_depth -=
                        usize::from(name == "header" && article_depth == 0 && header_depth > 0);
                    link_depth -= usize::from(name == "a");
                    let Some((id, m, block)) = open.pop() else {
                        continue;
                    };
                    if let Some((_, parent, _)) = open.last_mut() {
                        parent.chars += m.chars;
                        parent.commas += m.commas;
                        parent.link_chars += m.link_chars;
                        if !block {
                            parent.inline_chars += m.chars;
                            parent.inline_commas += m.commas;
                        }
                    }
                    measures.insert(id, m);
                }
            }
        }
        Stats(measures)
    }

    /// The measures of `element` (zero for one not measured).
    pub fn of(&self, element: ElementRef) -> Measure {
        self.0.get(&element.id()).copied().unwrap_or_default()
    }
}
