//! nginx in front of a test's processes, running the shipped `deploy/gateway.conf` as it is:
//! only `deploy/gateway-upstreams.conf` (which replicas serve each service) and
//! `deploy/gateway-listen.conf` (the port) are written by the test. It runs as an unprivileged
//! user (`nobody` when the test runs as root), in a folder of its own, in the foreground.
//!
//! The binary is `PIAZZA_TEST_NGINX` (tests/run records it), else `nginx` on the `PATH`, else
//! `/usr/sbin/nginx` (Debian's `nginx-light` or `nginx` package).

use std::{
    os::unix::fs::{MetadataExt, PermissionsExt},
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tempfile::TempDir;
use tokio::process::{Child, Command};

/// The user nginx runs as when the test runs as root (Debian's `nobody`).
const NOBODY: u32 = 65_534;

pub struct Gateway {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    dir: TempDir,
}

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

/// The nginx binary the tests run.
pub fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("PIAZZA_TEST_NGINX")
        && !path.is_empty()
    {
        return PathBuf::from(path);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("nginx"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| PathBuf::from("/usr/sbin/nginx"))
}

/// A port free right now on 127.0.0.1, for a gateway whose address the services must know
/// before it starts (`PIAZZA_PUBLIC_URL`, the links in emails).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `upstream <service> { server 127.0.0.1:<port>; … }` for each service and its replicas' base
/// URLs (`http://127.0.0.1:41234`).
fn upstreams(services: &[(&str, Vec<String>)]) -> String {
    let mut text = String::new();
    for (service, urls) in services {
        text.push_str(&format!("upstream {service} {{\n"));
        for url in urls {
            let address = url.trim_start_matches("http://").trim_end_matches('/');
            text.push_str(&format!("    server {address};\n"));
        }
        text.push_str("}\n");
    }
    text
}

impl Gateway {
    /// Starts nginx with `deploy/gateway.conf`, sending each service's paths to its replicas
    /// (round robin, as nginx does by default), and waits until it accepts connections.
    pub async fn start(services: &[(&str, Vec<String>)]) -> Self {
        Self::start_on(free_port(), services).await
    }

    /// As [`Gateway::start`], listening on `port`.
    pub async fn start_on(port: u16, services: &[(&str, Vec<String>)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::copy(deploy_dir().join("gateway.conf"), root.join("gateway.conf"))
            .expect("copying deploy/gateway.conf");
        std::fs::write(root.join("gateway-upstreams.conf"), upstreams(services)).unwrap();
        std::fs::write(
            root.join("gateway-listen.conf"),
            format!("listen 127.0.0.1:{port};\n"),
        )
        .unwrap();
        let root_text = root.display();
        // Every path nginx writes is in its own folder; relative includes are read beside
        // nginx.conf, as in /etc/nginx.
        std::fs::write(
            root.join("nginx.conf"),
            format!(
                "worker_processes 1;\n\
                 pid {root_text}/nginx.pid;\n\
                 error_log {root_text}/error.log warn;\n\
                 events {{ worker_connections 512; }}\n\
                 http {{\n\
                 \x20   access_log {root_text}/access.log;\n\
                 \x20   client_body_temp_path {root_text}/body;\n\
                 \x20   proxy_temp_path {root_text}/proxy;\n\
                 \x20   fastcgi_temp_path {root_text}/fastcgi;\n\
                 \x20   uwsgi_temp_path {root_text}/uwsgi;\n\
                 \x20   scgi_temp_path {root_text}/scgi;\n\
                 \x20   include gateway.conf;\n\
                 }}\n"
            ),
        )
        .unwrap();
        let mut command = Command::new(binary());
        command
            .arg("-p")
            .arg(root)
            .arg("-c")
            .arg(root.join("nginx.conf"))
            // One process, no workers: killing it (on drop, or when a test fails) leaves no
            // worker behind holding the test's output open.
            .args(["-e", "stderr", "-g", "daemon off; master_process off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let running_as_root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
        if running_as_root {
            // Never root: nginx's master process would keep root's rights.
            std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::os::unix::fs::chown(root, Some(NOBODY), Some(NOBODY)).unwrap();
            for entry in std::fs::read_dir(root).unwrap() {
                std::os::unix::fs::chown(entry.unwrap().path(), Some(NOBODY), Some(NOBODY))
                    .unwrap();
            }
            command.uid(NOBODY).gid(NOBODY);
        }
        let child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "starting {} failed ({e}): install nginx (apt-get install nginx-light) or set \
                 PIAZZA_TEST_NGINX",
                binary().display()
            )
        });
        let gateway = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        };
        gateway.wait_until_listening(port).await;
        gateway
    }

    async fn wait_until_listening(&self, port: u16) {
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("nginx did not listen on {port}:\n{}", self.error_log());
    }

    /// nginx's error log: upstreams it found down, and why.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// The access log, one line per request.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
    }

    /// The uid nginx's master process runs as.
    pub fn uid(&self) -> Option<u32> {
        let pid = self.child.id()?;
        std::fs::metadata(format!("/proc/{pid}"))
            .ok()
            .map(|m| m.uid())
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        if std::thread::panicking() {
            eprintln!("----- nginx error log -----\n{}", self.error_log());
        }
    }
}
