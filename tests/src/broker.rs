//! A RabbitMQ node of a test's own, for the faults that need the broker itself to stop and come
//! back. The machine's shared broker (5672) is never touched: the private node has its own name
//! (`piazza-<unique>@localhost`), AMQP and distribution ports, data, logs, PID file and Erlang
//! cookie under the test's temporary folder, no plugins (so no management listener to clash
//! with), and it ignores the machine's `rabbitmq-env.conf` and `rabbitmq.conf`.
//!
//! A start takes about 5 s and a stop about 1 s on the 2-core CI machine, so few tests use one.
//! The scripts are looked up in `PIAZZA_TEST_RABBITMQ_SBIN`, then `/usr/lib/rabbitmq/bin` (the
//! Debian package; its `/usr/sbin` wrappers would switch to the `rabbitmq` user), then beside
//! `rabbitmq-server` on the `PATH`.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};
use tempfile::TempDir;
use tokio::process::{Child, Command};

pub struct PrivateBroker {
    /// The Erlang node name, `piazza-<unique>@localhost`.
    pub node: String,
    /// The AMQP port; the same across restarts.
    pub port: u16,
    env: BTreeMap<String, String>,
    sbin: PathBuf,
    child: Option<Child>,
    /// How long the last start took, until the broker accepted AMQP connections.
    pub last_start: Duration,
    dir: TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn sbin() -> PathBuf {
    if let Ok(dir) = std::env::var("PIAZZA_TEST_RABBITMQ_SBIN") {
        return PathBuf::from(dir);
    }
    let debian = Path::new("/usr/lib/rabbitmq/bin");
    if debian.join("rabbitmq-server").exists() {
        return debian.to_path_buf();
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths).find(|dir| dir.join("rabbitmq-server").exists())
        })
        .expect("rabbitmq-server must be installed (apt-get install rabbitmq-server)")
}

impl PrivateBroker {
    /// Starts a fresh node and waits until it accepts AMQP connections.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let node = format!("piazza-{}@localhost", crate::unique_name());
        let port = free_port();
        let mut dist_port = free_port();
        while dist_port == port {
            dist_port = free_port();
        }
        std::fs::write(root.join("rabbitmq-env.conf"), "").expect("env file");
        std::fs::write(root.join("rabbitmq.conf"), "").expect("config file");
        std::fs::write(root.join("enabled_plugins"), "[].\n").expect("plugins file");
        let path = |name: &str| root.join(name).display().to_string();
        let env = BTreeMap::from([
            // The Erlang cookie is created in, and read from, $HOME.
            ("HOME".to_string(), path("")),
            ("RABBITMQ_CONF_ENV_FILE".into(), path("rabbitmq-env.conf")),
            ("RABBITMQ_CONFIG_FILE".into(), path("rabbitmq.conf")),
            (
                "RABBITMQ_ENABLED_PLUGINS_FILE".into(),
                path("enabled_plugins"),
            ),
            ("RABBITMQ_NODENAME".into(), node.clone()),
            ("RABBITMQ_NODE_IP_ADDRESS".into(), "127.0.0.1".into()),
            ("RABBITMQ_NODE_PORT".into(), port.to_string()),
            ("RABBITMQ_DIST_PORT".into(), dist_port.to_string()),
            ("RABBITMQ_MNESIA_BASE".into(), path("mnesia")),
            ("RABBITMQ_LOG_BASE".into(), path("log")),
            ("RABBITMQ_PID_FILE".into(), path("rabbitmq.pid")),
            ("ERL_EPMD_ADDRESS".into(), "127.0.0.1".into()),
            (
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS".into(),
                "-kernel inet_dist_use_interface {127,0,0,1}".into(),
            ),
        ]);
        let mut broker = Self {
            node,
            port,
            env,
            sbin: sbin(),
            child: None,
            last_start: Duration::ZERO,
            dir,
        };
        broker.start_again().await;
        broker
    }

    /// `amqp://guest:guest@127.0.0.1:<port>/%2f`.
    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    fn command(&self, script: &str) -> Command {
        let mut command = Command::new(self.sbin.join(script));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.env)
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        command
    }

    /// Starts the node (again) on the same port with the same data, and waits until it accepts
    /// AMQP connections.
    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "the broker is already running");
        let started = Instant::now();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.out"))
            .expect("broker output file");
        let child = self
            .command("rabbitmq-server")
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("starting rabbitmq-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let connection =
                lapin::Connection::connect(&self.url(), lapin::ConnectionProperties::default())
                    .await;
            if let Ok(connection) = connection {
                let _ = connection.close(200, "ready".into()).await;
                break;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!(
                    "the private RabbitMQ node exited ({status}):\n{}",
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the private RabbitMQ node did not start in time:\n{}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.last_start = started.elapsed();
    }

    /// Runs `rabbitmqctl <args>` against this node, as an operator would (`import_definitions`,
    /// `change_password`); returns whether it succeeded, and what it printed.
    pub async fn ctl(&self, args: &[&str]) -> (bool, String) {
        let output = self
            .command("rabbitmqctl")
            .args(["-n", &self.node])
            .args(args)
            .output()
            .await
            .expect("running rabbitmqctl");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }

    /// Stops the node the way an operator does (`rabbitmqctl stop`), waiting until it is gone.
    pub async fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let status = self
            .command("rabbitmqctl")
            .args(["-n", &self.node, "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
        if !status.is_ok_and(|s| s.success()) {
            let _ = child.start_kill();
        }
        let _ = tokio::time::timeout(Duration::from_secs(30), child.wait()).await;
        let _ = child.kill().await;
    }

    /// Stops the node and starts it again on the same port.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start_again().await;
    }

    /// What the node printed, for a failing test.
    pub fn output(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.out")).unwrap_or_default()
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        // Only a node this value started and did not stop. The Erlang VM is the script's child,
        // and the script does not pass SIGKILL on: stop the VM by the PID it wrote, then the
        // script.
        let Some(child) = self.child.as_mut() else {
            return;
        };
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("rabbitmq.pid"))
            && let Ok(pid) = pid.trim().parse::<u32>()
        {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let _ = child.start_kill();
    }
}
