//! The files in `deploy/` that users run: the compose file is valid for the Docker client and
//! starts what the README promises, the gateway sends every path to the service that serves it,
//! and the RabbitMQ definitions file is the code's topology, loads into RabbitMQ, and lets each
//! service run with its own user and no more.

use piazza_e2e::{api::Api, broker::PrivateBroker, deploy::Deployment, node::Node};
use piazza_shared::{runtime::topology, settings::Settings};
use serde_json::Value;
use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

/// `docker compose` (the plugin) or the standalone `docker-compose`, whichever is installed.
fn compose(args: &[&str]) -> std::process::Output {
    let file = deploy_dir().join("compose.yaml");
    let file = file.to_str().unwrap();
    let plugin = Command::new("docker")
        .args(["compose", "-f", file])
        .args(args)
        .output();
    match plugin {
        Ok(output) if output.status.success() => output,
        _ => Command::new("docker-compose")
            .args(["-f", file])
            .args(args)
            .output()
            .expect(
                "the Docker Compose client (docker compose or docker-compose) must be installed",
            ),
    }
}

#[test]
fn the_compose_file_is_valid_and_starts_the_four_services_with_their_dependencies() {
    let check = compose(&["config", "-q"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let services = compose(&["config", "--services"]);
    let mut names: Vec<String> = String::from_utf8_lossy(&services.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "booking",
            "gateway",
            "mailpit",
            "monitoring",
            "notifier",
            "postgres",
            "rabbitmq",
            "scheduler"
        ]
    );
    let config = String::from_utf8_lossy(&compose(&["config"]).stdout).into_owned();
    for needed in [
        "PIAZZA_DATABASE_URL_FILE: /run/secrets/database_url",
        "PIAZZA_AMQP_URL_FILE: /run/secrets/amqp_url",
        "PIAZZA_SECRET_KEY_FILE: /run/secrets/secret_key",
        "PIAZZA_SMTP_URL:",
        "PIAZZA_HTTP__TRUSTED_PROXIES:",
    ] {
        assert_eq!(
            config.matches(needed).count(),
            4,
            "each service sets {needed}"
        );
    }
}

#[test]
fn the_compose_file_holds_no_secret_and_publishes_no_console() {
    let config = String::from_utf8_lossy(&compose(&["config"]).stdout).into_owned();
    // Secrets come from files only: no value, no default for a missing one.
    for inline in [
        "PIAZZA_SECRET_KEY:",
        "PIAZZA_DATABASE_URL:",
        "PIAZZA_AMQP_URL:",
        "POSTGRES_PASSWORD:",
        "RABBITMQ_DEFAULT_PASS",
        "guest:guest",
        "change-me",
    ] {
        assert!(!config.contains(inline), "compose.yaml sets {inline}");
    }
    assert!(
        !config.contains("15672"),
        "the RabbitMQ console is published"
    );
    // Each secret file is under deploy/secrets/ (git-ignored), and its format is shown in
    // deploy/secrets.example/ (deploy/make-secrets makes them).
    let files: Vec<&str> = config
        .lines()
        .filter_map(|l| l.trim().strip_prefix("file: "))
        .collect();
    assert_eq!(files.len(), 5, "{config}");
    for file in files {
        let name = file.rsplit('/').next().unwrap();
        assert!(
            file.ends_with(&format!("deploy/secrets/{name}")),
            "{file} is not in deploy/secrets/"
        );
        assert!(
            deploy_dir().join("secrets.example").join(name).exists(),
            "deploy/secrets.example/{name} is missing"
        );
    }
    let ignored = std::fs::read_to_string(deploy_dir().join("../.gitignore")).unwrap();
    assert!(ignored.lines().any(|l| l == "/deploy/secrets/"));
    let context = std::fs::read_to_string(deploy_dir().join("../.dockerignore")).unwrap();
    for kept_out in ["target/", "data/", ".git/", "deploy/secrets/", "*.key"] {
        assert!(
            context.lines().any(|l| l == kept_out),
            ".dockerignore must keep {kept_out} out of the build context"
        );
    }
}

#[test]
fn the_gateway_appends_the_client_address_instead_of_replacing_what_piazza_trusts() {
    // Piazza takes the client from the right of X-Forwarded-For (one trusted proxy): the gateway
    // must append the address it saw, never pass the header on as the client wrote it.
    let text = std::fs::read_to_string(deploy_dir().join("gateway.conf")).unwrap();
    let forwarded: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && l.contains("X-Forwarded-For"))
        .collect();
    assert_eq!(
        forwarded,
        ["proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"]
    );
}

