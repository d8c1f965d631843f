//! The MinHash signature of a shingle set and its LSH bands.
//!
//! Each of `HASHES` hash functions keeps the least value it gives over the
//! set; two sets agree on a function with probability equal to their
//! Jaccard similarity. The signature is cut into `BANDS` bands of `ROWS`
//! values; two texts that agree on a whole band are candidate copies, so a
//! pair of similarity `s` is found with probability `1 - (1 - s^ROWS)^BANDS`:
//! 0.94 at s = 0.35 (a copy cut to half its length, with edits), 0.9999 at
//! s = 0.6, and 0.00006 at s = 0.01 (two unrelated articles).

use super::shingles::mix;

/// Values in a band.
pub const ROWS: usize = 3;
/// Bands in a signature.
pub const BANDS: usize = 64;
/// Hash functions in a signature.
pub const HASHES: usize = ROWS * BANDS;

/// The functions' multipliers and offsets, drawn once from a fixed seed:
/// stored signatures stay comparable across runs and versions.
fn coefficients() -> &'static [(u64, u64); HASHES] {
    static COEFFICIENTS: std::sync::OnceLock<[(u64, u64); HASHES]> = std::sync::OnceLock::new();
    COEFFICIENTS.get_or_init(|| {
        let mut state = 0x6e65_7773_686f_756e_u64;
        std::array::from_fn(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let a = mix(state) | 1;
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            (a, mix(state))
        })
    })
}

/// The signature of `shingles`: for each function `(a·x + b) >> 32`
/// (multiply-shift, a universal family), the least value.
pub fn signature(shingles: &[u32]) -> Vec<u32> {
    coefficients()
        .iter()
        .map(|&(a, b)| {
            shingles
                .iter()
                .map(|&x| (a.wrapping_mul(u64::from(x)).wrapping_add(b) >> 32) as u32)
                .min()
                .unwrap_or(u32::MAX)
        })
        .collect()
}

/// One key per band: a hash of the band's position and values, so equal
/// values in different bands do not collide.
pub fn bands(signature: &[u32]) -> Vec<i64> {
    signature
        .chunks_exact(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            let key = rows
                .iter()
                .fold(mix(band as u64 + 1), |h, &v| mix(h ^ u64::from(v)));
            key as i64
        })
        .collect()
}

/// The share of functions on which two signatures agree: an estimate of
/// the two sets' Jaccard similarity.
pub fn agreement(a: &[u32], b: &[u32]) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shingles `from..to`.
    fn set(from: u32, to: u32) -> Vec<u32> {
        (from..to)
            .map(|i| (mix(u64::from(i)) >> 32) as u32)
            .collect()
    }

    #[test]
    fn agreement_estimates_jaccard_similarity() {
        // 600 of 1,000 shared: Jaccard 0.6 (a standard error of 0.035).
        let (a, b) = (set(0, 800), set(200, 1000));
        let estimate = agreement(&signature(&a), &signature(&b));
        assert!((estimate - 600.0 / 1000.0).abs() < 0.12, "{estimate}");
        let unrelated = agreement(&signature(&set(0, 500)), &signature(&set(500, 1000)));
        assert!(unrelated < 0.05, "{unrelated}");
        assert_eq!(agreement(&signature(&a), &signature(&a)), 1.0);
    }

    #[test]
    fn similar_sets_share_a_band_and_unrelated_ones_do_not() {
        let shared = |a: &[u32], b: &[u32]| {
            let (a, b) = (bands(&signature(a)), bands(&signature(b)));
            a.iter().zip(&b).any(|(x, y)| x == y)
        };
        assert!(shared(&set(0, 1000), &set(0, 600)));
        assert!(!shared(&set(0, 1000), &set(1000, 2000)));
        assert_eq!(bands(&signature(&set(0, 10))).len(), BANDS);
    }

    #[test]
    fn an_empty_set_has_a_signature_that_agrees_with_nothing_real() {
        let empty = signature(&[]);
        assert_eq!(empty.len(), HASHES);
        assert_eq!(agreement(&empty, &signature(&set(0, 100))), 0.0);
    }
}
