//! The daemon's life: generations of [`run`](super::run) from start until
//! SIGTERM or SIGINT, a new one for each config re-read on SIGHUP.
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

use super::Notifier;
use super::open::{OpenError, open};
use crate::config::Config;
use crate::store::StoreError;

/// Why the daemon stopped other than by a signal.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The first generation could not open what it needs.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// SIGTERM, SIGINT or SIGHUP cannot be caught.
    #[error("cannot install signal handlers: {0}")]
    Signals(#[source] std::io::Error),
    /// The schedule could not be read from the database at start.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a signal asks of the daemon.
enum Event {
    Stop,
    /// SIGHUP with a valid config file.
    Reload(Box<Config>),
}

/// Runs the daemon until SIGTERM or SIGINT; a valid config read on SIGHUP
/// starts a new generation.
pub async fn serve(config: Config, state_dir: PathBuf) -> Result<(), DaemonError> {
    let notifier = Arc::new(Notifier::from_env());
    let (events_tx, mut events) = mpsc::channel(4);
    let signals = listen(config.path.clone(), Arc::clone(&notifier), events_tx)
        .map_err(DaemonError::Signals)?;
    let mut config = config;
    // The config that ran before a reload, to go back to when the new one
    // cannot be put to work (a password file that is missing).
    let mut fallback: Option<Config> = None;
    let ended = loop {
        let (ctx, mailer) = match open(config.clone(), &state_dir) {
            Ok(opened) => opened,
            Err(e) => match fallback.take() {
                Some(old) => {
                    tracing::error!("config not applied, going on with the old one: {e}");
                    config = old;
                    continue;
                }
                None => break Err(e.into()),
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
        if let Err(e) = super::run(ctx, mailer, &notifier, ended).await {
            break Err(e.into());
        }
        match event {
            Some(Event::Reload(new)) => {
                warn_if_moved(&new, &config, &state_dir);
                fallback = Some(std::mem::replace(&mut config, *new));
            }
            Some(Event::Stop) | None => break Ok(()),
        }
    };
    signals.abort();
    ended
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
/// `path` and sends the new config only if it is valid.
fn listen(
    path: PathBuf,
    notifier: Arc<Notifier>,
    events: mpsc::Sender<Event>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
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
