//! Why a query was refused (shared by the lexer and the parser), and why a
//! rule set could not be compiled.

/// Why a query was refused, and where (byte offset into the query).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub offset: usize,
    pub message: String,
}

impl QueryError {
    pub(super) fn new(offset: usize, message: impl Into<String>) -> QueryError {
        QueryError {
            offset,
            message: message.into(),
        }
    }
}

/// The rules' prefix terms (`mediat*`) are more than the prefix automaton
/// can hold.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the rules hold {stems} distinct prefix terms, more than the prefix matcher can compile \
     ({source}); write some of them as whole words, or split the rules over fewer prefixes"
)]
pub struct TooManyPrefixes {
    /// The last rule (index into the set) that has a prefix term.
    pub rule: usize,
    pub stems: usize,
    #[source]
    pub source: aho_corasick::BuildError,
}
