//! The article body a page declares in schema.org JSON-LD (`articleBody` of
//! a `NewsArticle`, `Article`, `BlogPosting`…). Publishers fill it for
//! search engines, so it is often the whole text; it is also sometimes a
//! teaser, a stale version or HTML, which is why the extractor uses it to
//! find and check the text rather than taking it on trust.

use scraper::{Html, Selector};
use serde_json::Value;

/// schema.org types whose `articleBody` is an article's text: `Article`
/// and the subtypes publishers use.
const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "ReviewNewsArticle",
    "BlogPosting",
    "SocialMediaPosting",
    "TechArticle",
    "ScholarlyArticle",
    "Report",
];

/// The longest `articleBody` of an article object in the page's JSON-LD
/// blocks, as plain text with spaces collapsed, a paragraph per line; `None` when there is none.
pub fn article_body(document: &Html) -> Option<String> {
    let selector =
        Selector::parse("script[type='application/ld+json' i]").expect("a valid selector");
    let mut best: Option<String> = None;
    for script in document.select(&selector) {
        let source: String = script.text().collect();
        // Publishers leave trailing commas and HTML comments in these
        // blocks; a block that does not parse is simply not used.
        let Ok(value) = serde_json::from_str::<Value>(source.trim()) else {
            continue;
        };
        let mut bodies = Vec::new();
        collect_bodies(&value, &mut bodies);
        for body in bodies {
            let text = plain_text(body);
            if best.as_ref().is_none_or(|b| text.len() > b.len()) {
                best = Some(text);
            }
        }
    }
    best.filter(|b| !b.is_empty())
}

/// The `articleBody` strings of article objects anywhere in `value`
/// (top level, arrays, `@graph`, nested `mainEntity`). serde_json refuses
/// input nested deeper than 128 levels, so this walk is bounded too.
fn collect_bodies<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect_bodies(v, out)),
        Value::Object(map) => {
            if is_article(map.get("@type"))
                && let Some(Value::String(body)) = map.get("articleBody")
            {
                out.push(body);
            }
            map.values().for_each(|v| collect_bodies(v, out));
        }
        _ => {}
    }
}

fn is_article(kind: Option<&Value>) -> bool {
    match kind {
        Some(Value::String(kind)) => ARTICLE_TYPES.contains(&kind.as_str()),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .any(|k| k.as_str().is_some_and(|k| ARTICLE_TYPES.contains(&k))),
        _ => false,
    }
}

/// A body's text, a paragraph per line: some publishers put HTML (tags,
/// entities) in it.
fn plain_text(body: &str) -> String {
    if body.contains('<') || body.contains('&') {
        let fragment = crate::html::parse_fragment(body);
        crate::html::visible_text(fragment.root_element(), &["script", "style"])
    } else {
        crate::html::collapse(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(json: &str) -> Option<String> {
        let page = format!(
            "<html><head><script type=\"application/ld+json\">{json}</script></head><body></body></html>"
        );
        article_body(&Html::parse_document(&page))
    }

    #[test]
    fn finds_the_body_in_a_graph_and_decodes_its_html() {
        let json = r#"{"@context":"https://schema.org","@graph":[
            {"@type":"WebPage","name":"x"},
            {"@type":["NewsArticle"],"articleBody":"<p>Talks resumed &amp; held.</p><p>Second.</p>"}]}"#;
        assert_eq!(
            body_of(json).as_deref(),
            Some("Talks resumed & held.\nSecond.")
        );
    }

    #[test]
    fn ignores_other_types_and_broken_blocks() {
        assert_eq!(
            body_of(r#"{"@type":"Product","articleBody":"not an article"}"#),
            None
        );
        assert_eq!(body_of(r#"{"@type":"NewsArticle","articleBody":"#), None);
    }
}
