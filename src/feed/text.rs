//! Feed markup to plain text: what rules match against and mails quote.

use scraper::Html;

use crate::html_text::{collapse, visible_text};

/// Elements whose text is never shown to a reader.
const HIDDEN: &[&str] = &[
    "script", "style", "template", "noscript", "iframe", "object",
];

/// Plain text of an HTML fragment: tags dropped, entities decoded, hidden
/// elements skipped, blocks on their own lines, spaces collapsed.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return collapse(html);
    }
    let fragment = Html::parse_fragment(html);
    visible_text(fragment.root_element(), HIDDEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_tags_and_decodes_entities() {
        assert_eq!(html_to_text("<b>Truce</b> &amp; talks"), "Truce & talks");
    }

    #[test]
    fn skips_scripts_and_styles() {
        assert_eq!(
            html_to_text("<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>"),
            "a\nb"
        );
    }

    #[test]
    fn plain_text_is_only_collapsed() {
        assert_eq!(html_to_text("  a   b \n\n c "), "a b\nc");
    }
}
