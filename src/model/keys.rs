//! The names deliveries and digests are kept under: the channel a delivery
//! goes through, the key a digest's items wait under, and the Message-ID
//! that makes a resent mail recognisably the same mail.

use std::fmt;

use super::digest;

/// How a delivery reaches its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// A mail to an address.
    Email,
    /// A call to a configured webhook, named by the recipient.
    Webhook,
}

impl Channel {
    /// The channel's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }

    /// The channel stored as `name`, if there is one.
    pub fn parse(name: &str) -> Option<Channel> {
        match name {
            "email" => Some(Channel::Email),
            "webhook" => Some(Channel::Webhook),
            _ => None,
        }
    }

    /// Who a delivery goes to, as its Message-ID names it: the address for
    /// mail, `webhook:NAME` for a webhook (so the two never collide).
    pub fn recipient_key(self, recipient: &str) -> String {
        match self {
            Channel::Email => recipient.to_string(),
            Channel::Webhook => format!("webhook:{recipient}"),
        }
    }
}

/// Where the matches of one digest mail wait until it is closed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestKey {
    /// A configured `[[digest]]`, by name.
    Digest(String),
    /// A rule's hourly "more matches" mail: what matched past its hourly
    /// limit of immediate mails, by the rule's name.
    Overflow(String),
}

impl DigestKey {
    /// The digest's name, or the rule's for a "more matches" mail.
    pub fn name(&self) -> &str {
        match self {
            DigestKey::Digest(name) | DigestKey::Overflow(name) => name,
        }
    }

    /// True for a rule's "more matches" mail.
    pub fn is_overflow(&self) -> bool {
        matches!(self, DigestKey::Overflow(_))
    }

    /// The key stored as `text` (`digest:NAME` or `overflow:RULE`).
    pub fn parse(text: &str) -> Option<DigestKey> {
        match text.split_once(':')? {
            ("digest", name) => Some(DigestKey::Digest(name.to_string())),
            ("overflow", rule) => Some(DigestKey::Overflow(rule.to_string())),
            _ => None,
        }
    }
}

/// The stored form, `digest:NAME` or `overflow:RULE`.
impl fmt::Display for DigestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigestKey::Digest(name) => write!(f, "digest:{name}"),
            DigestKey::Overflow(rule) => write!(f, "overflow:{rule}"),
        }
    }
}

/// The Message-ID of the mail that tells `recipient` (through `channel`)
/// that `rules` matched entry `entry` of `feed`: the same whenever that mail
/// is (re)sent.
pub fn message_id(
    feed: &str,
    entry: &str,
    channel: Channel,
    recipient: &str,
    rules: &[String],
) -> String {
    let recipient = channel.recipient_key(recipient);
    let parts = [feed, entry, recipient.as_str()]
        .into_iter()
        .chain(rules.iter().map(String::as_str));
    format!("{}@newshound", digest(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_as_written() {
        for key in [
            DigestKey::Digest("morning".into()),
            DigestKey::Overflow("ceasefire: gaza".into()),
        ] {
            assert_eq!(DigestKey::parse(&key.to_string()), Some(key));
        }
        assert_eq!(DigestKey::parse("weekly"), None);
        assert_eq!(DigestKey::parse("other:x"), None);
        for channel in [Channel::Email, Channel::Webhook] {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(Channel::parse("sms"), None);
    }

    #[test]
    fn a_webhook_and_an_address_of_one_name_get_different_ids() {
        let rules = ["r".to_string()];
        let mail = message_id("f", "guid:1", Channel::Email, "ops", &rules);
        let hook = message_id("f", "guid:1", Channel::Webhook, "ops", &rules);
        assert_ne!(mail, hook);
        assert_eq!(
            mail,
            message_id("f", "guid:1", Channel::Email, "ops", &rules)
        );
    }
}
