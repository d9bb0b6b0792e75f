//! Piazza's booking service: the catalogue of spaces, their opening hours and closures,
//! availability, and bookings that never overlap, approved by administrators. It also keeps the
//! accounts people log in with and issues their API tokens.

pub mod accounts;
pub mod busy;
pub mod config;
pub mod db;
pub mod domain;
mod messages;
pub mod opening;
pub mod pages;
pub mod placement;
pub mod quota;
pub mod rehold;
pub mod routes;
pub mod state;
pub mod tree;
pub mod tree_lock;

use futures::FutureExt;
use piazza_shared::{
    bus::dispatch::{self, Dispatcher},
    runtime::{ServiceContext, ServiceDef, ServiceParts},
};
use std::sync::Arc;

pub const NAME: &str = "booking";

/// How the runtime migrates and builds this service.
pub const SERVICE: ServiceDef = ServiceDef {
    name: NAME,
    settings: config::SECTIONS,
    migrate: |db| piazza_migrations::migrate::<piazza_migrations::BookingMigrator>(db).boxed(),
    build: |context| build(context).boxed(),
    bindings: || dispatch::bindings(messages::ROUTES),
};

/// Builds the booking service's routes and message handler.
pub async fn build(context: ServiceContext) -> anyhow::Result<ServiceParts> {
    let state = state::AppState {
        db: context.db.clone(),
        outbox: context.outbox.clone(),
        keys: context.keys.clone(),
        settings: Arc::new(config::Settings::new(context.settings.clone())?),
    };
    Ok(ServiceParts {
        routes: routes::router(state.clone()),
        pages: pages::router(state.clone())?,
        handler: Some(Arc::new(Dispatcher::new(state, messages::ROUTES))),
        workers: Vec::new(),
    })
}
