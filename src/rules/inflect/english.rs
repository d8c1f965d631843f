//! English: plural and third person `-s`, past `-ed`, participle `-ing`,
//! and the spelling changes they bring (`stopped`, `policies`, `hoping`).

use super::{Stem, cut};

/// Words whose final `s` is not a plural (and a few names that would
/// otherwise meet another word): kept whole.
fn kept(word: &str) -> bool {
    matches!(
        word,
        "news"
            | "series"
            | "species"
            | "means"
            | "always"
            | "perhaps"
            | "this"
            | "his"
            | "its"
            | "was"
            | "has"
            | "does"
            | "yes"
            | "thus"
            | "hamas"
            | "texas"
            | "james"
            | "wales"
            | "lagos"
            | "caracas"
            | "honduras"
            | "barbados"
            | "kansas"
            | "arkansas"
            | "athens"
            | "mars"
            | "christmas"
            | "chaos"
            | "atlas"
            | "bias"
    )
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

fn has_vowel(s: &[u8]) -> bool {
    s.iter().copied().any(is_vowel)
}

/// The stem of an English canonical word.
pub fn stem(word: &str) -> Stem {
    let w = word.as_bytes();
    if !w.iter().all(u8::is_ascii_lowercase) || kept(word) {
        return Stem::whole(word);
    }
    let mut keep = w.len();
    let mut tail = "";
    // Plural and third person.
    if word.ends_with("sses") {
        keep -= 2;
    } else if word.ends_with("sis") && keep >= 5 {
        keep -= 2; // crisis → cris, as crises
    } else if word.ends_with("ses") && keep >= 5 {
        keep -= 2; // crises → cris; houses → hous, as house
    } else if word.ends_with("ies") && keep >= 5 {
        keep -= 3;
        tail = "i";
    } else if word.ends_with('s')
        && !(word.ends_with("ss") || word.ends_with("us") || word.ends_with("is"))
    {
        keep -= 1;
    }
    let mut cut_ed = false;
    if tail.is_empty() {
        // Past and participle, twice at most (`needed` → need → ne, as `need`).
        for _ in 0..2 {
            let s = &word[..keep];
            let ing = cut(s, "ing", 2).filter(|&k| has_vowel(&w[..k]));
            let ed = cut(s, "ed", 2).filter(|&k| has_vowel(&w[..k]));
            match (ing, ed) {
                (Some(k), _) => {
                    keep = k;
                    cut_ed = false;
                }
                (None, Some(k)) if s.ends_with("ied") && k >= 3 => {
                    keep = k; // tried → tri, as try
                    cut_ed = true;
                    break;
                }
                (None, Some(k)) => {
                    keep = k;
                    cut_ed = true;
                }
                (None, None) => break,
            }
        }
    }
    if tail.is_empty() && keep >= 3 {
        let last = w[keep - 1];
        if last == b'y' && !is_vowel(w[keep - 2]) {
            // policy → polici, as policies.
            keep -= 1;
            tail = "i";
        } else if last == b'e' && !cut_ed {
            // negotiate → negotiat, as negotiated and negotiating; but
            // agreed → agre is agree less its d already.
            keep -= 1;
        }
        if tail.is_empty() && keep >= 3 {
            let (a, b) = (w[keep - 2], w[keep - 1]);
            if a == b && !is_vowel(b) && !matches!(b, b'l' | b's' | b'z') {
                // stopped → stop; add and added alike → ad.
                keep -= 1;
            }
        }
    }
    Stem { keep, tail }
}
