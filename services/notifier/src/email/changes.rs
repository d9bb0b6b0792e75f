//! Emails about a change to an event someone knows of: it moved (in time or place) or it was
//! called off, whole or some of its dates. Registrants hear as registrants (with their cancel
//! link); subscribers hear as subscribers (with the manage and unsubscribe links and the
//! one-click headers).

use super::{
    body::Body,
    message::Rendered,
    parts::{Footer, free_your_place, registrant_foot},
    render::{EmailTemplates, Mail},
};
use minijinja::{context, value::Serde};
use piazza_shared::contracts::{Language, event::EventSummary};

/// To whom a change is told.
pub enum Audience<'a> {
    Subscriber(&'a Footer),
    Registrant { cancel_url: Option<&'a str> },
}

fn finish(
    templates: &EmailTemplates,
    language: Language,
    to: &str,
    subject: String,
    mut body: Body,
    audience: &Audience,
) -> anyhow::Result<Rendered> {
    let foot = match audience {
        Audience::Subscriber(footer) => footer.foot(language),
        Audience::Registrant { cancel_url } => {
            if let Some(url) = cancel_url {
                body.link(free_your_place(language), url);
            }
            registrant_foot(language)
        }
    };
    let mail = Mail {
        to,
        language,
        subject,
        foot,
        attachment: None,
    };
    templates.render("body", mail, context! { blocks => Serde(body.blocks) })
}

/// What changed in a move: dates now and before, place now and before (when it moved).
pub struct Move {
    pub now: Vec<String>,
    pub before: Vec<String>,
    pub place_now: Option<String>,
    pub place_before: Option<String>,
}

/// The event moved.
pub fn rescheduled(
    templates: &EmailTemplates,
    language: Language,
    to: &str,
    event: &EventSummary,
    moved: &Move,
    event_url: &str,
    audience: &Audience,
) -> anyhow::Result<Rendered> {
    let (subject, lead, now, before, place, place_before, more) = match language {
        Language::It => (
            format!("Cambio di programma: {}", event.title),
            "L'evento cambia data o luogo. Ecco come è adesso.",
            "Adesso",
            "Prima",
            "Dove",
            "Prima era a",
            "Dettagli dell'evento",
        ),
        Language::En => (
            format!("Change of plan: {}", event.title),
            "The event moves in time or place. Here is how it stands now.",
            "Now",
            "Before",
            "Where",
            "It was at",
            "Event details",
        ),
    };
    let mut body = Body::new();
    body.para(lead).heading(&event.title);
    body.lines(now, &moved.now).lines(before, &moved.before);
    if let Some(line) = &moved.place_now {
        body.field(place, line);
    }
    if let Some(line) = &moved.place_before {
        body.field(place_before, line);
    }
    body.link(more, event_url);
    finish(templates, language, to, subject, body, audience)
}

/// What was called off: the dates (in local time), whether the whole event, and why.
pub struct CalledOff<'a> {
    pub dates: &'a [String],
    pub whole: bool,
    pub reason: &'a str,
}

/// The event, or some dates of it, were called off.
pub fn cancelled(
    templates: &EmailTemplates,
    language: Language,
    to: &str,
    event: &EventSummary,
    off: &CalledOff,
    audience: &Audience,
) -> anyhow::Result<Rendered> {
    let CalledOff {
        dates: off,
        whole,
        reason,
    } = *off;
    let (subject, lead, dates, why) = match (language, whole) {
        (Language::It, true) => (
            format!("Annullato: {}", event.title),
            "Questo evento è stato annullato.",
            "Date annullate",
            "Motivo",
        ),
        (Language::It, false) => (
            format!("Date annullate: {}", event.title),
            "Alcune date di questo evento sono state annullate; le altre restano.",
            "Date annullate",
            "Motivo",
        ),
        (Language::En, true) => (
            format!("Cancelled: {}", event.title),
            "This event has been cancelled.",
            "Dates cancelled",
            "Reason",
        ),
        (Language::En, false) => (
            format!("Dates cancelled: {}", event.title),
            "Some dates of this event have been cancelled; the others stay.",
            "Dates cancelled",
            "Reason",
        ),
    };
    let mut body = Body::new();
    body.para(lead).heading(&event.title);
    body.lines(dates, off);
    if !reason.trim().is_empty() {
        body.field(why, reason);
    }
    let audience = match audience {
        // Nothing left to cancel a place at when the whole event is off.
        Audience::Registrant { .. } if whole => &Audience::Registrant { cancel_url: None },
        other => other,
    };
    finish(templates, language, to, subject, body, audience)
}
