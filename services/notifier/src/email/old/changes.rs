//! Emails about a change to an event someone knows of: it moved (in time or place) or it was
//! called off, whole or some of its dates. Registrants hear as registrants (with their cancel
//! link); subscribers hear as subscribers (with the manage and unsubscribe links and the
//! one-click headers).

use super::{
    Rendered,
    body::Body,
    templates::{Footer, escape, footer_html, footer_text, layout},
};
use piazza_shared::contracts::{Language, event::EventSummary};

/// To whom a change is told.
pub enum Audience<'a> {
    Subscriber(&'a Footer),
    Registrant { cancel_url: Option<&'a str> },
}

fn finish(
    language: Language,
    to: &str,
    subject: String,
    mut body: Body,
    audience: &Audience,
) -> Rendered {
    match audience {
        Audience::Subscriber(footer) => Rendered {
            to: to.to_string(),
            html: layout(
                language,
                &subject,
                &body.html,
                &footer_html(language, footer),
            ),
            text: format!("{}{}", body.text, footer_text(language, footer)),
            subject,
            unsubscribe: Some(footer.unsubscribe.clone()),
            attachment: None,
        },
        Audience::Registrant { cancel_url } => {
            let (free, why) = match language {
                Language::It => (
                    "Non puoi più venire? Libera il tuo posto",
                    "Ricevi questa email perché ti sei registrato a questo evento su Piazza.",
                ),
                Language::En => (
                    "Cannot come after all? Free your place",
                    "You get this email because you registered for this event on Piazza.",
                ),
            };
            if let Some(url) = cancel_url {
                body.link(free, url);
            }
            Rendered {
                to: to.to_string(),
                html: layout(language, &subject, &body.html, &escape(why)),
                text: format!("{}{why}\n", body.text),
                subject,
                unsubscribe: None,
                attachment: None,
            }
        }
    }
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
    language: Language,
    to: &str,
    event: &EventSummary,
    moved: &Move,
    event_url: &str,
    audience: &Audience,
) -> Rendered {
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
    finish(language, to, subject, body, audience)
}

/// The event, or the dates `off` of it, were called off.
pub fn cancelled(
    language: Language,
    to: &str,
    event: &EventSummary,
    off: &[String],
    whole: bool,
    reason: &str,
    audience: &Audience,
) -> Rendered {
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
    finish(language, to, subject, body, audience)
}
