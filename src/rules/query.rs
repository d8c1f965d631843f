//! The query language of `[[rule]] query`: terms, phrases, prefixes,
//! AND / OR / NOT, NEAR and field scopes, parsed into an expression tree.
//!
//! ```text
//! query   = or
//! or      = and ("OR" and)*
//! and     = unary (["AND"] unary)*          adjacent terms mean AND
//! unary   = ("NOT" | "-") unary | primary
//! primary = "(" or ")" | FIELD ":" primary | "NEAR/" N "(" term ("," term)+ ")" | term
//! term    = word | word* | "phrase" | "phrase*"
//! ```

use super::error::QueryError;
use super::fields::{FieldSet, field_named};
use super::lex::{Lexeme, lex};
use super::normalize::{Canonical, Fold};

/// A query term: the text to find, where, and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// As written in the query: a phrase with its quotes, a prefix with its `*`.
    pub written: String,
    /// The text to find, without quotes and `*`; normalised at compile time.
    pub text: String,
    /// The last word may continue (`mediat*`).
    pub prefix: bool,
    /// Written in quotes.
    pub quoted: bool,
    /// The fields the term may hit in.
    pub fields: FieldSet,
}

impl Term {
    /// True when the term matches its words only as written: a term ending
    /// in `*`, and one word in quotes. Every other term, in a text of a
    /// language with inflection support, matches its words' inflected
    /// forms too. `words` is how many canonical words the term has.
    pub fn literal(&self, words: usize) -> bool {
        self.prefix || (self.quoted && words == 1)
    }
}

/// A query's expression over its terms (indices into [`Query::terms`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Term(usize),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// Every term in one field, their word positions at most `distance` apart.
    Near {
        distance: u32,
        terms: Vec<usize>,
    },
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub expr: Expr,
    pub terms: Vec<Term>,
}

/// NEAR without a distance means NEAR/5.
const DEFAULT_NEAR: u32 = 5;

/// The deepest nesting of parentheses and NOTs a query may have. The parser
/// and every walk over the expression recurse once per level, so the limit
/// keeps them far inside any thread's stack, whichever thread parses (a
/// reload runs on a 2 MiB worker).
pub const MAX_NESTING: usize = 100;

impl Query {
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Query, QueryError> {
        let lexemes = lex(source)?;
        if lexemes.is_empty() {
            return Err(QueryError::new(0, "empty query"));
        }
        check_parentheses(&lexemes)?;
        let mut parser = Parser {
            lexemes,
            at: 0,
            terms: Vec::new(),
            end: source.len(),
            depth: 0,
        };
        let expr = parser.or(FieldSet::ALL)?;
        if let Some((offset, lexeme)) = parser.peek() {
            let message = match lexeme {
                Lexeme::Close => "unbalanced parenthesis",
                Lexeme::Comma => "a comma only separates the terms of NEAR(...)",
                _ => "unexpected text",
            };
            return Err(QueryError::new(offset, message));
        }
        let query = Query {
            expr,
            terms: parser.terms,
        };
        if query.matches_nothing_found() {
            return Err(QueryError::new(
                0,
                "a rule cannot be only NOT terms: add a term the article must contain",
            ));
        }
        Ok(query)
    }

    /// True when the query matches an article in which no term was found
    /// (`NOT a`, `a OR NOT b`): such a rule would alert on everything.
    fn matches_nothing_found(&self) -> bool {
        fn eval(expr: &Expr) -> bool {
            match expr {
                Expr::Term(_) | Expr::Near { .. } => false,
                Expr::And(all) => all.iter().all(eval),
                Expr::Or(any) => any.iter().any(eval),
                Expr::Not(inner) => !eval(inner),
            }
        }
        eval(&self.expr)
    }
}

/// Refuses the first parenthesis that has no partner.
fn check_parentheses(lexemes: &[(usize, Lexeme)]) -> Result<(), QueryError> {
    let mut open = Vec::new();
    for (offset, lexeme) in lexemes {
        match lexeme {
            Lexeme::Open => open.push(*offset),
            Lexeme::Close if open.pop().is_none() => {
                return Err(QueryError::new(*offset, "unbalanced parenthesis"));
            }
            _ => {}
        }
    }
    match open.first() {
        Some(&offset) => Err(QueryError::new(offset, "unbalanced parenthesis")),
        None => Ok(()),
    }
}

