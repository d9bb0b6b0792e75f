//! A TCP proxy a test puts between a service and one of its dependencies (PostgreSQL, RabbitMQ,
//! SMTP) to lose that dependency and get it back without touching the shared server: [`cut`]
//! drops every connection and turns new ones away, [`restore`] lets them through again.
//!
//! While cut, the proxy still accepts each connection and closes it at once, counting it, so a
//! test can see how often a service tries to reconnect (a busy loop shows as thousands).
//!
//! [`cut`]: Proxy::cut
//! [`restore`]: Proxy::restore

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
    task::JoinHandle,
};

#[derive(Default)]
struct Counters {
    /// Connections let through.
    passed: AtomicU64,
    /// Connections turned away while cut.
    refused: AtomicU64,
}

pub struct Proxy {
    addr: SocketAddr,
    cut: watch::Sender<bool>,
    counters: Arc<Counters>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free local port and forwards every connection to `target` (`host:port`).
    pub async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
        let addr = listener.local_addr().expect("proxy address");
        let (cut, _) = watch::channel(false);
        let counters = Arc::new(Counters::default());
        let task = tokio::spawn(accept(
            listener,
            target.to_string(),
            cut.clone(),
            counters.clone(),
        ));
        Self {
            addr,
            cut,
            counters,
            task,
        }
    }

    /// A proxy in front of the host and port of `url` (`postgres://…`, `amqp://…`, `smtp://…`);
    /// returns it and the same URL pointing at the proxy.
    pub async fn in_front_of(url: &str) -> (Self, String) {
        let mut parsed = url::Url::parse(url).expect("a URL with a host and port");
        let host = parsed.host_str().expect("a host").to_string();
        let port = parsed.port_or_known_default().expect("a port");
        let proxy = Self::start(&format!("{host}:{port}")).await;
        parsed.set_host(Some("127.0.0.1")).expect("host");
        parsed.set_port(Some(proxy.port())).expect("port");
        (proxy, parsed.to_string())
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Drops every open connection and turns new ones away until [`Proxy::restore`].
    pub fn cut(&self) {
        self.cut.send_replace(true);
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.cut.send_replace(false);
    }

    /// Connections turned away while cut, so far.
    pub fn refused(&self) -> u64 {
        self.counters.refused.load(Ordering::SeqCst)
    }

    /// Connections let through, so far.
    pub fn passed(&self) -> u64 {
        self.counters.passed.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut.send_replace(true);
        self.task.abort();
    }
}

async fn accept(
    listener: TcpListener,
    target: String,
    cut: watch::Sender<bool>,
    counters: Arc<Counters>,
) {
    while let Ok((client, _)) = listener.accept().await {
        if *cut.borrow() {
            counters.refused.fetch_add(1, Ordering::SeqCst);
            drop(client);
            continue;
        }
        counters.passed.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(forward(client, target.clone(), cut.subscribe()));
    }
}

/// Copies both ways until either side closes or the proxy is cut.
async fn forward(mut client: TcpStream, target: String, mut cut: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(&target).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = cut.wait_for(|cut| *cut) => {}
    }
    // Dropping both streams closes them: the service sees its connection die mid-conversation.
}
