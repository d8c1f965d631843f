//! Which term of which rule a scanner's pattern stands for: shared by the
//! scanner and the tables it looks words up in.

use super::fields::FieldSet;

/// One term of one rule that a pattern stands for.
#[derive(Debug, Clone, Copy)]
pub struct TermUse {
    pub rule: u32,
    pub term: u32,
    pub fields: FieldSet,
}
