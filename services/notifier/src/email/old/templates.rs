//! The words of each email, in Italian and English, as plain text and as HTML that reads well on
//! a phone. Dates are in the event's local time.

use super::{dates::when, message::Rendered};
use piazza_shared::contracts::{
    Language,
    booking::{BookingRejected, BookingSummary},
    event::EventSummary,
};

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn layout(language: Language, heading: &str, body: &str, footer: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="margin:0;padding:0;background:#f4f1ea;font-family:Helvetica,Arial,sans-serif;color:#1d1d1b">
<div style="max-width:600px;margin:0 auto;padding:24px 16px">
<p style="margin:0 0 16px;font-size:14px;letter-spacing:.08em;text-transform:uppercase;color:#7a2e1f"><strong>Piazza</strong> · Cremona</p>
<div style="background:#fff;border-radius:8px;padding:24px;font-size:16px;line-height:1.5">
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3">{title}</h1>
{body}
</div>
<div style="padding:16px 4px;font-size:13px;line-height:1.5;color:#555">{footer}</div>
</div>
</body>
</html>"#,
        lang = language.as_str(),
        title = escape(heading),
    )
}

pub(crate) fn button(url: &str, label: &str) -> String {
    format!(
        r#"<p style="margin:24px 0"><a href="{url}" style="display:inline-block;background:#7a2e1f;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">{label}</a></p>"#,
        url = escape(url),
        label = escape(label)
    )
}

/// Links at the foot of every email sent to a subscriber.
pub struct Footer {
    pub manage: String,
    pub unsubscribe: String,
}

pub(crate) fn footer_html(language: Language, footer: &Footer) -> String {
    let (why, manage, leave) = match language {
        Language::It => (
            "Ricevi questa email perché ti sei iscritto agli eventi di Piazza.",
            "Gestisci le preferenze",
            "Cancella l'iscrizione",
        ),
        Language::En => (
            "You get this email because you subscribed to Piazza's events.",
            "Manage preferences",
            "Unsubscribe",
        ),
    };
    format!(
        r#"{why}<br><a href="{m}" style="color:#7a2e1f">{manage}</a> · <a href="{u}" style="color:#7a2e1f">{leave}</a>"#,
        m = escape(&footer.manage),
        u = escape(&footer.unsubscribe)
    )
}

pub(crate) fn footer_text(language: Language, footer: &Footer) -> String {
    match language {
        Language::It => format!(
            "Ricevi questa email perché ti sei iscritto agli eventi di Piazza.\nGestisci le preferenze: {}\nCancella l'iscrizione: {}\n",
            footer.manage, footer.unsubscribe
        ),
        Language::En => format!(
            "You get this email because you subscribed to Piazza's events.\nManage preferences: {}\nUnsubscribe: {}\n",
            footer.manage, footer.unsubscribe
        ),
    }
}

/// The double opt-in email. `for_guardian` when it goes to the guardian of someone under 14.
pub fn confirm_subscription(
    language: Language,
    to: &str,
    subscriber_email: &str,
    confirm_url: &str,
    for_guardian: bool,
) -> Rendered {
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
    let text = format!("{intro}\n\n{action}: {confirm_url}\n\n{ignore}\n");
    let body = format!(
        "<p>{}</p>{}<p style=\"color:#555\">{}</p>",
        escape(&intro),
        button(confirm_url, action),
        escape(ignore)
    );
    Rendered {
        to: to.to_string(),
        html: layout(language, &subject, &body, ""),
        subject,
        text,
        unsubscribe: None,
        attachment: None,
    }
}

pub(crate) fn place_line(event: &EventSummary) -> Option<String> {
    event.place.as_ref().map(|p| {
        if p.building.is_empty() || p.building == p.name {
            format!("{}, {}", p.name, p.address)
        } else {
            format!("{} — {}, {}", p.name, p.building, p.address)
        }
    })
}

pub(crate) fn dates_of(event: &EventSummary, language: Language) -> Vec<String> {
    let zone: chrono_tz::Tz = event.time_zone.parse().unwrap_or(chrono_tz::Europe::Rome);
    event
        .occurrences
        .iter()
        .take(12)
        .map(|o| when(o.starts_at, o.ends_at, zone, language))
        .collect()
}

