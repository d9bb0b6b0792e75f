//! The whole topology of the bus: every service's queue and the message types bound to it. Every
//! process knows all of it (the `piazza` binary collects it from each service's dispatch table),
//! so whichever process comes first — `piazza migrate`, or any one service — declares every queue
//! before it publishes anything, and a message published before its consumer ever started waits
//! in that consumer's queue instead of being dropped by the broker.

use super::routing::topic_matches;
use crate::settings::BusSettings;

/// What one service consumes: its queue and the routing keys bound to it.
#[derive(Debug, Clone)]
pub struct Subscription {
    /// The service name (`booking`, `scheduler`, `notifier`).
    pub service: &'static str,
    /// The queue name (the service name with the configured prefix).
    pub queue: String,
    /// Topic patterns, e.g. `booking.approved` or `space.*`.
    pub bindings: Vec<&'static str>,
}

impl Subscription {
    pub fn new(settings: &BusSettings, service: &'static str, bindings: Vec<&'static str>) -> Self {
        Self {
            service,
            queue: format!("{}{}", settings.queue_prefix, service),
            bindings,
        }
    }

    pub fn wants(&self, routing_key: &str) -> bool {
        self.bindings.iter().any(|b| topic_matches(b, routing_key))
    }
}

/// Every service's subscription, whether or not it runs in this process.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    subscriptions: Vec<Subscription>,
}

impl Topology {
    pub fn new(subscriptions: Vec<Subscription>) -> Self {
        Self { subscriptions }
    }

    pub fn subscriptions(&self) -> &[Subscription] {
        &self.subscriptions
    }

    /// Whether some service consumes messages published with `routing_key`: then a broker that
    /// cannot route one has lost it for that service, and it must be published again later.
    pub fn consumed(&self, routing_key: &str) -> bool {
        self.subscriptions
            .iter()
            .flat_map(|s| &s.bindings)
            .any(|binding| topic_matches(binding, routing_key))
    }

    /// The subscriptions of the named services only.
    pub fn only(&self, services: &[&str]) -> Self {
        Self::new(
            self.subscriptions
                .iter()
                .filter(|s| services.contains(&s.service))
                .cloned()
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn a_key_is_consumed_when_any_service_binds_it() {
        let bus = Settings::from_toml("", &[]).unwrap().bus;
        let topology = Topology::new(vec![
            Subscription::new(&bus, "scheduler", vec!["space.created", "booking.*"]),
            Subscription::new(&bus, "notifier", vec!["event.published"]),
        ]);
        assert!(topology.consumed("space.created"));
        assert!(topology.consumed("booking.approved"));
        assert!(topology.consumed("event.published"));
        assert!(!topology.consumed("space.closed"));
        assert_eq!(topology.only(&["notifier"]).subscriptions().len(), 1);
        assert!(!topology.only(&["notifier"]).consumed("space.created"));
    }
}
