//! The HTML parser watched for depth: scraper's tree sink, wrapped to look
//! how deep each node lands, fed a few kilobytes at a time, and given up as
//! soon as the tree goes past [`MAX_DEPTH`](super::MAX_DEPTH). The parser
//! itself is the judge of nesting, so no real page is ever altered; only a
//! page that really nests that deep is parsed again, flattened.

use std::borrow::Cow;
use std::cell::Cell;

use ego_tree::NodeId;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName, driver, ns};
use scraper::{Html, HtmlTreeSink};

use super::MAX_DEPTH;

/// Input handed to the parser at a time: small enough that the work done
/// past the cap before it is noticed stays small.
const CHUNK: usize = 4096;

/// What is parsed: a whole document, or a fragment (feed markup).
#[derive(Clone, Copy)]
pub enum Kind {
    Document,
    Fragment,
}

/// `html` parsed, or None when its tree goes deeper than the cap.
pub fn parse_within_depth(html: &str, kind: Kind) -> Option<Html> {
    let sink = DepthSink::new(match kind {
        Kind::Document => Html::new_document(),
        Kind::Fragment => Html::new_fragment(),
    });
    let too_deep = |parser: &driver::Parser<DepthSink>| parser.tokenizer.sink.sink.too_deep.get();
    let mut parser = match kind {
        Kind::Document => driver::parse_document(sink, Default::default()),
        Kind::Fragment => driver::parse_fragment(
            sink,
            Default::default(),
            QualName::new(None, ns!(html), html5ever::local_name!("body")),
            Vec::new(),
            false,
        ),
    };
    let mut rest = html;
    while !rest.is_empty() {
        let mut end = rest.len().min(CHUNK);
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        parser.process(StrTendril::from_slice(&rest[..end]));
        if too_deep(&parser) {
            return None;
        }
        rest = &rest[end..];
    }
    let html = parser.finish();
    Some(html)
}

/// scraper's sink, noting each node's depth.
struct DepthSink {
    inner: HtmlTreeSink,
    too_deep: Cell<bool>,
}

impl DepthSink {
    fn new(html: Html) -> DepthSink {
        DepthSink {
            inner: HtmlTreeSink::new(html),
            too_deep: Cell::new(false),
        }
    }

    /// How many nodes stand above `node` in the tree as it is now (counted
    /// no further than just past the cap): the parser moves nodes about
    /// (misnested formatting, templates), so depth is read, not remembered.
    fn depth_of(&self, node: &NodeId) -> usize {
        let html = self.inner.0.borrow();
        html.tree
            .get(*node)
            .map_or(0, |n| n.ancestors().take(MAX_DEPTH + 1).count())
    }

    /// Notes that a node now sits at `depth`.
    fn placed(&self, child: &NodeOrText<NodeId>, depth: usize) {
        if matches!(child, NodeOrText::AppendNode(_)) && depth > MAX_DEPTH {
            self.too_deep.set(true);
        }
    }
}

impl TreeSink for DepthSink {
    type Output = Html;
    type Handle = NodeId;
    type ElemName<'a> = <HtmlTreeSink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Html {
        self.inner.finish()
    }

    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg);
    }

    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Self::ElemName<'a> {
        self.inner.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.inner.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.placed(&child, self.depth_of(parent) + 1);
        self.inner.append(parent, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        let depth = self.depth_of(element).max(self.depth_of(prev_element) + 1);
        self.placed(&child, depth);
        self.inner
            .append_based_on_parent_node(element, prev_element, child);
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id);
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode);
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.placed(&new_node, self.depth_of(sibling));
        self.inner.append_before_sibling(sibling, new_node);
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs);
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent);
    }

    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node);
    }
}
