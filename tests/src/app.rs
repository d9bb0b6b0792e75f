//! Piazza inside the test process (the `spawn_app()` of zero-to-production): the chosen services
//! behind one listener on a free port, on the test's own PostgreSQL schemas or SQLite folder, on
//! the in-process bus or on RabbitMQ under the test's own exchange and queue names, with emails
//! written to files or sent to the test's own SMTP server.
//!
//! ```ignore
//! let app = TestApp::builder().postgres().spawn().await;       // all four services
//! let admin = app.admin().await;                                // a logged-in administrator
//! let (status, body) = app.post("/api/v1/spaces", Some(&admin), &json!({ … })).await;
//! app.stop().await;
//! ```

use crate::{api::Api, infra, mail::Mailbox, smtp::SmtpServer};
use piazza_shared::{
    auth::Role,
    db::Db,
    runtime::{self, Application, ServiceDef},
    secret::Secret,
    settings::Settings,
};
use reqwest::StatusCode;
use serde_json::Value;
use std::{path::PathBuf, sync::Arc};
use tempfile::TempDir;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The four services, as the embedded default runs them.
pub const ALL: [ServiceDef; 4] = [
    piazza_booking::SERVICE,
    piazza_scheduler::SERVICE,
    piazza_notifier::SERVICE,
    piazza_monitoring::SERVICE,
];

/// Where the services keep their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    /// One SQLite file per service in the test's temporary folder.
    Sqlite,
    /// One schema per service, `<unique>_booking`…, in the machine's PostgreSQL.
    Postgres,
}

/// A change to the settings, applied after the test's defaults.
type Adjust = Box<dyn FnOnce(&mut Settings) + Send>;

/// How to start a [`TestApp`].
pub struct AppBuilder {
    database: Database,
    rabbitmq: bool,
    smtp: bool,
    services: Vec<ServiceDef>,
    adjust: Vec<Adjust>,
}

impl AppBuilder {
    /// PostgreSQL instead of SQLite.
    pub fn postgres(mut self) -> Self {
        self.database = Database::Postgres;
        self
    }

    pub fn database(mut self, database: Database) -> Self {
        self.database = database;
        self
    }

    /// RabbitMQ (the test's own exchanges and queues) instead of the in-process bus.
    pub fn rabbitmq(mut self) -> Self {
        self.rabbitmq = true;
        self
    }

    /// A real SMTP server (aiosmtpd) instead of `.eml` files.
    pub fn smtp(mut self) -> Self {
        self.smtp = true;
        self
    }

    /// Only these services (default: all four).
    pub fn services(mut self, services: &[ServiceDef]) -> Self {
        self.services = services.to_vec();
        self
    }

    /// Changes settings after the test's defaults are in place.
    pub fn settings(mut self, adjust: impl FnOnce(&mut Settings) + Send + 'static) -> Self {
        self.adjust.push(Box::new(adjust));
        self
    }

    pub async fn spawn(self) -> TestApp {
        crate::clock::pin();
        let dir = tempfile::tempdir().expect("temp dir");
        let name = crate::unique_name();
        let mut settings =
            Settings::from_toml("", &runtime::sections(&ALL)).expect("default settings");
        settings.listen = "127.0.0.1:0".parse().expect("address");
        settings.data_dir = dir.path().join("data");
        settings.secret_key = Some(Secret::new(crate::deploy::SECRET.to_string()));
        settings.bus.retry_delay_ms = 300;
        settings.bus.outbox_poll_ms = 200;
        settings.database_max_connections = 5;
        // Tests log in and subscribe often from one address; the rate-limit tests lower these.
        settings.limits.login_per_account = 1000;
        settings.limits.login_per_address = 10_000;
        settings.limits.public_per_address = 10_000;
        // Likewise the confirmations the public forms may cause (tests/tests/it/security/floods.rs
        // lowers them); the repeat window stays as deployed.
        settings.forms.per_recipient_per_day = 10_000;
        settings.forms.per_client_per_hour = 10_000;
        settings.forms.noscript_per_client_per_hour = 10_000;
        let schema_prefix = format!("{name}_");
        if self.database == Database::Postgres {
            settings.database_url = Some(Secret::new(crate::database_url()));
            settings.database_schema_prefix = schema_prefix.clone();
        }
        let (namespace, queue_prefix) = (name.clone(), format!("{name}."));
        // Queue names label the bus metrics; unique ones keep parallel tests' figures apart even
        // on the in-process bus.
        settings.bus.queue_prefix = queue_prefix.clone();
        if self.rabbitmq {
            settings.amqp_url = Some(Secret::new(crate::amqp_url()));
            settings.bus.namespace = namespace.clone();
            settings.bus.queue_prefix = queue_prefix.clone();
        }
        let mailbox = if self.smtp {
            let server = SmtpServer::start(&dir.path().join("smtp"), 0, &[]).await;
            settings.smtp_url = Some(Secret::new(server.url()));
            Mailbox::Smtp(server)
        } else {
            Mailbox::Files(settings.data_dir.join("outbox"))
        };
        for adjust in self.adjust {
            adjust(&mut settings);
        }
        settings.validate().expect("the test's settings are valid");
        let app = Application::build(settings.clone(), &self.services, &ALL)
            .await
            .expect("building the application");
        let port = app.port();
        let routes = app.routes().to_vec();
        let shutdown = app.shutdown_token();
        let task = tokio::spawn(app.run_until_stopped());
        settings.listen.set_port(port);
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            api: Api::new(),
            settings: Arc::new(settings),
            mailbox,
            shutdown,
            task: Some(task),
            schema_prefix: (self.database == Database::Postgres).then_some(schema_prefix),
            broker: self.rabbitmq.then_some((namespace, queue_prefix)),
            routes,
            dir,
        }
    }
}

