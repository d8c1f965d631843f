//! Five-field cron schedules (`0 7 * * 1-5`) and when they fire in an IANA
//! time zone, with the rules people expect around daylight-saving changes:
//! a local time that does not exist that day fires at the next minute that
//! does, and one that occurs twice fires once, the first time.
//!
//! Kept rather than the `croner` crate, which skips slots of a stepped
//! schedule that fall in a gap (`*/20 2 * * *` on the day the clocks go
//! forward), answers a never-firing schedule with a search-limit error,
//! reads a sixth field as seconds, and names no field in its errors.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A parsed schedule: the minutes, hours, days, months and weekdays it
/// fires on, each as a set of bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    minutes: u64,
    hours: u32,
    /// Days of the month, bits 1 to 31.
    days: u32,
    /// Months, bits 1 to 12.
    months: u16,
    /// Weekdays, bit 0 Sunday to bit 6 Saturday.
    weekdays: u8,
    /// Day of month and weekday both restricted: a day matching either
    /// fires (as in every cron since Vixie's).
    either_day: bool,
    /// Only the weekday is restricted.
    weekday_only: bool,
    text: String,
}

/// Why a schedule could not be read, in words for the config error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError(pub String);

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One field's name, range, and the names its values may be written as.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTE: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
};
const DAY: Field = Field {
    name: "day of month",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
};
/// 7 is Sunday too, as most crons accept.
const WEEKDAY: Field = Field {
    name: "day of week",
    min: 0,
    max: 7,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};

/// How far ahead a schedule is searched: long enough for `0 0 29 2 1`
/// (29 February on a Monday), which can be 28 years away.
const SEARCH_DAYS: i64 = 40 * 366;

impl FromStr for Schedule {
    type Err = CronError;

    fn from_str(text: &str) -> Result<Schedule, CronError> {
        let expanded = match text.trim() {
            "@hourly" => "0 * * * *",
            "@daily" | "@midnight" => "0 0 * * *",
            "@weekly" => "0 0 * * 0",
            "@monthly" => "0 0 1 * *",
            "@yearly" | "@annually" => "0 0 1 1 *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let [minute, hour, day, month, weekday] = fields[..] else {
            return Err(CronError(format!(
                "\"{text}\" has {} fields; a schedule has 5 (minute hour day-of-month month \
                 day-of-week, e.g. \"0 7 * * 1-5\") or is one of @hourly, @daily, @weekly, \
                 @monthly, @yearly",
                fields.len()
            )));
        };
        let mut weekdays = bits(weekday, &WEEKDAY)?;
        // 7 is Sunday.
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays | 1) & !(1 << 7);
        }
        let day_star = day.starts_with('*');
        let weekday_star = weekday.starts_with('*');
        Ok(Schedule {
            minutes: bits(minute, &MINUTE)?,
            hours: bits(hour, &HOUR)? as u32,
            days: bits(day, &DAY)? as u32,
            months: bits(month, &MONTH)? as u16,
            weekdays: weekdays as u8,
            either_day: !day_star && !weekday_star,
            weekday_only: day_star && !weekday_star,
            text: text.trim().to_string(),
        })
    }
}

/// The values a field allows, as bits: `*`, `5`, `1-5`, `*/15`, `9-17/2`,
/// `mon-fri`, and comma lists of these.
fn bits(text: &str, field: &Field) -> Result<u64, CronError> {
    let mut set = 0u64;
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step.parse().ok().filter(|&s| s > 0).ok_or_else(|| {
                    CronError(format!(
                        "{}: \"{step}\" is not a step (a whole number above zero)",
                        field.name
                    ))
                })?;
                (range, step)
            }
            None => (item, 1),
        };
        let (low, high) = match range {
            "*" => (field.min, field.max),
            _ => match range.split_once('-') {
                Some((low, high)) => (value(low, field)?, value(high, field)?),
                // `5/15` means from 5 to the end, every 15.
                None if step > 1 => (value(range, field)?, field.max),
                None => {
                    let v = value(range, field)?;
                    (v, v)
                }
            },
        };
        if low > high {
            return Err(CronError(format!(
                "{}: the range \"{range}\" runs backwards",
                field.name
            )));
        }
        for v in (low..=high).step_by(step as usize) {
            set |= 1 << v;
        }
    }
    Ok(set)
}

