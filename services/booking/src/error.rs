//! The booking service's refusals, each with a stable code: the problem's `type` is
//! `urn:piazza:problem:<code>` and its status is 409 (a well-formed request the state of things
//! refuses), with what is in the way listed under `conflicts`. Everything else a use case can
//! answer — a field at fault, a missing item, a wrong role — is a shared [`ApiError`] carried
//! through [`BookingError::Api`].

use crate::domain::{BookingStatus, Conflict, Obstacle};
use axum::response::{IntoResponse, Response};
use piazza_shared::http::ApiError;
use serde_json::Value;

/// What a booking use case answers instead of success.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    /// Occurrences of a request that other live bookings (or the request itself) hold, each
    /// listed; closures and hours in the way of other occurrences are listed with them.
    #[error("{} occurrence(s) conflict with what is already held", .0.len())]
    Overlap(Vec<Conflict>),
    /// Occurrences of a request that meet a closure (and nothing held), each listed.
    #[error("{} occurrence(s) conflict with what is already held", .0.len())]
    SpaceClosed(Vec<Conflict>),
    /// Occurrences of a request outside the space's opening hours, each listed; refused before
    /// the holds were looked at, or (`after_holds`) after, when nothing else was in the way.
    #[error(
        "{} occurrence(s) {}",
        .conflicts.len(),
        if *.after_holds { "conflict with what is already held" } else { "cannot be booked" }
    )]
    OutsideOpeningHours {
        conflicts: Vec<Conflict>,
        after_holds: bool,
    },
    /// The organisation's quota for the kind of space would be passed; `excesses` says by how
    /// much, per period.
    #[error(
        "the organisation's quota for spaces of kind {kind} would be passed by up to {worst:.2} hour(s)"
    )]
    QuotaExceeded {
        kind: String,
        worst: f64,
        excesses: Vec<Value>,
    },
    /// Approving or rejecting a booking that is no longer requested.
    #[error("the booking is {}, not requested", .0.as_str())]
    NotRequested(BookingStatus),
    /// Cancelling a booking that is already rejected or cancelled.
    #[error("the booking is already {}", .0.as_str())]
    NotLive(BookingStatus),
    /// A transition found a row in another status than the one it read (a change at the same
    /// moment).
    #[error("the booking changed at the same moment; read it again")]
    Changed,
    /// A tree change (new parent, new buffers) that would make live bookings overlap or meet a
    /// closure; `field` is the request's field at fault, each clash is listed.
    #[error(
        "{field}: the change would make {} live booking(s) overlap another or a closure; cancel or move them first",
        .clashes.len()
    )]
    TreeClash {
        field: &'static str,
        clashes: Vec<Value>,
    },
    /// Cancelling an organisation's booking that one of its events takes place in; each event's
    /// booking row is listed. The event lets it go first (cancelled or moved by the scheduler).
    #[error(
        "{} event(s) take place in this booking; cancel or move the event first",
        .0.len()
    )]
    InUse(Vec<Value>),
    /// A closure over time live bookings hold; each booking is listed.
    #[error("cancel or move the bookings in the way before closing the space")]
    BookingsInTheWay(Vec<Value>),
    /// Approving (as an administrator) a request that still waits for these sectors' sign-offs.
    #[error("the booking waits for the sign-off of: {}", .0.join(", "))]
    SignoffsPending(Vec<String>),
    /// A sector deciding a sign-off it has decided already.
    #[error("the sector {0} has already decided on this booking")]
    SignoffDecided(String),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl BookingError {
    /// The refusal of a request's occurrences once the holds were looked at: its code follows
    /// what is in the way — any overlap makes it `booking_overlap`, else any closure
    /// `space_closed`, else the hours.
    pub fn in_the_way(conflicts: Vec<Conflict>) -> Self {
        let has = |o: Obstacle| conflicts.iter().any(|c| c.obstacle == o);
        if has(Obstacle::Overlap) {
            BookingError::Overlap(conflicts)
        } else if has(Obstacle::Closed) {
            BookingError::SpaceClosed(conflicts)
        } else {
            BookingError::OutsideOpeningHours {
                conflicts,
                after_holds: true,
            }
        }
    }

    /// The stable code of a refusal.
    pub fn code(&self) -> &'static str {
        match self {
            BookingError::Overlap(_) => "booking_overlap",
            BookingError::SpaceClosed(_) => "space_closed",
            BookingError::OutsideOpeningHours { .. } => "outside_opening_hours",
            BookingError::QuotaExceeded { .. } => "quota_exceeded",
            BookingError::NotRequested(_) => "not_requested",
            BookingError::NotLive(_) => "booking_final",
            BookingError::Changed => "booking_changed",
            BookingError::TreeClash { .. } => "tree_clash",
            BookingError::BookingsInTheWay(_) => "bookings_in_the_way",
            BookingError::InUse(_) => "booking_in_use",
            BookingError::SignoffsPending(_) => "signoffs_pending",
            BookingError::SignoffDecided(_) => "signoff_decided",
            BookingError::Api(error) => error.code().0,
        }
    }

    /// What the 409 lists under `conflicts`.
    fn listed(&self) -> Vec<Value> {
        match self {
            BookingError::Overlap(list)
            | BookingError::SpaceClosed(list)
            | BookingError::OutsideOpeningHours {
                conflicts: list, ..
            } => list.iter().map(Conflict::to_json).collect(),
            BookingError::QuotaExceeded { excesses, .. } => excesses.clone(),
            BookingError::TreeClash { field, clashes } => clashes
                .iter()
                .map(|clash| {
                    let mut value = clash.clone();
                    value["field"] = serde_json::json!(field);
                    value
                })
                .collect(),
            BookingError::BookingsInTheWay(list) | BookingError::InUse(list) => list.clone(),
            BookingError::SignoffsPending(sectors) => sectors
                .iter()
                .map(|s| serde_json::json!({ "sector": s, "reason": "sign-off pending" }))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl From<sea_orm::DbErr> for BookingError {
    fn from(error: sea_orm::DbErr) -> Self {
        BookingError::Api(error.into())
    }
}

impl From<anyhow::Error> for BookingError {
    fn from(error: anyhow::Error) -> Self {
        BookingError::Api(error.into())
    }
}

impl From<BookingError> for ApiError {
    fn from(error: BookingError) -> Self {
        match error {
            BookingError::Api(error) => error,
            refusal => ApiError::refused(refusal.code(), refusal.to_string(), refusal.listed()),
        }
    }
}

impl IntoResponse for BookingError {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    fn conflict(obstacle: Obstacle) -> Conflict {
        Conflict {
            starts_at: Utc::now(),
            ends_at: Utc::now(),
            reason: "in the way".into(),
            booking_id: None,
            organisation_id: None,
            space_id: Uuid::now_v7(),
            obstacle,
        }
    }

    #[test]
    fn a_refusal_keeps_its_words_and_names_its_code() {
        let problem =
            ApiError::from(BookingError::NotRequested(BookingStatus::Approved)).to_problem();
        assert_eq!(problem.status, 409);
        assert_eq!(problem.problem_type, "urn:piazza:problem:not_requested");
        assert_eq!(problem.detail, "the booking is approved, not requested");
    }

    #[test]
    fn an_overlap_anywhere_in_the_list_names_the_refusal() {
        let mixed = vec![
            conflict(Obstacle::OutsideHours),
            conflict(Obstacle::Closed),
            conflict(Obstacle::Overlap),
        ];
        assert_eq!(BookingError::in_the_way(mixed).code(), "booking_overlap");
        let closed = vec![conflict(Obstacle::OutsideHours), conflict(Obstacle::Closed)];
        assert_eq!(BookingError::in_the_way(closed).code(), "space_closed");
        let problem = ApiError::from(BookingError::OutsideOpeningHours {
            conflicts: vec![conflict(Obstacle::OutsideHours)],
            after_holds: false,
        })
        .to_problem();
        assert_eq!(
            problem.problem_type,
            "urn:piazza:problem:outside_opening_hours"
        );
        assert_eq!(problem.detail, "1 occurrence(s) cannot be booked");
        assert_eq!(problem.conflicts.len(), 1);
        assert!(problem.conflicts[0].get("obstacle").is_none());
    }

    #[test]
    fn a_tree_clash_names_the_field_at_fault_in_each_conflict() {
        let error = BookingError::TreeClash {
            field: "parent_id",
            clashes: vec![serde_json::json!({ "booking_id": Uuid::now_v7() })],
        };
        let problem = ApiError::from(error).to_problem();
        assert_eq!(problem.problem_type, "urn:piazza:problem:tree_clash");
        assert_eq!(problem.conflicts[0]["field"], "parent_id");
        assert!(
            problem
                .detail
                .starts_with("parent_id: the change would make 1 live booking(s)")
        );
    }

    #[test]
    fn a_shared_error_passes_through_unchanged() {
        let problem = ApiError::from(BookingError::from(ApiError::NotFound("space"))).to_problem();
        assert_eq!(problem.status, 404);
        assert_eq!(problem.problem_type, "urn:piazza:problem:not_found");
    }
}
