//! `newshound web [--listen ADDR]`: the daemon's web interface alone, over
//! the database, with no polling and no mail; until SIGTERM or SIGINT.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::signal::unix::{SignalKind, signal};

use crate::config::{Config, WebConfig};
use crate::pipeline::index_archive_now;
use crate::store::Store;

/// Serves the pages until a signal; returns the exit code.
pub async fn web(config: Config, state_dir: &Path, listen: Option<SocketAddr>) -> super::Outcome {
    let mut web = config.web.clone().unwrap_or_else(WebConfig::loopback);
    if let Some(listen) = listen {
        web.listen = listen;
    }
    if let Some(refusal) = web.exposed() {
        return Err(super::invalid(format!("--listen: {refusal}")));
    }
    let db = super::database_path(state_dir);
    // What arrived while no daemon ran is made searchable first, where the
    // database can be written; the daemon keeps the index current.
    if let Ok(mut store) = Store::open(&db)
        && let Err(e) = index_archive_now(&mut store)
    {
        tracing::warn!("cannot bring the search index up to date: {e}");
    }
    let mut term = signal(SignalKind::terminate()).context("cannot install signal handlers")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot install signal handlers")?;
    let server = crate::web::serve(Arc::new(config), &web, &db)
        .await
        .with_context(|| db.display().to_string())?;
    println!("serving http://{} (Ctrl-C stops)", web.listen);
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    server.abort();
    let _ = server.await;
    Ok(0)
}
