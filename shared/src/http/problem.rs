//! Errors as RFC 9457 problem+json (<https://www.rfc-editor.org/rfc/rfc9457>), from one table of
//! stable `type`s. A 500 tells the client nothing internal; the cause chain goes to the log.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sea_orm::DbErr;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One field at fault in a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The field, as a path into the request (`opening_hours[1].closes`, or a query parameter).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A stable identifier of the kind of problem, e.g. `urn:piazza:problem:validation`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For 422: every field at fault.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For 409: the items in the way.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub conflicts: Vec<serde_json::Value>,
}

/// Everything a handler can answer with instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A 409: the request is well formed but the state of things refuses it. `code` names the
    /// refusal (`conflict` when nothing more specific is said; a service's error enum says
    /// `season_archived`, `proposal_decided`…).
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        conflicts: Vec<serde_json::Value>,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("too many requests; retry in {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    /// A 429 about one field of the request (too many confirmations to this `email`, say):
    /// the problem names it in `errors`, and `Retry-After` says when to try again.
    #[error("{field}: {message}; retry in {retry_after} s")]
    TooManyFor {
        field: &'static str,
        message: String,
        retry_after: u64,
    },
    #[error("the request body is larger than allowed")]
    PayloadTooLarge,
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn conflict(detail: impl Into<String>, conflicts: Vec<serde_json::Value>) -> Self {
        Self::refused("conflict", detail, conflicts)
    }

    /// A 409 with its own stable code (the problem's type is `urn:piazza:problem:<code>`).
    pub fn refused(
        code: &'static str,
        detail: impl Into<String>,
        conflicts: Vec<serde_json::Value>,
    ) -> Self {
        ApiError::Conflict {
            code,
            detail: detail.into(),
            conflicts,
        }
    }

    /// The stable code, HTTP status and title of this error.
    pub fn code(&self) -> (&'static str, StatusCode, &'static str) {
        match self {
            ApiError::Validation(_) => (
                "validation",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid request",
            ),
            ApiError::BadRequest(_) => ("bad_request", StatusCode::BAD_REQUEST, "Bad request"),
            ApiError::NotFound(_) => ("not_found", StatusCode::NOT_FOUND, "Not found"),
            ApiError::Conflict { code, .. } => (code, StatusCode::CONFLICT, "Conflict"),
            ApiError::Unauthorized(_) => (
                "unauthorized",
                StatusCode::UNAUTHORIZED,
                "Authentication required",
            ),
            ApiError::Forbidden(_) => ("forbidden", StatusCode::FORBIDDEN, "Forbidden"),
            ApiError::TooManyRequests { .. } | ApiError::TooManyFor { .. } => (
                "rate_limited",
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
            ),
            ApiError::PayloadTooLarge => (
                "payload_too_large",
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
            ),
            ApiError::UnsupportedMediaType => (
                "unsupported_media_type",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
            ),
            ApiError::MethodNotAllowed(_) => (
                "method_not_allowed",
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
            ),
            ApiError::Unavailable(_) => (
                "unavailable",
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable",
            ),
            ApiError::Internal(_) => (
                "internal",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
            ),
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (code, status, title) = self.code();
        let (errors, conflicts) = match self {
            ApiError::Validation(errors) => (errors.clone(), Vec::new()),
            ApiError::Conflict { conflicts, .. } => (Vec::new(), conflicts.clone()),
            ApiError::TooManyFor { field, message, .. } => {
                (vec![FieldError::new(*field, message.clone())], Vec::new())
            }
            _ => (Vec::new(), Vec::new()),
        };
        let detail = match self {
            ApiError::Validation(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            ApiError::Internal(_) => "something went wrong on our side; it has been logged".into(),
            other => other.to_string(),
        };
        Problem {
            problem_type: format!("urn:piazza:problem:{code}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors,
            conflicts,
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        if crate::db::is_connection_error(&error) {
            tracing::warn!(error = %error, "database unavailable");
            ApiError::Unavailable("the database cannot be reached; try again shortly".into())
        } else {
            ApiError::Internal(anyhow::Error::new(error))
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "request failed");
        }
        let problem = self.to_problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match &self {
            ApiError::TooManyRequests { retry_after }
            | ApiError::TooManyFor { retry_after, .. } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                    headers.insert(header::RETRY_AFTER, value);
                }
            }
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validation_problem_names_each_field() {
        let problem = ApiError::Validation(vec![
            FieldError::new("capacity", "must be at least 1"),
            FieldError::new("time_zone", "unknown zone"),
        ])
        .to_problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.problem_type, "urn:piazza:problem:validation");
        assert_eq!(problem.errors.len(), 2);
        assert!(problem.detail.contains("capacity: must be at least 1"));
    }

    #[test]
    fn an_internal_error_reveals_nothing() {
        let problem = ApiError::Internal(anyhow::anyhow!("password=hunter2 in connection string"))
            .to_problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("hunter2"));
    }
}
