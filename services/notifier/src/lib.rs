//! Piazza's notifier: young people subscribe (double opt-in, a guardian under 14), get the events
//! that match their interests and age, and leave in one click. Every email is a delivery row,
//! unique per (kind, subject, recipient), so nothing is ever sent twice.
//!
//! One shape, as in every service: `domain/` (statuses and rules, no I/O), `db/` (tables and the
//! queries they share), `ops/` (the use cases), and thin adapters over them — `routes/` (the
//! API), `pages/` (the web pages, the ones email links open among them), `messages/` (what other
//! services announce) and `jobs/` (the email sender). `email/` renders and sends emails.

pub mod config;
pub mod db;
pub mod domain;
pub mod email;
pub mod error;
mod jobs;
pub mod links;
mod messages;
pub mod ops;
pub mod pages;
pub mod routes;
pub mod state;

/// The operator's look at emails of unknown outcome (`piazza emails unknown` / `resend`).
pub use ops::unknown;

use anyhow::Context;
use futures::FutureExt;
use piazza_shared::{
    bus::dispatch::{self, Dispatcher},
    runtime::{ServiceContext, ServiceDef, ServiceParts, Worker},
};
use std::sync::Arc;
use tokio::sync::Notify;

pub const NAME: &str = "notifier";

/// How the runtime migrates and builds this service.
pub const SERVICE: ServiceDef = ServiceDef {
    name: NAME,
    settings: config::SECTIONS,
    migrate: |db| piazza_migrations::migrate::<piazza_migrations::NotifierMigrator>(db).boxed(),
    build: |context| build(context).boxed(),
    openapi: || routes::api().split_for_parts().1,
    bindings: || dispatch::bindings(messages::ROUTES),
};

/// Builds the notifier's routes, message handler and email sender.
pub async fn build(context: ServiceContext) -> anyhow::Result<ServiceParts> {
    let settings = Arc::new(config::Settings::new(context.settings.clone())?);
    let from = settings.email.from.parse().context("reading email.from")?;
    let state = state::AppState {
        db: context.db.clone(),
        outbox: context.outbox.clone(),
        keys: context.keys.clone(),
        links: links::Links::new(
            settings.public_url(),
            context.keys.clone(),
            settings.auth.link_ttl_days,
        ),
        mailer: email::Mailer::from_settings(&settings)?,
        emails: email::EmailTemplates::new()?,
        from,
        wake_sender: Arc::new(Notify::new()),
        settings,
    };
    tracing::info!(
        transport = state.mailer.kind(),
        "notifier email transport ready"
    );
    if let Some(url) = &state.settings.smtp_url {
        context
            .readiness
            .add("smtp", piazza_shared::smtp::probe(url)?);
    }
    Ok(ServiceParts {
        routes: routes::router(state.clone()),
        pages: pages::router(state.clone())?,
        handler: Some(Arc::new(
            Dispatcher::new(state.clone(), messages::ROUTES).after_commit(messages::wake_sender),
        )),
        workers: vec![Worker {
            name: "email_sender",
            task: jobs::sender::run(state, context.shutdown.clone()).boxed(),
        }],
    })
}
