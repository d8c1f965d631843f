//! `newshound digest NAME --now | --preview`: send what a digest holds now,
//! or print the HTML it would send without changing anything.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;

use super::poll::deliver_now;
use crate::alert::digest_html;
use crate::config::Config;
use crate::daemon::open;
use crate::model::DigestKey;
use crate::pipeline::{DigestPlan, close_digest_now, digest_plans};
use crate::store::Store;

/// Runs the command; returns the exit code.
pub async fn digest(
    config: Config,
    state_dir: PathBuf,
    name: &str,
    preview: bool,
) -> super::Outcome {
    let Some(plan) = digest_plans(&config)
        .into_iter()
        .find(|p| p.key == DigestKey::Digest(name.to_string()))
    else {
        let known: Vec<&str> = config.digests.iter().map(|d| d.name.as_str()).collect();
        return Err(super::invalid(format!(
            "no digest named \"{name}\" in {} (known: {})",
            config.path.display(),
            match known.is_empty() {
                true => "none".to_string(),
                false => known.join(", "),
            }
        )));
    };
    match preview {
        true => print_preview(&plan, &state_dir),
        false => send_now(config, &state_dir, &plan).await,
    }
}

/// Prints the HTML of what the digest would hold now.
fn print_preview(plan: &DigestPlan, state_dir: &std::path::Path) -> super::Outcome {
    let db = super::database_path(state_dir);
    let content = Store::open_for_reading(&db).and_then(|store| {
        store.digest_pending_content(&plan.key, plan.timezone.name(), Utc::now())
    });
    match content {
        Ok(content) => {
            println!("{}", digest_html(&content));
            Ok(0)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("{}", db.display()))),
    }
}

/// Closes the digest now and tries every pending delivery.
async fn send_now(
    config: Config,
    state_dir: &std::path::Path,
    plan: &DigestPlan,
) -> super::Outcome {
    let (ctx, mailer) = open(config, state_dir)?;
    let closed = match close_digest_now(&ctx.store, plan, Utc::now()).await {
        Ok(closed) => closed,
        Err(e) => {
            println!("digest {}: cannot close it: {e}", plan.key.name());
            return Ok(super::FAILED);
        }
    };
    match closed.mails {
        0 => println!(
            "digest {}: no new matches; nothing to send",
            plan.key.name()
        ),
        mails => println!(
            "digest {}: {} in {mails} mail(s)",
            plan.key.name(),
            match closed.items {
                1 => "1 match".to_string(),
                n => format!("{n} matches"),
            }
        ),
    }
    match deliver_now(Arc::new(ctx), mailer).await {
        true => Ok(0),
        false => Ok(super::FAILED),
    }
}
