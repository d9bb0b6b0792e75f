//! Running services: each service crate turns a [`ServiceContext`] into [`ServiceParts`] (routes,
//! message handler, background workers); an [`Application`] starts one or several of them behind
//! one HTTP listener, wires their outboxes and consumers to the bus, and stops them in order.

use crate::{
    auth::Keys,
    bus::{
        Bus, Consumer, DeadLetter, HandleError, Subscription, Topology,
        amqp::AmqpBus,
        dead_letters, inbox,
        memory::MemoryBus,
        outbox::{Outbox, Relay},
    },
    db::Db,
    envelope::{Envelope, Message},
    http::{layers, limit::RateLimiter, ops},
    settings::{BusSettings, Settings},
    telemetry,
};
use anyhow::Context;
use async_trait::async_trait;
use axum::Router;
use futures::future::BoxFuture;
use rand::Rng;
use sea_orm::{DatabaseTransaction, DbErr};
use std::{sync::Arc, time::Duration};
use tokio::{net::TcpListener, task::JoinSet};
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Exponential backoff with jitter: about 200 ms after the first failure, doubling, capped at
/// 30 s, each delay randomised ±50% so replicas do not retry in step.
pub fn backoff(failures: u32) -> Duration {
    let base = 200u64.saturating_mul(1u64 << failures.saturating_sub(1).min(8));
    let capped = base.min(30_000);
    let jitter = rand::thread_rng().gen_range(0.5..1.5);
    Duration::from_millis((capped as f64 * jitter) as u64)
}

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
}

/// A readiness probe: `Ok` when the dependency answers, otherwise why not.
pub type Probe = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// Extra dependencies `/readyz` checks (an SMTP server, say), registered while services are built.
#[derive(Clone, Default)]
pub struct Readiness(Arc<std::sync::Mutex<Vec<(String, Probe)>>>);

impl std::fmt::Debug for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.checks().iter().map(|(n, _)| n))
            .finish()
    }
}

impl Readiness {
    /// Adds a check shown in `/readyz` as `name` (e.g. `smtp`).
    pub fn add(&self, name: impl Into<String>, probe: Probe) {
        if let Ok(mut checks) = self.0.lock() {
            checks.push((name.into(), probe));
        }
    }

    /// The checks registered so far.
    pub fn checks(&self) -> Vec<(String, Probe)> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// Handles the messages a service consumes, inside the transaction that also records the
/// message in the inbox. Services build one from their dispatch table
/// ([`crate::bus::dispatch::Dispatcher`]), whose types are also their bindings
/// ([`ServiceDef::bindings`]).
#[async_trait]
pub trait MessageHandler: Send + Sync {
    /// Applies the message. An error rolls the transaction back.
    async fn handle(
        &self,
        txn: &DatabaseTransaction,
        envelope: &Envelope,
    ) -> Result<(), HandleError>;

    /// Called after the transaction committed (to wake a worker, say).
    fn after_commit(&self, _envelope: &Envelope) {}
}

impl From<DbErr> for HandleError {
    /// A database that cannot be reached is nobody's fault ([`HandleError::Unavailable`]); any
    /// other database error is worth a few more tries ([`HandleError::Retry`]).
    fn from(error: DbErr) -> Self {
        if crate::db::is_connection_error(&error) {
            HandleError::Unavailable(anyhow::Error::new(error))
        } else {
            HandleError::Retry(anyhow::Error::new(error))
        }
    }
}

/// Reads a message's data as its contract; a mismatch is permanent.
pub fn decode<M: Message>(envelope: &Envelope) -> Result<M, HandleError> {
    envelope
        .decode::<M>()
        .map_err(|e| HandleError::Reject(anyhow::Error::new(e)))
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
    pub migrate: for<'a> fn(&'a Db) -> BoxFuture<'a, anyhow::Result<()>>,
    pub build: fn(ServiceContext) -> BoxFuture<'static, anyhow::Result<ServiceParts>>,
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

/// Applies the inbox around a service's handler.
struct TransactionalConsumer {
    service: &'static str,
    db: Db,
    outbox: Outbox,
    handler: Arc<dyn MessageHandler>,
}

#[async_trait]
impl Consumer for TransactionalConsumer {
    async fn consume(&self, envelope: Envelope) -> Result<(), HandleError> {
        use tracing::Instrument;
        let span = tracing::info_span!(
            "handle_message",
            service = self.service,
            message_id = %envelope.id,
            event_type = %envelope.event_type,
            correlation_id = envelope.correlationid.as_deref().unwrap_or(""),
        );
        async {
            let txn = self.db.begin().await?;
            if !inbox::claim(&*txn, &envelope).await? {
                txn.commit().await?;
                metrics::counter!("piazza_messages_duplicate_total", "service" => self.service)
                    .increment(1);
                tracing::debug!("already handled; skipped");
                return Ok(());
            }
            self.handler.handle(&txn, &envelope).await?;
            txn.commit().await?;
            metrics::counter!(
                "piazza_messages_handled_total",
                "service" => self.service,
                "type" => envelope.event_type.clone()
            )
            .increment(1);
            self.outbox.wake();
            self.handler.after_commit(&envelope);
            Ok(())
        }
        .instrument(span)
        .await
    }

