//! `newshound run`: the daemon until SIGTERM or SIGINT.

use std::path::PathBuf;

use tokio::signal::unix::{SignalKind, signal};

use crate::config::Config;
use crate::daemon;

/// Runs the daemon until a signal; returns the exit code.
pub async fn run(config: Config, state_dir: PathBuf) -> u8 {
    let (ctx, mailer) = match super::poll::open(config, &state_dir) {
        Ok(opened) => opened,
        Err(message) => {
            eprintln!("error: {message}");
            return super::FAILED;
        }
    };
    tracing::info!(
        feeds = ctx.config.feeds.len(),
        rules = ctx.config.rules.len(),
        mail = %mailer.describe(),
        state = %state_dir.display(),
        "newshound running"
    );
    match daemon::run(ctx, mailer, shutdown_signal()).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            super::FAILED
        }
    }
}

/// Completes on the first SIGTERM or SIGINT.
async fn shutdown_signal() {
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers; stop newshound with SIGKILL");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM received"),
        _ = int.recv() => tracing::info!("SIGINT received"),
    }
}
