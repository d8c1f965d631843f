//! Tests of the query parser: the tree it builds and its exact errors.

use super::*;
use crate::model::Field;

fn parse(q: &str) -> Query {
    Query::parse(q).unwrap_or_else(|e| panic!("{q:?}: {e} at {}", e.offset))
}

/// The tree `q` parses to.
fn tree(q: &str) -> Expr {
    parse(q).expr
}

fn written(q: &str) -> Vec<String> {
    parse(q).terms.into_iter().map(|t| t.written).collect()
}

#[test]
fn and_binds_tighter_than_or_and_adjacency_means_and() {
    assert_eq!(
        tree("a b OR c AND d"),
        Expr::Or(vec![
            Expr::And(vec![Expr::Term(0), Expr::Term(1)]),
            Expr::And(vec![Expr::Term(2), Expr::Term(3)]),
        ])
    );
}

#[test]
fn not_and_minus_and_parentheses() {
    assert_eq!(
        tree("ceasefire -rumour NOT (sport OR football)"),
        Expr::And(vec![
            Expr::Term(0),
            Expr::Not(Box::new(Expr::Term(1))),
            Expr::Not(Box::new(Expr::Or(vec![Expr::Term(2), Expr::Term(3)]))),
        ])
    );
    assert_eq!(
        written("cease-fire"),
        ["cease-fire"],
        "an inner hyphen is not NOT"
    );
}