/// A running Piazza inside the test process.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pub api: Api,
    /// The settings it runs with (the real port filled in).
    pub settings: Arc<Settings>,
    pub mailbox: Mailbox,
    shutdown: CancellationToken,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    schema_prefix: Option<String>,
    broker: Option<(String, String)>,
    /// The path templates the listener serves, as its router lists them.
    pub routes: Vec<String>,
    /// Last, so it is removed after everything that writes into it.
    pub dir: TempDir,
}

impl TestApp {
    /// All four services on SQLite, the in-process bus and `.eml` files.
    pub fn builder() -> AppBuilder {
        crate::clock::pin();
        AppBuilder {
            database: Database::Sqlite,
            rabbitmq: false,
            smtp: false,
            services: ALL.to_vec(),
            adjust: Vec::new(),
        }
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The test's data folder (SQLite files, `.eml` outbox).
    pub fn data_dir(&self) -> PathBuf {
        self.settings.data_dir.clone()
    }

    /// The environment that points the `piazza` command line (`piazza dead-letters …`, say) at
    /// this application's databases, bus and data folder.
    pub fn cli_env(&self) -> std::collections::BTreeMap<String, String> {
        let settings = &self.settings;
        let mut env = std::collections::BTreeMap::from([
            (
                "PIAZZA_DATA_DIR".to_string(),
                settings.data_dir.display().to_string(),
            ),
            (
                "PIAZZA_BUS__NAMESPACE".into(),
                settings.bus.namespace.clone(),
            ),
            (
                "PIAZZA_BUS__QUEUE_PREFIX".into(),
                settings.bus.queue_prefix.clone(),
            ),
            (
                "PIAZZA_DATABASE_SCHEMA_PREFIX".into(),
                settings.database_schema_prefix.clone(),
            ),
        ]);
        if let Some(url) = &settings.database_url {
            env.insert("PIAZZA_DATABASE_URL".into(), url.expose().clone());
        }
        if let Some(url) = &settings.amqp_url {
            env.insert("PIAZZA_AMQP_URL".into(), url.expose().clone());
        }
        env
    }

    /// A connection to `service`'s database, as the service itself opens it.
    pub async fn db(&self, service: &str) -> Db {
        Db::connect(&self.settings, service)
            .await
            .expect("connecting to the test database")
    }

    /// Creates an account directly in booking's database (as `piazza user add` does).
    pub async fn add_user(
        &self,
        email: &str,
        role: Role,
        organisation: Option<&str>,
        password: &str,
    ) {
        let db = self.db(piazza_booking::NAME).await;
        piazza_booking::accounts::create(&db, email, role, organisation, password.to_string())
            .await
            .expect("creating the account");
        db.close().await;
    }

    /// Creates an account and logs it in; returns the bearer token.
    pub async fn user(&self, email: &str, role: Role, organisation: Option<&str>) -> String {
        let password = "a-long-test-password";
        self.add_user(email, role, organisation, password).await;
        self.api.login(&self.base, email, password).await
    }

    /// A logged-in administrator (`admin@comune.test`), created on first use.
    pub async fn admin(&self) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/token",
                None,
                &serde_json::json!({ "email": "admin@comune.test", "password": "a-long-test-password" }),
            )
            .await;
        if status == StatusCode::OK {
            return body["access_token"]
                .as_str()
                .unwrap_or_default()
                .to_string();
        }
        self.user("admin@comune.test", Role::Admin, None).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.api.get(&self.url(path), token).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        self.api.post(&self.url(path), token, body).await
    }

    pub async fn patch(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        self.api
            .call(reqwest::Method::PATCH, &self.url(path), token, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.api
            .call(reqwest::Method::DELETE, &self.url(path), token, None)
            .await
    }

    /// Stops gracefully (as on SIGTERM) and removes the test's schemas, queues and exchanges.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let result = task.await.expect("the application task");
            result.expect("the application stopped cleanly");
        }
        if let Some(prefix) = &self.schema_prefix {
            infra::drop_schemas(prefix).await;
        }
        if let Some((namespace, queue_prefix)) = &self.broker {
            infra::delete_broker_objects(&crate::amqp_url(), namespace, queue_prefix).await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // A test that panicked never reached `stop`: at least stop serving.
        self.shutdown.cancel();
    }
}
