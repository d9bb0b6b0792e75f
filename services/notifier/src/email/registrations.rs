//! Emails to people registered for an event: their place (or their place in line), a place
//! that freed up for them, and the reminder before an occurrence. They are about something the
//! person asked for, so they carry the link to cancel the registration rather than unsubscribe
//! headers; confirmations and reminders carry the `.ics`.

use super::{
    body::Body,
    message::{Attachment, Rendered},
    parts::{dates_of, free_your_place, place_line, registrant_foot},
    render::{EmailTemplates, Mail},
};
use minijinja::{context, value::Serde};
use piazza_shared::contracts::{Language, event::EventSummary};

/// What happened to the registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum News {
    Confirmed,
    Waitlisted { position: Option<u32> },
    Promoted,
}

/// Who is written to, about what.
pub struct Registrant<'a> {
    pub templates: &'a EmailTemplates,
    pub language: Language,
    pub to: &'a str,
    pub name: &'a str,
    pub event: &'a EventSummary,
    pub event_url: &'a str,
    pub cancel_url: Option<&'a str>,
}

fn hello(language: Language, name: &str) -> String {
    let name = name.trim();
    match (language, name.is_empty()) {
        (Language::It, true) => "Ciao,".into(),
        (Language::It, false) => format!("Ciao {name},"),
        (Language::En, true) => "Hello,".into(),
        (Language::En, false) => format!("Hi {name},"),
    }
}

/// The event's details, and the ways out and on.
fn event_and_links(body: &mut Body, r: &Registrant, dates: &[String], cancel: bool) {
    let (when, place, more) = match r.language {
        Language::It => ("Quando", "Dove", "Dettagli dell'evento"),
        Language::En => ("When", "Where", "Event details"),
    };
    body.heading(&r.event.title);
    body.lines(when, dates);
    if let Some(line) = place_line(r.event) {
        body.field(place, &line);
    }
    body.link(more, r.event_url);
    if cancel && let Some(url) = r.cancel_url {
        body.link(free_your_place(r.language), url);
    }
}

fn finish(
    r: &Registrant,
    subject: String,
    body: Body,
    attachment: Option<Attachment>,
) -> anyhow::Result<Rendered> {
    let mail = Mail {
        to: r.to,
        language: r.language,
        subject,
        foot: registrant_foot(r.language),
        attachment,
    };
    r.templates
        .render("body", mail, context! { blocks => Serde(body.blocks) })
}

/// A place given, a place in line, or a place that freed up.
pub fn registration(
    r: &Registrant,
    news: News,
    attachment: Option<Attachment>,
) -> anyhow::Result<Rendered> {
    let title = &r.event.title;
    let (subject, lead) = match (r.language, news) {
        (Language::It, News::Confirmed) => (
            format!("Iscrizione confermata: {title}"),
            "hai un posto. Ti aspettiamo! In allegato trovi l'evento da aggiungere al calendario."
                .to_string(),
        ),
        (Language::En, News::Confirmed) => (
            format!("Registration confirmed: {title}"),
            "you have a place. See you there! The event is attached, ready for your calendar."
                .to_string(),
        ),
        (Language::It, News::Waitlisted { position }) => (
            format!("In lista d'attesa: {title}"),
            format!(
                "l'evento è al completo e sei in lista d'attesa{}. Se si libera un posto ti scriviamo subito.",
                position.map(|p| format!(" (posizione {p})")).unwrap_or_default()
            ),
        ),
        (Language::En, News::Waitlisted { position }) => (
            format!("On the waitlist: {title}"),
            format!(
                "the event is full and you are on the waitlist{}. If a place frees up, we will write at once.",
                position.map(|p| format!(" (number {p})")).unwrap_or_default()
            ),
        ),
        (Language::It, News::Promoted) => (
            format!("Si è liberato un posto: {title}"),
            "si è liberato un posto ed è tuo. In allegato trovi l'evento da aggiungere al calendario."
                .to_string(),
        ),
        (Language::En, News::Promoted) => (
            format!("A place is yours: {title}"),
            "a place freed up and it is now yours. The event is attached, ready for your calendar."
                .to_string(),
        ),
    };
    let mut body = Body::new();
    body.para(&format!("{} {lead}", hello(r.language, r.name)));
    let dates = dates_of(r.event, r.language);
    event_and_links(&mut body, r, &dates, true);
    finish(r, subject, body, attachment)
}

/// The reminder before one occurrence (`when` is its date in local time).
pub fn reminder(r: &Registrant, when: &str, attachment: Attachment) -> anyhow::Result<Rendered> {
    let title = &r.event.title;
    let (subject, lead) = match r.language {
        Language::It => (
            format!("Promemoria: {title}"),
            "ti ricordiamo l'evento a cui sei iscritto. In allegato trovi l'evento per il calendario.",
        ),
        Language::En => (
            format!("Reminder: {title}"),
            "a reminder of the event you registered for. The event is attached for your calendar.",
        ),
    };
    let mut body = Body::new();
    body.para(&format!("{} {lead}", hello(r.language, r.name)));
    event_and_links(&mut body, r, &[when.to_string()], true);
    finish(r, subject, body, Some(attachment))
}
