//! One Piazza process started by a test, with its own environment; its output goes to a log file
//! that is printed if the test fails.

use std::{
    collections::BTreeMap,
    io::Write,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    process::{Child, Command},
    sync::oneshot,
};

/// The test build of the `piazza` binary. Cargo builds it with this package's tests, beside
/// them: `target/<profile>/piazza-e2e-node` while tests run from `target/<profile>/deps/`.
pub fn binary() -> PathBuf {
    for var in [
        "CARGO_BIN_EXE_piazza-e2e-node",
        "NEXTEST_BIN_EXE_piazza-e2e-node",
    ] {
        if let Ok(path) = std::env::var(var) {
            return PathBuf::from(path);
        }
    }
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| {
            if deps.ends_with("deps") {
                deps.parent()
            } else {
                Some(deps)
            }
        })
        .expect("the target directory");
    profile_dir.join("piazza-e2e-node")
}

/// A command with a clean Piazza environment: no `PIAZZA_*` from the caller, only `env`.
fn command(env: &BTreeMap<String, String>, args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    for (key, _) in std::env::vars() {
        if key.starts_with("PIAZZA_") {
            command.env_remove(key);
        }
    }
    command
        .envs(env)
        .args(args)
        .env("PIAZZA_CONFIG", "/nonexistent/piazza.toml")
        // The test's clock, where the test process's own is now (see `crate::clock`).
        .env("PIAZZA_CLOCK_START", crate::clock::now().to_rfc3339());
    if std::env::var("RUST_LOG").is_err() {
        command.env(
            "RUST_LOG",
            "info,sqlx=warn,lapin=warn,lapin::returned_messages=error,amq_protocol=warn",
        );
    }
    command
}

/// Runs a one-shot command (`migrate`, `user add`) to completion, feeding `stdin`.
pub async fn run(env: &BTreeMap<String, String>, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = command(env, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting piazza");
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.as_bytes())
            .await
            .expect("writing stdin");
    }
    let output = child.wait_with_output().await.expect("waiting for piazza");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// The account `piazza demo` printed for `role` (`administrator`, `operator`, `evaluator`): its
/// email and password.
pub fn demo_account(output: &str, role: &str) -> (String, String) {
    let line = output
        .lines()
        .find(|l| l.trim_start().starts_with(role))
        .unwrap_or_else(|| panic!("no {role} line in:\n{output}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "password")
        .expect("password");
    (words[1].to_string(), words[at + 1].to_string())
}

pub struct Node {
    pub name: String,
    child: Child,
    pub base_url: String,
    pub log: PathBuf,
    env: BTreeMap<String, String>,
    args: Vec<String>,
}

impl Node {
    /// Starts `piazza <args>` and waits until it listens.
    pub async fn start(
        name: &str,
        env: BTreeMap<String, String>,
        args: &[&str],
        log_dir: &Path,
    ) -> Self {
        let log = log_dir.join(format!("{name}.log"));
        let (child, base_url) = spawn(&env, args, &log).await;
        Self {
            name: name.to_string(),
            child,
            base_url,
            log,
            env,
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the exit; returns whether it exited with 0.
    pub async fn terminate(&mut self) -> bool {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
        match tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await {
            Ok(Ok(status)) => status.success(),
            _ => {
                let _ = self.child.kill().await;
                false
            }
        }
    }

    /// SIGKILL: no chance to finish anything.
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }

    /// Starts the same command again on the same port.
    pub async fn restart(&mut self) {
        let port = self.base_url.rsplit(':').next().unwrap_or("0").to_string();
        self.env
            .insert("PIAZZA_LISTEN".into(), format!("127.0.0.1:{port}"));
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let (child, base_url) = spawn(&self.env, &args, &self.log).await;
        self.child = child;
        self.base_url = base_url;
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        if std::thread::panicking() {
            eprintln!(
                "----- {} log ({}) -----\n{}",
                self.name,
                self.log.display(),
                self.logs()
            );
        }
    }
}

async fn spawn(env: &BTreeMap<String, String>, args: &[&str], log: &Path) -> (Child, String) {
    let mut child = command(env, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starting piazza");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = oneshot::channel::<String>();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("opening the node log");
    let err_file = file.try_clone().expect("cloning the log handle");
    tokio::spawn(async move {
        let mut tx = Some(tx);
        let mut file = file;
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let _ = writeln!(file, "{line}");
            if let Some(rest) = line.split("listening on http://").nth(1)
                && let Some(tx) = tx.take()
            {
                let address = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let _ = tx.send(address);
            }
        }
    });
    tokio::spawn(async move {
        let mut file = err_file;
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let _ = writeln!(file, "{line}");
        }
    });
    let address = match tokio::time::timeout(Duration::from_secs(60), rx).await {
        Ok(Ok(address)) => address,
        _ => {
            let logs = std::fs::read_to_string(log).unwrap_or_default();
            panic!("piazza {args:?} did not start listening:\n{logs}");
        }
    };
    (child, format!("http://{address}"))
}
