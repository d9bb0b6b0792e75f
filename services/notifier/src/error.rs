//! The notifier's refusals, each with a stable code. Its use cases are reached with a signed
//! link rather than a session, so what goes wrong is mostly the link: forged or expired, or
//! naming someone erased since. A bad link keeps the HTTP status and problem `type` the API has
//! always answered (401 `unauthorized`, 404 `not_found`); [`NotifierError::code`] names it
//! precisely for the log and for the pages, which answer each with its own words. A state that
//! refuses the request is a 409 with its own code (`urn:piazza:problem:<code>`). Everything
//! else is a shared [`ApiError`] carried through [`NotifierError::Api`].

use axum::response::{IntoResponse, Response};
use piazza_shared::{auth::TokenError, http::ApiError};

/// What a notifier use case answers instead of success.
#[derive(Debug, thiserror::Error)]
pub enum NotifierError {
    /// A link forged, expired, or made for another purpose.
    #[error("invalid link: {0}")]
    LinkInvalid(TokenError),
    /// A link whose subscriber was erased since (or whose address changed).
    #[error("subscriber not found")]
    SubscriberGone,
    /// Confirming a subscription that was ended: only subscribing again brings it back.
    #[error("this subscription was cancelled: subscribe again to receive the emails")]
    SubscriptionEnded,
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl NotifierError {
    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            NotifierError::LinkInvalid(_) => "link_invalid",
            NotifierError::SubscriberGone => "subscriber_gone",
            NotifierError::SubscriptionEnded => "subscription_ended",
            NotifierError::Api(error) => error.code().0,
        }
    }
}

impl From<sea_orm::DbErr> for NotifierError {
    fn from(error: sea_orm::DbErr) -> Self {
        NotifierError::Api(error.into())
    }
}

impl From<anyhow::Error> for NotifierError {
    fn from(error: anyhow::Error) -> Self {
        NotifierError::Api(error.into())
    }
}

impl From<NotifierError> for ApiError {
    fn from(error: NotifierError) -> Self {
        match error {
            NotifierError::LinkInvalid(_) => ApiError::Unauthorized(error.to_string()),
            NotifierError::SubscriberGone => ApiError::NotFound("subscriber"),
            NotifierError::SubscriptionEnded => {
                ApiError::refused(error.code(), error.to_string(), vec![])
            }
            NotifierError::Api(error) => error,
        }
    }
}

impl IntoResponse for NotifierError {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_subscription_is_refused_with_its_own_code() {
        let problem = ApiError::from(NotifierError::SubscriptionEnded).to_problem();
        assert_eq!(problem.status, 409);
        assert_eq!(
            problem.problem_type,
            "urn:piazza:problem:subscription_ended"
        );
    }

    #[test]
    fn a_bad_link_is_unauthorized_and_an_erased_subscriber_not_found() {
        let problem = ApiError::from(NotifierError::SubscriberGone).to_problem();
        assert_eq!(problem.status, 404);
        assert_eq!(problem.problem_type, "urn:piazza:problem:not_found");
        let error = NotifierError::LinkInvalid(TokenError::Expired);
        assert_eq!(error.code(), "link_invalid");
        assert_eq!(ApiError::from(error).to_problem().status, 401);
    }
}
