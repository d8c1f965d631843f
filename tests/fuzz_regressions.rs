//! Inputs fuzzing found (and a few seeds), kept under
//! `tests/fuzz-regressions/TARGET/`, run through the same invariants the
//! fuzz targets in `fuzz/` check, so a fixed crash stays fixed.

use std::path::Path;

#[path = "../fuzz/invariants.rs"]
mod invariants;

/// Runs `check` on every file of `tests/fuzz-regressions/TARGET`; returns
/// how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{} breaks {target}", file.display());
    }
    files.len()
}

#[test]
fn feed_inputs_fuzzing_found_stay_fixed() {
    assert!(replay("feed_parse", invariants::feed_parse) > 0);
}

#[test]
fn rule_queries_fuzzing_found_stay_fixed() {
    assert!(replay("rule_query", invariants::rule_query) > 0);
}

#[test]
fn pages_fuzzing_found_stay_fixed() {
    assert!(replay("extract", invariants::extract) > 0);
}
