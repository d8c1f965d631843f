//! `newshound opml import FILE` (the feeds of an OPML file as `[[feed]]`
//! TOML) and `newshound opml export` (the configured feeds as OPML 2.0).

use std::collections::HashSet;
use std::path::Path;

use crate::config::Config;
use crate::feed::opml::{Subscription, read, write};

/// Prints `[[feed]]` sections for the feeds in `file`; returns the exit code.
pub fn import(file: &Path) -> super::Outcome {
    let text = match std::fs::read(file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot read {}", file.display())));
        }
    };
    let subscriptions = match read(&text) {
        Ok(found) => found,
        Err(e) => return Err(anyhow::anyhow!("{}: {e}", file.display())),
    };
    let mut taken = HashSet::new();
    for subscription in &subscriptions {
        print!("{}", feed_toml(subscription, &mut taken));
    }
    eprintln!("{} feeds from {}", subscriptions.len(), file.display());
    Ok(0)
}

/// Prints OPML 2.0 for the configured feeds; returns the exit code.
pub fn export(config: &Config) -> super::Outcome {
    let feeds: Vec<(&str, &str, &[String])> = config
        .feeds
        .iter()
        .map(|f| (f.name.as_str(), f.url.as_str(), f.tags.as_slice()))
        .collect();
    print!("{}", write(&feeds, &chrono::Utc::now().to_rfc2822()));
    Ok(0)
}

/// One `[[feed]]` section; its name is the title made a unique slug.
pub(super) fn feed_toml(subscription: &Subscription, taken: &mut HashSet<String>) -> String {
    let base = slug(&subscription.title)
        .or_else(|| {
            url::Url::parse(&subscription.url)
                .ok()?
                .host_str()
                .and_then(slug)
        })
        .unwrap_or_else(|| "feed".to_string());
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = format!(
        "[[feed]]\nname = {}\nurl = {}\n",
        quote(&name),
        quote(&subscription.url)
    );
    if !subscription.categories.is_empty() {
        let tags: Vec<String> = subscription.categories.iter().map(|c| quote(c)).collect();
        out.push_str(&format!("tags = [{}]\n", tags.join(", ")));
    }
    out.push('\n');
    out
}

/// Lower-case letters and digits joined by hyphens; None when nothing is left.
fn slug(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    (!words.is_empty()).then(|| words.join("-"))
}
