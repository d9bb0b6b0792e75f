//! Emails to the operator who asked for a booking: approved, cancelled or not approved. Operators
//! hear in Italian: they are the Comune's partners, not the public.

use super::{
    dates::when,
    message::Rendered,
    render::{EmailTemplates, Foot, Mail},
};
use minijinja::context;
use piazza_shared::contracts::{
    Language,
    booking::{BookingRejected, BookingSummary},
};

fn booking_lines(booking: &BookingSummary, zone: chrono_tz::Tz) -> String {
    let first = when(booking.starts_at, booking.ends_at, zone, Language::It);
    if booking.occurrences > 1 {
        format!("{} (prima di {} date)", first, booking.occurrences)
    } else {
        first
    }
}

fn booking_email(
    templates: &EmailTemplates,
    to: &str,
    subject: String,
    lead: &str,
    title: &str,
    dates: String,
    reason: Option<&str>,
) -> anyhow::Result<Rendered> {
    let mail = Mail {
        to,
        language: Language::It,
        subject,
        foot: Foot::Nobody,
        attachment: None,
    };
    templates.render("booking", mail, context! { lead, title, dates, reason })
}

/// A booking was approved, or cancelled (with its reason, when one was given).
pub fn booking_decided(
    templates: &EmailTemplates,
    to: &str,
    booking: &BookingSummary,
    approved: bool,
    reason: Option<&str>,
    zone: chrono_tz::Tz,
) -> anyhow::Result<Rendered> {
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
    booking_email(templates, to, subject, lead, &booking.title, dates, reason)
}

/// A booking request was rejected.
pub fn booking_rejected(
    templates: &EmailTemplates,
    to: &str,
    rejected: &BookingRejected,
    zone: chrono_tz::Tz,
) -> anyhow::Result<Rendered> {
    let subject = format!("Prenotazione non approvata: {}", rejected.title);
    let dates = when(rejected.starts_at, rejected.ends_at, zone, Language::It);
    booking_email(
        templates,
        to,
        subject,
        "La tua richiesta di prenotazione non è stata approvata.",
        &rejected.title,
        dates,
        Some(&rejected.reason),
    )
}
