//! Tests of matching: every construct of the language, in several scripts.

use super::*;
use crate::model::Field;

fn rules(queries: &[&str]) -> RuleSet {
    RuleSet::new(
        queries
            .iter()
            .map(|q| RuleSpec {
                query: Query::parse(q).unwrap(),
                exact: false,
            })
            .collect(),
    )
    .unwrap()
}

/// An article of only a title and a body.
fn titled<'a>(title: &'a str, body: &'a str) -> ArticleText<'a> {
    ArticleText {
        title,
        summary: "",
        body,
        language: None,
    }
}

fn body(text: &str) -> ArticleText<'_> {
    ArticleText {
        body: text,
        ..Default::default()
    }
}

/// True when the single rule `query` matches `text` (as body).
fn hits(query: &str, text: &str) -> bool {
    !rules(&[query]).evaluate(&body(text)).is_empty()
}

#[test]
fn terms_match_whole_words_whatever_case_and_accents() {
    assert!(hits("ceasefire", "A CEASEFIRE was agreed"));
    assert!(!hits("ceasefire", "ceasefires were agreed"));
    assert!(!hits("ceasefire", "preceasefire talks"));
    assert!(hits("sao paulo", "São Paulo"));
    assert!(hits("Étienne", "etienne"));
    assert!(hits("strasse", "Straße"));
}

#[test]
fn phrases_allow_only_spaces_punctuation_and_hyphens_between_words() {
    for text in [
        "a cease-fire now",
        "Cease  fire",
        "cease\nfire",
        "cease, fire",
    ] {
        assert!(hits("\"cease fire\"", text), "{text:?}");
    }
    assert!(!hits("\"cease fire\"", "cease the fire"));
    assert!(
        hits("cease-fire", "cease fire"),
        "a hyphenated term is a phrase"
    );
}

#[test]
fn prefixes_match_the_start_of_a_word() {
    for text in ["mediation", "Mediators", "mediated"] {
        assert!(hits("mediat*", text), "{text:?}");
    }
    assert!(!hits("mediat*", "premediation"));
    assert!(hits("\"peace talk*\"", "peace talks resumed"));
}

#[test]
fn boolean_operators() {
    assert!(hits("truce AND gaza", "Gaza truce"));
    assert!(hits("truce gaza", "Gaza truce"), "adjacent terms mean AND");
    assert!(!hits("truce gaza", "truce"));
    assert!(hits("truce OR armistice", "armistice"));
    assert!(hits("truce -rumour", "truce"));
    assert!(!hits("truce -rumour", "truce rumour"));
    assert!(!hits("truce NOT (rumour OR denied)", "truce denied"));
    assert!(hits("a OR b AND c", "a"), "AND binds tighter than OR");
    assert!(!hits("(a OR b) AND c", "a"));
}

#[test]
fn near_counts_word_positions_within_one_field() {
    for (distance, text, hit) in [
        (1, "peace talks", true),
        (1, "talks, peace", true),
        (1, "peace and talks", false),
        (2, "peace and talks", true),
    ] {
        let query = format!("NEAR/{distance}(peace, talks)");
        assert_eq!(hits(&query, text), hit, "{query} on {text:?}");
    }
    assert!(hits(
        "NEAR/5(china, peace, \"talks\")",
        "China said the peace talks failed"
    ));
    assert!(hits("NEAR/1(\"peace talks\", china)", "peace talks China"));
    let split = titled("peace", "talks");
    assert!(
        rules(&["NEAR/3(peace, talks)"]).evaluate(&split).is_empty(),
        "NEAR stays in one field"
    );
    assert!(
        !rules(&["peace AND talks"]).evaluate(&split).is_empty(),
        "AND spans fields"
    );
}

#[test]
fn near_in_unspaced_scripts_counts_characters() {
    assert!(hits("NEAR/3(停火, 三天)", "同意停火三天"));
    assert!(!hits("NEAR/1(停火, 天)", "同意停火三天"));
    assert!(hits("NEAR/2(停火, 天)", "同意停火三天"));
}

#[test]
fn fields_scope_terms() {
    let text = titled("Sanctions lifted", "Iran welcomed it");
    let found = |q: &str| !rules(&[q]).evaluate(&text).is_empty();
    assert!(found("title:sanctions"));
    assert!(!found("body:sanctions"));
    assert!(found("title:sanctions body:(iran OR russia)"));
    assert!(!found("title:(iran OR russia)"));
}

#[test]
fn possessive_and_elision() {
    assert!(hits("china", "China's envoy"));
    assert!(hits("china", "China’s envoy"));
    assert!(hits("europe", "l'Europe"));
    assert!(hits("\"l'europe\"", "l’Europe"));
}

#[test]
fn unspaced_scripts_match_inside_text_others_as_words() {
    assert!(hits("停火", "俄乌双方同意停火三天"));
    assert!(hits("перемирие", "Перемирие вступило в силу"));
    assert!(!hits("перемирие", "перемирием"));
    assert!(hits("停火 перемирие", "同意停火。Перемирие"));
    assert!(
        hits("ceasefire", "停火ceasefire"),
        "a script change is a word boundary"
    );
}

#[test]
fn exact_rules_keep_case_and_accents() {
    let set = RuleSet::new(vec![RuleSpec {
        query: Query::parse("São OR IRA").unwrap(),
        exact: true,
    }])
    .unwrap();
    assert!(set.evaluate(&body("sao")).is_empty());
    assert_eq!(
        set.evaluate(&body("Sa\u{303}o")).len(),
        1,
        "composed and decomposed agree"
    );
    assert_eq!(set.evaluate(&body("the IRA said")).len(), 1);
    assert!(set.evaluate(&body("ira said")).is_empty());
    assert!(set.evaluate(&body("Sao")).is_empty());
}

#[test]
fn reports_terms_as_written_and_hit_offsets() {
    let set = rules(&["truce OR \"cease fire\" OR ceasefire OR mediat* -rumour"]);
    let text = titled("Ceasefire holds", "The cease-fire began; mediators met.");
    let found = set.evaluate(&text);
    assert_eq!(found[0].terms, ["\"cease fire\"", "ceasefire", "mediat*"]);
    let spans: Vec<_> = found[0]
        .hits
        .iter()
        .map(|h| (h.field, h.start, h.end))
        .collect();
    assert_eq!(
        spans,
        [
            (Field::Title, 0, 9),
            (Field::Body, 4, 14),
            (Field::Body, 22, 31)
        ]
    );
}

#[test]
fn only_matching_rules_are_returned_in_rule_order() {
    let set = rules(&["mediation", "ceasefire", "truce OR ceasefire"]);
    let found = set.evaluate(&body("ceasefire"));
    let ids: Vec<usize> = found.iter().map(|m| m.rule).collect();
    assert_eq!(ids, [1, 2]);
}

#[test]
fn memory_is_reported() {
    assert!(rules(&["a", "b"]).memory_bytes() > 0);
    assert_eq!(RuleSet::default().memory_bytes(), 0);
}

#[test]
fn double_negation_reports_its_terms() {
    let found = rules(&["NOT NOT truce"]).evaluate(&body("a truce"));
    assert_eq!(found[0].terms, ["truce"]);
    assert_eq!(found[0].hits.len(), 1);
}