/// A newly published event that matches the subscriber's interests.
pub fn event_published(
    language: Language,
    to: &str,
    event: &EventSummary,
    event_url: &str,
    footer: &Footer,
) -> Rendered {
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
    let dates = dates_of(event, language);
    let categories: Vec<&str> = event.categories.iter().map(|c| c.label(language)).collect();
    let age = match (event.age_min, event.age_max) {
        (Some(a), Some(b)) => Some(format!("{a}–{b}")),
        (Some(a), None) => Some(format!("{a}+")),
        (None, Some(b)) => Some(format!("≤ {b}")),
        (None, None) => None,
    };
    let mut text = format!("{lead}\n\n{}\n{}\n\n", event.title, categories.join(", "));
    let mut body = format!(
        "<p>{}</p><h2 style=\"font-size:20px;margin:16px 0 4px\">{}</h2><p style=\"margin:0 0 12px;color:#555\">{}</p>",
        escape(lead),
        escape(&event.title),
        escape(&categories.join(" · "))
    );
    if !event.description.is_empty() {
        text.push_str(&format!("{}\n\n", event.description));
        body.push_str(&format!(
            "<p>{}</p>",
            escape(&event.description).replace('\n', "<br>")
        ));
    }
    text.push_str(&format!("{when_label}:\n"));
    body.push_str(&format!("<p><strong>{}</strong><br>", escape(when_label)));
    for date in &dates {
        text.push_str(&format!("- {date}\n"));
        body.push_str(&format!("{}<br>", escape(date)));
    }
    body.push_str("</p>");
    if let Some(place) = place_line(event) {
        text.push_str(&format!("{where_label}: {place}\n"));
        body.push_str(&format!(
            "<p><strong>{}</strong><br>{}</p>",
            escape(where_label),
            escape(&place)
        ));
    }
    if let Some(age) = age {
        text.push_str(&format!("{ages}: {age}\n"));
        body.push_str(&format!(
            "<p><strong>{}</strong>: {}</p>",
            escape(ages),
            escape(&age)
        ));
    }
    text.push_str(&format!(
        "\n{more}: {event_url}\n\n{}",
        footer_text(language, footer)
    ));
    body.push_str(&button(event_url, more));
    Rendered {
        to: to.to_string(),
        html: layout(language, &subject, &body, &footer_html(language, footer)),
        subject,
        text,
        unsubscribe: Some(footer.unsubscribe.clone()),
        attachment: None,
    }
}

fn booking_lines(booking: &BookingSummary, zone: chrono_tz::Tz) -> String {
    let first = when(booking.starts_at, booking.ends_at, zone, Language::It);
    if booking.occurrences > 1 {
        format!("{} (prima di {} date)", first, booking.occurrences)
    } else {
        first
    }
}

/// Operators hear in Italian: they are the Comune's partners, not the public.
pub fn booking_decided(
    to: &str,
    booking: &BookingSummary,
    approved: bool,
    reason: Option<&str>,
    zone: chrono_tz::Tz,
) -> Rendered {
    let (subject, lead) = if approved {
        (
            format!("Prenotazione approvata: {}", booking.title),
            "La tua prenotazione è stata approvata.",
        )
    } else {
        (
            format!("Prenotazione annullata: {}", booking.title),
            "La tua prenotazione è stata annullata.",
        )
    };
    let dates = booking_lines(booking, zone);
    let mut text = format!("{lead}\n\n{}\n{dates}\n", booking.title);
    let mut body = format!(
        "<p>{}</p><p><strong>{}</strong><br>{}</p>",
        escape(lead),
        escape(&booking.title),
        escape(&dates)
    );
    if let Some(reason) = reason {
        text.push_str(&format!("\nMotivo: {reason}\n"));
        body.push_str(&format!("<p>Motivo: {}</p>", escape(reason)));
    }
    Rendered {
        to: to.to_string(),
        html: layout(Language::It, &subject, &body, ""),
        subject,
        text,
        unsubscribe: None,
        attachment: None,
    }
}

/// A booking request was rejected.
pub fn booking_rejected(to: &str, rejected: &BookingRejected, zone: chrono_tz::Tz) -> Rendered {
    let subject = format!("Prenotazione non approvata: {}", rejected.title);
    let dates = when(rejected.starts_at, rejected.ends_at, zone, Language::It);
    let text = format!(
        "La tua richiesta di prenotazione non è stata approvata.\n\n{}\n{dates}\n\nMotivo: {}\n",
        rejected.title, rejected.reason
    );
    let body = format!(
        "<p>La tua richiesta di prenotazione non è stata approvata.</p><p><strong>{}</strong><br>{}</p><p>Motivo: {}</p>",
        escape(&rejected.title),
        escape(&dates),
        escape(&rejected.reason)
    );
    Rendered {
        to: to.to_string(),
        html: layout(Language::It, &subject, &body, ""),
        subject,
        text,
        unsubscribe: None,
        attachment: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<b>\"Tom & Jerry's\"</b>"),
            "&lt;b&gt;&quot;Tom &amp; Jerry&#39;s&quot;&lt;/b&gt;"
        );
    }
}
