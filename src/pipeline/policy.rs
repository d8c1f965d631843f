//! Delivery policy: which of the mails an entry's rules ask for go out at
//! once, and which of its matches wait for a digest. A pure function of
//! what the store read inside the poll's transaction: the entry's matches,
//! the story's earlier mails and each rule's mails this hour.

use crate::model::{Channel, DigestKey};
use crate::store::{DeliveryFacts, DeliveryPlan, PlannedDelivery};

/// Plans one entry's digest items and mails:
/// - only matches stored now count: a rule that matched the entry before
///   (another process, an earlier version) is mailed no second time;
/// - one story is one alert: a rule already mailed to a recipient for the
///   same story from another feed is left out of that recipient's mail;
///   and a rule whose copy of the story waits in its "more matches" mail
///   counts as mailed; a rule that wants every copy (`copies = "all"`)
///   is mailed for each;
/// - storm control: a rule whose mails sent at once this hour reached its
///   limit is left out of the mails, and its match waits in the rule's
///   digests or, without one, in its hourly "more matches" mail;
/// - every new match joins the digests its rule names.
pub fn plan_deliveries(facts: &DeliveryFacts) -> DeliveryPlan {
    let entry = facts.entry;
    let mut plan = DeliveryPlan::default();
    // Rules past their hourly limit: not mailed at once.
    let mut held: Vec<&str> = Vec::new();
    for &index in &facts.fresh {
        let m = &entry.matches[index];
        let mailed_at_once = entry
            .deliveries
            .iter()
            .any(|d| d.channel == Channel::Email && d.rules.contains(&m.rule));
        let this_hour = facts.immediate_this_hour.get(&m.rule).copied();
        let storm = mailed_at_once
            && m.hourly_limit > 0
            && this_hour.unwrap_or(0) >= u64::from(m.hourly_limit);
        if storm {
            held.push(&m.rule);
        }
        for key in &m.digests {
            plan.digest_items.push((index, key.clone()));
        }
        if storm && m.digests.is_empty() {
            plan.digest_items
                .push((index, DigestKey::Overflow(m.rule.clone())));
        }
    }
    let fresh = |rule: &str| facts.fresh.iter().any(|&i| entry.matches[i].rule == rule);
    let every_copy = |rule: &str| entry.matches.iter().any(|m| m.rule == rule && m.every_copy);
    for (index, d) in entry.deliveries.iter().enumerate() {
        let key = (d.channel, d.recipient.clone());
        let mailed = facts
            .mailed_for_story
            .get(&key)
            .map_or(&[][..], Vec::as_slice);
        let email = d.channel == Channel::Email;
        let rules: Vec<String> = d
            .rules
            .iter()
            .filter(|r| fresh(r) && (every_copy(r) || !mailed.contains(r)))
            .filter(|r| {
                let held_for_story = facts.held_for_story.contains(r) && !every_copy(r);
                !email || !(held.contains(&r.as_str()) || held_for_story)
            })
            .cloned()
            .collect();
        if rules.is_empty() {
            continue;
        }
        // Only storm control reads the count: rules without a limit skip it.
        let counted = match email {
            true => rules
                .iter()
                .filter(|r| {
                    entry
                        .matches
                        .iter()
                        .any(|m| m.rule == **r && m.hourly_limit > 0)
                })
                .cloned()
                .collect(),
            false => Vec::new(),
        };
        plan.deliveries.push(PlannedDelivery {
            index,
            rules,
            counted,
        });
    }
    plan
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::model::Entry;
    use crate::store::{NewDelivery, NewEntry, NewMatch};

    /// An entry matched by `rules` (name, hourly limit, digests), each
    /// asking for one mail to desk@example.org and one call of the
    /// webhook "hooked".
    fn entry(rules: &[(&str, u32, &[&str])]) -> NewEntry {
        let names: Vec<String> = rules.iter().map(|(r, ..)| r.to_string()).collect();
        NewEntry {
            entry: Entry {
                id: "guid:1".into(),
                title: "t".into(),
                link: None,
                canonical_link: None,
                published: None,
                author: None,
                summary: String::new(),
                content: String::new(),
                language: None,
            },
            matches: rules
                .iter()
                .map(|(rule, limit, digests)| NewMatch {
                    rule: rule.to_string(),
                    terms: vec!["ceasefire".into()],
                    snippet: String::new(),
                    digests: digests
                        .iter()
                        .map(|d| DigestKey::Digest(d.to_string()))
                        .collect(),
                    hourly_limit: *limit,
                    every_copy: false,
                })
                .collect(),
            deliveries: vec![
                NewDelivery {
                    channel: Channel::Email,
                    recipient: "desk@example.org".into(),
                    rules: names.clone(),
                    message_id: "m@newshound".into(),
                },
                NewDelivery {
                    channel: Channel::Webhook,
                    recipient: "hooked".into(),
                    rules: names,
                    message_id: "w@newshound".into(),
                },
            ],
            processed: true,
            sketch: None,
        }
    }

    /// Facts where every match is new and nothing else happened.
    fn facts(entry: &NewEntry) -> DeliveryFacts<'_> {
        DeliveryFacts {
            entry,
            fresh: (0..entry.matches.len()).collect(),
            mailed_for_story: HashMap::new(),
            held_for_story: Vec::new(),
            immediate_this_hour: HashMap::new(),
        }
    }

    /// The rules of each planned delivery, by channel.
    fn mailed(entry: &NewEntry, plan: &DeliveryPlan) -> Vec<(Channel, Vec<String>)> {
        plan.deliveries
            .iter()
            .map(|d| (entry.deliveries[d.index].channel, d.rules.clone()))
            .collect()
    }

    fn names(rules: &[&str]) -> Vec<String> {
        rules.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn new_matches_are_mailed_by_every_channel_and_join_their_digests() {
        let new = entry(&[("c", 0, &["morning"]), ("d", 0, &[])]);
        let plan = plan_deliveries(&facts(&new));
        assert_eq!(
            mailed(&new, &plan),
            [
                (Channel::Email, names(&["c", "d"])),
                (Channel::Webhook, names(&["c", "d"]))
            ]
        );
        assert_eq!(
            plan.digest_items,
            [(0, DigestKey::Digest("morning".into()))]
        );
        // No rule has a limit: nothing to count.
        assert!(plan.deliveries.iter().all(|d| d.counted.is_empty()));
    }

    #[test]
    fn a_match_stored_before_is_not_mailed_again() {
        let new = entry(&[("c", 0, &["morning"]), ("d", 0, &[])]);
        let mut facts = facts(&new);
        facts.fresh = vec![1];
        let plan = plan_deliveries(&facts);
        assert_eq!(
            mailed(&new, &plan),
            [
                (Channel::Email, names(&["d"])),
                (Channel::Webhook, names(&["d"]))
            ]
        );
        assert!(plan.digest_items.is_empty());
        facts.fresh.clear();
        assert_eq!(plan_deliveries(&facts), DeliveryPlan::default());
    }

    #[test]
    fn a_story_mailed_from_another_feed_is_not_mailed_to_that_recipient_again() {
        let new = entry(&[("c", 0, &[]), ("d", 0, &[])]);
        let mut facts = facts(&new);
        facts
            .mailed_for_story
            .insert((Channel::Email, "desk@example.org".into()), names(&["c"]));
        let plan = plan_deliveries(&facts);
        assert_eq!(
            mailed(&new, &plan),
            [
                (Channel::Email, names(&["d"])),
                (Channel::Webhook, names(&["c", "d"]))
            ]
        );
        // Mailed for both rules: that recipient gets nothing.
        facts.mailed_for_story.insert(
            (Channel::Email, "desk@example.org".into()),
            names(&["c", "d"]),
        );
        let plan = plan_deliveries(&facts);
        assert_eq!(
            mailed(&new, &plan),
            [(Channel::Webhook, names(&["c", "d"]))]
        );
    }

    #[test]
    fn a_rule_that_wants_every_copy_is_mailed_for_each() {
        let mut new = entry(&[("c", 0, &[]), ("d", 0, &[])]);
        new.matches[0].every_copy = true;
        let mut facts = facts(&new);
        facts.mailed_for_story.insert(
            (Channel::Email, "desk@example.org".into()),
            names(&["c", "d"]),
        );
        let plan = plan_deliveries(&facts);
        assert_eq!(
            mailed(&new, &plan),
            [
                (Channel::Email, names(&["c"])),
                (Channel::Webhook, names(&["c", "d"]))
            ]
        );
    }

    #[test]
    fn a_story_held_for_a_more_matches_mail_counts_as_mailed() {
        let new = entry(&[("c", 5, &[])]);
        let mut facts = facts(&new);
        facts.held_for_story = names(&["c"]);
        let plan = plan_deliveries(&facts);
        // The webhook is not storm-limited.
        assert_eq!(mailed(&new, &plan), [(Channel::Webhook, names(&["c"]))]);
    }

    #[test]
    fn a_rule_past_its_hourly_limit_waits_for_its_more_matches_mail() {
        let new = entry(&[("c", 2, &[]), ("d", 2, &[])]);
        let mut facts = facts(&new);
        facts.immediate_this_hour = HashMap::from([("c".into(), 2), ("d".into(), 1)]);
        let plan = plan_deliveries(&facts);
        assert_eq!(
            mailed(&new, &plan),
            [
                (Channel::Email, names(&["d"])),
                (Channel::Webhook, names(&["c", "d"]))
            ]
        );
        assert_eq!(plan.digest_items, [(0, DigestKey::Overflow("c".into()))]);
        // The mail sent at once counts against d's limit; webhooks do not.
        assert_eq!(plan.deliveries[0].counted, names(&["d"]));
        assert!(plan.deliveries[1].counted.is_empty());
    }

    #[test]
    fn a_rule_past_its_limit_with_a_digest_waits_for_that_digest_only() {
        let new = entry(&[("c", 1, &["morning"])]);
        let mut facts = facts(&new);
        facts.immediate_this_hour = HashMap::from([("c".into(), 1)]);
        let plan = plan_deliveries(&facts);
        assert_eq!(
            plan.digest_items,
            [(0, DigestKey::Digest("morning".into()))]
        );
        assert_eq!(mailed(&new, &plan), [(Channel::Webhook, names(&["c"]))]);
    }
}
