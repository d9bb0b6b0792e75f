//! The administrator's view of a service's parking queue `<queue>.dead`: list what is parked
//! without consuming it, and replay chosen messages into the service's own queue.
//!
//! Both take the parked messages with `basic.get` and keep them unacknowledged; what is not
//! replayed goes back to the parking queue when the connection closes. A replayed message is
//! acknowledged (removed) only after the broker confirmed its copy in the service's queue, so a
//! failure in between leaves it parked, never lost.

use super::{
    ATTEMPTS_HEADER, AmqpBus, ERROR_HEADER, Link, Names, ORIGINAL_KEY_HEADER, PARKED_AT_HEADER,
    unavailable,
};
use crate::{
    bus::{BusError, dead_letters::Parked},
    envelope::Envelope,
};
use lapin::{
    message::Delivery,
    options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions},
    types::{AMQPValue, FieldTable},
};
use std::collections::BTreeMap;

/// Headers that describe a parking, dropped from a replayed message.
const PARKING_HEADERS: [&str; 4] = [
    ERROR_HEADER,
    PARKED_AT_HEADER,
    "x-death",
    "x-delivery-count",
];

impl AmqpBus {
    /// The messages parked for `service` (whose queue is `queue`), oldest first, left in place.
    pub async fn dead_letters(&self, service: &str, queue: &str) -> Result<Vec<Parked>, BusError> {
        let mut parked = Vec::new();
        self.walk_dead_queue(queue, |delivery| {
            parked.push(parked_of(service, delivery));
            false
        })
        .await?;
        Ok(parked)
    }

    /// Sends the messages parked for `service` that `select` picks back into `queue` (only that
    /// service's queue), with their attempts counted from 1 again. Returns the ids replayed.
    pub async fn replay_dead_letters(
        &self,
        service: &str,
        queue: &str,
        mut select: impl FnMut(&Parked) -> bool,
    ) -> Result<Vec<String>, BusError> {
        let mut chosen = Vec::new();
        self.walk_dead_queue(queue, |delivery| {
            let parked = parked_of(service, delivery);
            let take = select(&parked);
            if take {
                chosen.push(parked.id);
            }
            take
        })
        .await?;
        Ok(chosen)
    }

    /// Takes every message of `<queue>.dead` in turn; those for which `replay` answers `true` are
    /// republished into `queue` and removed. Returns how many were.
    async fn walk_dead_queue(
        &self,
        queue: &str,
        mut replay: impl FnMut(&Delivery) -> bool,
    ) -> Result<usize, BusError> {
        let dead = Names::dead_queue(queue);
        let link = self.open("dead-letters").await?;
        let result = async {
            if !exists(&link, &dead).await? {
                return Ok(0);
            }
            // Say why before taking anything (the mandatory publish below would refuse too).
            if !exists(&link, queue).await? {
                return Err(BusError::Other(format!(
                    "queue {queue} does not exist; run `piazza migrate` (or start any service) so it is declared"
                )));
            }
            let mut replayed = 0;
            while let Some(message) = link
                .channel
                .basic_get(dead.as_str().into(), BasicGetOptions { no_ack: false })
                .await
                .map_err(unavailable)?
            {
                let delivery = message.delivery;
                if !replay(&delivery) {
                    // Left unacknowledged: back in the parking queue when the connection closes.
                    continue;
                }
                let properties = delivery.properties.clone().with_headers(fresh_headers(
                    &delivery.properties.headers().clone().unwrap_or_default(),
                ));
                Self::publish_on(&link.channel, "", queue, &delivery.data, properties, true)
                    .await?;
                delivery
                    .ack(BasicAckOptions::default())
                    .await
                    .map_err(unavailable)?;
                replayed += 1;
            }
            Ok(replayed)
        }
        .await;
        let _ = link.connection.close(200, "done".into()).await;
        result
    }
}

/// Whether `queue` exists, asked on a channel of its own (a failed passive declare closes it).
async fn exists(link: &Link, queue: &str) -> Result<bool, BusError> {
    let channel = link
        .connection
        .create_channel()
        .await
        .map_err(unavailable)?;
    let found = channel
        .queue_declare(
            queue.into(),
            QueueDeclareOptions {
                passive: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .is_ok();
    let _ = channel.close(200, "checked".into()).await;
    Ok(found)
}

/// The headers of a replayed message: no trace of its parking, attempts from 1.
fn fresh_headers(headers: &FieldTable) -> FieldTable {
    let mut kept: BTreeMap<_, _> = headers
        .inner()
        .iter()
        .filter(|(key, _)| {
            let key = key.as_str();
            !PARKING_HEADERS.contains(&key)
                && !key.starts_with("x-first-death")
                && !key.starts_with("x-last-death")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    kept.insert(ATTEMPTS_HEADER.into(), AMQPValue::LongLongInt(1));
    FieldTable::from(kept)
}

fn header_text(headers: &FieldTable, name: &str) -> Option<String> {
    match headers.inner().get(name)? {
        AMQPValue::LongString(text) => Some(String::from_utf8_lossy(text.as_bytes()).into_owned()),
        AMQPValue::ShortString(text) => Some(text.as_str().to_string()),
        _ => None,
    }
}

/// What `piazza dead-letters list` shows of one parked delivery.
fn parked_of(service: &str, delivery: &Delivery) -> Parked {
    let properties = &delivery.properties;
    let headers = properties.headers().clone().unwrap_or_default();
    let envelope = Envelope::from_bytes(&delivery.data).ok();
    let id = properties
        .message_id()
        .as_ref()
        .map(|id| id.as_str().to_string())
        .or_else(|| envelope.as_ref().map(|e| e.id.to_string()))
        .unwrap_or_else(|| "-".into());
    let event_type = envelope
        .as_ref()
        .map(|e| e.event_type.clone())
        .or_else(|| properties.kind().as_ref().map(|k| k.as_str().to_string()))
        .or_else(|| header_text(&headers, ORIGINAL_KEY_HEADER))
        .unwrap_or_else(|| "-".into());
    // A message the broker parked by itself (its delivery limit) carries no reason of ours.
    let reason = header_text(&headers, ERROR_HEADER)
        .or_else(|| {
            header_text(&headers, "x-first-death-reason")
                .map(|r| format!("parked by the broker: {r} (delivery limit reached)"))
        })
        .unwrap_or_else(|| "-".into());
    let parked_at = header_text(&headers, PARKED_AT_HEADER)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    Parked {
        service: service.to_string(),
        id,
        event_type,
        attempts: super::attempts_of(&headers),
        reason,
        parked_at,
    }
}
