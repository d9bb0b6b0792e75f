//! What several emails share: the foot a subscriber or a registrant gets, an event's place in
//! one line, and its dates in the reader's language.

use super::{dates::when, render::Foot};
use piazza_shared::contracts::{Language, event::EventSummary};

/// Links at the foot of every email sent to a subscriber.
pub struct Footer {
    pub manage: String,
    pub unsubscribe: String,
}

impl Footer {
    /// The foot of an email to a subscriber, in `language`.
    pub fn foot(&self, language: Language) -> Foot {
        let (why, manage_label, leave_label) = match language {
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
        Foot::Subscriber {
            why,
            manage_label,
            manage: self.manage.clone(),
            leave_label,
            unsubscribe: self.unsubscribe.clone(),
        }
    }
}

/// The foot of an email to someone registered for an event, in `language`.
pub fn registrant_foot(language: Language) -> Foot {
    Foot::Registrant {
        why: match language {
            Language::It => {
                "Ricevi questa email perché ti sei registrato a questo evento su Piazza."
            }
            Language::En => "You get this email because you registered for this event on Piazza.",
        },
    }
}

/// The words of the link that frees a registrant's place.
pub fn free_your_place(language: Language) -> &'static str {
    match language {
        Language::It => "Non puoi più venire? Libera il tuo posto",
        Language::En => "Cannot come after all? Free your place",
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
