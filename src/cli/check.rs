//! `newshound check`: the config is valid; this is what it would watch.

use std::path::Path;

use crate::config::Config;

/// Prints the validated config; returns the exit code.
pub fn check(config: &Config, state_dir: &Path) -> super::Outcome {
    println!("{}: ok", config.path.display());
    println!("\nfeeds ({}):", config.feeds.len());
    for feed in &config.feeds {
        let tags = if feed.tags.is_empty() {
            String::new()
        } else {
            format!("  [{}]", feed.tags.join(", "))
        };
        println!(
            "  {}  {}  every {}{tags}",
            feed.name,
            feed.url,
            humantime::format_duration(feed.interval)
        );
    }
    println!("\nrules ({}):", config.rules.len());
    for (index, rule) in config.rules.iter().enumerate() {
        let mut targets = Vec::new();
        if rule.immediate {
            let limit = match rule.max_immediate_per_hour {
                0 => String::new(),
                n => format!(", at most {n} an hour"),
            };
            targets.push(format!("immediate mail to {}{limit}", rule.to.join(", ")));
        }
        targets.extend(rule.digests.iter().map(|d| format!("digest {d}")));
        targets.extend(rule.webhooks.iter().map(|w| format!("webhook {w}")));
        let notify = match targets.is_empty() {
            true => "no notification".to_string(),
            false => targets.join(", "),
        };
        let scope = if rule.feeds.is_empty() {
            "all feeds".to_string()
        } else {
            rule.feeds.join(", ")
        };
        let exact = if rule.exact { "exact; " } else { "" };
        println!(
            "  {}  {}  ({scope}; {exact}{notify})",
            rule.name, rule.query
        );
        let forms: Vec<String> = config
            .rule_set
            .inflections(index)
            .into_iter()
            .map(|(term, languages)| match languages.is_empty() {
                true => format!("{term} as written"),
                false => {
                    let codes: Vec<&str> = languages.iter().map(|l| l.code()).collect();
                    format!("{term} in {}", codes.join(" "))
                }
            })
            .collect();
        if !forms.is_empty() {
            println!("    inflected forms: {}", forms.join("; "));
        }
    }
    if !config.digests.is_empty() {
        println!("\ndigests ({}):", config.digests.len());
    }
    for digest in &config.digests {
        println!(
            "  {}  \"{}\" {}  to {}",
            digest.name,
            digest.schedule,
            digest.timezone.name(),
            digest.to.join(", ")
        );
    }
    match &config.smtp {
        Some(smtp) => println!(
            "\nmail: SMTP {}:{} from {}",
            smtp.host, smtp.port, smtp.from
        ),
        None => println!("\nmail: Maildir {}", state_dir.join("Maildir").display()),
    }
    println!("state: {}", super::database_path(state_dir).display());
    Ok(0)
}
