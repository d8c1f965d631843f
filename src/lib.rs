//! newshound: a news-monitoring daemon.
//!
//! It polls feeds, stores new entries in SQLite, matches watch rules against
//! them and mails the people who asked. The modules follow the pipeline:
//! `config` → `fetch` → `feed` → `store` → `extract` → `rules` → `alert`,
//! wired together by `pipeline` and scheduled by `daemon`; `cli` is the face.

#![forbid(unsafe_code)]

pub mod alert;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod extract;
pub mod feed;
pub mod fetch;
pub mod html;
pub mod language;
pub mod model;
pub mod pipeline;
pub mod rules;
pub mod search;
pub mod store;
pub mod stories;
pub mod web;
