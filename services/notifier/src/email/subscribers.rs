//! The emails a subscriber gets one by one: the double opt-in (to the guardian under 14) and a
//! newly published event that matches their interests.

use super::{
    message::Rendered,
    parts::{Footer, dates_of, place_line},
    render::{EmailTemplates, Foot, Mail},
};
use minijinja::context;
use piazza_shared::contracts::{Language, event::EventSummary};

/// The double opt-in email. `for_guardian` when it goes to the guardian of someone under 14.
pub fn confirm_subscription(
    templates: &EmailTemplates,
    language: Language,
    to: &str,
    subscriber_email: &str,
    confirm_url: &str,
    for_guardian: bool,
) -> anyhow::Result<Rendered> {
    let (subject, intro, action, ignore) = match (language, for_guardian) {
        (Language::It, false) => (
            "Conferma la tua iscrizione a Piazza".to_string(),
            "Hai chiesto di ricevere le email di Piazza sugli eventi culturali del centro storico di Cremona. Conferma con il pulsante qui sotto: finché non confermi non ti scriveremo altro.".to_string(),
            "Confermo l'iscrizione",
            "Se non sei stato tu, ignora questa email.",
        ),
        (Language::It, true) => (
            "Consenso per l'iscrizione a Piazza".to_string(),
            format!("È stata chiesta l'iscrizione di {subscriber_email}, che ha meno di 14 anni, alle email di Piazza sugli eventi culturali del centro storico di Cremona. Come genitore o tutore puoi dare il consenso con il pulsante qui sotto."),
            "Do il consenso",
            "Se non conosci questa richiesta, ignora questa email: non verrà inviato nulla.",
        ),
        (Language::En, false) => (
            "Confirm your subscription to Piazza".to_string(),
            "You asked to receive Piazza's emails about cultural events in Cremona's historic centre. Confirm with the button below: until you do, we will not write again.".to_string(),
            "Confirm my subscription",
            "If this was not you, ignore this email.",
        ),
        (Language::En, true) => (
            "Consent for a subscription to Piazza".to_string(),
            format!("Someone asked to subscribe {subscriber_email}, who is under 14, to Piazza's emails about cultural events in Cremona's historic centre. As parent or guardian you can give consent with the button below."),
            "I give consent",
            "If you do not know about this request, ignore this email: nothing will be sent.",
        ),
    };
    let mail = Mail {
        to,
        language,
        subject,
        foot: Foot::Nobody,
        attachment: None,
    };
    templates.render(
        "confirm_subscription",
        mail,
        context! { intro, action, ignore, url => confirm_url },
    )
}

/// A newly published event that matches the subscriber's interests.
pub fn event_published(
    templates: &EmailTemplates,
    language: Language,
    to: &str,
    event: &EventSummary,
    event_url: &str,
    footer: &Footer,
) -> anyhow::Result<Rendered> {
    let (subject, lead, where_label, when_label, more, ages) = match language {
        Language::It => (
            format!("Nuovo evento: {}", event.title),
            "C'è un nuovo evento per te.",
            "Dove",
            "Quando",
            "Scopri di più",
            "Età",
        ),
        Language::En => (
            format!("New event: {}", event.title),
            "There is a new event for you.",
            "Where",
            "When",
            "Find out more",
            "Ages",
        ),
    };
    let categories: Vec<&str> = event.categories.iter().map(|c| c.label(language)).collect();
    let age = match (event.age_min, event.age_max) {
        (Some(a), Some(b)) => Some(format!("{a}–{b}")),
        (Some(a), None) => Some(format!("{a}+")),
        (None, Some(b)) => Some(format!("≤ {b}")),
        (None, None) => None,
    };
    let mail = Mail {
        to,
        language,
        subject,
        foot: footer.foot(language),
        attachment: None,
    };
    templates.render(
        "event_published",
        mail,
        context! {
            w => context! { lead, when => when_label, place => where_label, ages, more },
            event => context! { title => &event.title, description => &event.description },
            categories,
            dates => dates_of(event, language),
            place => place_line(event),
            age,
            url => event_url,
        },
    )
}
