//! `newshound check`: the config is valid; this is what it would watch.

use std::path::Path;

use crate::config::Config;

/// Prints the validated config; returns the exit code.
pub fn check(config: &Config, state_dir: &Path) -> u8 {
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
    for rule in &config.rules {
        let notify = if rule.immediate {
            format!("immediate mail to {}", rule.to.join(", "))
        } else {
            "no notification".to_string()
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
    }
    match &config.smtp {
        Some(smtp) => println!(
            "\nmail: SMTP {}:{} from {}",
            smtp.host, smtp.port, smtp.from
        ),
        None => println!("\nmail: Maildir {}", state_dir.join("Maildir").display()),
    }
    println!("state: {}", super::database_path(state_dir).display());
    0
}