#[test]
fn the_gateway_keeps_metrics_and_readiness_inside() {
    // Under `location /` they would reach the scheduler's: each has a location of its own.
    let text = std::fs::read_to_string(deploy_dir().join("gateway.conf")).unwrap();
    for path in ["/metrics", "/readyz"] {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(&format!("location = {path} ")))
            .unwrap_or_else(|| panic!("gateway.conf has no location for {path}"));
        assert!(line.ends_with("{ return 404; }"), "{line}");
    }
}

/// `(prefix, exact, upstream)` for each `location` of `deploy/gateway.conf`.
pub(crate) fn gateway_locations() -> Vec<(String, bool, String)> {
    let text = std::fs::read_to_string(deploy_dir().join("gateway.conf")).unwrap();
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("location ")?;
            let (exact, rest) = match rest.strip_prefix("= ") {
                Some(rest) => (true, rest),
                None => (false, rest),
            };
            let prefix = rest.split_whitespace().next()?.to_string();
            let upstream = rest
                .split("proxy_pass http://")
                .nth(1)?
                .split([':', ';'])
                .next()?
                .to_string();
            Some((prefix, exact, upstream))
        })
        .collect()
}

/// The service nginx sends `path` to: an exact match, else the longest prefix.
pub(crate) fn routed_to(locations: &[(String, bool, String)], path: &str) -> Option<String> {
    if let Some((_, _, upstream)) = locations.iter().find(|(p, exact, _)| *exact && p == path) {
        return Some(upstream.clone());
    }
    locations
        .iter()
        .filter(|(p, exact, _)| !exact && path.starts_with(p.as_str()))
        .max_by_key(|(p, _, _)| p.len())
        .map(|(_, _, upstream)| upstream.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_routes_every_documented_path_to_the_service_that_serves_it() {
    let locations = gateway_locations();
    let deployment = Deployment::distributed().await;
    let api = Api::new();
    let mut documents = Vec::new();
    for service in piazza_e2e::infra::SERVICES {
        let (_, openapi) = api
            .get(
                &format!("{}/api/openapi.json", deployment.url(service)),
                None,
            )
            .await;
        documents.push((service, openapi));
    }
    // Paths every listener serves for itself (`/healthz`, `/api/v1/audit`, …) are no one
    // service's to route.
    let everywhere = |path: &str| {
        documents
            .iter()
            .all(|(_, d)| d["paths"].get(path).is_some())
    };
    for (service, openapi) in &documents {
        let service = *service;
        for path in openapi["paths"].as_object().unwrap().keys() {
            if everywhere(path) {
                continue;
            }
            // `{id}` stands for any segment; a concrete id routes the same way.
            let concrete = path.replace("{id}", "0191d6d5-0000-7000-8000-000000000000");
            assert_eq!(
                routed_to(&locations, &concrete).as_deref(),
                Some(service),
                "deploy/gateway.conf must send {path} to {service}"
            );
        }
    }
    deployment.stop().await;
}

fn definitions() -> Value {
    let text = std::fs::read_to_string(deploy_dir().join("rabbitmq/definitions.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn names(list: &Value, field: &str) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_rabbitmq_definitions_declare_the_codes_queues_and_bindings() {
    let settings = Settings::from_toml("", &[]).unwrap();
    let bus = &settings.bus;
    let every = topology(
        bus,
        &[
            piazza_booking::SERVICE,
            piazza_scheduler::SERVICE,
            piazza_notifier::SERVICE,
            piazza_monitoring::SERVICE,
        ],
    );
    let definitions = definitions();
    let events = format!("{}.events", bus.namespace);
    let dead = format!("{}.dead", bus.namespace);
    assert_eq!(
        names(&definitions["exchanges"], "name"),
        BTreeSet::from([events.clone(), dead.clone()])
    );
    let mut queues = BTreeSet::new();
    let mut bindings = BTreeSet::new();
    for subscription in every.subscriptions() {
        let queue = &subscription.queue;
        queues.extend([
            queue.clone(),
            format!("{queue}.retry"),
            format!("{queue}.dead"),
        ]);
        for key in &subscription.bindings {
            bindings.insert((events.clone(), queue.clone(), key.to_string()));
        }
        bindings.insert((dead.clone(), format!("{queue}.dead"), queue.clone()));
    }
    assert_eq!(names(&definitions["queues"], "name"), queues);
    let declared: BTreeSet<(String, String, String)> = definitions["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let text = |field: &str| b[field].as_str().unwrap().to_string();
            (text("source"), text("destination"), text("routing_key"))
        })
        .collect();
    assert_eq!(declared, bindings);
    // One user per service, reading nothing but its own queue (and the exchanges it binds from).
    for subscription in every.subscriptions() {
        let user = format!("piazza-{}", subscription.service);
        let permission = definitions["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["user"] == user.as_str())
            .unwrap_or_else(|| panic!("no permissions for {user}"));
        let read = regex_lite_full_match(permission["read"].as_str().unwrap());
        for queue in &queues {
            assert_eq!(
                read(queue),
                queue == &subscription.queue,
                "{user} may read {queue}"
            );
        }
    }
}

/// Whether a permission's pattern matches a whole name: the patterns in the definitions file are
/// `^(alternatives)$` of literal names, so they are read as that, and anything else is refused.
fn regex_lite_full_match(pattern: &str) -> impl Fn(&str) -> bool {
    let inner = pattern
        .strip_prefix("^(")
        .and_then(|p| p.strip_suffix(")$"))
        .unwrap_or_else(|| panic!("unexpected pattern {pattern}"));
    let names: Vec<String> = inner
        .replace("piazza\\.(events|dead)", "piazza.events|piazza.dead")
        .split('|')
        .map(|n| n.replace("\\.", "."))
        .collect();
    assert!(
        names.iter().all(|n| !n.contains(['(', ')', '*', '?'])),
        "unexpected pattern {pattern}"
    );
    move |name: &str| names.iter().any(|n| n == name)
}

/// Polls `url` until it answers 200, for up to 30 s.
async fn ready(api: &Api, url: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if api.get(url, None).await.0 == reqwest::StatusCode::OK {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rabbitmq_definitions_load_and_each_service_runs_with_its_own_user_only() {
    let broker = PrivateBroker::start().await;
    let file = deploy_dir().join("rabbitmq/definitions.json");
    let (ok, output) = broker
        .ctl(&["import_definitions", file.to_str().unwrap()])
        .await;
    assert!(ok, "{output}");
    // The import runs on in the node after rabbitmqctl returns: its users appear shortly.
    for user in ["operator", "booking", "scheduler", "notifier", "monitoring"] {
        let name = format!("piazza-{user}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (ok, output) = broker
                .ctl(&["change_password", &name, &format!("{user}-password")])
                .await;
            if ok {
                break;
            }
            assert!(Instant::now() < deadline, "{output}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    let url = |user: &str| {
        format!(
            "amqp://piazza-{user}:{user}-password@127.0.0.1:{}/piazza",
            broker.port
        )
    };
    let dir = tempfile::tempdir().unwrap();
    // The definitions' names: the default bus settings, the vhost of the file.
    let mut env = BTreeMap::from([
        (
            "PIAZZA_DATABASE_URL".to_string(),
            piazza_e2e::database_url(),
        ),
        (
            "PIAZZA_DATABASE_SCHEMA_PREFIX".into(),
            format!("{}_", piazza_e2e::unique_name()),
        ),
        ("PIAZZA_DATABASE_MAX_CONNECTIONS".into(), "3".into()),
        (
            "PIAZZA_SECRET_KEY".into(),
            piazza_e2e::deploy::SECRET.into(),
        ),
        (
            "PIAZZA_DATA_DIR".into(),
            dir.path().join("data").display().to_string(),
        ),
        ("PIAZZA_LISTEN".into(), "127.0.0.1:0".into()),
        ("PIAZZA_AMQP_URL".into(), url("operator")),
    ]);
    // `piazza migrate` declares every queue again: any argument unlike the file's is refused.
    let (ok, output) = piazza_e2e::node::run(&env, &["migrate"], "").await;
    assert!(ok, "piazza migrate on the definitions' topology: {output}");
    let api = Api::new();
    let mut nodes = Vec::new();
    for service in piazza_e2e::infra::SERVICES {
        env.insert("PIAZZA_AMQP_URL".into(), url(service));
        let node = Node::start(service, env.clone(), &["serve", service], dir.path()).await;
        assert!(
            ready(&api, &format!("{}/readyz", node.base_url)).await,
            "{service} with its own user is not ready:\n{}",
            std::fs::read_to_string(&node.log).unwrap_or_default()
        );
        nodes.push(node);
    }
    // Quorum queues report their consumers on the node's next tick, within seconds.
    let consumed = |queues: &str| {
        piazza_e2e::infra::SERVICES.iter().all(|service| {
            queues
                .lines()
                .any(|l| l.split_whitespace().eq([*service, "1"]))
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (ok, queues) = broker
            .ctl(&[
                "list_queues",
                "-p",
                "piazza",
                "--quiet",
                "--no-table-headers",
                "name",
                "consumers",
            ])
            .await;
        assert!(ok, "{queues}");
        if consumed(&queues) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not every service consumes its queue:\n{queues}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Another service's messages are out of reach.
    let connection = lapin::Connection::connect(&url("booking"), Default::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    let refused = channel
        .basic_consume(
            "scheduler".into(),
            "intruder".into(),
            Default::default(),
            Default::default(),
        )
        .await;
    let Err(error) = refused else {
        panic!("booking's user could read the scheduler's queue");
    };
    assert!(
        format!("{error:?}").to_uppercase().contains("ACCESS"),
        "{error:?}"
    );
    for mut node in nodes {
        node.terminate().await;
    }
}
