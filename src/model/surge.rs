//! A surge alert: a rule's matches in a short window reached a multiple of
//! its usual rate.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Delivery, DigestItem};

/// A rule's `surge = { factor, window, baseline, min }`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurgeRule {
    /// How many times the usual rate the window must reach.
    pub factor: f64,
    /// The span counted: the last `window`.
    pub window: Duration,
    /// The span before the window that gives the usual rate.
    pub baseline: Duration,
    /// Matches the window must hold at least, so that three stories on a
    /// quiet rule are not a surge.
    pub min: u64,
}

/// A surge that fired, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Surge {
    pub id: i64,
    pub rule: String,
    pub fired_at: DateTime<Utc>,
    /// The settings it fired under.
    pub settings: SurgeRule,
    /// Matches in the window.
    pub matches: u64,
    /// Matches per window over the baseline.
    pub usual: f64,
}

impl Surge {
    /// How many times the usual rate the window held; None when the
    /// baseline held nothing.
    pub fn ratio(&self) -> Option<f64> {
        (self.usual > 0.0).then(|| self.matches as f64 / self.usual)
    }
}

/// What a surge mail shows.
#[derive(Debug, Clone)]
pub struct SurgeContent {
    pub surge: Surge,
    /// The stories of the window, the most covered first.
    pub top: Vec<DigestItem>,
    /// The rule's matches per hour, oldest first, the last one the hour
    /// the surge fired in: the chart.
    pub hourly: Vec<u64>,
}

/// A surge mail waiting in the outbox.
#[derive(Debug, Clone)]
pub struct SurgeMail {
    pub delivery: Delivery,
    pub content: SurgeContent,
}
