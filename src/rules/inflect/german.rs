//! German: the inflectional endings of Snowball's German steps 1 and 2
//! (`-e`, `-en`, `-er`, `-es`, `-em`, `-ern`, `-s`, `-est`), never its
//! derivational step (`-ung`, `-heit`, `-lich`). Umlauts are already
//! folded, so `Waffenstillstände` meets `Waffenstillstand`.

use super::{Stem, cut, cut_longest};

/// Letters after which a final `s` is an ending (Snowball's s-ending).
fn s_ending(b: u8) -> bool {
    matches!(
        b,
        b'b' | b'd' | b'f' | b'g' | b'h' | b'k' | b'l' | b'm' | b'n' | b'r' | b't'
    )
}

/// The stem of a German canonical word.
pub fn stem(word: &str) -> Stem {
    let mut keep = word.len();
    let s = &word[..keep];
    if let Some(k) = cut_longest(s, &["ern", "em", "en", "er", "es", "e"], 3) {
        keep = k;
    } else if let Some(k) = cut(s, "s", 3).filter(|&k| s_ending(word.as_bytes()[k - 1])) {
        keep = k;
    }
    let s = &word[..keep];
    // Not `-est`: the superlative's cut takes too much (Schwester).
    if let Some(k) = cut_longest(s, &["en", "er"], 3) {
        keep = k;
    }
    if word[..keep].ends_with("ss") && keep > 4 {
        keep -= 1; // Bündnisse → bundnis, as Bündnis; Flüsse as Fluss
    }
    Stem { keep, tail: "" }
}