struct Parser<'q> {
    lexemes: Vec<(usize, Lexeme<'q>)>,
    at: usize,
    terms: Vec<Term>,
    end: usize,
    /// Parentheses and NOTs open around the lexeme at `at`.
    depth: usize,
}

type Parsed<T> = Result<T, QueryError>;

impl<'q> Parser<'q> {
    fn peek(&self) -> Option<(usize, Lexeme<'q>)> {
        self.lexemes.get(self.at).cloned()
    }

    fn next(&mut self) -> Option<(usize, Lexeme<'q>)> {
        let lexeme = self.peek();
        self.at += 1;
        lexeme
    }

    fn offset(&self) -> usize {
        self.peek().map_or(self.end, |(offset, _)| offset)
    }

    /// Runs `inner` one level deeper (inside the parenthesis or NOT at
    /// `offset`), refusing a level past [`MAX_NESTING`].
    fn nested<T>(
        &mut self,
        offset: usize,
        inner: impl FnOnce(&mut Self) -> Parsed<T>,
    ) -> Parsed<T> {
        if self.depth >= MAX_NESTING {
            return Err(QueryError::new(
                offset,
                format!("the query nests parentheses and NOTs more than {MAX_NESTING} deep"),
            ));
        }
        self.depth += 1;
        let parsed = inner(self);
        self.depth -= 1;
        parsed
    }

    fn or(&mut self, fields: FieldSet) -> Parsed<Expr> {
        let mut any = vec![self.and(fields)?];
        while let Some((offset, Lexeme::Or)) = self.peek() {
            self.at += 1;
            if !self.starts_operand() {
                return Err(QueryError::new(offset, "OR needs a term on each side"));
            }
            any.push(self.and(fields)?);
        }
        Ok(if any.len() == 1 {
            any.remove(0)
        } else {
            Expr::Or(any)
        })
    }

