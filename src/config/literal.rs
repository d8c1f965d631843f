//! Mapping a position inside a TOML string's value back to the file, so
//! that a caret under a query error lands on the right character even when
//! the string holds escapes or is a multi-line string.

/// The byte offset in `source` of byte `decoded` of the string value whose
/// literal starts at `start` (at its opening quote).
pub fn source_offset(source: &str, start: usize, decoded: usize) -> usize {
    let rest = &source[start..];
    let (quote_len, basic) = if rest.starts_with("\"\"\"") {
        (3, true)
    } else if rest.starts_with("'''") {
        (3, false)
    } else if rest.starts_with('"') {
        (1, true)
    } else if rest.starts_with('\'') {
        (1, false)
    } else {
        return start + decoded;
    };
    let mut at = start + quote_len;
    if quote_len == 3 {
        // A newline right after the opening quotes is not part of the value.
        if source[at..].starts_with("\r\n") {
            at += 2;
        } else if source[at..].starts_with('\n') {
            at += 1;
        }
    }
    let mut produced = 0;
    while produced < decoded && at < source.len() {
        let (consumed, length) = if basic && source[at..].starts_with('\\') {
            escape(&source[at..])
        } else {
            let c = source[at..].chars().next().expect("at a char boundary");
            (c.len_utf8(), c.len_utf8())
        };
        at += consumed;
        produced += length;
    }
    at
}

/// For an escape at the start of `text`: the source bytes it spans and the
/// value bytes it stands for.
fn escape(text: &str) -> (usize, usize) {
    let unicode = |digits: usize| {
        let value = text
            .get(2..2 + digits)
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32)
            .map_or(1, char::len_utf8);
        (2 + digits, value)
    };
    match text[1..].chars().next() {
        Some('u') => unicode(4),
        Some('U') => unicode(8),
        // A line-ending backslash swallows the whitespace after it.
        Some(c) if c.is_whitespace() => {
            let skipped = text[1..]
                .find(|c: char| !c.is_whitespace())
                .map_or(text.len(), |i| i + 1);
            (skipped, 0)
        }
        _ => (2, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caret(source: &str, decoded: usize) -> char {
        source[source_offset(source, 0, decoded)..]
            .chars()
            .next()
            .unwrap()
    }

    #[test]
    fn plain_and_literal_strings() {
        assert_eq!(caret("\"a OR )\"", 5), ')');
        assert_eq!(caret("'a\\b )'", 4), ')', "no escapes in literal strings");
    }

    #[test]
    fn escapes_count_as_what_they_stand_for() {
        assert_eq!(caret("\"\\\"cease fire\\\" AND )\"", 17), ')');
        assert_eq!(caret("\"\\u00e9t\\u00e9 )\"", 6), ')');
    }

    #[test]
    fn multi_line_strings_skip_the_first_newline() {
        assert_eq!(caret("'''\na OR )'''", 5), ')');
        assert_eq!(caret("\"\"\"\na \\\n   OR )\"\"\"", 5), ')');
    }
}
