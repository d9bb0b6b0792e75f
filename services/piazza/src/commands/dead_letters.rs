//! `piazza dead-letters list|replay`: the messages services gave up on, from RabbitMQ's parking
//! queues when `amqp_url` is set, otherwise from each service's `dead_letters` table.

use anyhow::Context;
use piazza_shared::{
    bus::{Subscription, amqp::AmqpBus, dead_letters::Parked},
    db::Db,
    runtime::{ServiceDef, topology},
    settings::Settings,
};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Where parked messages are kept in this deployment.
enum Store<'a> {
    Broker(Box<AmqpBus>, &'a Settings),
    Tables(&'a Settings),
}

impl<'a> Store<'a> {
    fn new(settings: &'a Settings) -> Self {
        match &settings.amqp_url {
            Some(url) => Store::Broker(
                Box::new(
                    AmqpBus::new(url.clone(), settings.bus.clone(), "admin")
                        .with_topology(topology(&settings.bus, &super::ALL)),
                ),
                settings,
            ),
            None => Store::Tables(settings),
        }
    }

    /// The database of `service`, or `None` for an embedded service that never ran here.
    async fn db(settings: &Settings, service: &str) -> anyhow::Result<Option<Db>> {
        if settings.database_url.is_none()
            && !settings.data_dir.join(format!("{service}.db")).exists()
        {
            return Ok(None);
        }
        Ok(Some(Db::connect(settings, service).await?))
    }

    async fn list(&self, service: &'static str) -> anyhow::Result<Vec<Parked>> {
        match self {
            Store::Broker(bus, settings) => {
                Ok(bus.dead_letters(service, &queue(settings, service)).await?)
            }
            Store::Tables(settings) => {
                let Some(db) = Self::db(settings, service).await? else {
                    return Ok(Vec::new());
                };
                let parked = piazza_shared::bus::dead_letters::list(db.conn(), service)
                    .await
                    .with_context(|| {
                        format!("reading {service}'s dead letters (has `piazza migrate` run?)")
                    });
                db.close().await;
                parked
            }
        }
    }

    /// Replays the messages of `service` whose ids are in `ids` (all when `None`).
    async fn replay(
        &self,
        service: &'static str,
        ids: Option<&BTreeSet<String>>,
    ) -> anyhow::Result<Vec<String>> {
        match self {
            Store::Broker(bus, settings) => Ok(bus
                .replay_dead_letters(service, &queue(settings, service), |parked| {
                    ids.is_none_or(|ids| ids.contains(&parked.id.to_lowercase()))
                })
                .await?),
            Store::Tables(settings) => {
                let Some(db) = Self::db(settings, service).await? else {
                    return Ok(Vec::new());
                };
                let uuids = match ids {
                    Some(ids) => Some(
                        ids.iter()
                            .map(|id| {
                                Uuid::parse_str(id)
                                    .with_context(|| format!("`{id}` is not a message id"))
                            })
                            .collect::<anyhow::Result<Vec<Uuid>>>()?,
                    ),
                    None => None,
                };
                let replayed =
                    piazza_shared::bus::dead_letters::replay(&db, uuids.as_deref()).await;
                db.close().await;
                Ok(replayed?.into_iter().map(|id| id.to_string()).collect())
            }
        }
    }
}

/// The queue `service` consumes from, as the runtime names it.
fn queue(settings: &Settings, service: &'static str) -> String {
    Subscription::new(&settings.bus, service, Vec::new()).queue
}

fn services(only: Option<ServiceDef>) -> Vec<ServiceDef> {
    match only {
        Some(one) => vec![one],
        None => super::ALL.to_vec(),
    }
}

pub async fn list(settings: &Settings, only: Option<ServiceDef>, json: bool) -> anyhow::Result<()> {
    let store = Store::new(settings);
    let mut parked = Vec::new();
    for service in services(only) {
        parked.extend(store.list(service.name).await?);
    }
    if json {
        for item in &parked {
            println!("{}", serde_json::to_string(item)?);
        }
    } else {
        print!("{}", table(&parked));
    }
    Ok(())
}

/// A plain-text table, the reason last because it is the longest.
fn table(parked: &[Parked]) -> String {
    if parked.is_empty() {
        return "no dead letters\n".into();
    }
    let header = ["SERVICE", "ID", "TYPE", "ATTEMPTS", "PARKED AT", "REASON"];
    let rows: Vec<[String; 6]> = parked
        .iter()
        .map(|p| {
            [
                p.service.clone(),
                p.id.clone(),
                p.event_type.clone(),
                p.attempts.to_string(),
                p.parked_at
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_else(|| "-".into()),
                p.reason.replace('\n', " "),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == cells.len() - 1 {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header);
    for row in &rows {
        out.push_str(&line([
            &row[0], &row[1], &row[2], &row[3], &row[4], &row[5],
        ]));
    }
    out
}

pub async fn replay(
    settings: &Settings,
    only: Option<ServiceDef>,
    ids: Option<Vec<String>>,
) -> anyhow::Result<()> {
    let store = Store::new(settings);
    let wanted: Option<BTreeSet<String>> =
        ids.map(|ids| ids.iter().map(|id| id.trim().to_lowercase()).collect());
    let mut found = BTreeSet::new();
    for service in services(only) {
        for id in store.replay(service.name, wanted.as_ref()).await? {
            println!("replayed {} {id}", service.name);
            found.insert(id.to_lowercase());
        }
    }
    if let Some(wanted) = wanted {
        let missing: Vec<&String> = wanted.difference(&found).collect();
        if !missing.is_empty() {
            anyhow::bail!(
                "no parked message with id {}",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    println!("{} message(s) sent back to be handled again", found.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_each_parked_message_under_its_header_and_says_when_there_is_none() {
        assert_eq!(table(&[]), "no dead letters\n");
        let parked = Parked {
            service: "booking".into(),
            id: "0193a1b2-0000-7000-8000-000000000001".into(),
            event_type: "piazza.scheduling.slot_requested".into(),
            attempts: 5,
            reason: "temporary failure:\nlock timeout".into(),
            parked_at: "2026-11-27T10:00:00Z".parse().ok(),
        };
        let text = table(&[parked]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("SERVICE  ID"), "{text}");
        assert!(lines[0].ends_with("REASON"));
        assert!(lines[1].starts_with("booking  0193a1b2"), "{text}");
        // Columns line up under their headers; the reason is on one line.
        let column = |line: &str, text: &str| line.find(text).unwrap();
        assert_eq!(column(lines[0], "ATTEMPTS"), column(lines[1], " 5 ") + 1);
        assert_eq!(
            column(lines[0], "PARKED AT"),
            column(lines[1], "2026-11-27T10:00:00Z")
        );
        assert!(lines[1].ends_with("2026-11-27T10:00:00Z  temporary failure: lock timeout"));
    }
}
