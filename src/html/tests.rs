//! Tests of parsing with the depth cap: real and sloppy pages parse as the
//! plain parser parses them, and every known way of nesting deep ends
//! flattened, text kept.

use super::*;

/// The most elements around any node: the parser's deepest stack of
/// open elements (a template's contents fragment is no element).
fn depth_of(html: &Html) -> usize {
    html.tree
        .nodes()
        .map(|n| n.ancestors().filter(|a| a.value().is_element()).count())
        .max()
        .unwrap_or(0)
}

fn text_of(html: &Html) -> String {
    html.root_element().text().collect()
}

#[test]
fn real_and_sloppy_pages_parse_as_the_plain_parser_parses_them() {
    let pages = [
        "<!doctype html><html><head><title>a <b></title><script>if (a<b) {}</script>\
         </head><body><div class=\"x>y\"><p>one<p>two<ul><li>a<li>b</ul></div>\
         <table><tr><td>c<td>d<tr><td>e</table><!-- <div> --></body></html>"
            .to_string(),
        format!(
            "<table>{}</table>",
            "<tr><td><font size=2>a<td><font size=2>b".repeat(300)
        ),
        format!("{}<div class=after>end</div>", "<p><span>para".repeat(600)),
        "<a href=x>link ".repeat(600),
        "<p><b>Q:</b> text <i>note".repeat(600),
        format!("<svg>{}</svg><p>after", "<path/>".repeat(5_000)),
    ];
    for page in pages {
        let plain = Html::parse_document(&page);
        assert!(depth_of(&plain) <= MAX_DEPTH, "a page the cap leaves alone");
        assert_eq!(parse_document(&page).html(), plain.html());
        assert_eq!(
            parse_fragment(&page).html(),
            Html::parse_fragment(&page).html()
        );
    }
}

#[test]
fn every_way_of_nesting_deep_ends_flattened_with_its_text() {
    let deep = 20_000;
    let attacks = [
        format!("{}core{}", "<div>x".repeat(deep), "</div>".repeat(deep)),
        // End tags the parser ignores behind another element.
        "<span><div>x</span>".repeat(deep),
        format!("<ul>{}", "<li><ul>x</li>".repeat(deep)),
        "<div><table><tr><td>x</div>".repeat(deep / 4),
        // A comment the parser ends at once; markup inside <svg>.
        format!("<!-->{}", "<div>x".repeat(deep)),
        format!("<svg><title>{}", "<div>x".repeat(deep)),
        format!("<svg><g>{}", "<div/>x".repeat(deep)),
        "<div/>x".repeat(deep),
        // Each template's contents are a tree of their own.
        "<template><div>x".repeat(deep / 2),
        // Misnested formatting, which the parser mends by moving nodes.
        "<b><i><u><div>x</b></div>".repeat(deep / 4),
        "<b><em><div></b>x".repeat(deep / 4),
        // Markup the flattening reads otherwise than the parser: an `=`
        // opening an attribute name, a quoted `>` in an end tag, elements
        // void in HTML but not in SVG, and a tag left by cutting another.
        format!("<i =\">{}", "<div>x".repeat(deep)),
        "<div></p a=\"></div>\">x".repeat(deep),
        format!("<svg>{}{}", "<source>".repeat(deep), "</q>x".repeat(deep)),
        format!("{}{}", "<div>".repeat(600), "<<div>div>x".repeat(deep)),
    ];
    for attack in attacks {
        let x_count = attack.matches('x').count();
        for parsed in [parse_document(&attack), parse_fragment(&attack)] {
            assert!(
                depth_of(&parsed) <= MAX_DEPTH + 8,
                "{}: {}",
                &attack[..40],
                depth_of(&parsed)
            );
            assert_eq!(
                text_of(&parsed).matches('x').count(),
                x_count,
                "{}",
                &attack[..40]
            );
        }
    }
}

#[test]
fn flattening_keeps_a_shallow_page_uncopied() {
    assert!(matches!(
        flatten_deep("<div><p>a</p></div>"),
        std::borrow::Cow::Borrowed(_)
    ));
}
