//! The `.ics` attached to registration emails and reminders: an RFC 5545 calendar with
//! `METHOD:PUBLISH` (written by the shared [`piazza_shared::ics`] writer) holding the person's
//! occurrences. Each VEVENT has the UID the public calendar feed gives the same occurrence
//! (`<occurrence id>@piazza`), so a client that has both keeps one entry.

use super::{message::Attachment, parts::place_line};
use piazza_shared::{
    contracts::{
        Language,
        event::{EventSummary, Occurrence},
    },
    ics,
};

/// A calendar of `occurrences` of `event`, as an attachment.
pub fn attachment(
    event: &EventSummary,
    occurrences: &[Occurrence],
    event_url: &str,
    language: Language,
) -> Attachment {
    let mut calendar = ics::Calendar::new(&event.title);
    let stamp = piazza_shared::clock::now();
    let categories: Vec<String> = event
        .categories
        .iter()
        .map(|c| c.label(language).to_string())
        .collect();
    for occurrence in occurrences {
        calendar.event(&ics::Event {
            uid: format!("{}@piazza", occurrence.occurrence_id),
            sequence: 0,
            stamp,
            starts_at: occurrence.starts_at,
            ends_at: occurrence.ends_at,
            summary: event.title.clone(),
            description: event.description.clone(),
            location: place_line(event),
            categories: categories.clone(),
            status: ics::Status::Confirmed,
            url: Some(event_url.to_string()),
        });
    }
    Attachment {
        filename: match language {
            Language::It => "evento.ics",
            Language::En => "event.ics",
        }
        .into(),
        content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
        body: calendar.finish(),
    }
}
