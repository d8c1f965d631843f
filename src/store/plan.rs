//! What the store tells the delivery policy inside a poll's transaction,
//! and the plan it gets back. The policy (in `pipeline`) decides; the store
//! reads the facts and writes the plan, all in one transaction, so the
//! crash-safety of a poll holds for every decision.

use std::collections::HashMap;

use super::ingest::NewEntry;
use crate::model::{Channel, DigestKey};

/// Decides an entry's digest items and mails from what the store knows.
pub type DeliveryPolicy = fn(&DeliveryFacts) -> DeliveryPlan;

/// What was true, inside the transaction, when an entry's mails were planned.
#[derive(Debug, Clone)]
pub struct DeliveryFacts<'a> {
    /// The entry with the matches and mails the rules asked for.
    pub entry: &'a NewEntry,
    /// Indexes into `entry.matches` of the matches stored now; the others
    /// were stored before (another process, an earlier version).
    pub fresh: Vec<usize>,
    /// The story's earlier mails: per channel and recipient, the rules
    /// already sent (or queued) for the same story from another entry.
    pub mailed_for_story: HashMap<(Channel, String), Vec<String>>,
    /// Rules whose match of the same story from another entry waits in
    /// the rule's "more matches" mail.
    pub held_for_story: Vec<String>,
    /// For each rule with an hourly limit: its mails sent at once in this
    /// clock hour (UTC).
    pub immediate_this_hour: HashMap<String, u64>,
}

/// What to write for one entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryPlan {
    /// Digest items: an index into `entry.matches` and the digest it joins.
    pub digest_items: Vec<(usize, DigestKey)>,
    pub deliveries: Vec<PlannedDelivery>,
}

/// One mail (or webhook call) to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDelivery {
    /// Index into `entry.deliveries` of the delivery the rules asked for.
    pub index: usize,
    /// The rules it stands for: those of the asked-for delivery left after
    /// the policy; fewer rules make another mail, with another Message-ID.
    pub rules: Vec<String>,
    /// Rules to count against their hourly limit once the mail is queued.
    pub counted: Vec<String>,
}
