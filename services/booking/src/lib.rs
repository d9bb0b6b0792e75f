//! Piazza's booking service: the catalogue of spaces, their opening hours and closures,
//! availability, and bookings that never overlap, approved by administrators. It also keeps the
//! accounts people log in with and issues their API tokens.
//!
//! One shape, as in every service: [`domain`] (types, no I/O) and [`db`] (tables and the
//! queries a rule lives in) under [`ops`] (the use cases, one module per aggregate, with
//! [`error::BookingError`]), and over them the thin adapters [`routes`] (JSON API), [`pages`]
//! (web pages) and `messages` (the scheduler's slot requests), none of which calls another.

pub mod config;
pub mod db;
pub mod domain;
pub mod error;
mod messages;
pub mod ops;
pub mod pages;
pub mod routes;
pub mod state;
pub mod views;

/// Accounts are changed from the command line (`piazza user …`) as well as used to log in.
pub use ops::accounts;

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
    openapi: || routes::api().split_for_parts().1,
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
