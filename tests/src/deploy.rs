//! Whole deployments for a test: the distributed form (four processes on PostgreSQL, RabbitMQ and
//! an SMTP server) and the embedded form (one process, SQLite, in-process bus, `.eml` files).

use crate::{
    infra,
    mail::Mailbox,
    node::{self, Node},
    smtp::SmtpServer,
};
use std::collections::BTreeMap;
use tempfile::TempDir;

/// The key every process of one deployment signs and verifies with.
pub const SECRET: &str = "end-to-end-test-secret-key-0123456789abcdef";

/// A running Piazza.
pub struct Deployment {
    /// Environment shared by every process of the deployment.
    pub env: BTreeMap<String, String>,
    pub nodes: Vec<Node>,
    pub mailbox: Mailbox,
    /// PostgreSQL schema prefix and RabbitMQ names, when distributed.
    pub names: Option<(String, String, String)>,
    /// Last, so it is removed after the processes (and their logs) are dropped.
    pub dir: TempDir,
}

impl Deployment {
    /// booking, scheduler, notifier and monitoring as four processes.
    pub async fn distributed() -> Self {
        Self::distributed_with(BTreeMap::new()).await
    }

    /// As [`Deployment::distributed`], with extra settings for every process.
    pub async fn distributed_with(extra: BTreeMap<String, String>) -> Self {
        Self::distributed_services(&infra::SERVICES, extra).await
    }

    /// Only `services` (each its own process), with extra settings for every process (a proxy's
    /// URL in place of a dependency's, say).
    pub async fn distributed_services(services: &[&str], extra: BTreeMap<String, String>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let name = crate::unique_name();
        let smtp = SmtpServer::start(&dir.path().join("smtp"), 0, &[]).await;
        let schema_prefix = format!("{name}_");
        let namespace = name.clone();
        let queue_prefix = format!("{name}.");
        let mut env = BTreeMap::from([
            ("PIAZZA_DATABASE_URL".to_string(), crate::database_url()),
            (
                "PIAZZA_DATABASE_SCHEMA_PREFIX".into(),
                schema_prefix.clone(),
            ),
            ("PIAZZA_DATABASE_MAX_CONNECTIONS".into(), "5".into()),
            ("PIAZZA_AMQP_URL".into(), crate::amqp_url()),
            ("PIAZZA_BUS__NAMESPACE".into(), namespace.clone()),
            ("PIAZZA_BUS__QUEUE_PREFIX".into(), queue_prefix.clone()),
            ("PIAZZA_BUS__RETRY_DELAY_MS".into(), "300".into()),
            ("PIAZZA_SMTP_URL".into(), smtp.url()),
            ("PIAZZA_SECRET_KEY".into(), SECRET.into()),
            (
                "PIAZZA_DATA_DIR".into(),
                dir.path().join("data").display().to_string(),
            ),
            ("PIAZZA_LISTEN".into(), "127.0.0.1:0".into()),
        ]);
        env.extend(extra);
        let (ok, output) = node::run(&env, &["migrate"], "").await;
        assert!(ok, "piazza migrate failed: {output}");
        let mut nodes = Vec::new();
        for service in services {
            nodes.push(Node::start(service, env.clone(), &["serve", service], dir.path()).await);
        }
        Self {
            dir,
            env,
            nodes,
            mailbox: Mailbox::Smtp(smtp),
            names: Some((schema_prefix, namespace, queue_prefix)),
        }
    }

    /// Everything in one process on the embedded default.
    pub async fn embedded() -> Self {
        let mut deployment = Self::embedded_idle();
        let node = Node::start("piazza", deployment.env.clone(), &[], deployment.dir.path()).await;
        deployment.nodes.push(node);
        deployment
    }

    /// The embedded default's folder and settings, with no process started yet.
    pub fn embedded_idle() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        let env = BTreeMap::from([
            ("PIAZZA_DATA_DIR".to_string(), data.display().to_string()),
            ("PIAZZA_LISTEN".into(), "127.0.0.1:0".into()),
            ("PIAZZA_BUS__RETRY_DELAY_MS".into(), "300".into()),
        ]);
        Self {
            mailbox: Mailbox::Files(data.join("outbox")),
            dir,
            env,
            nodes: Vec::new(),
            names: None,
        }
    }

    /// Base URL of the process serving `service` (the only process when embedded).
    pub fn url(&self, service: &str) -> &str {
        let node = self
            .nodes
            .iter()
            .find(|n| n.name == service)
            .unwrap_or(&self.nodes[0]);
        &node.base_url
    }

    /// Starts one more process serving `service` (a replica), named `name`, with `extra` settings
    /// on top of the deployment's.
    pub async fn add_node(&mut self, name: &str, service: &str, extra: BTreeMap<String, String>) {
        let mut env = self.env.clone();
        env.extend(extra);
        let node = Node::start(name, env, &["serve", service], self.dir.path()).await;
        self.nodes.push(node);
    }

    pub fn node_mut(&mut self, service: &str) -> &mut Node {
        let index = self
            .nodes
            .iter()
            .position(|n| n.name == service)
            .unwrap_or(0);
        &mut self.nodes[index]
    }

    /// Creates an account with `piazza user add`.
    pub async fn add_user(
        &self,
        email: &str,
        role: &str,
        organisation: Option<&str>,
        password: &str,
    ) {
        let mut args = vec![
            "user",
            "add",
            "--email",
            email,
            "--role",
            role,
            "--password-stdin",
        ];
        if let Some(organisation) = organisation {
            args.extend(["--organisation", organisation]);
        }
        let (ok, output) = node::run(&self.env, &args, &format!("{password}\n")).await;
        assert!(ok, "piazza user add failed: {output}");
    }

    /// The slice's two people: an administrator (`admin@comune.test`) and an operator of ARCI
    /// Cremona (`ops@arci.test`), made with `piazza user add` and signed in at `base`. Returns
    /// their bearer tokens, administrator first.
    pub async fn admin_and_operator(&self, api: &crate::api::Api, base: &str) -> (String, String) {
        self.add_user("admin@comune.test", "admin", None, "admin-password-1")
            .await;
        self.add_user(
            "ops@arci.test",
            "operator",
            Some("ARCI Cremona"),
            "operator-password-1",
        )
        .await;
        (
            api.login(base, "admin@comune.test", "admin-password-1")
                .await,
            api.login(base, "ops@arci.test", "operator-password-1")
                .await,
        )
    }

    /// Stops every process and removes the test's schemas, queues and exchanges.
    pub async fn stop(mut self) {
        for node in &mut self.nodes {
            node.terminate().await;
        }
        if let Some((schema_prefix, namespace, queue_prefix)) = &self.names {
            infra::drop_schemas(schema_prefix).await;
            infra::delete_broker_objects(&crate::amqp_url(), namespace, queue_prefix).await;
        }
    }
}
