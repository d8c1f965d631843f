//! Matching an entry against the rules of its feed, and the mails that
//! causes: one per recipient, naming every rule that matched for them.

use crate::alert::snippet;
use crate::config::{Config, FeedConfig};
use crate::extract::article_body;
use crate::language::article_language;
use crate::model::{
    ArticleText, Channel, DigestKey, Entry, Field, Language, RuleMatch, message_id,
};
use crate::store::{NewDelivery, NewEntry, NewMatch};
use crate::stories::sketch;

/// Matches an entry, with `body` as its article text (the page's, when it
/// was read; else the feed's content), against the rules
/// that apply to its feed, leaving out those in `already` (they matched it
/// before), and lists the mails it causes: one per recipient, naming every
/// rule for them.
pub fn consider(
    config: &Config,
    feed: &FeedConfig,
    mut entry: Entry,
    body: Option<&str>,
    alerts: bool,
    already: &[String],
) -> NewEntry {
    // The entry arrives with its feed's `<language>`, a hint; it leaves with
    // the language it was matched in, which the store keeps.
    entry.language = article_language(
        feed.language,
        entry.language.as_deref(),
        &entry.title,
        &entry.summary,
        body.unwrap_or_else(|| article_body(&entry)),
    );
    let body = body.unwrap_or_else(|| article_body(&entry));
    // Old entries too: a later copy of one joins its story. Its text is
    // the article's, else the feed's summary (many feeds carry no more).
    let story_text = match body.trim().is_empty() {
        true => entry.summary.as_str(),
        false => body,
    };
    let sketch = sketch(&entry.title, story_text);
    if !alerts {
        return NewEntry {
            entry,
            matches: Vec::new(),
            deliveries: Vec::new(),
            processed: true,
            sketch,
        };
    }
    let text = ArticleText {
        title: &entry.title,
        summary: &entry.summary,
        body,
        language: entry.language.as_deref().and_then(Language::from_code),
    };
    // Only the matching rules that apply to this feed are made owned.
    let found: Vec<RuleMatch> = config
        .rule_set
        .matches(&text)
        .iter()
        .filter(|m| {
            config.rules[m.rule].applies_to(feed) && !already.contains(&config.rules[m.rule].name)
        })
        .map(|m| m.to_owned())
        .collect();
    let mut matches = Vec::new();
    let mut deliveries: Vec<NewDelivery> = Vec::new();
    for m in &found {
        let rule = &config.rules[m.rule];
        matches.push(NewMatch {
            rule: rule.name.clone(),
            terms: m.described_terms(),
            snippet: snippet_for(&text, m),
            digests: rule
                .digests
                .iter()
                .map(|d| DigestKey::Digest(d.clone()))
                .collect(),
            hourly_limit: match rule.immediate {
                true => rule.max_immediate_per_hour,
                false => 0,
            },
            every_copy: rule.every_copy,
        });
        let mails = rule
            .to
            .iter()
            .filter(|_| rule.immediate)
            .map(|to| (Channel::Email, to));
        let hooks = rule.webhooks.iter().map(|hook| (Channel::Webhook, hook));
        for (channel, recipient) in mails.chain(hooks) {
            let same = |d: &&mut NewDelivery| d.channel == channel && d.recipient == *recipient;
            match deliveries.iter_mut().find(same) {
                Some(d) => d.rules.push(rule.name.clone()),
                None => deliveries.push(NewDelivery {
                    channel,
                    recipient: recipient.clone(),
                    rules: vec![rule.name.clone()],
                    message_id: String::new(),
                }),
            }
        }
    }
    for d in &mut deliveries {
        d.message_id = message_id(&feed.name, &entry.id, d.channel, &d.recipient, &d.rules);
    }
    NewEntry {
        entry,
        matches,
        deliveries,
        processed: true,
        sketch,
    }
}

/// A snippet around the first hit in the body or summary; the title says
/// itself in the mail, so it is quoted only when nothing else hit.
pub fn snippet_for(text: &ArticleText, m: &RuleMatch) -> String {
    let hit = m
        .hits
        .iter()
        .find(|h| h.field != Field::Title)
        .or(m.hits.first());
    let Some(h) = hit else {
        return String::new();
    };
    let mut marks: Vec<(usize, usize)> = m
        .hits
        .iter()
        .filter(|other| other.field == h.field)
        .map(|other| (other.start, other.end))
        .collect();
    marks.sort_unstable();
    snippet(text.field(h.field), h.start, h.end, &marks)
}
