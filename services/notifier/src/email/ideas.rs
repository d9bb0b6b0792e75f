//! The emails to the author of an idea sent without an account, in the language they wrote in:
//! the link that verifies the idea (the confirmation's layout: a lead, one button, a line for
//! whoever did not send it), and what staff decided — taken up as a proposal of the call, or
//! declined with the reason staff gave.

use super::{
    body::Body,
    message::Rendered,
    render::{EmailTemplates, Foot, Mail},
};
use minijinja::{context, value::Serde};
use piazza_shared::contracts::{
    Language,
    idea::{IdeaDecided, IdeaOutcome, IdeaVerificationRequested},
};

pub fn verification(
    templates: &EmailTemplates,
    to: &str,
    message: &IdeaVerificationRequested,
    zone: chrono_tz::Tz,
) -> anyhow::Result<Rendered> {
    let until = message
        .expires_at
        .with_timezone(&zone)
        .format("%d/%m/%Y %H:%M")
        .to_string();
    let (call, title) = (&message.call_title, &message.title);
    let (subject, intro, action, ignore) = match message.author.language {
        Language::It => (
            format!("Conferma la tua idea: {title}"),
            format!(
                "Hai inviato l'idea «{title}» al bando «{call}» del Comune di Cremona. Confermala con il pulsante qui sotto (il collegamento vale fino al {until}): solo dopo arriva al personale del Comune."
            ),
            "Confermo l'idea",
            "Se non hai inviato tu questa idea, ignora questa email: senza conferma nessuno la vede.",
        ),
        Language::En => (
            format!("Confirm your idea: {title}"),
            format!(
                "You sent the idea “{title}” to the call “{call}” of the Comune di Cremona. Confirm it with the button below (the link works until {until}): only then does it reach the Comune's staff."
            ),
            "Confirm my idea",
            "If you did not send this idea, ignore this email: without a confirmation nobody sees it.",
        ),
    };
    let mail = Mail {
        to,
        language: message.author.language,
        subject,
        foot: Foot::Nobody,
        attachment: None,
    };
    templates.render(
        "confirm_subscription",
        mail,
        context! { intro, action, ignore, url => &message.link },
    )
}

pub fn outcome(
    templates: &EmailTemplates,
    to: &str,
    message: &IdeaDecided,
) -> anyhow::Result<Rendered> {
    let (call, title) = (&message.call_title, &message.title);
    let name = &message.author.name;
    let reason = message.reason.as_deref().unwrap_or_default();
    let mut body = Body::new();
    let subject = match (message.author.language, message.outcome) {
        (Language::It, IdeaOutcome::Accepted) => {
            body.para(&format!("Ciao {name},"))
                .para(&format!("la tua idea per il bando «{call}» è stata accolta: ora è una proposta del bando, che il Comune valuta per la stagione. Ti ricontatteremo a questo indirizzo per i prossimi passi."))
                .heading(title);
            format!("La tua idea è stata accolta: {title}")
        }
        (Language::It, IdeaOutcome::Declined) => {
            body.para(&format!("Ciao {name},"))
                .para(&format!("grazie per la tua idea per il bando «{call}». Questa volta il Comune non la porta avanti."))
                .heading(title)
                .field("Motivo", reason);
            format!("La tua idea: {title}")
        }
        (Language::En, IdeaOutcome::Accepted) => {
            body.para(&format!("Hello {name},"))
                .para(&format!("your idea for the call “{call}” was taken up: it is now a proposal of the call, which the Comune considers for the season. We will write to this address about the next steps."))
                .heading(title);
            format!("Your idea was taken up: {title}")
        }
        (Language::En, IdeaOutcome::Declined) => {
            body.para(&format!("Hello {name},"))
                .para(&format!("thank you for your idea for the call “{call}”. This time the Comune is not taking it forward."))
                .heading(title)
                .field("Reason", reason);
            format!("Your idea: {title}")
        }
    };
    let mail = Mail {
        to,
        language: message.author.language,
        subject,
        foot: Foot::Nobody,
        attachment: None,
    };
    templates.render("body", mail, context! { blocks => Serde(body.blocks) })
}