#[test]
fn terms_keep_how_they_were_written() {
    assert_eq!(
        written(r#"ceasefire OR "cease fire" OR mediat* OR "peace talk"* OR 停火"#),
        [
            "ceasefire",
            "\"cease fire\"",
            "mediat*",
            "\"peace talk\"*",
            "停火"
        ]
    );
    let q = parse("mediat*");
    assert!(q.terms[0].prefix);
    assert_eq!(q.terms[0].text, "mediat");
}

#[test]
fn fields_scope_terms_and_groups() {
    let q = parse("title:sanctions body:(iran OR russia) talks");
    let fields: Vec<bool> = q
        .terms
        .iter()
        .map(|t| t.fields.contains(Field::Title))
        .collect();
    assert_eq!(fields, [true, false, false, true]);
    assert!(q.terms[1].fields.contains(Field::Body));
    assert!(!q.terms[1].fields.contains(Field::Summary));
}

#[test]
fn near_takes_a_distance_and_terms() {
    assert_eq!(
        tree("NEAR/5(china, peace, \"talks\")"),
        Expr::Near {
            distance: 5,
            terms: vec![0, 1, 2]
        }
    );
    assert_eq!(
        tree("NEAR(a, b)"),
        Expr::Near {
            distance: 5,
            terms: vec![0, 1]
        }
    );
}

/// What a NEAR/ with no usable distance is told.
const NEAR_NUMBER: &str = "NEAR/ needs a whole number from 1 to 1000: NEAR/5(a, b)";

/// What a minus standing alone is told.
const LONE_MINUS: &str = "a lone - is not a term: write -word to exclude a word";

/// What a query of nothing but exclusions is told.
const ONLY_NOT: &str = "a rule cannot be only NOT terms: add a term the article must contain";

#[test]
fn errors_are_exact_and_located() {
    let cases = [
        ("", 0, "empty query"),
        ("(a OR b", 0, "unbalanced parenthesis"),
        ("a OR b)", 6, "unbalanced parenthesis"),
        ("NEAR/3(a)", 0, "NEAR needs at least two terms"),
        ("NEAR/0(a, b)", 0, NEAR_NUMBER),
        ("NEAR/99999999999(a,b)", 0, NEAR_NUMBER),
        ("NEAR/+3(a,b)", 0, NEAR_NUMBER),
        ("a -", 2, LONE_MINUS),
        ("a - b", 2, LONE_MINUS),
        ("(((", 0, "unbalanced parenthesis"),
        ("title:title:x", 0, "title: needs a term after it"),
        (
            "title:(body:x)",
            7,
            "body: inside another field's parentheses can never match",
        ),
        ("NEAR/2()", 0, "NEAR needs at least two terms"),
        ("NEAR/x(a, b)", 0, NEAR_NUMBER),
        (
            "NEAR/2(a, (b))",
            10,
            "NEAR takes only terms and phrases, separated by commas",
        ),
        (
            "titel:sanctions",
            0,
            "unknown field \"titel\" (did you mean \"title\"?)",
        ),
        ("a \"\"", 2, "empty phrase"),
        ("a \"b", 2, "unclosed quote"),
        ("NOT a", 0, ONLY_NOT),
        ("-a -b", 0, ONLY_NOT),
        ("a OR NOT b", 0, ONLY_NOT),
        ("a OR", 2, "OR needs a term on each side"),
        ("OR a", 0, "an operator needs a term before it"),
        ("a AND", 2, "AND needs a term on each side"),
        ("m*", 0, "a prefix needs at least two letters before its *"),
        ("me*d", 0, "* may only end a term (mediat*)"),
        ("!!", 0, "a term needs at least one letter or digit"),
        ("()", 0, "empty parentheses"),
        ("a, b", 1, "a comma only separates the terms of NEAR(...)"),
        ("title:", 0, "title: needs a term after it"),
    ];
    for (query, offset, message) in cases {
        let err = Query::parse(query).unwrap_err();
        assert_eq!(
            (err.offset, err.message.as_str()),
            (offset, message),
            "{query:?}"
        );
    }
}

#[test]
fn not_of_not_is_positive() {
    assert!(Query::parse("NOT (NOT a)").is_ok());
    assert!(Query::parse("a -b").is_ok());
}

#[test]
fn fields_take_any_operand_after_the_colon() {
    let q = parse("title:-rumour truce");
    assert_eq!(
        q.expr,
        Expr::And(vec![Expr::Not(Box::new(Expr::Term(0))), Expr::Term(1)])
    );
    assert!(q.terms[0].fields.contains(Field::Title) && !q.terms[0].fields.contains(Field::Body));
    let q = parse("title: NOT rumour truce");
    assert_eq!(q.terms[0].written, "rumour");
    let q = parse("title:NEAR/2(a, b)");
    assert!(matches!(q.expr, Expr::Near { distance: 2, .. }));
    assert!(!q.terms[1].fields.contains(Field::Body));
}

#[test]
fn double_minus_is_double_negation_and_ligatures_count_as_letters() {
    assert_eq!(
        tree("--a"),
        Expr::Not(Box::new(Expr::Not(Box::new(Expr::Term(0)))))
    );
    assert!(
        Query::parse("ﬁ*").is_ok(),
        "ﬁ is two letters once normalised"
    );
}

#[test]
fn nesting_past_the_limit_is_refused_where_it_goes_too_deep() {
    let deep = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
    let err = Query::parse(&deep(20_000)).unwrap_err();
    assert_eq!(err.offset, MAX_NESTING);
    assert!(
        err.message.contains("more than 100 deep"),
        "{}",
        err.message
    );
    let nots = format!("a {}b", "NOT ".repeat(100_000));
    assert!(Query::parse(&nots).unwrap_err().message.contains("deep"));
    let minuses = format!("a {}b", "-".repeat(50_000));
    assert!(Query::parse(&minuses).is_err());
}

#[test]
fn the_deepest_query_accepted_parses_on_a_small_stack() {
    // The limit, not the thread, bounds the recursion: 512 KiB is a
    // quarter of what a worker thread has, even unoptimised.
    let query = format!(
        "{}a NOT b{}",
        "(".repeat(MAX_NESTING - 1),
        ")".repeat(MAX_NESTING - 1)
    );
    let parsed = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || Query::parse(&query).map(|q| q.terms.len()))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(parsed, Ok(2));
}
