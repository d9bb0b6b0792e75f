//! Piazza's monitoring: what the strategy achieved, measured. The other services announce what
//! happens (a space booked and approved, an event published, a registration confirmed, a
//! pathway's session, a co-design meeting, an idea); the monitoring keeps one fact per thing
//! counted (`monitoring_facts`) and the seasons (`monitoring_seasons`), and computes the
//! indicators from them. It reads no other service's tables and keeps nothing personal: a person
//! is a keyed hash of their address, enough to count distinct people.
//!
//! One shape, as in every service: `domain/` (the rules, no I/O), `db/` (tables), `ops/` (the
//! use cases), and thin adapters over them — `routes/` (the API), `pages/` (the web pages) and
//! `messages/` (what other services announce).

pub mod config;
pub mod db;
pub mod domain;
pub mod error;
mod messages;
pub mod ops;
pub mod pages;
pub mod routes;
pub mod state;

use futures::FutureExt;
use piazza_shared::{
    bus::dispatch::{self, Dispatcher},
    runtime::{ServiceContext, ServiceDef, ServiceParts},
};
use std::sync::Arc;

pub const NAME: &str = "monitoring";

/// How the runtime migrates and builds this service.
pub const SERVICE: ServiceDef = ServiceDef {
    name: NAME,
    settings: config::SECTIONS,
    migrate: |db| piazza_migrations::migrate::<piazza_migrations::MonitoringMigrator>(db).boxed(),
    build: |context| build(context).boxed(),
    openapi: || routes::api().split_for_parts().1,
    bindings: || dispatch::bindings(messages::ROUTES),
};

/// Builds the monitoring's routes, pages and message handler; on a database that holds no fact
/// yet, asks the owners to send what they hold ([`ops::resync`]).
pub async fn build(context: ServiceContext) -> anyhow::Result<ServiceParts> {
    let state = state::AppState {
        db: context.db.clone(),
        outbox: context.outbox.clone(),
        keys: context.keys.clone(),
        settings: Arc::new(config::Settings::new(context.settings.clone())?),
    };
    if state.settings.monitoring.resync_on_start {
        ops::resync::ask_if_empty(&state).await?;
    }
    Ok(ServiceParts {
        routes: routes::router(state.clone()),
        pages: pages::router(state.clone())?,
        handler: Some(Arc::new(Dispatcher::new(state, messages::ROUTES))),
        workers: Vec::new(),
    })
}
