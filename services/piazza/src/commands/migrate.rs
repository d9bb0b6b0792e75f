//! `piazza migrate`: apply pending migrations, and declare the whole topology of the message bus
//! (every service's queue), so nothing published before a service first starts is lost.

use piazza_shared::{
    bus::{Bus, amqp::AmqpBus},
    db::Db,
    runtime::{ServiceDef, topology},
    settings::Settings,
};

pub async fn run(settings: &Settings, only: Option<ServiceDef>) -> anyhow::Result<()> {
    let services: Vec<ServiceDef> = match only {
        Some(one) => vec![one],
        None => super::ALL.to_vec(),
    };
    for service in services {
        let db = Db::connect(settings, service.name).await?;
        (service.migrate)(&db).await?;
        println!("{}: migrations applied ({})", service.name, db.location);
        db.close().await;
    }
    // The whole topology whichever service was named: queues are shared by the deployment.
    if let Some(url) = &settings.amqp_url {
        let topology = topology(&settings.bus, &super::ALL);
        AmqpBus::new(url.clone(), settings.bus.clone(), "migrate")
            .declare_topology(&topology)
            .await
            .map_err(|e| anyhow::anyhow!("declaring the message bus's queues: {e}"))?;
        let queues: Vec<&str> = topology
            .subscriptions()
            .iter()
            .map(|s| s.queue.as_str())
            .collect();
        println!(
            "bus: exchanges {ns}.events and {ns}.dead, queues {} declared",
            queues.join(", "),
            ns = settings.bus.namespace
        );
    }
    Ok(())
}
