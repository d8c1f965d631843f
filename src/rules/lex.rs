//! Splitting a query into lexemes, each with its byte offset.

use super::query::QueryError;

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
    /// The inside of a quoted phrase, possibly ending in `*`; `"…"*` is
    /// the same as `"…*"`.
    Phrase(&'q str, bool),
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
                out.push((at, Lexeme::Phrase(inner, star_after)));
                at = end;
            }
            '-' if source[at + 1..]
                .chars()
                .next()
                .is_some_and(|n| !n.is_whitespace() && n != '-') =>
            {
                out.push((at, Lexeme::Not));
                at += 1;
            }
            _ => {
                let end = source[at..]
                    .find(ends_word)
                    .map_or(source.len(), |i| at + i);
                let word = &source[at..end];
                out.extend(word_lexemes(at, word)?);
                at = end;
            }
        }
    }
    Ok(out)
}

/// A bare word as one or two lexemes (`title:x` is a field and a word).
fn word_lexemes(at: usize, word: &str) -> Result<Vec<(usize, Lexeme<'_>)>, QueryError> {
    Ok(match word {
        "OR" => vec![(at, Lexeme::Or)],
        "AND" => vec![(at, Lexeme::And)],
        "NOT" => vec![(at, Lexeme::Not)],
        "NEAR" => vec![(at, Lexeme::Near(None))],
        _ if word.starts_with("NEAR/") => {
            let distance = word["NEAR/".len()..]
                .parse()
                .map_err(|_| QueryError::new(at, "NEAR/ needs a whole number: NEAR/5(a, b)"))?;
            vec![(at, Lexeme::Near(Some(distance)))]
        }
        _ => match word.split_once(':') {
            Some((name, rest)) if !name.is_empty() && name.chars().all(char::is_alphabetic) => {
                let mut lexemes = vec![(at, Lexeme::Field(name))];
                if !rest.is_empty() {
                    lexemes.push((at + name.len() + 1, Lexeme::Word(rest)));
                }
                lexemes
            }
            _ => vec![(at, Lexeme::Word(word))],
        },
    })
}
