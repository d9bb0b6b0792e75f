//! What the scheduler's pages say when an op refuses: each field at fault by its form field, in
//! words ([`piazza_shared::web::messages`]), and each refusal with its own code as a sentence in
//! the person's language, rather than the API's English detail.

use crate::{domain::EventStatus, error::SchedulerError};
use piazza_shared::{
    http::ApiError,
    web::{Lang, messages, words},
};
use std::collections::BTreeMap;

/// What a form shows after an op refused it: errors by form field, or the page to answer with.
pub enum Refused {
    Fields(BTreeMap<String, String>),
    Other(ApiError),
}

/// Sorts an op's error into fields to show on the form (the API's field names turned into the
/// form's by `form_field`) and everything else.
pub fn refused(error: SchedulerError, lang: Lang, form_field: impl Fn(&str) -> String) -> Refused {
    let error = match error {
        SchedulerError::Api(error) => error,
        other => {
            // A refusal on a form reads by the form, as a sentence.
            return Refused::Fields(BTreeMap::from([(
                "form".to_string(),
                refusal(&other, lang),
            )]));
        }
    };
    match error {
        ApiError::Validation(list) => {
            let mut errors = BTreeMap::new();
            for e in list {
                errors
                    .entry(form_field(&e.field))
                    .or_insert_with(|| messages::field_error(&e.field, &e.message, lang));
            }
            Refused::Fields(errors)
        }
        other => Refused::Other(other),
    }
}

fn event_state(status: &EventStatus, lang: Lang) -> String {
    words::status(status.as_str(), lang)
}

/// A refusal with its own code, as a sentence.
pub fn refusal(error: &SchedulerError, lang: Lang) -> String {
    let t = |it: &str, en: &str| lang.pick(it, en).to_string();
    match error {
        SchedulerError::EventFinal(s) | SchedulerError::AlreadyFinal(s) => match lang {
            Lang::It => format!("L'evento è {} e non cambia più.", event_state(s, lang)),
            Lang::En => format!("The event is {} and changes no more.", event_state(s, lang)),
        },
        SchedulerError::NotPublishable(s) => match lang {
            Lang::It => format!("Un evento {} non si può pubblicare.", event_state(s, lang)),
            Lang::En => format!(
                "An event that is {} cannot be published.",
                event_state(s, lang)
            ),
        },
        SchedulerError::NotSchedulable(s) => match lang {
            Lang::It => format!(
                "Un evento {} non si può mettere in programma.",
                event_state(s, lang)
            ),
            Lang::En => format!(
                "An event that is {} cannot be scheduled.",
                event_state(s, lang)
            ),
        },
        SchedulerError::SpaceNotConfirmed { status, .. } => match lang {
            Lang::It => format!(
                "Lo spazio non è ancora confermato ({}).",
                words::status(status, lang)
            ),
            Lang::En => format!(
                "The space is not confirmed yet ({}).",
                words::status(status, lang)
            ),
        },
        SchedulerError::NothingToPublish => t(
            "Tutte le date sono passate o annullate.",
            "Every date is over or cancelled.",
        ),
        SchedulerError::OccurrenceCancelled => {
            t("Quella data è annullata.", "That date is cancelled.")
        }
        SchedulerError::OccurrenceStarted => t(
            "Quella data è già iniziata o passata.",
            "That date has begun or is over.",
        ),
        SchedulerError::ProposalDecided(s) => match lang {
            Lang::It => format!(
                "La proposta è già {}.",
                words::planning_status(s.as_str(), lang)
            ),
            Lang::En => format!(
                "The proposal is already {}.",
                words::planning_status(s.as_str(), lang)
            ),
        },
        SchedulerError::CallClosed => t("Il bando è già chiuso.", "The call is already closed."),
        SchedulerError::SeasonArchived => t("La stagione è archiviata.", "The season is archived."),
        SchedulerError::SeasonNotIn { is, .. } => match lang {
            Lang::It => format!(
                "La stagione è {}: non si può.",
                words::planning_status(is.as_str(), lang)
            ),
            Lang::En => format!(
                "The season is {}: that cannot be done.",
                words::planning_status(is.as_str(), lang)
            ),
        },
        SchedulerError::FeedExists(_) => t(
            "La stagione importa già questo indirizzo.",
            "The season already imports this address.",
        ),
        SchedulerError::Api(error) => error.to_string(),
    }
}
