//! `newshound run`: the daemon until SIGTERM or SIGINT, re-reading its
//! config on SIGHUP (see `daemon::serve`).

use std::path::PathBuf;

use crate::config::Config;

/// Runs the daemon until a signal; returns the exit code.
pub async fn run(config: Config, state_dir: PathBuf) -> super::Outcome {
    crate::daemon::serve(config, state_dir).await?;
    Ok(0)
}
