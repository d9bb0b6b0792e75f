//! The monitoring's refusals. Its API and pages answer with the shared [`ApiError`]
//! (problem+json, the field at fault); [`MonitoringError`] carries them, with a variant per
//! refusal of its own, so a use case returns one type whatever went wrong.

use axum::response::{IntoResponse, Response};
use piazza_shared::http::{ApiError, FieldError};

/// What a monitoring use case answers instead of success.
#[derive(Debug, thiserror::Error)]
pub enum MonitoringError {
    /// A reporting period that ends before it starts: the query parameter at fault and why.
    #[error("{field}: {message}")]
    BadPeriod {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl MonitoringError {
    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            MonitoringError::BadPeriod { .. } => "validation",
            MonitoringError::Api(error) => error.code().0,
        }
    }
}

impl From<sea_orm::DbErr> for MonitoringError {
    fn from(error: sea_orm::DbErr) -> Self {
        MonitoringError::Api(error.into())
    }
}

impl From<anyhow::Error> for MonitoringError {
    fn from(error: anyhow::Error) -> Self {
        MonitoringError::Api(error.into())
    }
}

impl From<MonitoringError> for ApiError {
    fn from(error: MonitoringError) -> Self {
        match error {
            MonitoringError::BadPeriod { field, message } => {
                ApiError::Validation(vec![FieldError::new(field, message)])
            }
            MonitoringError::Api(error) => error,
        }
    }
}

impl IntoResponse for MonitoringError {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_its_own_code_and_a_shared_error_passes_through() {
        let problem = ApiError::from(MonitoringError::BadPeriod {
            field: "to",
            message: "must be after from".into(),
        })
        .to_problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors[0].field, "to");
        let error = MonitoringError::Api(ApiError::NotFound("indicator"));
        assert_eq!(error.code(), "not_found");
        assert_eq!(ApiError::from(error).to_problem().status, 404);
    }
}
