//! A small hash filter: says "maybe" for members and, for most other keys,
//! "no" without touching the larger table behind it.

/// A set of hashes with false positives and no false negatives, sized at
/// about 32 bits per member so that under one lookup in thirty says yes
/// wrongly, and small enough to stay in the CPU's cache.
#[derive(Debug, Clone)]
pub struct Filter {
    bits: Vec<u64>,
    mask: u64,
}

impl Filter {
    /// An empty filter for about `members` keys.
    pub fn with_capacity(members: usize) -> Filter {
        let bits = (members * 32).next_power_of_two().clamp(1 << 12, 1 << 23);
        Filter {
            bits: vec![0; bits / 64],
            mask: bits as u64 - 1,
        }
    }

    /// Adds `bytes`.
    pub fn insert(&mut self, bytes: &[u8]) {
        self.insert_hash(hash(bytes));
    }

    /// False when `bytes` was certainly never inserted.
    pub fn may_contain(&self, bytes: &[u8]) -> bool {
        self.may_contain_hash(hash(bytes))
    }

    /// Adds a key by its hash.
    pub fn insert_hash(&mut self, hash: u64) {
        let bit = hash & self.mask;
        self.bits[(bit >> 6) as usize] |= 1 << (bit & 63);
    }

    /// False when no key with this hash was inserted.
    pub fn may_contain_hash(&self, hash: u64) -> bool {
        let bit = hash & self.mask;
        self.bits[(bit >> 6) as usize] & (1 << (bit & 63)) != 0
    }

    /// Heap bytes used.
    pub fn memory_bytes(&self) -> usize {
        self.bits.len() * 8
    }
}

/// FxHash of `bytes`, rotated so that its best-mixed bits come low.
fn hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(bytes);
    hasher.finish().rotate_left(26)
}

/// The hashes of `bytes[..1]`, `bytes[..2]`, … up to `max` bytes, computed
/// in one pass: for checking every prefix length at once.
pub fn prefix_hashes(bytes: &[u8], max: usize) -> impl Iterator<Item = (usize, u64)> + '_ {
    let mut state: u64 = 0;
    bytes.iter().take(max).enumerate().map(move |(i, &b)| {
        state = (state.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        // Mix the high bits down, since the filter uses the low ones.
        (i + 1, state ^ (state >> 29) ^ (state >> 47))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_always_found() {
        let mut filter = Filter::with_capacity(1000);
        let words: Vec<String> = (0..1000).map(|i| format!("word{i}")).collect();
        words.iter().for_each(|w| filter.insert(w.as_bytes()));
        assert!(words.iter().all(|w| filter.may_contain(w.as_bytes())));
        let strangers = (0..10_000)
            .filter(|i| filter.may_contain(format!("other{i}").as_bytes()))
            .count();
        assert!(strangers < 1000, "{strangers} false positives in 10,000");
    }
}
