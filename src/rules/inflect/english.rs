//! English: plural and third person `-s`, past `-ed`, participle `-ing`,
//! with the spelling changes they bring (`stopped`, `policies`, `hoping`).
//!
//! These are the inflectional steps of Porter's algorithm (1a, 1b, 1c) and
//! its final-e rules (5a, 5b), which decide whether `hoping` was `hope` or
//! `hop` by the shape of what is left, so `note` stays apart from `not`,
//! `plane` from `plan` and `rate` from `rat`. Its derivational steps
//! (`-ation`, `-ize`, `-ful`) are not taken: `organizations` is not `organ`.

use super::Stem;

/// Words whose ending is no inflection, and names that would otherwise
/// meet another word: kept whole.
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
            | "evening"
            | "morning"
            | "during"
            | "nothing"
            | "something"
            | "anything"
            | "everything"
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

/// The longest word stemmed; longer ones are names, codes or run-ons.
const LONGEST: usize = 40;

/// A word being stemmed, as ASCII letters.
struct Word {
    letters: [u8; LONGEST],
    len: usize,
}

impl Word {
    fn ends_with(&self, ending: &str) -> bool {
        self.letters[..self.len].ends_with(ending.as_bytes())
    }

    fn cut(&mut self, n: usize) {
        self.len -= n;
    }

    fn push(&mut self, letter: u8) {
        self.letters[self.len] = letter;
        self.len += 1;
    }

    /// Porter's consonant: not a vowel, and `y` only after a vowel.
    fn consonant(&self, i: usize) -> bool {
        match self.letters[i] {
            b'a' | b'e' | b'i' | b'o' | b'u' => false,
            b'y' => i == 0 || !self.consonant(i - 1),
            _ => true,
        }
    }

    /// Porter's measure of the first `n` letters: how many vowel-consonant
    /// sequences they hold.
    fn measure(&self, n: usize) -> usize {
        let mut m = 0;
        let mut i = 0;
        while i < n && self.consonant(i) {
            i += 1;
        }
        while i < n {
            while i < n && !self.consonant(i) {
                i += 1;
            }
            if i == n {
                break;
            }
            while i < n && self.consonant(i) {
                i += 1;
            }
            m += 1;
        }
        m
    }

    fn has_vowel(&self, n: usize) -> bool {
        (0..n).any(|i| !self.consonant(i))
    }

    /// The first `n` letters end in a doubled consonant.
    fn double_consonant(&self, n: usize) -> bool {
        n >= 2 && self.letters[n - 1] == self.letters[n - 2] && self.consonant(n - 1)
    }

    /// The first `n` letters end consonant-vowel-consonant, the last not
    /// `w`, `x` or `y` (hop, not hoop): a short syllable.
    fn short_syllable(&self, n: usize) -> bool {
        n >= 3
            && self.consonant(n - 3)
            && !self.consonant(n - 2)
            && self.consonant(n - 1)
            && !matches!(self.letters[n - 1], b'w' | b'x' | b'y')
    }
}

/// The stem of an English canonical word.
pub fn stem(word: &str) -> Stem {
    let bytes = word.as_bytes();
    // Only these endings change: -s, -ed, -ing, -y, -e, -ll.
    let changes = matches!(bytes.last(), Some(b's' | b'd' | b'g' | b'y' | b'e' | b'l'));
    if !changes || bytes.len() > LONGEST || !bytes.iter().all(u8::is_ascii_lowercase) || kept(word)
    {
        return Stem::whole(word);
    }
    let mut w = Word {
        letters: [0; LONGEST],
        len: bytes.len(),
    };
    w.letters[..bytes.len()].copy_from_slice(bytes);
    plural(&mut w);
    past_and_participle(&mut w);
    final_y(&mut w);
    final_e(&mut w);
    as_stem(word, &w)
}

/// Step 1a: `-sses`, `-ies`, `-s`; and `-sis` as the `-ses` of its plural
/// (crisis as crises).
fn plural(w: &mut Word) {
    if w.ends_with("sses") || (w.ends_with("ies") && w.len >= 5) {
        w.cut(2); // classes → class, policies → polici
    } else if w.ends_with("sis") && w.len >= 5 {
        w.cut(2);
        w.push(b'e');
    } else if w.ends_with("s") && !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is")) {
        w.cut(1);
    }
}

/// Step 1b: `-eed`, `-ed`, `-ing`, then the spelling the cut left mended:
/// negotiat → negotiate, stopp → stop, hop → hope, us → use.
fn past_and_participle(w: &mut Word) {
    if w.ends_with("eed") {
        if w.measure(w.len - 3) > 0 {
            w.cut(1);
        }
        return;
    }
    // Two letters at least are left, as every stem keeps its word's first
    // two bytes.
    let cut = if w.ends_with("ed") && w.len >= 4 && w.has_vowel(w.len - 2) {
        2
    } else if w.ends_with("ing") && w.has_vowel(w.len - 3) && w.len >= 5 {
        3
    } else {
        return;
    };
    w.cut(cut);
    let n = w.len;
    if w.ends_with("at") || w.ends_with("bl") || w.ends_with("iz") {
        w.push(b'e');
    } else if w.double_consonant(n) && !matches!(w.letters[n - 1], b'l' | b's' | b'z') {
        w.cut(1);
    } else if (w.measure(n) == 1 && w.short_syllable(n)) || n == 2 {
        w.push(b'e');
    }
}

/// Step 1c: a final `y` after a consonant that is not the first letter is
/// `i`, as in the plural (policy as policies, try as tried).
fn final_y(w: &mut Word) {
    let n = w.len;
    if n >= 3 && w.letters[n - 1] == b'y' && w.consonant(n - 2) {
        w.letters[n - 1] = b'i';
    }
}

/// Steps 5a and 5b: a final `e` goes unless it ends a short word of one
/// short syllable (note, hope, rate, use), and a final `ll` of a long word
/// is `l` (controll as control).
fn final_e(w: &mut Word) {
    let n = w.len;
    if n >= 4 && w.letters[n - 1] == b'e' {
        let m = w.measure(n - 1);
        if m > 1 || (m == 1 && !w.short_syllable(n - 1)) {
            w.cut(1);
        }
    }
    let n = w.len;
    if w.measure(n) > 1 && w.double_consonant(n) && w.letters[n - 1] == b'l' {
        w.cut(1);
    }
}

/// The stem as the word's first letters and a tail of `e` or `i`.
fn as_stem(word: &str, w: &Word) -> Stem {
    let stem = &w.letters[..w.len];
    let bytes = word.as_bytes();
    let keep = stem.iter().zip(bytes).take_while(|(a, b)| a == b).count();
    let tail = match &stem[keep..] {
        [] => "",
        [b'e'] => "e",
        [b'i'] => "i",
        _ => return Stem::whole(word),
    };
    Stem { keep, tail }
}
