//! Property test: for random queries and texts over a small vocabulary of
//! accents, hyphens, apostrophes, CJK and Cyrillic, the compiled matcher
//! agrees with the naive reference evaluator, in texts of every language
//! with inflection support and of none.

use proptest::prelude::*;

use super::reference;
use super::{Query, RuleSet, RuleSpec};
use crate::model::{ArticleText, Language};

const WORDS: &[&str] = &[
    "peace",
    "Peace",
    "talks",
    "cease",
    "fire",
    "ceasefire",
    "São",
    "sao",
    "Sa\u{303}o",
    "étienne",
    "ETIENNE",
    "China's",
    "china",
    "l'Europe",
    "europe",
    "停火",
    "停",
    "火",
    "三天",
    "перемирие",
    "Перемирие",
    "ПЕРЕМИРИЕ",
    "don't",
    "U.S.",
    "us",
    "1,000",
    "mediation",
    "mediator",
    "Straße",
    "strasse",
    "ΕΙΡΗΝΗ",
    "ειρηνη",
    "カタカナ",
    "qu'il",
    "كَتَبَ",
    "كتب",
    "שָׁלוֹם",
    "שלום",
    "ガ",
    "ｶﾞ",
    "カ",
    "대통령",
    "대토",
    "ก่อน",
    "ก",
    "Apple™",
    "apple",
    "km²",
    "ﬁnal",
    "Ｆｉｎａｌ",
    "cease\u{AD}fire",
    "हिन्दी",
    "e\u{301}te\u{301}",
    "été",
    "talk",
    "Talks",
    "talked",
    "talking",
    "policy",
    "policies",
    "organ",
    "organizations",
    "перемирии",
    "перемирия",
    "мир",
    "мировой",
    "Waffenstillstand",
    "Waffenstillstände",
    "médiations",
    "negociaciones",
    "negociación",
    "tregue",
];

const SEPARATORS: &[&str] = &[
    " ", "  ", "-", ", ", ". ", "\n", "—", "", "'", "’s ", "。", "\u{200B}",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(WORDS),
            prop::sample::select(SEPARATORS),
        ),
        0..10,
    )
    .prop_map(|parts| parts.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
}

/// A term as a query writes it: a word, a prefix or a phrase.
fn term() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(WORDS).prop_map(String::from),
        prop::sample::select(
            &[
                "pea*",
                "medi*",
                "cease*",
                "пере*",
                "chin*",
                "sa*",
                "대토*",
                "fi*",
                "ﬁn*"
            ][..]
        )
        .prop_map(String::from),
        prop::collection::vec(prop::sample::select(WORDS), 1..3)
            .prop_map(|w| format!("\"{}\"", w.join(" "))),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => term(),
        1 => (term(), prop::sample::select(&["title:", "summary:", "body:"][..])).prop_map(|(t, f)| format!("{f}{t}")),
        1 => (1u32..4, prop::collection::vec(term(), 2..4)).prop_map(|(k, ts)| format!("NEAR/{k}({})", ts.join(", "))),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|v| format!("({})", v.join(" OR "))),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|v| format!("({})", v.join(" AND "))),
            (inner.clone(), inner).prop_map(|(a, b)| format!("({a} -{b})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn compiled_matcher_agrees_with_reference(
        query in expr(),
        exact in any::<bool>(),
        language in prop::option::of(prop::sample::select(&Language::ALL[..])),
        title in text(),
        summary in text(),
        body in text(),
    ) {
        let Ok(parsed) = Query::parse(&query) else {
            return Err(TestCaseError::reject("query refused"));
        };
        let article = ArticleText { title: &title, summary: &summary, body: &body, language };
        let expected = reference::evaluate(&parsed, exact, &article);
        let set = RuleSet::new(vec![RuleSpec { query: parsed, exact }]).unwrap();
        let found = set.evaluate(&article).into_iter().next().map(|m| m.terms);
        prop_assert_eq!(found, expected, "query {:?} exact {} language {:?}", query, exact, language);
    }
}