    /// Keeps the message in the service's `dead_letters` table.
    async fn park(&self, dead: &DeadLetter) -> anyhow::Result<bool> {
        let txn = self.db.begin().await?;
        dead_letters::park(&*txn, dead).await?;
        txn.commit().await?;
        Ok(true)
    }
}

struct Running {
    name: &'static str,
    subscription: Option<Subscription>,
    db: Db,
    outbox: Outbox,
    handler: Option<Arc<dyn MessageHandler>>,
    workers: Vec<Worker>,
}

/// One or several services behind one HTTP listener.
pub struct Application {
    listener: TcpListener,
    router: Router,
    bus: Arc<dyn Bus>,
    services: Vec<Running>,
    settings: Arc<Settings>,
    shutdown: CancellationToken,
    routes: Vec<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Piazza",
        description = "Spaces, events and youth notifications for the cultural life of a historic centre.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(ops::healthz, ops::readyz, ops::metrics, ops::openapi, crate::audit::list),
    components(schemas(crate::http::Problem, crate::http::FieldError)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        // An operation's roles are the scopes of its `bearer` requirement (OpenAPI 3.1 allows
        // role names for non-OAuth schemes); `x-piazza-scope: organisation` adds that an
        // operator reaches only its own organisation's items.
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The signed, expiring, single-purpose token of a link in an email.
        components.add_security_scheme(
            "link",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "The signed token of a link sent by email",
            ))),
        );
    }
}

impl Application {
    /// Connects, migrates (unless disabled) and builds `services`, and binds the listener.
    /// Without `amqp_url` the services talk over the in-process bus. `every` is every service
    /// of the deployment (those run elsewhere too): on RabbitMQ all their queues are declared
    /// before anything is published.
    pub async fn build(
        mut settings: Settings,
        services: &[ServiceDef],
        every: &[ServiceDef],
    ) -> anyhow::Result<Self> {
        // Bound first: with port 0 the real address is known only now, and links in emails
        // default to it.
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("listening on {}", settings.listen))?;
        settings.listen = listener.local_addr()?;
        let settings = Arc::new(settings);
        telemetry::init_metrics();
        let keys = Keys::from_settings(&settings)?;
        let names: Vec<&str> = services.iter().map(|s| s.name).collect();
        let every = topology(&settings.bus, every);
        let (bus, declared): (Arc<dyn Bus>, Topology) = match &settings.amqp_url {
            // Every queue of the deployment, so a message published before its consumer ever
            // started waits for it.
            Some(url) => (
                Arc::new(
                    AmqpBus::new(url.clone(), settings.bus.clone(), &names.join("+"))
                        .with_topology(every.clone()),
                ),
                every,
            ),
            // In-process queues exist only for the services of this process: a queue nobody here
            // consumes would hold its publisher forever.
            None => (
                Arc::new(MemoryBus::new(settings.bus.clone())),
                every.only(&names),
            ),
        };
        let shutdown = CancellationToken::new();
        let readiness = Readiness::default();
        let mut running = Vec::new();
        let mut pages = Router::new();
        let mut routes = OpenApiRouter::with_openapi(ApiDoc::openapi());
        for def in services {
            let db = Db::connect(&settings, def.name)
                .await
                .with_context(|| format!("opening the {} database", def.name))?;
            if settings.migrate_on_start {
                (def.migrate)(&db)
                    .await
                    .with_context(|| format!("migrating the {} database", def.name))?;
            }
            let outbox = Outbox::new(def.name);
            let context = ServiceContext {
                settings: settings.clone(),
                db: db.clone(),
                outbox: outbox.clone(),
                keys: keys.clone(),
                shutdown: shutdown.clone(),
                readiness: readiness.clone(),
            };
            let parts = (def.build)(context.clone())
                .await
                .with_context(|| format!("starting the {} service", def.name))?;
            // Every service refuses the tokens of ended sessions.
            let parts = crate::auth::sessions::attach(&context, parts).await?;
            check_schema_names(&routes, &parts.routes, def.name)?;
            routes = routes.merge(parts.routes);
            pages = pages.merge(parts.pages);
            running.push(Running {
                name: def.name,
                subscription: def.subscription(&settings.bus),
                db,
                outbox,
                handler: parts.handler,
                workers: parts.workers,
            });
        }
        // Declared before any relay runs, so no message published from now on is missed.
        bus.declare_topology(&declared)
            .await
            .context("declaring the message bus's queues")?;
        let (api, mut openapi) = routes.split_for_parts();
        // After the merge, so it reaches every service's operations.
        utoipa::Modify::modify(&crate::http::openapi::ProblemContent, &mut openapi);
        let openapi_json = openapi
            .to_json()
            .context("serialising the OpenAPI document")?;
        let ops_state = Arc::new(ops::OpsState {
            databases: running.iter().map(|r| (r.name, r.db.clone())).collect(),
            bus: bus.clone(),
            extra: readiness.checks(),
            openapi: openapi_json,
            keys: keys.clone(),
            ops_token: settings.ops_token.clone(),
        });
        let audit = crate::audit::AuditState {
            keys: keys.clone(),
            databases: Arc::new(running.iter().map(|r| (r.name, r.db.clone())).collect()),
        };
        let router = api
            .merge(ops::router(ops_state))
            .merge(crate::audit::router(audit));
        let routes = served_paths(&router);
        // Roles as the document declares them, checked before any handler reads its input.
        let access = crate::http::access::Access {
            table: Arc::new(crate::http::access::AccessTable::from_openapi(&openapi)),
            keys: keys.clone(),
        };
        let router = router.layer(axum::middleware::from_fn_with_state(
            access,
            crate::http::access::enforce,
        ));
        // Pages check their own session and roles (`crate::web::PageCtx`).
        let router = router.merge(pages).merge(crate::web::assets::router());
        let limiter = Arc::new(RateLimiter::new(&settings.limits));
        let router = layers::with_layers(router, &settings, limiter);
        Ok(Self {
            routes,
            listener,
            router,
            bus,
            services: running,
            settings,
            shutdown,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// The path templates the listener serves (`/api/v1/spaces/{id}`, …), read from the router
    /// itself so a check can compare them with the OpenAPI document.
    pub fn routes(&self) -> &[String] {
        &self.routes
    }

    /// Cancel this token to stop the application gracefully.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serves until the shutdown token is cancelled, then stops taking work, lets consumers and
    /// workers finish what they hold, flushes the outboxes and returns.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self {
            listener,
            router,
            bus,
            services,
            settings,
            shutdown,
            routes: _,
        } = self;
        let relays_stop = CancellationToken::new();
        let mut intake = JoinSet::new();
        let mut relays = JoinSet::new();
        let retention = chrono::Duration::days(i64::from(settings.bus.inbox_retention_days));
        for service in services {
            let poll = Duration::from_millis(settings.bus.outbox_poll_ms);
            let relay = Relay::new(service.db.clone(), bus.clone(), &service.outbox, poll);
            relays.spawn(relay.run(relays_stop.clone()));
            intake.spawn(inbox::run_pruner(
                service.name,
                service.db.clone(),
                retention,
                shutdown.clone(),
            ));
            if let (Some(handler), Some(subscription)) = (service.handler, service.subscription) {
                let consumer: Arc<dyn Consumer> = Arc::new(TransactionalConsumer {
                    service: service.name,
                    db: service.db.clone(),
                    outbox: service.outbox.clone(),
                    handler,
                });
                let bus = bus.clone();
                let stop = shutdown.clone();
                intake.spawn(async move {
                    if let Err(error) = bus.consume(subscription, consumer, stop).await {
                        tracing::error!(%error, "consumer stopped");
                    }
                });
            }
            for worker in service.workers {
                let name = worker.name;
                intake.spawn(async move {
                    worker.task.await;
                    tracing::debug!(worker = name, "worker stopped");
                });
            }
        }
        let stop = shutdown.clone();
        let server = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move { stop.cancelled().await });
        let result = server.await.context("HTTP server failed");
        // The server ends only when asked to, or on a listener error: stop everything either way.
        shutdown.cancel();
        while intake.join_next().await.is_some() {}
        relays_stop.cancel();
        while relays.join_next().await.is_some() {}
        tracing::info!("stopped");
        result
    }
}

