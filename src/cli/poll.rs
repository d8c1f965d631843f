//! `newshound poll`: every feed (or one) now, then every pending alert.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::{StreamExt, stream};

use crate::alert::Outbound;
use crate::config::{Config, FeedConfig};
use crate::daemon::open;
use crate::pipeline::{
    Context, DeliveryReport, FeedOutcome, FeedReport, Queue, Trigger, check_surges_in,
    close_due_digests, deliver_pending, digest_plans, refresh_feed,
};
use crate::store::StoreError;

/// Polls, delivers, prints a line per feed and one for the alerts; returns
/// the exit code.
pub async fn poll(config: Config, state_dir: PathBuf, only: Option<&str>) -> super::Outcome {
    let feeds: Vec<FeedConfig> = match only {
        Some(name) => match config.feeds.iter().find(|f| f.name == name) {
            Some(feed) => vec![feed.clone()],
            None => {
                return Err(super::invalid(format!(
                    "no feed named \"{name}\" in {}",
                    config.path.display()
                )));
            }
        },
        // Paused feeds wait; naming one with --feed polls it anyway.
        None => config.feeds.iter().filter(|f| f.enabled).cloned().collect(),
    };
    let (ctx, mailer) = open(config, &state_dir)?;
    let trigger = if only.is_some() {
        Trigger::Person
    } else {
        Trigger::Schedule
    };
    // Each feed and the delivery pass run as tasks on the runtime's worker
    // threads, so parsing uses every core and I/O wakes the task on the
    // thread that polled it rather than this one.
    let ctx = Arc::new(ctx);
    let concurrency = ctx.config.daemon.concurrency;
    let reports: Vec<_> = stream::iter(feeds.iter().cloned())
        .map(|feed| {
            let ctx = Arc::clone(&ctx);
            tokio::spawn(async move { refresh_feed(&ctx, &feed, trigger).await })
        })
        .buffered(concurrency)
        .collect()
        .await;
    let mut failed = false;
    for (feed, report) in feeds.iter().zip(reports) {
        let report = report
            .unwrap_or_else(|e| Err(StoreError::Stopped(format!("the poll task failed: {e}"))));
        failed |= !print_feed(feed, report);
    }
    // Digests that came due go out with this pass, for setups that run
    // `poll` from a timer instead of the daemon.
    let plans = digest_plans(&ctx.config);
    if let Err(e) =
        close_due_digests(&ctx.store, &plans, &mut HashMap::new(), chrono::Utc::now()).await
    {
        println!("digests: cannot close those due: {e}");
        failed = true;
    }
    // Surges too: a rule's matches in its window, against its usual rate.
    match check_surges_in(&ctx.store, Arc::clone(&ctx.config), chrono::Utc::now()).await {
        Ok(surged) => {
            for rule in surged {
                println!("surge: rule \"{rule}\" matched far more than usual; a mail is queued");
            }
        }
        Err(e) => {
            println!("surges: cannot check the rules: {e}");
            failed = true;
        }
    }
    failed |= !deliver_now(ctx, mailer).await;
    if failed { Ok(super::FAILED) } else { Ok(0) }
}

/// Tries every pending delivery now (a person started the pass: retry
/// times are not waited for) on a task of the runtime, and prints how it
/// went; false when anything is left pending or went dead.
pub(super) async fn deliver_now(ctx: Arc<Context>, mailer: Outbound) -> bool {
    let mailer = Arc::new(mailer);
    let queue = Queue {
        honour_backoff: false,
        max_age: ctx.config.daemon.delivery_max_age,
    };
    let delivery = {
        let mailer = Arc::clone(&mailer);
        tokio::spawn(async move { deliver_pending(&ctx.store, &mailer, queue).await })
    };
    let delivered = delivery.await.unwrap_or_else(|e| {
        Err(StoreError::Stopped(format!(
            "the delivery task failed: {e}"
        )))
    });
    print_delivery(delivered, &mailer)
}

/// Prints one feed's outcome; false when it failed.
fn print_feed(feed: &FeedConfig, report: Result<FeedReport, StoreError>) -> bool {
    let outcome = match report {
        Ok(report) => report.outcome,
        Err(e) => {
            println!("{}: failed: {e}", feed.name);
            return false;
        }
    };
    match outcome {
        FeedOutcome::Updated {
            entries,
            changed,
            matches,
            deliveries,
            warning,
        } => {
            let warning = warning
                .map(|w| format!(" (warning: {w})"))
                .unwrap_or_default();
            let changed = match changed {
                0 => String::new(),
                n => format!(", {n} changed"),
            };
            println!(
                "{}: {entries} new entries{changed}, {matches} matches, {deliveries} alerts queued{warning}",
                feed.name
            );
            true
        }
        FeedOutcome::NotModified => {
            println!("{}: not modified", feed.name);
            true
        }
        FeedOutcome::Failed { class, message } => {
            println!("{}: failed ({}): {message}", feed.name, class.name());
            false
        }
        FeedOutcome::Disabled { since, reason } => {
            println!(
                "{}: disabled since {}: {reason}",
                feed.name,
                since.format("%Y-%m-%d %H:%M UTC")
            );
            true
        }
    }
}

/// Prints the delivery pass; false when anything is left pending.
fn print_delivery(report: Result<DeliveryReport, StoreError>, mailer: &Outbound) -> bool {
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            println!("alerts: cannot read the outbox: {e}");
            return false;
        }
    };
    let dead = match report.dead {
        0 => String::new(),
        n => format!(", {n} dead (refused for good or too old; see `status`)"),
    };
    println!(
        "alerts: {} sent via {}, {} pending{dead}",
        report.sent,
        mailer.describe(),
        report.pending
    );
    for (recipient, message) in &report.failures {
        println!("alert to {recipient} not sent: {message}");
    }
    report.pending == 0 && report.dead == 0
}
