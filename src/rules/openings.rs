//! The first two bytes of every word a table's terms hold, as a bitmap: a
//! text word that opens otherwise cannot be, nor stem to, any of them, so
//! the scanner need not stem it. A stem keeps at least the first two bytes
//! of its word (see `inflect`), which is what makes the test exact.

/// A set of two-byte openings (and of one-byte words).
#[derive(Debug, Clone)]
pub struct Openings {
    bits: Box<[u64]>,
}

impl Default for Openings {
    fn default() -> Openings {
        Openings {
            bits: vec![0; (1 << 16) / 64].into_boxed_slice(),
        }
    }
}

impl Openings {
    fn slot(word: &str) -> usize {
        match word.as_bytes() {
            [a, b, ..] => usize::from(*a) << 8 | usize::from(*b),
            [a] => usize::from(*a),
            [] => 0,
        }
    }

    /// Adds `word`'s opening.
    pub fn insert(&mut self, word: &str) {
        let slot = Openings::slot(word);
        self.bits[slot / 64] |= 1 << (slot % 64);
    }

    /// True when some word added opens as `word` does.
    pub fn may_hold(&self, word: &str) -> bool {
        let slot = Openings::slot(word);
        self.bits[slot / 64] & (1 << (slot % 64)) != 0
    }

    /// Heap bytes used.
    pub fn memory_bytes(&self) -> usize {
        self.bits.len() * 8
    }
}