    fn and(&mut self, fields: FieldSet) -> Parsed<Expr> {
        let mut all = vec![self.unary(fields)?];
        loop {
            match self.peek() {
                Some((offset, Lexeme::And)) => {
                    self.at += 1;
                    if !self.starts_operand() {
                        return Err(QueryError::new(offset, "AND needs a term on each side"));
                    }
                }
                _ if self.starts_operand() => {}
                _ => break,
            }
            all.push(self.unary(fields)?);
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Expr::And(all)
        })
    }

    /// True when the next lexeme can begin an operand.
    fn starts_operand(&self) -> bool {
        matches!(
            self.peek(),
            Some((
                _,
                Lexeme::Word(_)
                    | Lexeme::Phrase(..)
                    | Lexeme::Open
                    | Lexeme::Not
                    | Lexeme::Near(_)
                    | Lexeme::Field(_)
            ))
        )
    }

    fn unary(&mut self, fields: FieldSet) -> Parsed<Expr> {
        match self.peek() {
            Some((offset, Lexeme::Not)) => {
                self.at += 1;
                if !self.starts_operand() {
                    return Err(QueryError::new(offset, "NOT needs a term after it"));
                }
                let inner = self.nested(offset, |p| p.unary(fields))?;
                Ok(Expr::Not(Box::new(inner)))
            }
            _ => self.primary(fields),
        }
    }

    fn primary(&mut self, fields: FieldSet) -> Parsed<Expr> {
        let offset = self.offset();
        match self.next() {
            Some((_, Lexeme::Open)) => {
                if matches!(self.peek(), Some((_, Lexeme::Close))) {
                    return Err(QueryError::new(offset, "empty parentheses"));
                }
                let inner = self.nested(offset, |p| p.or(fields))?;
                match self.next() {
                    Some((_, Lexeme::Close)) => Ok(inner),
                    _ => Err(QueryError::new(offset, "unbalanced parenthesis")),
                }
            }
            Some((_, Lexeme::Field(name))) => {
                let field =
                    field_named(name).map_err(|message| QueryError::new(offset, message))?;
                if !self.starts_operand() || matches!(self.peek(), Some((_, Lexeme::Field(_)))) {
                    return Err(QueryError::new(
                        offset,
                        format!("{name}: needs a term after it"),
                    ));
                }
                let scoped = fields.and(FieldSet::only(field));
                if scoped.is_empty() {
                    return Err(QueryError::new(
                        offset,
                        format!("{name}: inside another field's parentheses can never match"),
                    ));
                }
                self.unary(scoped)
            }
            Some((_, Lexeme::Near(distance))) => self.near(offset, distance, fields),
            Some((_, Lexeme::Word(text))) => Ok(Expr::Term(self.term(offset, text, None, fields)?)),
            Some((_, Lexeme::Phrase(text, star, raw))) => Ok(Expr::Term(self.term(
                offset,
                text,
                Some((star, raw)),
                fields,
            )?)),
            Some((_, Lexeme::Close)) => Err(QueryError::new(offset, "unbalanced parenthesis")),
            Some((_, Lexeme::Or | Lexeme::And)) => Err(QueryError::new(
                offset,
                "an operator needs a term before it",
            )),
            Some((_, Lexeme::Comma)) => Err(QueryError::new(
                offset,
                "a comma only separates the terms of NEAR(...)",
            )),
            Some((_, Lexeme::Not)) => unreachable!("NOT is handled by unary"),
            None => Err(QueryError::new(
                offset,
                "the query ends where a term was expected",
            )),
        }
    }

    fn near(&mut self, offset: usize, distance: Option<u32>, fields: FieldSet) -> Parsed<Expr> {
        let distance = distance.unwrap_or(DEFAULT_NEAR);
        let open = self.offset();
        if !matches!(self.next(), Some((_, Lexeme::Open))) {
            return Err(QueryError::new(
                offset,
                "NEAR needs its terms in parentheses: NEAR/5(a, b)",
            ));
        }
        let mut terms = Vec::new();
        loop {
            let at = self.offset();
            match self.next() {
                Some((_, Lexeme::Word(text))) => terms.push(self.term(at, text, None, fields)?),
                Some((_, Lexeme::Phrase(text, star, raw))) => {
                    terms.push(self.term(at, text, Some((star, raw)), fields)?)
                }
                Some((_, Lexeme::Close)) if terms.is_empty() => break,
                None => return Err(QueryError::new(open, "unbalanced parenthesis")),
                Some(_) => {
                    return Err(QueryError::new(
                        at,
                        "NEAR takes only terms and phrases, separated by commas",
                    ));
                }
            }
            match self.next() {
                Some((_, Lexeme::Comma)) => continue,
                Some((_, Lexeme::Close)) => break,
                None => return Err(QueryError::new(open, "unbalanced parenthesis")),
                Some((at, _)) => {
                    return Err(QueryError::new(
                        at,
                        "NEAR takes only terms and phrases, separated by commas",
                    ));
                }
            }
        }
        if terms.len() < 2 {
            return Err(QueryError::new(offset, "NEAR needs at least two terms"));
        }
        Ok(Expr::Near { distance, terms })
    }

    /// Records a term and returns its index. `phrase` is None for a bare
    /// word, else whether a `*` followed the closing quote and the phrase
    /// as written.
    fn term(
        &mut self,
        offset: usize,
        raw: &str,
        phrase: Option<(bool, &str)>,
        fields: FieldSet,
    ) -> Parsed<usize> {
        let (text, star_inside) = match raw.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (raw, false),
        };
        let prefix = star_inside || phrase.is_some_and(|(star, _)| star);
        let written = match phrase {
            Some((_, as_written)) => as_written.to_string(),
            None => raw.to_string(),
        };
        let phrase = phrase.is_some();
        // Letters are counted as matching sees them: "ﬁ" is two.
        let letters = Canonical::new(text, Fold::Folded)
            .text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .count();
        if letters == 0 {
            let message = match (phrase, prefix) {
                (true, _) if text.trim().is_empty() => "empty phrase",
                (_, true) => "a prefix needs letters before its *",
                _ => "a term needs at least one letter or digit",
            };
            return Err(QueryError::new(offset, message));
        }
        if text.contains('*') {
            return Err(QueryError::new(offset, "* may only end a term (mediat*)"));
        }
        if prefix && letters < 2 {
            return Err(QueryError::new(
                offset,
                "a prefix needs at least two letters before its *",
            ));
        }
        self.terms.push(Term {
            written,
            text: text.to_string(),
            prefix,
            quoted: phrase,
            fields,
        });
        Ok(self.terms.len() - 1)
    }
}

#[cfg(test)]
mod tests;
