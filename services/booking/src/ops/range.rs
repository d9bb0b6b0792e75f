//! The time range a reading asks for (`from`, `to`): after each other and not too long, checked
//! alike by availability, the space feed and the utilisation report.

use crate::error::BookingError;
use chrono::{DateTime, Duration, Utc};
use piazza_shared::{
    http::{ApiError, Violations},
    time::Span,
};

/// `[from, to)` as read into `v` (`None` where a bound was at fault), at most `max_days` long;
/// the 422 of every field at fault otherwise.
pub fn checked(
    mut v: Violations,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    max_days: i64,
) -> Result<Span, BookingError> {
    if let (Some(f), Some(t)) = (from, to) {
        v.check(t > f, "to", "must be after from");
        v.check(
            t - f <= Duration::days(max_days),
            "to",
            format!("the range may cover at most {max_days} days"),
        );
    }
    v.finish()?;
    match (from, to) {
        (Some(from), Some(to)) => Ok((from, to)),
        _ => Err(ApiError::field("from", "is required").into()),
    }
}
