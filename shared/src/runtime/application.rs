//! An [`Application`]: one or several services behind one HTTP listener, their outboxes and
//! consumers wired to the bus, started together and stopped in order.

use super::{
    openapi::{ApiDoc, check_schema_names},
    service::{ServiceContext, ServiceDef, Worker, topology},
};
use crate::{
    auth::Keys,
    bus::{
        Bus, Consumer, Subscription, Topology,
        amqp::AmqpBus,
        consumer::TransactionalConsumer,
        handler::MessageHandler,
        inbox,
        memory::MemoryBus,
        outbox::{Outbox, Relay},
    },
    db::Db,
    http::{layers, limit::RateLimiter, ops},
    readiness::Readiness,
    settings::Settings,
    telemetry,
};
use anyhow::Context;
use axum::Router;
use std::{sync::Arc, time::Duration};
use tokio::{net::TcpListener, task::JoinSet};
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

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
    /// Pruned of ended windows while the application runs.
    limiter: Arc<RateLimiter>,
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
        // The deployment's whole API, as the gateway serves it: every service's document,
        // whichever of them run here.
        let mut whole = ApiDoc::openapi();
        for def in every {
            whole.merge((def.openapi)());
        }
        let whole = finish_document(&mut whole)?;
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
        let samplers = telemetry::Samplers::default();
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
                samplers: samplers.clone(),
            };
            let parts = (def.build)(context.clone())
                .await
                .with_context(|| format!("starting the {} service", def.name))?;
            // Every service refuses the tokens of ended sessions.
            let parts = super::sessions::attach(&context, parts).await?;
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
        let openapi_json = finish_document(&mut openapi)?;
        let ops_state = Arc::new(ops::OpsState {
            databases: running.iter().map(|r| (r.name, r.db.clone())).collect(),
            bus: bus.clone(),
            extra: readiness.checks(),
            samplers: samplers.all(),
            openapi: openapi_json,
            openapi_all: whole,
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
        // Pages check their own session and roles (`crate::web::SignedIn`, `crate::web::PageCtx`).
        let router = router.merge(pages).merge(crate::web::assets::router());
        // Shared by the replicas through the first service's database when it is PostgreSQL
        // (each service counts in its own schema), in memory on SQLite.
        let limiter = Arc::new(match running.first() {
            Some(first) => RateLimiter::for_database(&settings.limits, &first.db),
            None => RateLimiter::new(&settings.limits),
        });
        let router = layers::with_layers(router, &settings, limiter.clone());
        // Outside every other layer: a browser asking for a page gets an error page, never JSON.
        let router = router.layer(axum::middleware::from_fn_with_state(
            crate::web::errors::ErrorPages::new(keys.clone())?,
            crate::web::errors::html_errors,
        ));
        Ok(Self {
            routes,
            listener,
            router,
            limiter,
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
            limiter,
        } = self;
        let relays_stop = CancellationToken::new();
        let mut intake = JoinSet::new();
        let mut relays = JoinSet::new();
        let retention = chrono::Duration::days(i64::from(settings.bus.inbox_retention_days));
        intake.spawn(limiter.run_pruner(shutdown.clone()));
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

/// The served form of a merged document: the problem+json answers and the links added after
/// the merge, so they reach every service's operations.
fn finish_document(openapi: &mut utoipa::openapi::OpenApi) -> anyhow::Result<String> {
    utoipa::Modify::modify(&crate::http::openapi::ProblemContent, openapi);
    let mut document =
        serde_json::to_value(&*openapi).context("serialising the OpenAPI document")?;
    crate::http::links::add(&mut document);
    Ok(document.to_string())
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