/// Refuses two services documenting different schemas under one name: merged, one would
/// silently replace the other and the document would describe the wrong answers.
fn check_schema_names(
    merged: &OpenApiRouter,
    next: &OpenApiRouter,
    service: &str,
) -> anyhow::Result<()> {
    let (Some(have), Some(new)) = (
        merged.get_openapi().components.as_ref(),
        next.get_openapi().components.as_ref(),
    ) else {
        return Ok(());
    };
    for (name, schema) in &new.schemas {
        if let Some(existing) = have.schemas.get(name)
            && shape(existing) != shape(schema)
        {
            anyhow::bail!(
                "the {service} service documents a schema `{name}` that another service documents \
                 differently; give one of them another name (#[schema(as = …)])"
            );
        }
    }
    Ok(())
}

/// A schema as JSON without its descriptions: two copies of one type may word them apart.
fn shape(schema: &impl serde::Serialize) -> Option<serde_json::Value> {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("description");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(schema).ok()?;
    strip(&mut value);
    Some(value)
}

/// The path templates in `router`. axum offers no listing, but its `Debug` output names each
/// route as `RouteId(n): "<path>"`; only the part before the fallback router is read.
fn served_paths(router: &Router) -> Vec<String> {
    let debug = format!("{router:?}");
    let routes = debug.split("fallback_router").next().unwrap_or_default();
    let mut paths: Vec<String> = routes
        .split("RouteId(")
        .skip(1)
        .filter_map(|chunk| {
            let rest = chunk.split_once("): \"")?.1;
            Some(rest.split('"').next()?.to_string())
        })
        .filter(|p| !p.contains("__private__axum"))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}
