//! Piazza's scheduler: seasons and events, recurring occurrences, the slot saga with booking
//! (an event's space is obtained over the bus), publishing, and the time-based jobs.

pub mod db;
pub mod domain;
mod jobs;
mod messages;
pub mod routes;
pub mod state;

use futures::FutureExt;
use piazza_shared::runtime::{ServiceContext, ServiceDef, ServiceParts, Worker};
use std::sync::Arc;

pub const NAME: &str = "scheduler";

/// How the runtime migrates and builds this service.
pub const SERVICE: ServiceDef = ServiceDef {
    name: NAME,
    migrate: |db| piazza_migrations::migrate::<piazza_migrations::SchedulerMigrator>(db).boxed(),
    build: |context| build(context).boxed(),
};

/// Builds the scheduler's routes, message handler and jobs.
pub async fn build(context: ServiceContext) -> anyhow::Result<ServiceParts> {
    let state = state::AppState {
        db: context.db.clone(),
        outbox: context.outbox.clone(),
        keys: context.keys.clone(),
        settings: context.settings.clone(),
    };
    Ok(ServiceParts {
        routes: routes::router(state.clone()),
        handler: Some(Arc::new(messages::Handler::new(state.clone()))),
        workers: vec![Worker {
            name: "slot_timeouts",
            task: jobs::slot_timeouts::run(state, context.shutdown.clone()).boxed(),
        }],
    })
}
