//! Benchmark of the notifier's fan-out: one event published to 50,000 matching subscribers,
//! each email delivered to Postfix's `smtp-sink`, beside `smtp-source`'s rate against the same
//! sink with the same number of connections (the fastest this machine's SMTP path goes).
//!
//! The notifier runs in this process on PostgreSQL and RabbitMQ (the production path), its
//! sender with `email.concurrency` connections (default 20). Figures:
//! - emails/s: 50,000 over the time from the first email to the last, as counted by the sink;
//! - time to the first email: from publishing `event.published` to the sink's first message
//!   (matching, 50,000 delivery rows written in the message's transaction, the first round);
//! - peak memory: the process's peak resident set (`VmHWM`), reset after the subscribers are
//!   written, so it covers the fan-out only;
//! - smtp-source: `smtp-source -d -s <connections> -m 50000 -l <size of our emails>`.
//!
//! Targets: ≥ 2,000 emails/s, ≥ 25% of smtp-source, < 150 MB resident.
//!
//! Run: `cargo bench -p piazza-e2e --bench fanout` (needs `smtp-sink` and `smtp-source`:
//! `apt-get install postfix`). `PIAZZA_BENCH_RECIPIENTS` and `PIAZZA_BENCH_CONNECTIONS` change
//! the 50,000 and the 20.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use piazza_e2e::{ServiceSections, app::TestApp, audience};
use piazza_shared::{
    bus::{Bus, amqp::AmqpBus},
    contracts::Category,
    secret::Secret,
};
use std::{
    io::Read,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn tool(name: &str) -> String {
    let path = format!("/usr/sbin/{name}");
    if std::path::Path::new(&path).exists() {
        path
    } else {
        name.to_string()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the sink counted: when the first message and the latest came, and how many there were.
#[derive(Debug, Clone, Copy, Default)]
struct Counted {
    first: Option<Instant>,
    last: Option<Instant>,
    messages: u64,
}

/// `smtp-sink` counting messages: it prints `… mesg=N` after each, which a thread reads and
/// timestamps.
struct Sink {
    child: Child,
    port: u16,
    seen: Arc<Mutex<Counted>>,
}

impl Sink {
    fn start() -> Self {
        let port = free_port();
        let mut command = Command::new(tool("smtp-sink"));
        // As root, smtp-sink insists on dropping to some user once it has its socket.
        if is_root() {
            command.args(["-u", "nobody"]);
        }
        let mut child = command
            .args(["-c", &format!("127.0.0.1:{port}"), "1024"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("smtp-sink (apt-get install postfix)");
        let mut out = child.stdout.take().unwrap();
        let seen = Arc::new(Mutex::new(Counted::default()));
        let counter = seen.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 65536];
            let mut pending = String::new();
            while let Ok(n) = out.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                pending.push_str(&String::from_utf8_lossy(&buffer[..n]));
                let last = pending.rfind('\r').map(|i| i + 1).unwrap_or(0);
                let latest = pending[..last]
                    .rsplit('\r')
                    .find_map(|line| line.split("mesg=").nth(1)?.trim().parse::<u64>().ok());
                pending.drain(..last);
                if let Some(count) = latest {
                    let now = Instant::now();
                    let mut seen = counter.lock().unwrap();
                    if count > seen.messages {
                        seen.first.get_or_insert(now);
                        seen.last = Some(now);
                        seen.messages = count;
                    }
                }
            }
        });
        std::thread::sleep(Duration::from_millis(300));
        Self { child, port, seen }
    }

    fn count(&self) -> u64 {
        self.seen.lock().unwrap().messages
    }

    fn reset(&self) {
        *self.seen.lock().unwrap() = Counted::default();
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether this process runs as root (uid 0), read from `/proc/self/status`.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// `VmHWM` (peak resident set) of this process, in MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// smtp-source's rate against `sink`, messages per second.
fn smtp_source_rate(sink: &Sink, messages: usize, connections: usize, size: usize) -> f64 {
    sink.reset();
    let started = Instant::now();
    let status = Command::new(tool("smtp-source"))
        .args([
            "-d",
            "-s",
            &connections.to_string(),
            "-m",
            &messages.to_string(),
            "-l",
            &size.to_string(),
            &format!("127.0.0.1:{}", sink.port),
        ])
        .status()
        .expect("smtp-source (apt-get install postfix)");
    assert!(status.success());
    messages as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let recipients = setting("PIAZZA_BENCH_RECIPIENTS", 50_000);
    let connections = setting("PIAZZA_BENCH_CONNECTIONS", 20);
    let sink = Sink::start();
    let sink_url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&[piazza_notifier::SERVICE])
        .settings(move |s| {
            s.smtp_url = Some(Secret::new(sink_url));
            s.email().concurrency = u32::try_from(connections).unwrap();
        })
        .spawn()
        .await;
    let db = app.db("notifier").await;
    let seeding = Instant::now();
    audience::seed(&db, "young", recipients, Category::Music).await;
    println!(
        "fan-out to {recipients} subscribers, {connections} SMTP connections (subscribers written in {:.1} s)",
        seeding.elapsed().as_secs_f64()
    );
    // The peak from here on is the fan-out's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let baseline = peak_rss_mb();

    let bus = AmqpBus::new(
        Secret::new(piazza_e2e::amqp_url()),
        app.settings.bus.clone(),
        "bench",
    );
    let (_, envelope) = audience::event("Concerto dei licei", Category::Music);
    sink.reset();
    let published = Instant::now();
    bus.publish(&envelope).await.unwrap();
    let deadline = published + Duration::from_secs(600);
    while sink.count() < recipients as u64 {
        assert!(
            Instant::now() < deadline,
            "only {} of {recipients} emails after 10 minutes",
            sink.count()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let counted = *sink.seen.lock().unwrap();
    let (first, last) = (counted.first.unwrap(), counted.last.unwrap());
    let to_first = first - published;
    let sending = (last - first).as_secs_f64().max(1e-6);
    let rate = recipients as f64 / sending;
    let overall = recipients as f64 / (last - published).as_secs_f64();
    let peak = peak_rss_mb();

    // About the size of one of our emails (multipart text and HTML).
    let size = 5_000;
    let reference = smtp_source_rate(&sink, recipients, connections, size);
    println!(
        "  piazza:      {rate:>8.0} emails/s (first to last email; {overall:.0}/s from publishing)  target ≥ 2000 {}",
        if rate >= 2000.0 { "✓" } else { "✗" }
    );
    println!(
        "  first email: {:>8.0} ms after event.published",
        to_first.as_secs_f64() * 1000.0
    );
    println!(
        "  peak RSS:    {peak:>8.1} MB (VmHWM of the process; {baseline:.1} MB before the fan-out)  target < 150 MB {}",
        if peak < 150.0 { "✓" } else { "✗" }
    );
    println!(
        "  smtp-source: {reference:>8.0} messages/s (-d -s {connections} -m {recipients} -l {size})"
    );
    println!(
        "  piazza / smtp-source: {:.0}%  target ≥ 25% {}",
        rate / reference * 100.0,
        if rate / reference >= 0.25 {
            "✓"
        } else {
            "✗"
        }
    );
    db.close().await;
    app.stop().await;
}
