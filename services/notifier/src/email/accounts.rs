//! The email with a link to set an account's password: an invitation to Piazza, or a reset by an
//! administrator. It says until when the link works; the layout is the confirmation's (a lead,
//! one button, a line for whoever did not expect it).

use super::{
    message::Rendered,
    render::{EmailTemplates, Foot, Mail},
};
use minijinja::context;
use piazza_shared::contracts::{
    Language,
    account::{PasswordLinkIssued, PasswordLinkReason},
};

pub fn password_link(
    templates: &EmailTemplates,
    to: &str,
    link: &PasswordLinkIssued,
    zone: chrono_tz::Tz,
) -> anyhow::Result<Rendered> {
    let until = link
        .expires_at
        .with_timezone(&zone)
        .format("%d/%m/%Y %H:%M")
        .to_string();
    let on_behalf = |it: bool| match (&link.organisation, it) {
        (Some(name), true) => format!(" per {name}"),
        (Some(name), false) => format!(" for {name}"),
        (None, _) => String::new(),
    };
    let (subject, intro, action, ignore) = match (link.language, link.reason) {
        (Language::It, PasswordLinkReason::Invitation) => (
            "Il tuo account su Piazza".to_string(),
            format!(
                "Il Comune ti ha creato un account su Piazza{}, per prenotare spazi e proporre eventi nel centro storico di Cremona. Scegli la tua password con il pulsante qui sotto (il collegamento vale fino al {until}).",
                on_behalf(true)
            ),
            "Scelgo la password",
            "Se non aspettavi questo invito, ignora questa email.",
        ),
        (Language::It, PasswordLinkReason::Reset) => (
            "Nuova password per Piazza".to_string(),
            format!(
                "Un amministratore ha azzerato la password del tuo account su Piazza. Scegline una nuova con il pulsante qui sotto (il collegamento vale fino al {until})."
            ),
            "Scelgo la nuova password",
            "Se non sai perché, scrivi al Comune.",
        ),
        (Language::En, PasswordLinkReason::Invitation) => (
            "Your account on Piazza".to_string(),
            format!(
                "The Comune made you an account on Piazza{}, to book spaces and propose events in Cremona's historic centre. Choose your password with the button below (the link works until {until}).",
                on_behalf(false)
            ),
            "Choose my password",
            "If you did not expect this invitation, ignore this email.",
        ),
        (Language::En, PasswordLinkReason::Reset) => (
            "A new password for Piazza".to_string(),
            format!(
                "An administrator reset the password of your account on Piazza. Choose a new one with the button below (the link works until {until})."
            ),
            "Choose my new password",
            "If you do not know why, write to the Comune.",
        ),
    };
    let mail = Mail {
        to,
        language: link.language,
        subject,
        foot: Foot::Nobody,
        attachment: None,
    };
    templates.render(
        "confirm_subscription",
        mail,
        context! { intro, action, ignore, url => &link.link },
    )
}
