//! Piazza's scheduler: seasons and programmes, events and their recurring occurrences, the slot
//! saga with booking (an event's space is obtained over the bus), publishing, registrations and
//! waitlists, calls for ideas, the public calendar (JSON and iCalendar), imported calendars, and
//! the time-based jobs.

pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod feed_cache;
pub mod import;
pub mod jobs;
mod messages;
pub mod ops;
pub mod pages;

pub mod routes;
pub mod schedule;
pub mod state;
pub mod views;

use futures::FutureExt;
use piazza_shared::{
    bus::dispatch::{self, Dispatcher},
    runtime::{ServiceContext, ServiceDef, ServiceParts, Worker},
};
use std::sync::Arc;

pub const NAME: &str = "scheduler";

/// How the runtime migrates and builds this service.
pub const SERVICE: ServiceDef = ServiceDef {
    name: NAME,
    settings: config::SECTIONS,
    migrate: |db| piazza_migrations::migrate::<piazza_migrations::SchedulerMigrator>(db).boxed(),
    build: |context| build(context).boxed(),
    openapi: || routes::api().split_for_parts().1,
    bindings: || dispatch::bindings(messages::ROUTES),
};

/// Builds the scheduler's routes, message handler and jobs.
pub async fn build(context: ServiceContext) -> anyhow::Result<ServiceParts> {
    let state = state::AppState::new(
        context.db.clone(),
        context.outbox.clone(),
        context.keys.clone(),
        Arc::new(config::Settings::new(context.settings.clone())?),
    );
    // The import client is built once here so a broken TLS setup stops the start, not a job.
    import::fetcher(&state)?;
    ops::resync::ask_if_empty(&state).await?;
    let sampled = state.clone();
    context.samplers.add(Arc::new(move || {
        let state = sampled.clone();
        async move {
            if let Ok(count) = jobs::slot_timeouts::waiting(&state).await {
                metrics::gauge!("piazza_slot_requests_waiting").set(count as f64);
            }
        }
        .boxed()
    }));
    let mut workers = vec![Worker {
        name: "slot_timeouts",
        task: jobs::slot_timeouts::run(state.clone(), context.shutdown.clone()).boxed(),
    }];
    if state.settings.scheduler.jobs_enabled {
        workers.push(Worker {
            name: "cron_jobs",
            task: jobs::run(state.clone(), context.shutdown.clone()).boxed(),
        });
    }
    Ok(ServiceParts {
        routes: routes::router(state.clone()),
        pages: pages::router(state.clone())?,
        handler: Some(Arc::new(Dispatcher::new(state, messages::ROUTES))),
        workers,
    })
}
