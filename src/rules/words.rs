//! Splitting text into comparable words, the same way for queries and articles.
//!
//! A word is a run of letters and digits, lowercased. Characters of scripts
//! written without spaces (Han, kana, Thai, ...) are one word each, so a
//! term in those scripts matches as a substring of the running text.

/// One word of a text: its comparable form and where it sits in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Lowercased form, compared against query words.
    pub norm: String,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
}

/// Splits `text` into words, in order.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current: Option<Word> = None;
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        if is_unspaced_script(c) {
            out.extend(current.take());
            out.push(Word {
                norm: c.to_lowercase().collect(),
                start: at,
                end,
            });
        } else if c.is_alphanumeric() {
            let word = current.get_or_insert_with(|| Word {
                norm: String::new(),
                start: at,
                end,
            });
            word.norm.extend(c.to_lowercase());
            word.end = end;
        } else {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}

/// True for characters of scripts that do not separate words with spaces.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han
        | 0xF900..=0xFAFF    // Han compatibility
        | 0x20000..=0x2FA1F  // Han supplementary planes
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.norm).collect()
    }

    #[test]
    fn splits_on_punctuation_and_hyphens() {
        assert_eq!(norms("Cease-fire, now!"), ["cease", "fire", "now"]);
    }

    #[test]
    fn lowercases_every_script() {
        assert_eq!(norms("Перемирие ΕΙΡΗΝΗ"), ["перемирие", "ειρηνη"]);
    }

    #[test]
    fn han_characters_are_words_of_their_own() {
        assert_eq!(norms("同意停火3天"), ["同", "意", "停", "火", "3", "天"]);
    }

    #[test]
    fn keeps_byte_offsets_of_the_original() {
        let text = "Über Straße";
        let w = words(text);
        assert_eq!(&text[w[1].start..w[1].end], "Straße");
    }
}
