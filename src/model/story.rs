//! An entry's text sketch, by which a copy of a story under another URL is
//! recognised: the hashes of its word shingles, its MinHash signature and
//! the LSH band keys that find candidate copies.

/// What `stories` computed from an entry's title and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    /// The distinct shingle hashes, sorted.
    pub shingles: Vec<u32>,
    /// The MinHash signature: for each hash function, the least value.
    pub minhash: Vec<u32>,
    /// One key per LSH band of the signature: two texts that share a key
    /// are candidate copies.
    pub bands: Vec<i64>,
}

impl Sketch {
    /// The share of this text's shingles that `earlier` (sorted, distinct)
    /// holds too: 1 when every phrase of it is in the earlier text. It is
    /// one-sided on purpose: a copy cut short is wholly in its original,
    /// while an update that adds much new text is not in it.
    pub fn share_in(&self, earlier: &[u32]) -> f64 {
        if self.shingles.is_empty() {
            return 0.0;
        }
        let (mut i, mut j, mut common) = (0, 0, 0usize);
        while i < self.shingles.len() && j < earlier.len() {
            match self.shingles[i].cmp(&earlier[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        common as f64 / self.shingles.len() as f64
    }
}

/// Hashes stored as bytes (little-endian, four each), and back.
pub fn hashes_to_bytes(hashes: &[u32]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.to_le_bytes()).collect()
}

/// The hashes `hashes_to_bytes` wrote; None when the length is not a
/// multiple of four (a damaged row).
pub fn hashes_from_bytes(bytes: &[u8]) -> Option<Vec<u32>> {
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sketch(shingles: &[u32]) -> Sketch {
        Sketch {
            shingles: shingles.to_vec(),
            minhash: Vec::new(),
            bands: Vec::new(),
        }
    }

    #[test]
    fn the_share_counts_this_texts_shingles_found_in_the_earlier_one() {
        assert_eq!(sketch(&[1, 2, 3, 4]).share_in(&[2, 4, 9]), 0.5);
        assert_eq!(sketch(&[1, 2]).share_in(&[0, 1, 2, 3, 4, 5]), 1.0);
        // One-sided: the longer text is only half in the shorter one.
        assert_eq!(sketch(&[0, 1, 2, 3]).share_in(&[1, 2]), 0.5);
        assert_eq!(sketch(&[]).share_in(&[1]), 0.0);
        assert_eq!(sketch(&[1]).share_in(&[]), 0.0);
    }

    #[test]
    fn hashes_survive_the_bytes_they_are_stored_as() {
        let hashes = [0, 1, u32::MAX, 0x0102_0304];
        let bytes = hashes_to_bytes(&hashes);
        assert_eq!(bytes.len(), 16);
        assert_eq!(hashes_from_bytes(&bytes).unwrap(), hashes);
        assert_eq!(hashes_from_bytes(&bytes[..15]), None);
    }
}
