//! Parsing a rule's query: terms and quoted phrases joined by `OR`.

use super::words::words;

/// A query term: a word or a phrase, with the words it must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The term as written in the query (a phrase keeps its quotes).
    pub written: String,
    /// The words to find next to each other, lowercased.
    pub words: Vec<String>,
}

/// A parsed query: it matches when any of its terms does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
}

/// Why a query was refused, and where (byte offset into the query).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub offset: usize,
    pub message: String,
}

impl QueryError {
    fn new(offset: usize, message: impl Into<String>) -> QueryError {
        QueryError {
            offset,
            message: message.into(),
        }
    }
}

/// A lexical piece of a query.
#[derive(Debug)]
enum Token<'q> {
    Or,
    Word(&'q str),
    Phrase(&'q str),
}

impl Query {
    /// Parses `source`: `term (OR term)*`, where a term is a word or a
    /// "quoted phrase".
    pub fn parse(source: &str) -> Result<Query, QueryError> {
        let tokens = tokenize(source)?;
        if tokens.is_empty() {
            return Err(QueryError::new(0, "empty query"));
        }
        let mut terms = Vec::new();
        let mut expect_term = true;
        let mut last_or = 0;
        for (offset, token) in tokens {
            match (token, expect_term) {
                (Token::Or, true) => {
                    return Err(QueryError::new(offset, "OR needs a term on each side"));
                }
                (Token::Or, false) => {
                    expect_term = true;
                    last_or = offset;
                }
                (Token::Word(_) | Token::Phrase(_), false) => {
                    return Err(QueryError::new(
                        offset,
                        "terms must be joined by OR (quote a phrase: \"cease fire\")",
                    ));
                }
                (Token::Word(text), true) => {
                    terms.push(term(text, text.to_string(), offset)?);
                    expect_term = false;
                }
                (Token::Phrase(inner), true) => {
                    terms.push(term(inner, format!("\"{inner}\""), offset)?);
                    expect_term = false;
                }
            }
        }
        if expect_term {
            return Err(QueryError::new(last_or, "OR needs a term on each side"));
        }
        Ok(Query { terms })
    }
}

fn term(text: &str, written: String, offset: usize) -> Result<Term, QueryError> {
    let words: Vec<String> = words(text).into_iter().map(|w| w.norm).collect();
    if words.is_empty() {
        let what = if written.starts_with('"') {
            "empty phrase"
        } else {
            "a term needs at least one letter or digit"
        };
        return Err(QueryError::new(offset, what));
    }
    Ok(Term { written, words })
}

fn tokenize(source: &str) -> Result<Vec<(usize, Token<'_>)>, QueryError> {
    let mut tokens = Vec::new();
    let mut rest = source.char_indices().peekable();
    while let Some((at, c)) = rest.next() {
        if c.is_whitespace() {
            continue;
        }
        if c == '"' {
            let close = source[at + 1..]
                .find('"')
                .ok_or_else(|| QueryError::new(at, "unclosed quote"))?;
            let inner = &source[at + 1..at + 1 + close];
            tokens.push((at, Token::Phrase(inner)));
            while rest.next_if(|&(i, _)| i <= at + 1 + close).is_some() {}
            continue;
        }
        let mut end = at + c.len_utf8();
        while let Some(&(i, c)) = rest.peek() {
            if c.is_whitespace() || c == '"' {
                break;
            }
            end = i + c.len_utf8();
            rest.next();
        }
        let text = &source[at..end];
        tokens.push((
            at,
            if text == "OR" {
                Token::Or
            } else {
                Token::Word(text)
            },
        ));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(q: &str) -> Vec<String> {
        Query::parse(q)
            .unwrap()
            .terms
            .into_iter()
            .map(|t| t.written)
            .collect()
    }

    #[test]
    fn terms_and_phrases_joined_by_or() {
        assert_eq!(
            written(r#"ceasefire OR "cease fire" OR 停火"#),
            ["ceasefire", "\"cease fire\"", "停火"]
        );
    }

    #[test]
    fn phrase_words_are_normalised() {
        let q = Query::parse(r#""Cease-Fire""#).unwrap();
        assert_eq!(q.terms[0].words, ["cease", "fire"]);
    }

    #[test]
    fn errors_say_what_and_where() {
        let cases = [
            ("", 0, "empty query"),
            ("   ", 0, "empty query"),
            ("a OR", 2, "OR needs a term on each side"),
            ("OR a", 0, "OR needs a term on each side"),
            ("a \"b", 2, "unclosed quote"),
            ("a OR \"\"", 5, "empty phrase"),
            ("a OR !!", 5, "a term needs at least one letter or digit"),
            (
                "peace talks",
                6,
                "terms must be joined by OR (quote a phrase: \"cease fire\")",
            ),
        ];
        for (query, offset, message) in cases {
            let err = Query::parse(query).unwrap_err();
            assert_eq!(
                (err.offset, err.message.as_str()),
                (offset, message),
                "{query:?}"
            );
        }
    }
}
