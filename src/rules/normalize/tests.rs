//! Tests of canonical text: words, folding and offsets.

use super::*;

fn words(text: &str) -> Vec<String> {
    Canonical::new(text, Fold::Folded)
        .words()
        .into_iter()
        .map(String::from)
        .collect()
}

fn exact(text: &str) -> Vec<String> {
    Canonical::new(text, Fold::Exact)
        .words()
        .into_iter()
        .map(String::from)
        .collect()
}

#[test]
fn folds_case_and_removes_diacritics() {
    assert_eq!(
        words("São Paulo ÉTIENNE Straße"),
        ["sao", "paulo", "etienne", "strasse"]
    );
    assert_eq!(
        words("e\u{301}te\u{301}"),
        ["ete"],
        "decomposed accents too"
    );
    assert_eq!(words("ΟΔΥΣΣΕΥΣ"), ["οδυσσευσ"]);
}

#[test]
fn exact_keeps_case_and_accents_but_unifies_forms() {
    assert_eq!(exact("São"), ["São"]);
    assert_eq!(
        exact("Sa\u{303}o"),
        ["São"],
        "composed and decomposed compare equal"
    );
    assert_eq!(
        exact("ﬁnal Ｆｕｌｌ"),
        ["final", "Full"],
        "compatibility forms unified"
    );
}

#[test]
fn follows_word_segmentation() {
    assert_eq!(
        words("U.S. can't 1,000 3.14 foo_bar cease-fire end. a:b"),
        [
            "u.s", "can't", "1,000", "3.14", "foo_bar", "cease", "fire", "end", "a:b"
        ]
    );
    assert_eq!(
        words("rock’n’roll"),
        ["rock'n'roll"],
        "curly apostrophes are unified"
    );
}

#[test]
fn cuts_possessives_and_splits_elisions() {
    assert_eq!(
        words("China's envoy, Russia’s"),
        ["china", "envoy", "russia"]
    );
    assert_eq!(
        words("l'Europe qu'il d’accord"),
        ["l", "europe", "qu", "il", "d", "accord"]
    );
    assert_eq!(words("don't o'clock"), ["don't", "o", "clock"]);
}

#[test]
fn unspaced_scripts_are_one_word_per_character_and_glued() {
    let c = Canonical::new("俄乌双方同意停火三天。Перемирие", Fold::Folded);
    assert_eq!(c.text, "俄乌双方同意停火三天 перемирие");
    assert_eq!(c.tokens.len(), 11);
    assert_eq!(
        Canonical::new("停'火 停,火", Fold::Folded).text,
        "停 火 停 火",
        "punctuation unglues"
    );
}

#[test]
fn format_characters_do_not_split_words_but_a_zero_width_space_does() {
    assert_eq!(
        words("cease\u{AD}fire zero\u{200B}width"),
        ["ceasefire", "zero", "width"]
    );
}

/// Each word's original text, by its offsets.
fn originals(text: &str) -> Vec<&str> {
    Canonical::new(text, Fold::Folded)
        .tokens
        .iter()
        .map(|t| &text[t.orig_start as usize..t.orig_end as usize])
        .collect()
}

#[test]
fn tokens_map_back_to_the_original() {
    assert_eq!(
        originals("Über  China’s “Straße”"),
        ["Über", "China", "Straße"]
    );
    assert_eq!(originals("l’Europe"), ["l", "Europe"], "elisions too");
    assert_eq!(
        originals("Sa\u{303}o ﬁn"),
        ["Sa\u{303}o", "ﬁn"],
        "clusters and ligatures"
    );
}

#[test]
fn vowel_points_are_diacritics_but_letter_making_marks_are_not() {
    assert_eq!(words("كَتَبَ שָׁלוֹם"), ["كتب", "שלום"]);
    assert_eq!(
        words("ガ ｶﾞ カ"),
        ["ガ", "ガ", "カ"],
        "kana voicing stays, halfwidth composes"
    );
    assert_eq!(words("대통령"), ["대통령"], "Hangul stays composed");
    assert_eq!(words("हिन्दी"), ["हिन्दी"], "Indic vowel signs stay");
    let thai = Canonical::new("ก่อน", Fold::Folded);
    assert_eq!(
        thai.words(),
        ["ก่", "อ", "น"],
        "a Thai mark stays with its consonant"
    );
}

#[test]
fn symbols_that_normalise_to_letters_still_separate_words() {
    assert_eq!(words("Apple™ Putin¹ km² ①"), ["apple", "putin", "km"]);
}

#[test]
fn long_texts_are_cut_at_the_limit() {
    let text = "a ".repeat(MAX_TEXT / 2 + 10);
    let c = Canonical::new(&text, Fold::Folded);
    assert_eq!(c.tokens.len(), MAX_TEXT / 2);
}
