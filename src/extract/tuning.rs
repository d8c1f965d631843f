//! The general extractor's few numeric knobs, in one place, so that the
//! benchmark can choose them by site-grouped cross-validation
//! (`extract --batch --tuning name=value,…`) instead of by eye on the pages
//! it is scored on. The defaults are what those runs chose.

/// The knobs; see each field for what it trades.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// A sibling of the article's block joins it when it scores at least
    /// this share of the block's score: lower keeps more of a split
    /// article, higher drops more boxes beside it.
    pub sibling_ratio: f64,
    /// A text holding less than this share of the distinct words of the
    /// body the page declares in JSON-LD is suspect, and the declared body
    /// (or the block holding it) is taken instead.
    pub declared_coverage: f64,
    /// How many branching levels (ancestors with more than one child)
    /// above the best block the parts of a split article are looked for:
    /// more finds parts wrapped more deeply, and risks reaching a
    /// neighbouring article of the same markup.
    pub join_levels: usize,
    /// The block holding the feed's summary replaces the best block when
    /// it holds at least this share of the best block's text: lower trusts
    /// the summary more, higher the scores.
    pub hint_ratio: f64,
    /// Whether the paragraph before the body that holds the feed's summary
    /// (or the page's description) is kept as the article's standfirst.
    /// Benchmarks disagree on standfirsts: some count them as article
    /// text, some as boilerplate.
    pub standfirst: bool,
    /// The best block's text is given up for every paragraph of the page
    /// when its prose is less than this share of theirs (0: never).
    pub loose_ratio: f64,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            sibling_ratio: 0.2,
            declared_coverage: 0.5,
            join_levels: 3,
            hint_ratio: 0.6,
            standfirst: true,
            loose_ratio: 0.25,
        }
    }
}

/// A `--tuning` value that names no knob or is not a number.
#[derive(Debug, thiserror::Error)]
#[error(
    "tuning {0:?}: expected name=number with name one of sibling_ratio, declared_coverage, join_levels, hint_ratio, standfirst, loose_ratio"
)]
pub struct TuningError(String);

impl Tuning {
    /// Parses `name=value,name=value`; knobs not named keep their default.
    pub fn parse(spec: &str) -> Result<Tuning, TuningError> {
        let mut tuning = Tuning::default();
        for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let error = || TuningError(pair.to_string());
            let (name, value) = pair.split_once('=').ok_or_else(error)?;
            let value = value.trim();
            let number = || value.parse::<f64>().map_err(|_| error());
            match name.trim() {
                "sibling_ratio" => tuning.sibling_ratio = number()?,
                "declared_coverage" => tuning.declared_coverage = number()?,
                "hint_ratio" => tuning.hint_ratio = number()?,
                "loose_ratio" => tuning.loose_ratio = number()?,
                "standfirst" => tuning.standfirst = number()? != 0.0,
                "join_levels" => tuning.join_levels = value.parse().map_err(|_| error())?,
                _ => return Err(error()),
            }
        }
        Ok(tuning)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_named_knobs_and_refuses_others() {
        let tuning = Tuning::parse("sibling_ratio=0.3").unwrap();
        assert_eq!(tuning.sibling_ratio, 0.3);
        assert_eq!(
            tuning.declared_coverage,
            Tuning::default().declared_coverage
        );
        assert!(Tuning::parse("siblings=0.3").is_err());
        assert!(Tuning::parse("sibling_ratio=lots").is_err());
    }
}
