//! The weekly digest: the subscriber's matching events of the coming week, each with its dates
//! in that week, its place and a link.

use super::{
    body::Body,
    message::Rendered,
    parts::{Footer, place_line},
    render::{EmailTemplates, Mail},
};
use minijinja::{context, value::Serde};
use piazza_shared::contracts::{Language, event::EventSummary};

/// One event in a digest.
pub struct Entry<'a> {
    pub event: &'a EventSummary,
    /// Its dates within the week, in local time.
    pub dates: Vec<String>,
    pub url: String,
}

pub fn weekly(
    templates: &EmailTemplates,
    language: Language,
    to: &str,
    entries: &[Entry],
    calendar_url: &str,
    footer: &Footer,
) -> anyhow::Result<Rendered> {
    let count = entries.len();
    let (subject, lead, when, place, more, all) = match language {
        Language::It => (
            if count == 1 {
                "Questa settimana a Piazza: un evento per te".to_string()
            } else {
                format!("Questa settimana a Piazza: {count} eventi per te")
            },
            "Ecco gli eventi della settimana che corrispondono ai tuoi interessi.",
            "Quando",
            "Dove",
            "Scopri di più",
            "Tutto il calendario",
        ),
        Language::En => (
            if count == 1 {
                "This week at Piazza: one event for you".to_string()
            } else {
                format!("This week at Piazza: {count} events for you")
            },
            "Here are this week's events that match your interests.",
            "When",
            "Where",
            "Find out more",
            "The whole calendar",
        ),
    };
    let mut body = Body::new();
    body.para(lead);
    for entry in entries {
        let categories: Vec<&str> = entry
            .event
            .categories
            .iter()
            .map(|c| c.label(language))
            .collect();
        body.heading(&entry.event.title)
            .muted(&categories.join(" · "))
            .lines(when, &entry.dates);
        if let Some(line) = place_line(entry.event) {
            body.field(place, &line);
        }
        body.link(more, &entry.url);
    }
    body.link(all, calendar_url);
    let mail = Mail {
        to,
        language,
        subject,
        foot: footer.foot(language),
        attachment: None,
    };
    templates.render("body", mail, context! { blocks => Serde(body.blocks) })
}
