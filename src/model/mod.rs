//! Plain data shared by the pipeline's stages: entries, matches and deliveries.
//!
//! Nothing here knows about configuration, the network or the database; the
//! stages exchange these values and nothing else.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

mod keys;
mod language;
mod story;
mod surge;

pub use keys::{Channel, DigestKey, message_id};
pub use language::{Language, primary_subtag};
pub use story::{Sketch, hashes_from_bytes, hashes_to_bytes};
pub use surge::{Surge, SurgeContent, SurgeMail, SurgeRule};

/// A short stable digest of `parts` (SHA-256 of the parts, each ended by a
/// NUL, first 16 bytes in hex): for identities and Message-IDs.
pub fn digest<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One item of a feed, normalised: absolute link, plain text, UTC time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Stable identity within its feed: `guid:…`, `link:…` or `hash:…`.
    pub id: String,
    /// Title as plain text (may be empty).
    pub title: String,
    /// Absolute link to the article, if the feed gave one.
    pub link: Option<String>,
    /// The link with tracking parameters removed, used to recognise a story.
    pub canonical_link: Option<String>,
    /// Publication time (or, without one, the update time).
    pub published: Option<DateTime<Utc>>,
    /// Author names joined with ", ".
    pub author: Option<String>,
    /// Summary as plain text, without markup.
    pub summary: String,
    /// Full content as plain text, without markup.
    pub content: String,
    /// The language code its feed declared (`<language>`) until it is
    /// matched; from then on the language it was matched in.
    pub language: Option<String>,
}

impl Entry {
    /// A digest of the entry's text, which changes when the story is updated.
    pub fn text_hash(&self) -> String {
        digest([self.title.as_str(), &self.summary, &self.content])
    }
}

/// The text of an article as rules see it, field by field.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArticleText<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    /// The article's language, when it has inflection support: plain
    /// rule words then match their inflected forms in it.
    pub language: Option<Language>,
}

/// A field of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Title,
    Summary,
    Body,
}

impl Field {
    /// All fields, in the order they are scanned.
    pub const ALL: [Field; 3] = [Field::Title, Field::Summary, Field::Body];

    /// The field's lowercase name, as used in queries and output.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Summary => "summary",
            Field::Body => "body",
        }
    }
}

impl<'a> ArticleText<'a> {
    /// The text of one field.
    pub fn field(&self, field: Field) -> &'a str {
        match field {
            Field::Title => self.title,
            Field::Summary => self.summary,
            Field::Body => self.body,
        }
    }
}

/// One occurrence of a query term in an article field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub field: Field,
    /// Byte range in the field's original text.
    pub start: usize,
    pub end: usize,
}

/// A rule that matched an article, with the terms that made it match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMatch {
    /// Index of the rule in the rule set it was compiled with.
    pub rule: usize,
    /// The query terms that hit, as written in the query.
    pub terms: Vec<String>,
    /// Every hit of those terms, in field order then text order.
    pub hits: Vec<Hit>,
    /// For each of `terms`, the text its first hit found when that is
    /// another form of it (an inflected form, a prefix's whole word), not
    /// the term itself in other case or accents.
    pub forms: Vec<Option<String>>,
}

impl RuleMatch {
    /// The terms as a reader wants them: `ceasefire (as "Ceasefires")`
    /// when the text holds another form.
    pub fn described_terms(&self) -> Vec<String> {
        self.terms
            .iter()
            .zip(&self.forms)
            .map(|(term, form)| match form {
                Some(form) => format!("{term} (as \"{form}\")"),
                None => term.clone(),
            })
            .collect()
    }
}

/// State of a delivery in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Sent,
    Dead,
}

impl DeliveryState {
    /// The state's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sent => "sent",
            DeliveryState::Dead => "dead",
        }
    }
}

/// A matched rule as an alert shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRule {
    pub name: String,
    pub terms: Vec<String>,
}

