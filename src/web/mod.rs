//! The read-only web interface: stories, search, the rule tester, trends,
//! feed health and the outbox, rendered on the server from templates that
//! escape by default, over read connections of its own. It changes
//! nothing: the config file stays the one place feeds and rules are edited,
//! and every route answers GET only.

mod chart;
mod feeds;
mod guard;
mod readers;
mod search;
mod stories;
mod trends;
mod view;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::{Config, WebConfig, read_secret};
use crate::store::StoreError;
pub use guard::Access;
use readers::Readers;

/// Read connections the pages share: one per core is plenty, reads are short.
const READERS: usize = 4;

/// What every page handler gets.
#[derive(Clone)]
pub struct Web {
    config: Arc<Config>,
    readers: Readers,
    access: Access,
}

/// Why the web interface cannot start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("cannot read the database: {0}")]
    Store(#[from] StoreError),
    #[error("[web] password_file: {0}")]
    Password(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}

impl Web {
    /// The pages over the database at `database`, as `web` allows.
    pub fn new(
        config: Arc<Config>,
        web: &WebConfig,
        database: &std::path::Path,
    ) -> Result<Web, WebError> {
        let access = match (&web.password_file, &web.trusted_proxy_header) {
            (Some(file), _) => {
                let secret = crate::config::Secret::File(file.clone());
                let password =
                    read_secret(&secret).map_err(|e| WebError::Password(e.to_string()))?;
                if password.is_empty() {
                    return Err(WebError::Password(format!("{} is empty", file.display())));
                }
                Access::Password(password)
            }
            (None, Some(header)) => Access::Proxy(header.clone()),
            (None, None) => Access::Open,
        };
        Ok(Web {
            config,
            readers: Readers::open(database, READERS)?,
            access,
        })
    }

    /// The routes, behind the access guard and the security headers.
    pub fn router(self) -> Router {
        Router::new()
            .route("/", get(stories::stories))
            .route("/search", get(search::search))
            .route("/test", get(search::tester))
            .route("/trends", get(trends::trends))
            .route("/trends/{rule}", get(trends::trend))
            .route("/feeds", get(feeds::feeds))
            .route("/outbox", get(feeds::outbox))
            .route("/static/style.css", get(style))
            .route("/static/app.js", get(script))
            .route("/static/icon.svg", get(icon))
            .route("/favicon.ico", get(icon))
            .fallback(not_found)
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                guard::guard,
            ))
            .with_state(self)
    }
}

/// Binds `web.listen` and serves the pages until the task is aborted.
pub async fn serve(
    config: Arc<Config>,
    web: &WebConfig,
    database: &std::path::Path,
) -> Result<JoinHandle<()>, WebError> {
    let pages = Web::new(config, web, database)?;
    let addr = web.listen;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| WebError::Listen { addr, source })?;
    tracing::info!(
        "web interface on http://{}",
        listener.local_addr().unwrap_or(addr)
    );
    let app = pages.router();
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("web interface stopped: {e}");
        }
    }))
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", include_str!("static/style.css"))
}

async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("static/app.js"),
    )
}

async fn icon() -> Response {
    asset("image/svg+xml", include_str!("static/icon.svg"))
}

/// A file of the pages' own, which a browser may keep for an hour.
fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn not_found() -> Response {
    failure(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no such page.".into(),
    )
}

/// A page for a failure: a missing rule, or a database that would not answer.
fn failure(status: StatusCode, heading: &str, message: String) -> Response {
    let page = ErrorPage {
        nav: "",
        heading,
        message,
    };
    (status, render(&page)).into_response()
}

/// A database failure, as a page that says so.
fn unavailable(e: StoreError) -> Response {
    tracing::error!("web: cannot read the database: {e}");
    failure(
        StatusCode::SERVICE_UNAVAILABLE,
        "The database did not answer",
        format!(
            "{e}. The page will work again once the database does; the daemon's log says more."
        ),
    )
}

/// The page as HTML, or a plain error when a template fails.
fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot render the page: {e}\n"),
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "web/error.html")]
struct ErrorPage<'a> {
    nav: &'a str,
    heading: &'a str,
    message: String,
}
