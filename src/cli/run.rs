//! `newshound run`: the daemon until SIGTERM or SIGINT, re-reading its
//! config on SIGHUP.
//!
//! A reload reads and checks the new file while the daemon goes on; a file
//! that is invalid is refused with its error and the old config stays. A
//! valid one ends the running generation the way a stop does — polls in
//! flight finish, a last delivery pass runs — and a new one starts on the
//! new config, so no work in flight is dropped and pages not yet read are
//! picked up again from the database.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::config::Config;
use crate::daemon::{self, Notifier};

/// What a signal asks of the daemon.
enum Event {
    Stop,
    /// SIGHUP with a valid config file.
    Reload(Box<Config>),
}

/// Runs the daemon until a signal; returns the exit code.
pub async fn run(config: Config, state_dir: PathBuf) -> u8 {
    let notifier = Arc::new(Notifier::from_env());
    let (events_tx, mut events) = mpsc::channel(4);
    let Some(signals) = listen(config.path.clone(), Arc::clone(&notifier), events_tx) else {
        return super::FAILED;
    };
    let mut config = config;
    // The config that ran before a reload, to go back to when the new one
    // cannot be put to work (a password file that is missing).
    let mut fallback: Option<Config> = None;
    let code = loop {
        let (ctx, mailer) = match super::poll::open(config.clone(), &state_dir) {
            Ok(opened) => opened,
            Err(message) => match fallback.take() {
                Some(old) => {
                    tracing::error!("config not applied, going on with the old one: {message}");
                    config = old;
                    continue;
                }
                None => {
                    eprintln!("error: {message}");
                    break super::FAILED;
                }
            },
        };
        tracing::info!(
            feeds = ctx.config.feeds.len(),
            rules = ctx.config.rules.len(),
            digests = ctx.config.digests.len(),
            mail = %mailer.describe(),
            state = %state_dir.display(),
            "newshound running"
        );
        let mut event = None;
        let ended = async {
            event = events.recv().await;
        };
        if let Err(e) = daemon::run(ctx, mailer, &notifier, ended).await {
            eprintln!("error: {e}");
            break super::FAILED;
        }
        match event {
            Some(Event::Reload(new)) => {
                warn_if_moved(&new, &config, &state_dir);
                fallback = Some(std::mem::replace(&mut config, *new));
            }
            Some(Event::Stop) | None => break 0,
        }
    };
    signals.abort();
    code
}

/// The state directory is fixed for the process: only a restart moves it.
fn warn_if_moved(new: &Config, old: &Config, state_dir: &Path) {
    if let Some(dir) = new
        .state_dir
        .as_deref()
        .filter(|_| new.state_dir != old.state_dir)
    {
        tracing::warn!(
            "state_dir changed to {}; still using {} until newshound is restarted",
            dir.display(),
            state_dir.display()
        );
    }
}

/// Turns signals into events: SIGTERM and SIGINT stop; SIGHUP re-reads
/// `path` and sends the new config only if it is valid. None when the
/// handlers cannot be installed.
fn listen(
    path: PathBuf,
    notifier: Arc<Notifier>,
    events: mpsc::Sender<Event>,
) -> Option<tokio::task::JoinHandle<()>> {
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        eprintln!("error: cannot install signal handlers");
        return None;
    };
    Some(tokio::spawn(async move {
        loop {
            let event = tokio::select! {
                _ = term.recv() => {
                    tracing::info!("SIGTERM received: finishing work in flight");
                    // Only for a real stop: systemd takes STOPPING=1 during
                    // a reload as the service going away.
                    notifier.stopping();
                    Event::Stop
                }
                _ = int.recv() => {
                    tracing::info!("SIGINT received: finishing work in flight");
                    notifier.stopping();
                    Event::Stop
                }
                _ = hup.recv() => {
                    notifier.reloading();
                    match Config::load(&path) {
                        Ok(config) => {
                            tracing::info!(path = %path.display(), "SIGHUP: reloading the config");
                            Event::Reload(Box::new(config))
                        }
                        Err(e) => {
                            tracing::error!("config not reloaded, still running on the old one: {e}");
                            notifier.ready("config not reloaded: the new file is invalid");
                            continue;
                        }
                    }
                }
            };
            if events.send(event).await.is_err() {
                return;
            }
        }
    }))
}
