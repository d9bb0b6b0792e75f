//! Emails that tell staff and operators of something waiting for them: a booking request to
//! approve, a proposal sent to a call, a call opened in their organisation's field. Accounts have
//! no language, so each is written in Italian with the English below, and links to the page
//! where the thing is handled.

use super::{
    body::Body,
    dates::when,
    message::Rendered,
    render::{EmailTemplates, Foot, Mail},
};
use minijinja::{context, value::Serde};
use piazza_shared::contracts::{Category, Language, notice::Notice};

/// The email for `notice` to `to`, with a link to `url` (the page where it is handled).
pub fn notice(
    templates: &EmailTemplates,
    to: &str,
    notice: &Notice,
    url: &str,
    zone: chrono_tz::Tz,
) -> anyhow::Result<Rendered> {
    let mut body = Body::new();
    let subject = match notice {
        Notice::BookingRequested {
            booking,
            space,
            signoffs,
        } => {
            let who = |language| {
                booking.organisation.clone().unwrap_or_else(|| {
                    match language {
                        Language::It => "Un operatore",
                        Language::En => "An operator",
                    }
                    .to_string()
                })
            };
            for language in [Language::It, Language::En] {
                let first = when(booking.starts_at, booking.ends_at, zone, language);
                let (lead, place, dates, series, open) = match language {
                    Language::It => (
                        if signoffs.is_empty() {
                            format!(
                                "{} ha chiesto uno spazio: la richiesta attende l'approvazione.",
                                who(language)
                            )
                        } else {
                            format!(
                                "{} ha chiesto uno spazio: la richiesta attende il parere del vostro settore.",
                                who(language)
                            )
                        },
                        "Spazio",
                        "Quando",
                        format!("{first} (prima di {} date)", booking.occurrences),
                        if signoffs.is_empty() {
                            "Apri le richieste da approvare"
                        } else {
                            "Apri i pareri da dare"
                        },
                    ),
                    Language::En => (
                        if signoffs.is_empty() {
                            format!(
                                "{} asked for a space: the request is waiting for approval.",
                                who(language)
                            )
                        } else {
                            format!(
                                "{} asked for a space: the request is waiting for your sector's sign-off.",
                                who(language)
                            )
                        },
                        "Space",
                        "When",
                        format!("{first} (first of {} dates)", booking.occurrences),
                        if signoffs.is_empty() {
                            "Open the requests to approve"
                        } else {
                            "Open the sign-offs to give"
                        },
                    ),
                };
                let line = if booking.occurrences > 1 {
                    series
                } else {
                    first
                };
                body.para(&lead).heading(&booking.title);
                if !space.is_empty() {
                    body.field(place, space);
                }
                body.lines(dates, &[line]).link(open, url);
            }
            format!(
                "Nuova richiesta di prenotazione · New booking request: {}",
                booking.title
            )
        }
        Notice::ProposalSubmitted { proposal } => {
            for language in [Language::It, Language::En] {
                let who = proposal
                    .organisation
                    .clone()
                    .unwrap_or_else(|| proposal.contact_email.clone());
                let (lead, open) = match language {
                    Language::It => (
                        format!(
                            "{who} ha inviato una proposta a un bando: attende la vostra valutazione."
                        ),
                        "Apri le proposte del bando",
                    ),
                    Language::En => (
                        format!("{who} sent a proposal to a call: it is waiting for your review."),
                        "Open the call's proposals",
                    ),
                };
                body.para(&lead).heading(&proposal.title).link(open, url);
            }
            format!("Nuova proposta · New proposal: {}", proposal.title)
        }
        Notice::CallOpened { call } => {
            for language in [Language::It, Language::En] {
                let fields: Vec<&str> = call
                    .fields
                    .iter()
                    .map(|f: &Category| f.label(language))
                    .collect();
                let until = call
                    .closes_at
                    .with_timezone(&zone)
                    .format("%d/%m/%Y %H:%M")
                    .to_string();
                let (lead, label, closes, open) = match language {
                    Language::It => (
                        "Il Comune ha aperto un bando per idee in un campo in cui lavora la tua organizzazione: puoi inviare una proposta.",
                        "Campi",
                        "Si chiude il",
                        "Apri il bando",
                    ),
                    Language::En => (
                        "The Comune opened a call for ideas in a field your organisation works in: you can send a proposal.",
                        "Fields",
                        "Closes on",
                        "Open the call",
                    ),
                };
                body.para(lead).heading(&call.title);
                if !fields.is_empty() {
                    body.field(label, &fields.join(", "));
                }
                body.field(closes, &until).link(open, url);
            }
            format!("Nuovo bando per idee · New call for ideas: {}", call.title)
        }
    };
    let mail = Mail {
        to,
        language: Language::It,
        subject,
        foot: Foot::Nobody,
        attachment: None,
    };
    templates.render("body", mail, context! { blocks => Serde(body.blocks) })
}
