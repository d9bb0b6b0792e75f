//! What a service crate offers the runtime: a [`ServiceDef`] (its name, how to migrate and build
//! it, what it consumes), built from a [`ServiceContext`] into [`ServiceParts`].

use crate::{
    auth::Keys,
    bus::{Subscription, Topology, handler::MessageHandler, outbox::Outbox},
    db::Db,
    readiness::Readiness,
    settings::{BusSettings, SectionDef, Settings},
};
use axum::Router;
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use utoipa_axum::router::OpenApiRouter;

/// Everything a service is given when it is built.
#[derive(Clone, Debug)]
pub struct ServiceContext {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub outbox: Outbox,
    pub keys: Keys,
    /// Cancelled when the process stops taking work; workers end their loop on it.
    pub shutdown: CancellationToken,
    /// Where a service adds what `/readyz` should check besides its database and the bus.
    pub readiness: Readiness,
    /// Where a service adds gauges `/metrics` reads from its tables when scraped.
    pub samplers: crate::telemetry::Samplers,
}

/// A long-running background task of a service (a job scheduler, an email sender).
pub struct Worker {
    pub name: &'static str,
    pub task: BoxFuture<'static, ()>,
}

/// What a service contributes to an application.
pub struct ServiceParts {
    pub routes: OpenApiRouter,
    /// Web pages (HTML for people, see `crate::web`): served by the same listener behind the
    /// same middleware, but not part of the API, so not in the OpenAPI document.
    pub pages: Router,
    pub handler: Option<Arc<dyn MessageHandler>>,
    pub workers: Vec<Worker>,
}

/// How to migrate and build one service, and what it consumes.
#[derive(Clone, Copy)]
pub struct ServiceDef {
    pub name: &'static str,
    /// The service's own sections of the settings (from its `config.rs`), loaded, layered and
    /// checked with the rest ([`sections`]).
    pub settings: &'static [SectionDef],
    pub migrate: for<'a> fn(&'a Db) -> BoxFuture<'a, anyhow::Result<()>>,
    pub build: fn(ServiceContext) -> BoxFuture<'static, anyhow::Result<ServiceParts>>,
    /// The service's API document, read without building the service: every process serves
    /// the whole deployment's document (`/api/openapi/all.json`) from these.
    pub openapi: fn() -> utoipa::openapi::OpenApi,
    /// The routing keys of the messages the service consumes, from its dispatch table
    /// ([`crate::bus::dispatch::bindings`]); known without building the service, so every
    /// process can declare every service's queue.
    pub bindings: fn() -> Vec<&'static str>,
}

impl ServiceDef {
    /// The service's queue and bindings: its own, and the ended sessions every service
    /// follows (see [`crate::auth::sessions`]).
    pub fn subscription(&self, settings: &BusSettings) -> Option<Subscription> {
        let mut bindings = (self.bindings)();
        bindings.push(crate::auth::sessions::BINDING);
        Some(Subscription::new(settings, self.name, bindings))
    }
}

/// Every queue of a deployment made of `services`, as every process declares it.
pub fn topology(settings: &BusSettings, services: &[ServiceDef]) -> Topology {
    Topology::new(
        services
            .iter()
            .filter_map(|service| service.subscription(settings))
            .collect(),
    )
}

/// The settings sections of every service of a deployment, for [`Settings::load`].
pub fn sections(services: &[ServiceDef]) -> Vec<SectionDef> {
    services
        .iter()
        .flat_map(|service| service.settings.iter().copied())
        .collect()
}
