//! What `/readyz` checks besides each service's database and the bus: probes services register
//! while they are built (an SMTP server, say).

use futures::future::BoxFuture;
use std::sync::Arc;

/// A readiness probe: `Ok` when the dependency answers, otherwise why not.
pub type Probe = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// Extra dependencies `/readyz` checks (an SMTP server, say), registered while services are built.
#[derive(Clone, Default)]
pub struct Readiness(Arc<std::sync::Mutex<Vec<(String, Probe)>>>);

impl std::fmt::Debug for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.checks().iter().map(|(n, _)| n))
            .finish()
    }
}

impl Readiness {
    /// Adds a check shown in `/readyz` as `name` (e.g. `smtp`).
    pub fn add(&self, name: impl Into<String>, probe: Probe) {
        if let Ok(mut checks) = self.0.lock() {
            checks.push((name.into(), probe));
        }
    }

    /// The checks registered so far.
    pub fn checks(&self) -> Vec<(String, Probe)> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }
}
