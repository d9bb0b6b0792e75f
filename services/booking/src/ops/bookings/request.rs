//! Requesting a space, once or as a recurring series: the checks of the request, the opening
//! hours, then the placement of its occurrences ([`crate::db::placement`]) and the
//! organisation's quota, in one unit of work that says `booking.requested` and opens the
//! sign-offs of the sectors the sign-off rules name ([`crate::ops::signoffs::needed`]).

use super::read::summary;
use crate::{
    db::{
        bookings, opening,
        placement::{self, PlaceError},
        quota, signoffs as db_signoffs, spaces,
    },
    domain::{BookingStatus, Conflict, Obstacle},
    error::BookingError,
    ops::signoffs,
    state::AppState,
    views::BookingView,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Claims, Role},
    contracts::booking::BookingRequested,
    http::{ApiError, Violations},
    recurrence::{self, RecurrenceError},
    time::parse_instant,
};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    pub space_id: Uuid,
    #[schema(max_length = 200, pattern = "\\S")]
    pub title: String,
    /// RFC 3339 with offset.
    #[schema(format = DateTime)]
    pub starts_at: String,
    #[schema(format = DateTime)]
    pub ends_at: String,
    #[schema(minimum = 1)]
    pub attendees: i64,
    /// RFC 5545 RRULE, e.g. `FREQ=WEEKLY;COUNT=8`, expanded in the space's zone.
    #[serde(default)]
    pub recurrence: Option<String>,
    /// Book the free occurrences and list the others, instead of refusing the whole series.
    #[serde(default)]
    pub skip_conflicts: bool,
}

/// A booking just made: the first occurrence, all occurrences and what was skipped.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedBooking {
    #[serde(flatten)]
    pub booking: BookingView,
    pub occurrences: Vec<BookingView>,
    #[schema(value_type = Vec<Object>)]
    pub skipped: Vec<serde_json::Value>,
}

type Slot = (DateTime<Utc>, DateTime<Utc>);

/// The request's fields checked against its space: its slots (every occurrence), and the 422 of
/// anything at fault. The first occurrence must fall in the opening hours; later ones outside
/// them are conflicts of their own, returned apart.
async fn checked_slots(
    state: &AppState,
    space: &spaces::Model,
    body: &NewBooking,
) -> Result<(Vec<Slot>, Vec<Conflict>), BookingError> {
    let zone = space.zone(state.settings.time_zone);
    let mut v = Violations::new();
    v.check(!body.title.trim().is_empty(), "title", "must not be empty");
    v.check(
        body.title.chars().count() <= 200,
        "title",
        "must be at most 200 characters",
    );
    v.check(body.attendees >= 1, "attendees", "must be at least 1");
    v.check(
        body.attendees <= i64::from(space.capacity),
        "attendees",
        format!("the space holds at most {} people", space.capacity),
    );
    v.check(
        space.is_open(),
        "space_id",
        format!("the space is {}", space.status.replace('_', " ")),
    );
    let starts_at = v.take("starts_at", parse_instant(&body.starts_at));
    let ends_at = v.take("ends_at", parse_instant(&body.ends_at));
    let mut slots = Vec::new();
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        v.check(e > s, "ends_at", "must be after starts_at");
        v.check(
            s > piazza_shared::clock::now(),
            "starts_at",
            "must be in the future",
        );
        if e > s {
            match &body.recurrence {
                None => slots.push((s, e)),
                Some(rule) => {
                    let max = state.settings.booking.max_occurrences;
                    match recurrence::expand(rule, s, e, zone, max) {
                        Ok(list) => slots = list,
                        Err(
                            error @ (RecurrenceError::Invalid(_)
                            | RecurrenceError::Unbounded
                            | RecurrenceError::TooMany(_)),
                        ) => v.add("recurrence", error.to_string()),
                    }
                }
            }
        }
    }
    let plan = match (
        slots.iter().map(|s| s.0).min(),
        slots.iter().map(|s| s.1).max(),
    ) {
        (Some(from), Some(to)) => opening::plan(state.db.conn(), space, zone, from, to).await?,
        _ => Default::default(),
    };
    if let Some(&(s, e)) = slots.first() {
        v.check(
            plan.covers(zone, s, e),
            "starts_at",
            "outside the space's opening hours",
        );
    }
    v.finish()?;
    // Later occurrences outside the hours (a different weekday by BYDAY, a holiday) are
    // conflicts too.
    let (inside, outside): (Vec<Slot>, Vec<Slot>) = slots
        .into_iter()
        .partition(|&(s, e)| plan.covers(zone, s, e));
    let outside = outside
        .into_iter()
        .map(|(s, e)| Conflict {
            starts_at: s,
            ends_at: e,
            reason: "outside the space's opening hours".into(),
            booking_id: None,
            organisation_id: None,
            space_id: space.id,
            obstacle: Obstacle::OutsideHours,
        })
        .collect();
    Ok((inside, outside))
}

