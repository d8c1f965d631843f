//! An entry as the rules matched it, what the store tells the delivery
//! policy about it inside a poll's transaction,
//! and the plan it gets back. The policy (in `pipeline`) decides; the store
//! reads the facts and writes the plan, all in one transaction, so the
//! crash-safety of a poll holds for every decision.

use std::collections::HashMap;

use crate::model::{Channel, DigestKey, Entry, Sketch};

/// A rule that matched a new entry.
#[derive(Debug, Clone)]
pub struct NewMatch {
    pub rule: String,
    pub terms: Vec<String>,
    pub snippet: String,
    /// The digests the match goes to.
    pub digests: Vec<DigestKey>,
    /// The rule's `max_immediate_per_hour` (0: no limit). Past it the
    /// match is not mailed at once: it waits in the rule's digests, or,
    /// without one, for the rule's "more matches" mail.
    pub hourly_limit: u32,
    /// The rule wants every copy of a story (`copies = "all"`), not one
    /// alert per story.
    pub every_copy: bool,
}

/// One mail (or webhook call) to send because of a new entry.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub channel: Channel,
    /// A mail address, or a webhook's name.
    pub recipient: String,
    /// Names of the rules the mail stands for.
    pub rules: Vec<String>,
    pub message_id: String,
}

/// An entry not seen before in its feed, with what it caused.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub entry: Entry,
    pub matches: Vec<NewMatch>,
    pub deliveries: Vec<NewDelivery>,
    /// False when its page is still to be fetched: it is stored
    /// unprocessed, and matched once the page's text is in.
    pub processed: bool,
    /// Its text's sketch, by which a copy under another URL joins its
    /// story; None for a text too short to tell.
    pub sketch: Option<Sketch>,
}

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
    /// For each rule with an hourly limit that the entry mails at once:
    /// its mails sent at once in this clock hour (UTC).
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