fn value(text: &str, field: &Field) -> Result<u32, CronError> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = field.names.iter().position(|n| *n == lower) {
        // Names start at the field's first value: jan is 1, sun is 0.
        return Ok(i as u32 + field.min);
    }
    match text.parse::<u32>() {
        Ok(v) if (field.min..=field.max).contains(&v) => Ok(v),
        Ok(v) => Err(CronError(format!(
            "{} {v} is out of range ({} to {})",
            field.name, field.min, field.max
        ))),
        Err(_) => Err(CronError(format!(
            "{}: \"{text}\" is not a number{}",
            field.name,
            match field.names.is_empty() {
                true => String::new(),
                false => format!(" or a name ({})", field.names.join(", ")),
            }
        ))),
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Schedule {
    /// The first time after `after` (strictly) that the schedule fires in
    /// `tz`; None only for a schedule that never fires (`0 0 31 2 *`).
    pub fn next_after(&self, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // A day earlier than `after`'s local date, in case a time skipped by
        // a clock change moves a late slot past midnight.
        let start = after.with_timezone(&tz).date_naive().pred_opt()?;
        for day in start.iter_days().take(SEARCH_DAYS as usize) {
            if !self.fires_on(day) {
                continue;
            }
            for hour in (0..24).filter(|h| self.hours & (1 << h) != 0) {
                for minute in (0..60).filter(|m| self.minutes & (1u64 << m) != 0) {
                    let local = day.and_hms_opt(hour, minute, 0)?;
                    let at = resolve(tz, local)?;
                    if at > after {
                        return Some(at);
                    }
                }
            }
        }
        None
    }

    fn fires_on(&self, day: NaiveDate) -> bool {
        if self.months & (1 << day.month()) == 0 {
            return false;
        }
        let day_ok = self.days & (1 << day.day()) != 0;
        let weekday_ok = self.weekdays & (1 << day.weekday().num_days_from_sunday()) != 0;
        match (self.either_day, self.weekday_only) {
            (true, _) => day_ok || weekday_ok,
            (false, true) => weekday_ok,
            (false, false) => day_ok,
        }
    }

    /// The slot a digest handled up to `done_until` should fire for now:
    /// the latest time after `done_until` that is not after `now`. Slots
    /// missed while nothing ran collapse into this one.
    pub fn due(
        &self,
        tz: Tz,
        done_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let first = self.next_after(tz, done_until).filter(|at| *at <= now)?;
        Some(self.last_at_or_before(tz, now).unwrap_or(first).max(first))
    }

    /// The latest time at or before `at` that the schedule fires.
    fn last_at_or_before(&self, tz: Tz, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // A day later than `at`'s local date: a time skipped by a clock
        // change may resolve to just after midnight.
        let end = at.with_timezone(&tz).date_naive().succ_opt()?;
        let days = std::iter::successors(Some(end), |d| d.pred_opt());
        for day in days.take(SEARCH_DAYS as usize) {
            if !self.fires_on(day) {
                continue;
            }
            for hour in (0..24).rev().filter(|h| self.hours & (1 << h) != 0) {
                for minute in (0..60).rev().filter(|m| self.minutes & (1u64 << m) != 0) {
                    let slot = resolve(tz, day.and_hms_opt(hour, minute, 0)?)?;
                    if slot <= at {
                        return Some(slot);
                    }
                }
            }
        }
        None
    }
}

/// The instant a local time stands for: the first of two when the clocks
/// went back, and the next minute that exists when they went forward.
fn resolve(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => Some(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, second) => Some(first.min(second).with_timezone(&Utc)),
        LocalResult::None => {
            // Gaps last an hour or two (a day, where a country crossed the
            // date line): the first minute after one exists.
            (1..=48 * 60).find_map(|m| {
                match tz.from_local_datetime(&(local + Duration::minutes(m))) {
                    LocalResult::Single(at) => Some(at.with_timezone(&Utc)),
                    LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
                    LocalResult::None => None,
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn next(schedule: &str, tz: &str, after: &str) -> String {
        let s: Schedule = schedule.parse().unwrap();
        let tz: Tz = tz.parse().unwrap();
        s.next_after(tz, utc(after)).unwrap().to_rfc3339()
    }

    #[test]
    fn fires_at_the_next_matching_local_minute() {
        for (schedule, tz, after, want) in [
            // 07:00 in Berlin is 06:00 UTC in winter.
            (
                "0 7 * * *",
                "Europe/Berlin",
                "2026-01-10T05:00:00Z",
                "2026-01-10T06:00:00+00:00",
            ),
            // Strictly after: the slot that fires now is not the next one.
            (
                "0 7 * * *",
                "Europe/Berlin",
                "2026-01-10T06:00:00Z",
                "2026-01-11T06:00:00+00:00",
            ),
            // Weekdays only: Saturday 10 January goes to Monday.
            (
                "30 8 * * mon-fri",
                "UTC",
                "2026-01-10T00:00:00Z",
                "2026-01-12T08:30:00+00:00",
            ),
            (
                "*/15 * * * *",
                "UTC",
                "2026-01-10T00:07:00Z",
                "2026-01-10T00:15:00+00:00",
            ),
            (
                "@monthly",
                "UTC",
                "2026-01-10T00:00:00Z",
                "2026-02-01T00:00:00+00:00",
            ),
        ] {
            assert_eq!(
                next(schedule, tz, after),
                want,
                "{schedule} in {tz} after {after}"
            );
        }
    }

    #[test]
    fn a_local_time_skipped_by_the_clocks_fires_at_the_next_valid_minute() {
        // Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
        assert_eq!(
            next("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z"),
            "2026-03-29T01:00:00+00:00"
        );
        // The day after, 02:30 exists again (CEST, 00:30 UTC).
        assert_eq!(
            next("30 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00Z"),
            "2026-03-30T00:30:00+00:00"
        );
        // A daemon that was down over the change sends that slot once.
        let s_gap: Schedule = "30 2 * * *".parse().unwrap();
        let tz_berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            s_gap.due(
                tz_berlin,
                utc("2026-03-28T12:00:00Z"),
                utc("2026-03-29T05:00:00Z")
            ),
            Some(utc("2026-03-29T01:00:00Z"))
        );
        // Every slot in the gap collapses into one firing.
        let s: Schedule = "*/20 2 * * *".parse().unwrap();
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let first = s.next_after(tz, utc("2026-03-29T00:00:00Z")).unwrap();
        assert_eq!(first, utc("2026-03-29T01:00:00Z"));
        assert_eq!(
            s.next_after(tz, first).unwrap(),
            utc("2026-03-30T00:00:00Z")
        );
    }

    #[test]
    fn a_local_time_that_occurs_twice_fires_once() {
        // Berlin, 25 October 2026: 03:00 CEST goes back to 02:00 CET; 02:30
        // happens at 00:30 and 01:30 UTC.
        let s: Schedule = "30 2 * * *".parse().unwrap();
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let first = s.next_after(tz, utc("2026-10-24T12:00:00Z")).unwrap();
        assert_eq!(first, utc("2026-10-25T00:30:00Z"));
        let second = s.next_after(tz, first).unwrap();
        assert_eq!(second, utc("2026-10-26T01:30:00Z"));
    }

    #[test]
    fn missed_slots_collapse_into_one() {
        let s: Schedule = "0 * * * *".parse().unwrap();
        let done = utc("2026-01-10T00:00:00Z");
        let now = utc("2026-01-10T05:30:00Z");
        // Due: the latest missed slot is named, once.
        assert_eq!(s.due(Tz::UTC, done, now), Some(utc("2026-01-10T05:00:00Z")));
        // Handled up to now, nothing more is due until the next hour.
        assert_eq!(s.due(Tz::UTC, now, now), None);
        assert_eq!(
            s.due(Tz::UTC, now, utc("2026-01-10T06:00:00Z")),
            Some(utc("2026-01-10T06:00:00Z"))
        );
    }

    #[test]
    fn day_of_month_and_weekday_together_mean_either() {
        // The 1st, or any Monday.
        let s: Schedule = "0 0 1 * 1".parse().unwrap();
        let after = utc("2026-01-02T00:00:00Z");
        assert_eq!(
            s.next_after(Tz::UTC, after),
            Some(utc("2026-01-05T00:00:00Z"))
        );
        // Sunday as 7 and as 0.
        assert_eq!(
            "0 0 * * 7".parse::<Schedule>().unwrap(),
            Schedule {
                text: "0 0 * * 7".into(),
                .."0 0 * * 0".parse().unwrap()
            }
        );
    }

    #[test]
    fn bad_schedules_say_what_is_wrong() {
        let err = |s: &str| s.parse::<Schedule>().unwrap_err().0;
        assert!(
            err("0 7 * *").contains("has 4 fields"),
            "{}",
            err("0 7 * *")
        );
        assert_eq!(err("60 * * * *"), "minute 60 is out of range (0 to 59)");
        assert!(err("0 7 * foo *").starts_with("month: \"foo\" is not a number or a name"));
        assert_eq!(err("0 9-5 * * *"), "hour: the range \"9-5\" runs backwards");
        assert!(err("*/0 * * * *").contains("not a step"));
        // A schedule that never fires parses; it has no next time.
        let never: Schedule = "0 0 31 2 *".parse().unwrap();
        assert_eq!(never.next_after(Tz::UTC, utc("2026-01-01T00:00:00Z")), None);
    }
}
