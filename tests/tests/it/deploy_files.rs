//! The files in `deploy/` that users run: the compose file is valid for the Docker client and
//! starts what the README promises, and the gateway sends every path to the service that serves it.

use piazza_e2e::{api::Api, deploy::Deployment};
use std::{path::PathBuf, process::Command};

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
fn the_compose_file_is_valid_and_starts_the_three_services_with_their_dependencies() {
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
            "notifier",
            "postgres",
            "rabbitmq",
            "scheduler"
        ]
    );
    let config = String::from_utf8_lossy(&compose(&["config"]).stdout).into_owned();
    for needed in [
        "PIAZZA_DATABASE_URL",
        "PIAZZA_AMQP_URL",
        "PIAZZA_SMTP_URL",
        "PIAZZA_SECRET_KEY",
        "PIAZZA_HTTP__TRUSTED_PROXIES",
    ] {
        assert_eq!(
            config.matches(needed).count(),
            3,
            "each service sets {needed}"
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
                .split(':')
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