/// Requests a space, once or as a recurring series (operators and administrators).
pub async fn request(
    state: &AppState,
    caller: &Caller,
    body: NewBooking,
) -> Result<CreatedBooking, BookingError> {
    let claims = caller.require(&[Role::Operator, Role::Admin])?.clone();
    let space = spaces::Entity::find_by_id(body.space_id)
        .one(state.db.conn())
        .await?
        .ok_or(ApiError::NotFound("space"))?;
    let (slots, outside) = checked_slots(state, &space, &body).await?;
    if !outside.is_empty() && !body.skip_conflicts {
        return Err(BookingError::OutsideOpeningHours {
            conflicts: outside,
            after_holds: false,
        });
    }
    let quota = claims
        .org
        .zip(state.settings.booking.quotas.get(&space.kind).copied());
    let kind = space.kind.clone();
    let funding_line = space.funding_line();
    let attendees = i32::try_from(body.attendees).unwrap_or(1);
    // The sectors whose sign-off the request waits for (sign-off rules), opened with it.
    let sectors = signoffs::needed(state.db.conn(), &space, attendees).await?;
    let request = placement::Request {
        space,
        slots,
        title: body.title.trim().to_string(),
        attendees,
        status: BookingStatus::Requested,
        organisation_id: claims.org,
        organisation_name: claims.org_name.clone(),
        requested_by: Some(claims.sub),
        contact_email: Some(claims.email.clone()),
        event_id: None,
        skip_conflicts: body.skip_conflicts,
        use_own: false,
    };
    // The common case (one slot, no quota, PostgreSQL) is written in one statement; anything
    // in the way sends it down the checked path below, which names what is in the way.
    if quota.is_none() && sectors.is_empty() && request.slots.len() == 1 && state.db.is_postgres() {
        let (start, end) = request.slots[0];
        let row = placement::new_row(&request, start, end, None, piazza_shared::clock::now());
        if let Some(booking) = summary(std::slice::from_ref(&row), funding_line) {
            // In a unit so the tree lock is held while the statement reads the tree.
            let unit = state.begin().await?;
            let message = BookingRequested {
                version: 1,
                booking,
            };
            let envelope = unit.outbox().envelope(&message, None);
            if placement::place_at_once(&*unit, &request, &row, &envelope).await? {
                unit.commit().await?;
                return Ok(created(&claims, vec![row], outside));
            }
        }
    }
    let unit = state.begin().await?;
    if let Some((org, _)) = quota {
        quota::lock_organisation(&*unit, org).await?;
    }
    let placed = match placement::place(&*unit, request).await {
        Ok(placed) => placed,
        Err(PlaceError::Conflicts(conflicts)) => {
            // Another organisation's booking in the way is named by its time, never its id.
            let mut conflicts = seen_by(&claims, conflicts);
            conflicts.extend(outside);
            conflicts.sort_by_key(|c| c.starts_at);
            return Err(BookingError::in_the_way(conflicts));
        }
        Err(PlaceError::Db(e)) => return Err(e.into()),
    };
    if let Some((org, limits)) = quota {
        let placed_slots: Vec<_> = placed
            .bookings
            .iter()
            .map(|b| (b.starts_at, b.ends_at))
            .collect();
        let zone = state.settings.time_zone;
        let excesses = quota::excesses(&*unit, &limits, zone, org, &kind, &placed_slots).await?;
        if !excesses.is_empty() {
            // Dropping the unit rolls back the rows just written.
            let worst = excesses
                .iter()
                .map(|e| e.over_by_hours)
                .fold(0.0_f64, f64::max);
            return Err(BookingError::QuotaExceeded {
                kind,
                worst,
                excesses: excesses
                    .iter()
                    .map(|e| serde_json::to_value(e).unwrap_or_default())
                    .collect(),
            });
        }
    }
    if let Some(first) = placed.bookings.iter().min_by_key(|b| b.starts_at) {
        db_signoffs::open(&*unit, first.id, &sectors).await?;
    }
    if let Some(booking) = summary(&placed.bookings, funding_line) {
        let message = BookingRequested {
            version: 1,
            booking,
        };
        unit.publish(&message, None).await?;
    }
    unit.commit().await?;
    let mut skipped = placed.skipped;
    skipped.extend(outside);
    Ok(created(&claims, placed.bookings, skipped))
}

/// `conflicts` as the caller may see them ([`Conflict::seen_by`]).
fn seen_by(claims: &Claims, conflicts: Vec<Conflict>) -> Vec<Conflict> {
    let admin = claims.role == Role::Admin;
    conflicts
        .into_iter()
        .map(|c| c.seen_by(claims.org, admin))
        .collect()
}

/// The answer for bookings just written (never empty) and the occurrences skipped.
fn created(claims: &Claims, rows: Vec<bookings::Model>, skipped: Vec<Conflict>) -> CreatedBooking {
    let mut skipped = seen_by(claims, skipped);
    skipped.sort_by_key(|c| c.starts_at);
    let occurrences: Vec<BookingView> = rows.into_iter().map(BookingView::from).collect();
    let first = occurrences[0].clone();
    tracing::info!(booking_id = %first.id, occurrences = occurrences.len(), actor = %claims.sub, "booking requested");
    CreatedBooking {
        booking: first,
        occurrences,
        skipped: skipped.iter().map(Conflict::to_json).collect(),
    }
}
