//! Counts over time, from the summary tables the triggers keep: matches per
//! rule and hour, new items per feed and day. A chart over 30 days reads at
//! most 720 rows per rule, however large the archive.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Store, StoreError, to_secs};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Counts per bucket, oldest first.
pub type Series = Vec<u64>;

impl Store {
    /// Matches per clock hour of `rule` (every rule when None), for the
    /// `hours` hours up to and including the one `now` is in, oldest first.
    /// Rules with no match are absent.
    pub fn hourly_matches(
        &self,
        rule: Option<&str>,
        hours: usize,
        now: DateTime<Utc>,
    ) -> Result<HashMap<String, Series>, StoreError> {
        let last = to_secs(now).div_euclid(HOUR);
        let first = last - hours as i64 + 1;
        let mut stmt = self.conn.prepare_cached(
            "SELECT rule, hour, n FROM match_counts
             WHERE (?1 IS NULL OR rule = ?1) AND hour BETWEEN ?2 AND ?3",
        )?;
        let rows = stmt.query_map(params![rule, first, last], bucket_row)?;
        into_series(rows, first, hours)
    }

    /// New items per UTC day of every feed, for the `days` days up to and
    /// including today, oldest first. Feeds with no item are absent.
    pub fn daily_items(
        &self,
        days: usize,
        now: DateTime<Utc>,
    ) -> Result<HashMap<String, Series>, StoreError> {
        let last = to_secs(now).div_euclid(DAY);
        let first = last - days as i64 + 1;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT feed, day, n FROM feed_counts WHERE day BETWEEN ?1 AND ?2")?;
        let rows = stmt.query_map(params![first, last], bucket_row)?;
        into_series(rows, first, days)
    }
}

/// (name, bucket, count) of a summary table.
fn bucket_row(r: &rusqlite::Row) -> rusqlite::Result<(String, i64, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

/// Rows of buckets `first..first + count` as one series per name.
fn into_series(
    rows: impl Iterator<Item = rusqlite::Result<(String, i64, i64)>>,
    first: i64,
    count: usize,
) -> Result<HashMap<String, Series>, StoreError> {
    let mut series: HashMap<String, Series> = HashMap::new();
    for row in rows {
        let (name, bucket, n) = row?;
        // The query's BETWEEN holds `bucket - first` in range.
        series.entry(name).or_insert_with(|| vec![0; count])[(bucket - first) as usize] +=
            n.max(0) as u64;
    }
    Ok(series)
}

/// Hourly counts that start at a midnight summed into days; the last day
/// holds the hours so far.
pub fn hours_to_days(hourly: &[u64]) -> Series {
    hourly.chunks(24).map(|day| day.iter().sum()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_sum_into_days() {
        let mut hourly = vec![1; 50];
        hourly[47] = 5;
        assert_eq!(hours_to_days(&hourly), vec![24, 28, 2]);
    }
}
