//! French, Spanish, Italian and Portuguese: plural and gender endings, in
//! the manner of Savoy's light stemmers, kept to what inflection changes.

use super::{Stem, cut, cut_longest};

fn keep(keep: usize) -> Stem {
    Stem { keep, tail: "" }
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// French: plural `-s`/`-x` (`-aux` as `-al`), feminine `-e`.
pub fn french(word: &str) -> Stem {
    let mut k = word.len();
    if word.ends_with("eaux") {
        k -= 1;
    } else if let Some(c) = cut(word, "ux", 3).filter(|_| word.ends_with("aux")) {
        return keep(c); // journaux → journa, as journal
    } else if let Some(c) = cut_longest(word, &["s", "x"], 3) {
        k = c;
    }
    for _ in 0..2 {
        match cut(&word[..k], "e", 3) {
            Some(c) => k = c,
            None => break,
        }
    }
    if let Some(c) = cut(&word[..k], "l", 3).filter(|_| word[..k].ends_with("al")) {
        k = c;
    }
    keep(k)
}

/// Spanish: plural `-s`/`-es` and the final vowel of gender.
pub fn spanish(word: &str) -> Stem {
    final_vowel(word, plural_s(word), &['a', 'o', 'e'])
}

/// The length of `word` without a Spanish or Portuguese plural: `-es` after
/// a consonant (negociaciones, países, mulheres), `-s` after `a`, `o` or
/// `e` (acuerdos). A singular ending in `-s` after another letter (país,
/// crisis, virus) keeps it.
fn plural_s(word: &str) -> usize {
    let before = |ending: &str| {
        word.strip_suffix(ending)
            .and_then(|s| s.chars().next_back())
    };
    if let Some(c) = cut(word, "es", 3).filter(|_| before("es").is_some_and(|c| !is_vowel(c))) {
        return c;
    }
    match cut(word, "s", 3) {
        Some(c) if before("s").is_some_and(|c| matches!(c, 'a' | 'o' | 'e')) => c,
        _ => word.len(),
    }
}

/// Italian: the final vowel of number and gender (`-chi`/`-che` as `-ca`).
pub fn italian(word: &str) -> Stem {
    if let Some(c) = cut_longest(word, &["chi", "che", "ghi", "ghe"], 3) {
        return keep(c + 1);
    }
    final_vowel(word, word.len(), &['a', 'e', 'i', 'o'])
}

/// Portuguese: plural `-s` (`-ões`/`-ães` as `-ão`, `-ais` as `-al`) and
/// the final vowel of gender.
pub fn portuguese(word: &str) -> Stem {
    if let Some(c) = cut_longest(word, &["oes", "aes", "ao"], 3) {
        return keep(c);
    }
    if let Some(c) = cut(word, "is", 3).filter(|_| word.ends_with("ais")) {
        return keep(c); // nacionais → naciona, as nacional
    }
    if let Some(c) = cut(word, "l", 3).filter(|_| word.ends_with("al")) {
        return keep(c);
    }
    final_vowel(word, plural_s(word), &['a', 'o', 'e'])
}

/// The first `k` bytes of `word`, less one of `vowels` at their end when
/// three characters remain.
fn final_vowel(word: &str, k: usize, vowels: &[char]) -> Stem {
    let s = &word[..k];
    match s.chars().next_back() {
        Some(c) if vowels.contains(&c) && s[..k - 1].chars().count() >= 3 => keep(k - 1),
        _ => keep(k),
    }
}
