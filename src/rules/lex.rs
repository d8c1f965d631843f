//! Splitting a query into lexemes, each with its byte offset.

use super::error::QueryError;

/// A lexical piece of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lexeme<'q> {
    Open,
    Close,
    Comma,
    Or,
    And,
    /// `NOT` or a leading `-`.
    Not,
    /// `NEAR` or `NEAR/n`.
    Near(Option<u32>),
    /// `title:` and the like; the name is checked by the parser.
    Field(&'q str),
    /// A bare word, possibly ending in `*`.
    Word(&'q str),
    /// A quoted phrase: its inside (possibly ending in `*`), whether a `*`
    /// followed the closing quote (`"…"*` is the same as `"…*"`), and the
    /// whole phrase as written.
    Phrase(&'q str, bool, &'q str),
}

/// Characters that end a bare word.
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | ',')
}

/// The lexemes of `source`, in order.
pub fn lex(source: &str) -> Result<Vec<(usize, Lexeme<'_>)>, QueryError> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(c) = source[at..].chars().next() {
        let len = c.len_utf8();
        match c {
            c if c.is_whitespace() => at += len,
            '(' | ')' | ',' => {
                out.push((
                    at,
                    [Lexeme::Open, Lexeme::Close, Lexeme::Comma]["(),".find(c).unwrap_or(0)],
                ));
                at += 1;
            }
            '"' => {
                let close = source[at + 1..]
                    .find('"')
                    .ok_or_else(|| QueryError::new(at, "unclosed quote"))?;
                let inner = &source[at + 1..at + 1 + close];
                let mut end = at + close + 2;
                let star_after = source[end..].starts_with('*');
                if star_after {
                    end += 1;
                }
                out.push((at, Lexeme::Phrase(inner, star_after, &source[at..end])));
                at = end;
            }
            '-' => {
                // -word excludes; a lone - is an error rather than a guess.
                if source[at + 1..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
                {
                    return Err(QueryError::new(
                        at,
                        "a lone - is not a term: write -word to exclude a word",
                    ));
                }
                out.push((at, Lexeme::Not));
                at += 1;
            }
            _ => {
                let end = source[at..]
                    .find(ends_word)
                    .map_or(source.len(), |i| at + i);
                let word = &source[at..end];
                match field_prefix(word) {
                    // title:x — the field, then lex on right after the colon,
                    // so title:-x, title:NOT x and title:NEAR(…) work.
                    Some(name) => {
                        out.push((at, Lexeme::Field(name)));
                        at += name.len() + 1;
                    }
                    None => {
                        out.push((at, word_lexeme(at, word)?));
                        at = end;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The field name of `word` when it starts with `name:`.
fn field_prefix(word: &str) -> Option<&str> {
    let (name, _) = word.split_once(':')?;
    (!name.is_empty() && name.chars().all(char::is_alphabetic)).then_some(name)
}

/// The most words NEAR may span.
const MAX_NEAR: u32 = 1000;

/// A bare word: an operator, NEAR, or a term.
fn word_lexeme(at: usize, word: &str) -> Result<Lexeme<'_>, QueryError> {
    Ok(match word {
        "OR" => Lexeme::Or,
        "AND" => Lexeme::And,
        "NOT" => Lexeme::Not,
        "NEAR" => Lexeme::Near(None),
        _ if word.starts_with("NEAR/") => {
            let digits = &word["NEAR/".len()..];
            let distance = digits
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| digits.parse::<u32>().ok())
                .flatten()
                .filter(|d| (1..=MAX_NEAR).contains(d))
                .ok_or_else(|| {
                    QueryError::new(
                        at,
                        format!("NEAR/ needs a whole number from 1 to {MAX_NEAR}: NEAR/5(a, b)"),
                    )
                })?;
            Lexeme::Near(Some(distance))
        }
        _ => Lexeme::Word(word),
    })
}