/// A row of the outbox: one mail (or webhook call) and who it goes to.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Outbox row id.
    pub id: i64,
    /// A mail address, or a webhook's name.
    pub recipient: String,
    /// Deterministic Message-ID (without angle brackets).
    pub message_id: String,
    /// Failed attempts so far.
    pub attempts: u32,
    /// When the delivery was queued.
    pub created: DateTime<Utc>,
    /// Mail, or a webhook call (then `recipient` is the webhook's name).
    pub channel: Channel,
}

/// Everything needed to render and send one alert mail.
#[derive(Debug, Clone)]
pub struct Alert {
    pub delivery: Delivery,
    pub title: String,
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub rules: Vec<AlertRule>,
    /// Plain-text snippet around the first hit.
    pub snippet: String,
    /// Every feed that carried the story (the same canonical link).
    pub sources: Vec<String>,
}

/// What a digest mail holds: its matches grouped by rule.
#[derive(Debug, Clone)]
pub struct DigestContent {
    /// The digest's name, or the rule's for a "more matches" mail.
    pub name: String,
    /// True for a rule's "more matches" mail: what matched past its
    /// hourly limit of immediate mails.
    pub overflow: bool,
    /// The time the digest stands for.
    pub slot: DateTime<Utc>,
    /// The IANA zone its times are shown in.
    pub timezone: String,
    /// One section per rule, the rule with most matches first.
    pub sections: Vec<DigestSection>,
}

/// One rule's matches in a digest, newest first.
#[derive(Debug, Clone)]
pub struct DigestSection {
    pub rule: String,
    pub items: Vec<DigestItem>,
}

/// One story in a digest.
#[derive(Debug, Clone)]
pub struct DigestItem {
    pub title: String,
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// Every feed that carried the story.
    pub sources: Vec<String>,
    /// The query terms that hit, as written.
    pub terms: Vec<String>,
    /// Snippet with hits between the highlight markers.
    pub snippet: String,
}

impl DigestContent {
    /// How many stories the digest holds.
    pub fn len(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A digest mail waiting in the outbox.
#[derive(Debug, Clone)]
pub struct DigestMail {
    pub delivery: Delivery,
    pub digest: DigestContent,
}

/// Something the outbox sends: an alert about one story, a digest, or a
/// rule's surge alert.
#[derive(Debug, Clone)]
pub enum Outgoing {
    Alert(Alert),
    Digest(DigestMail),
    Surge(SurgeMail),
}

impl Outgoing {
    pub fn delivery(&self) -> &Delivery {
        match self {
            Outgoing::Alert(a) => &a.delivery,
            Outgoing::Digest(d) => &d.delivery,
            Outgoing::Surge(s) => &s.delivery,
        }
    }

    /// What the mail is about, for logs: a title or a digest's name.
    pub fn about(&self) -> String {
        match self {
            Outgoing::Alert(a) => a.title.clone(),
            Outgoing::Digest(d) => format!("digest {}", d.digest.name),
            Outgoing::Surge(s) => format!("surge of rule {}", s.content.surge.rule),
        }
    }
}

/// A server's cache validators, sent back on the next request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Why a feed poll failed, sorted into a small closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureClass {
    /// The host name did not resolve.
    Dns,
    /// No TCP connection (refused, unreachable, reset).
    Connect,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// A deadline passed.
    Timeout,
    /// The server answered with this non-success status.
    Http(u16),
    /// The body exceeded the size cap.
    TooLarge,
    /// The body is not a feed newshound can read.
    NotAFeed,
    /// The address is private or local and the request was not allowed there.
    BlockedAddress,
    /// The site's robots.txt does not let newshound fetch the page.
    Robots,
}

impl FailureClass {
    /// The class name as stored and shown (`http` for every status).
    pub fn name(self) -> &'static str {
        match self {
            FailureClass::Dns => "dns",
            FailureClass::Connect => "connect",
            FailureClass::Tls => "tls",
            FailureClass::Timeout => "timeout",
            FailureClass::Http(_) => "http",
            FailureClass::TooLarge => "too_large",
            FailureClass::NotAFeed => "not_a_feed",
            FailureClass::BlockedAddress => "blocked_address",
            FailureClass::Robots => "robots",
        }
    }
}
