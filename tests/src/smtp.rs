//! A real SMTP server per test (`support/smtp_sink.py`, on aiosmtpd), whose messages the test
//! reads back from its folder.

use crate::mail::Email;
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("support/smtp_sink.py")
}

impl SmtpServer {
    /// Starts a server storing messages in `dir`; `extra` are options such as `--reject-rcpt x`.
    pub async fn start(dir: &Path, port: u16, extra: &[&str]) -> Self {
        let mut child = Command::new("python3")
            .arg(script())
            .arg("--dir")
            .arg(dir)
            .arg("--port")
            .arg(port.to_string())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 must be installed, with aiosmtpd (pip install aiosmtpd)");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect(
                "the SMTP sink did not start in time (is aiosmtpd installed? pip install aiosmtpd)",
            )
            .expect("reading the SMTP sink's output")
            .expect("the SMTP sink exited at once (is aiosmtpd installed? pip install aiosmtpd)");
        let port = ready
            .strip_prefix("READY ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("unexpected SMTP sink output: {ready}"));
        Self {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    /// Starts the server again after [`SmtpServer::stop`], on the same port and folder, with
    /// the options `extra`.
    pub async fn start_again(&mut self, extra: &[&str]) {
        *self = Self::start(&self.dir, self.port, extra).await;
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server (the port goes dark); messages stay in the folder.
    pub async fn stop(&mut self) {
        let _ = self.child.kill().await;
    }

    /// How many messages were received so far (without reading them).
    pub fn count(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| {
                        let name = e.file_name();
                        let name = name.to_string_lossy();
                        !name.starts_with('.') && name.ends_with(".eml")
                    })
                    .count()
            })
            .unwrap_or(0)
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Email> {
        crate::mail::read_dir(&self.dir)
    }
}
