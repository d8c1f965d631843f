//! A text's word shingles: every run of `SHINGLE` consecutive words of its
//! canonical form (the rules' normalisation, so case, accents and scripts
//! written without spaces are treated as rules treat them), hashed.

use crate::rules::{Canonical, Fold};

/// Words per shingle. Three words survive light edits (a substituted word
/// breaks three shingles, not a sentence) while two articles on one topic
/// share few three-word phrases.
pub const SHINGLE: usize = 3;

/// The most words of a text that are shingled: a copy is recognised by its
/// start, and longer texts would only cost time and storage.
pub const MAX_WORDS: usize = 3_000;

/// The distinct shingle hashes of `parts` read as one text, sorted.
pub fn shingles(parts: &[&str]) -> Vec<u32> {
    let mut words: Vec<u64> = Vec::new();
    for part in parts {
        let canonical = Canonical::new(part, Fold::Folded);
        let room = MAX_WORDS - words.len();
        words.extend(
            canonical
                .tokens
                .iter()
                .take(room)
                .map(|t| word_hash(&canonical.text[t.canon_start as usize..t.canon_end as usize])),
        );
        if words.len() == MAX_WORDS {
            break;
        }
    }
    let mut hashes: Vec<u32> = words
        .windows(SHINGLE)
        .map(|w| {
            let combined = w.iter().fold(0u64, |h, &word| mix(h ^ word));
            (combined >> 32) as u32
        })
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// FNV-1a of a word's bytes: stable across versions and machines, since
/// the hashes are stored.
fn word_hash(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The splitmix64 finaliser: every input bit moves every output bit, so the
/// order of a shingle's words counts.
pub(super) fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_accents_and_punctuation_do_not_change_a_shingle() {
        assert_eq!(
            shingles(&["Les négociations reprennent à Genève."]),
            shingles(&["les NEGOCIATIONS reprennent -- a geneve"])
        );
    }

    #[test]
    fn word_order_counts() {
        assert_ne!(
            shingles(&["peace talks resume"]),
            shingles(&["talks peace resume"])
        );
    }

    #[test]
    fn a_text_of_n_distinct_words_has_n_minus_two_shingles() {
        assert_eq!(shingles(&["one two three four five"]).len(), 3);
        assert!(shingles(&["one two"]).is_empty());
        // The parts read as one text: shingles run across them.
        assert_eq!(shingles(&["one two", "three four five"]).len(), 3);
    }

    #[test]
    fn chinese_is_shingled_by_character_and_russian_by_word() {
        // Eight characters: six shingles.
        assert_eq!(shingles(&["双方宣布停火协议"]).len(), 6);
        assert_eq!(shingles(&["Стороны договорились о перемирии"]).len(), 2);
        assert_eq!(
            shingles(&["СТОРОНЫ договорились о перемирии"]),
            shingles(&["Стороны договорились о перемирии"])
        );
    }

    #[test]
    fn only_the_first_words_are_shingled() {
        let long: String = (0..MAX_WORDS + 500).map(|i| format!("w{i} ")).collect();
        assert_eq!(shingles(&[&long]).len(), MAX_WORDS - SHINGLE + 1);
    }
}
