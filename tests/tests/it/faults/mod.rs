//! The fault suite: each test breaks one thing Piazza depends on (a process, the database, the
//! broker, a message) in the middle of real work, lets it come back, and counts what was sent,
//! what took effect, what took effect twice and what was lost. Every test prints its count line
//! (`FAULT …: sent · delivered · duplicated · lost`) and fails unless duplicated and lost are 0.
//!
//! The work most tests use is booking's side of the slot saga: `scheduling.slot_requested`
//! messages, sent as the scheduler sends them, each for a new event and a free slot of one space.
//! Each request handled once makes exactly one booking for its event, which booking's API lists,
//! so an effect applied twice shows as two bookings for one event.

mod broker;
mod crash;
mod database;
mod fanout;
mod late_consumer;
mod notifier_crash;
mod notifier_replicas;
mod poison;
mod progress;
mod smtp;
mod unknown_outcome;

use chrono::{Duration as Span, TimeZone, Utc};
use piazza_e2e::api::Api;
use piazza_shared::{
    Envelope,
    contracts::scheduling::{Slot, SlotRequested},
    settings::{BusSettings, Settings},
};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Bus settings naming a deployment's own exchange and queues.
pub fn bus_settings(namespace: &str, queue_prefix: &str) -> BusSettings {
    let mut settings = Settings::from_toml("", &[]).unwrap().bus;
    settings.namespace = namespace.to_string();
    settings.queue_prefix = queue_prefix.to_string();
    settings
}

/// Creates an always-open space (no opening hours) at `booking` and returns its id.
pub async fn open_space(api: &Api, booking: &str, admin: &str, name: &str) -> Uuid {
    let (status, space) = api
        .post(
            &format!("{booking}/api/v1/spaces"),
            Some(admin),
            &json!({
                "name": name, "building": "Palazzo Cittanova", "address": "Piazza Cittanova 1, Cremona",
                "kind": "hall", "capacity": 200, "time_zone": "Europe/Rome"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{space}");
    space["id"].as_str().unwrap().parse().unwrap()
}

/// The `n`th slot request for `space_id`: a new event, one hour, two hours after the previous
/// one, so no two requests compete for the same time. Approved at once when free.
pub fn slot_request(space_id: Uuid, n: u32) -> (Uuid, Envelope) {
    let event_id = Uuid::now_v7();
    let starts_at =
        Utc.with_ymd_and_hms(2031, 1, 6, 8, 0, 0).unwrap() + Span::hours(2 * i64::from(n));
    let request = SlotRequested {
        version: 1,
        event_id,
        space_id,
        title: format!("Fault suite event {n}"),
        slots: vec![Slot {
            starts_at,
            ends_at: starts_at + Span::hours(1),
        }],
        approve: true,
        organisation: None,
        organisation_id: None,
        contact_email: None,
        attendees: Some(10),
    };
    let correlation = Uuid::now_v7().to_string();
    (
        event_id,
        Envelope::new("scheduler", &request, Some(correlation)),
    )
}

/// How many bookings each event has at `booking` for `space_id` (every status: a request handled
/// twice leaves a cancelled booking beside the live one).
pub async fn bookings_per_event(
    api: &Api,
    booking: &str,
    admin: &str,
    space_id: Uuid,
) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{booking}/api/v1/bookings?space_id={space_id}&limit=500");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let (status, page) = api.get(&url, Some(admin)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for item in page["items"].as_array().unwrap() {
            if let Some(event) = item["event_id"].as_str() {
                *counts.entry(event.to_string()).or_default() += 1;
            }
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return counts,
        }
    }
}
