//! The scheduler's refusals, each with a stable code: the problem's `type` is
//! `urn:piazza:problem:<code>` and its status is 409 (a well-formed request the state of things
//! refuses). Everything else a use case can answer — a field at fault, a missing item, a wrong
//! role — is a shared [`ApiError`] carried through [`SchedulerError::Api`].

use crate::domain::{EventStatus, ProposalStatus, SeasonStatus};
use axum::response::{IntoResponse, Response};
use piazza_shared::http::ApiError;

/// What a scheduler use case answers instead of success.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    /// Cancelled and completed events change no more.
    #[error("the event is {} and changes no more", .0.as_str())]
    EventFinal(EventStatus),
    /// Cancelling an event that is already cancelled or completed.
    #[error("the event is already {}", .0.as_str())]
    AlreadyFinal(EventStatus),
    /// Publishing an event that is not a draft, proposed or scheduled.
    #[error("an event that is {} cannot be published", .0.as_str())]
    NotPublishable(EventStatus),
    /// Scheduling an event that is not a draft, proposed, needing a space or scheduled.
    #[error("an event that is {} cannot be scheduled", .0.as_str())]
    NotSchedulable(EventStatus),
    /// Publishing an event whose space booking has not confirmed; `conflicts` says where it is.
    #[error("the space is {status}, not confirmed")]
    SpaceNotConfirmed {
        status: String,
        conflicts: Vec<serde_json::Value>,
    },
    /// Publishing an event none of whose occurrences is still to come.
    #[error("every occurrence is over or cancelled")]
    NothingToPublish,
    #[error("the occurrence is cancelled")]
    OccurrenceCancelled,
    #[error("the occurrence has begun or is over")]
    OccurrenceStarted,
    /// Deciding a proposal already accepted or declined.
    #[error("the proposal is already {}", .0.as_str())]
    ProposalDecided(ProposalStatus),
    #[error("the call is already closed")]
    CallClosed,
    #[error("the season is archived")]
    SeasonArchived,
    /// A season moved from the wrong state (publishing an archived one, say).
    #[error(
        "the season is {}; only a {} season can become {}",
        .is.as_str(), .from.as_str(), .to.as_str()
    )]
    SeasonNotIn {
        is: SeasonStatus,
        from: SeasonStatus,
        to: SeasonStatus,
    },
    /// Importing one address twice into a season.
    #[error("the season already imports this address")]
    FeedExists(uuid::Uuid),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl SchedulerError {
    /// The stable code of a refusal.
    pub fn code(&self) -> &'static str {
        match self {
            SchedulerError::EventFinal(_) | SchedulerError::AlreadyFinal(_) => "event_final",
            SchedulerError::NotPublishable(_) => "not_publishable",
            SchedulerError::NotSchedulable(_) => "not_schedulable",
            SchedulerError::SpaceNotConfirmed { .. } => "space_not_confirmed",
            SchedulerError::NothingToPublish => "nothing_to_publish",
            SchedulerError::OccurrenceCancelled => "occurrence_cancelled",
            SchedulerError::OccurrenceStarted => "occurrence_started",
            SchedulerError::ProposalDecided(_) => "proposal_decided",
            SchedulerError::CallClosed => "call_closed",
            SchedulerError::SeasonArchived => "season_archived",
            SchedulerError::SeasonNotIn { .. } => "season_state",
            SchedulerError::FeedExists(_) => "feed_exists",
            SchedulerError::Api(error) => error.code().0,
        }
    }
}

impl From<sea_orm::DbErr> for SchedulerError {
    fn from(error: sea_orm::DbErr) -> Self {
        SchedulerError::Api(error.into())
    }
}

impl From<anyhow::Error> for SchedulerError {
    fn from(error: anyhow::Error) -> Self {
        SchedulerError::Api(error.into())
    }
}

impl From<SchedulerError> for ApiError {
    fn from(error: SchedulerError) -> Self {
        let code = error.code();
        match error {
            SchedulerError::Api(error) => error,
            SchedulerError::SpaceNotConfirmed { ref conflicts, .. } => {
                let conflicts = conflicts.clone();
                ApiError::refused(code, error.to_string(), conflicts)
            }
            SchedulerError::FeedExists(feed_id) => ApiError::refused(
                code,
                error.to_string(),
                vec![serde_json::json!({ "feed_id": feed_id })],
            ),
            other => ApiError::refused(code, other.to_string(), vec![]),
        }
    }
}

impl IntoResponse for SchedulerError {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_its_words_and_names_its_code() {
        let problem =
            ApiError::from(SchedulerError::ProposalDecided(ProposalStatus::Accepted)).to_problem();
        assert_eq!(problem.status, 409);
        assert_eq!(problem.problem_type, "urn:piazza:problem:proposal_decided");
        assert_eq!(problem.detail, "the proposal is already accepted");
    }

    #[test]
    fn a_shared_error_passes_through_unchanged() {
        let problem = ApiError::from(SchedulerError::from(ApiError::NotFound("call"))).to_problem();
        assert_eq!(problem.status, 404);
        assert_eq!(problem.problem_type, "urn:piazza:problem:not_found");
    }
}
