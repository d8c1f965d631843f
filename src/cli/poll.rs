//! `newshound poll`: every feed (or one) now, then every pending alert.

use std::path::PathBuf;
use std::sync::Arc;

use futures_util::{StreamExt, stream};

use crate::alert::Mailer;
use crate::config::{Config, FeedConfig};
use crate::pipeline::{Context, FeedOutcome, deliver_pending, refresh_feed};
use crate::store::{Store, StoreHandle};

pub async fn poll(config: Config, state_dir: PathBuf, only: Option<&str>) -> u8 {
    let feeds: Vec<FeedConfig> = match only {
        Some(name) => match config.feeds.iter().find(|f| f.name == name) {
            Some(feed) => vec![feed.clone()],
            None => {
                eprintln!(
                    "error: no feed named \"{name}\" in {}",
                    config.path.display()
                );
                return super::INVALID;
            }
        },
        None => config.feeds.clone(),
    };
    let (ctx, mailer) = match open(config, &state_dir) {
        Ok(opened) => opened,
        Err(message) => {
            eprintln!("error: {message}");
            return super::FAILED;
        }
    };
    let concurrency = ctx.config.daemon.concurrency;
    let reports: Vec<_> = stream::iter(feeds.iter())
        .map(|feed| refresh_feed(&ctx, feed))
        .buffered(concurrency)
        .collect()
        .await;

    let mut failed = false;
    for (feed, report) in feeds.iter().zip(reports) {
        match report {
            Ok(report) => match report.outcome {
                FeedOutcome::Updated {
                    entries,
                    matches,
                    deliveries,
                } => println!(
                    "{}: {entries} new entries, {matches} matches, {deliveries} alerts queued",
                    feed.name
                ),
                FeedOutcome::NotModified => println!("{}: not modified", feed.name),
                FeedOutcome::Failed { class, message } => {
                    failed = true;
                    println!("{}: failed ({}): {message}", feed.name, class.name());
                }
            },
            Err(e) => {
                failed = true;
                println!("{}: failed: {e}", feed.name);
            }
        }
    }

    match deliver_pending(&ctx.store, &mailer).await {
        Ok(report) => {
            println!(
                "alerts: {} sent via {}, {} pending",
                report.sent,
                mailer.describe(),
                report.pending
            );
            for (recipient, message) in &report.failures {
                println!("alert to {recipient} not sent: {message}");
            }
            failed |= report.pending > 0;
        }
        Err(e) => {
            failed = true;
            println!("alerts: cannot read the outbox: {e}");
        }
    }
    if failed { super::FAILED } else { 0 }
}

/// Opens the store and the mailer for a command that polls or delivers.
pub(super) fn open(
    config: Config,
    state_dir: &std::path::Path,
) -> Result<(Context, Mailer), String> {
    let db = super::database_path(state_dir);
    let store = Store::open(&db).map_err(|e| format!("{}: {e}", db.display()))?;
    let mailer = Mailer::new(config.smtp.as_ref(), state_dir).map_err(|e| e.to_string())?;
    let ctx = Context::new(Arc::new(config), StoreHandle::new(store)).map_err(|e| e.message)?;
    Ok((ctx, mailer))
}
