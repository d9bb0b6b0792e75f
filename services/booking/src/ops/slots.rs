//! The booking side of the slot saga: hold (or refuse) the space an event needs, answering
//! under the request's correlation id, and free it again when the event lets it go. These use
//! cases run in the transaction that records the message in the inbox (the dispatcher commits
//! it and wakes the relay), so they write the outbox through that transaction rather than a
//! [`piazza_shared::unit::Unit`] of their own.

use super::bookings::{announced, summary};
use crate::{
    db::{
        bookings, opening,
        placement::{self, PlaceError},
        quota, spaces, tree_lock,
    },
    domain::BookingStatus,
    state::AppState,
};
use piazza_shared::{
    bus::HandleError,
    contracts::{
        booking::{
            BookingApproved, BookingCancelled, BookingRejected, BookingRequested, SlotConflict,
        },
        scheduling::{SlotReleased, SlotRequested},
    },
};
use sea_orm::{DatabaseTransaction, EntityTrait};

/// Refuses a slot request: no booking is written, the scheduler learns why.
async fn refuse(
    state: &AppState,
    txn: &DatabaseTransaction,
    correlation: Option<String>,
    request: &SlotRequested,
    reason: String,
    conflicts: Vec<SlotConflict>,
) -> Result<(), HandleError> {
    let first = request.slots.first();
    let message = BookingRejected {
        version: 1,
        booking_id: None,
        space_id: request.space_id,
        event_id: Some(request.event_id),
        reason,
        contact_email: request.contact_email.clone(),
        title: request.title.clone(),
        starts_at: first
            .map(|s| s.starts_at)
            .unwrap_or_else(piazza_shared::clock::now),
        ends_at: first
            .map(|s| s.ends_at)
            .unwrap_or_else(piazza_shared::clock::now),
        conflicts,
        dates: vec![],
    };
    state.outbox.add(txn, &message, correlation).await?;
    Ok(())
}

/// Holds the slots an event asks for (requested, or approved at once when it says so), or
/// refuses them all, saying why.
pub async fn requested(
    state: &AppState,
    txn: &DatabaseTransaction,
    request: &SlotRequested,
    correlation: Option<String>,
) -> Result<(), HandleError> {
    tracing::info!(event_id = %request.event_id, space_id = %request.space_id, slots = request.slots.len(), "slot requested");
    // The organisation's quota lock comes before the tree lock and the booking rows, in the
    // order the booking API takes them.
    if let Some(org) = request.organisation_id {
        quota::lock_organisation(txn, org).await?;
    }
    // A repeated request for the same event replaces what it held before (an event moved).
    release_event(
        state,
        txn,
        correlation.clone(),
        request.event_id,
        "the event asked for new slots",
        false,
    )
    .await?;
    let Some(space) = spaces::Entity::find_by_id(request.space_id)
        .one(txn)
        .await?
    else {
        return refuse(
            state,
            txn,
            correlation.clone(),
            request,
            "no such space".into(),
            vec![],
        )
        .await;
    };
    if !space.is_open() {
        let reason = format!("the space is {}", space.status.replace('_', " "));
        return refuse(state, txn, correlation.clone(), request, reason, vec![]).await;
    }
    if request.slots.is_empty() || request.slots.iter().any(|s| s.ends_at <= s.starts_at) {
        return refuse(
            state,
            txn,
            correlation.clone(),
            request,
            "the slots are empty or end before they start".into(),
            vec![],
        )
        .await;
    }
    if let Some(attendees) = request.attendees
        && attendees > u32::try_from(space.capacity).unwrap_or(0)
    {
        let reason = format!("the space holds at most {} people", space.capacity);
        return refuse(state, txn, correlation.clone(), request, reason, vec![]).await;
    }
    let zone = space.zone(state.settings.time_zone);
    let from = request.slots.iter().map(|s| s.starts_at).min();
    let to = request.slots.iter().map(|s| s.ends_at).max();
    let plan = match from.zip(to) {
        Some((from, to)) => opening::plan(txn, &space, zone, from, to).await?,
        None => Default::default(),
    };
    let outside: Vec<SlotConflict> = request
        .slots
        .iter()
        .filter(|s| !plan.covers(zone, s.starts_at, s.ends_at))
        .map(|s| SlotConflict {
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            reason: "outside the space's opening hours".into(),
        })
        .collect();
    if !outside.is_empty() {
        let reason = format!("{} slot(s) outside opening hours", outside.len());
        return refuse(state, txn, correlation.clone(), request, reason, outside).await;
    }
    let status = if request.approve {
        BookingStatus::Approved
    } else {
        BookingStatus::Requested
    };
    let kind = space.kind.clone();
    let funding_line = space.funding_line();
    let placed = placement::place(
        txn,
        placement::Request {
            space,
            slots: request
                .slots
                .iter()
                .map(|s| (s.starts_at, s.ends_at))
                .collect(),
            title: request.title.clone(),
            attendees: i32::try_from(request.attendees.unwrap_or(1)).unwrap_or(1),
            status,
            organisation_id: request.organisation_id,
            organisation_name: request.organisation.clone(),
            requested_by: None,
            contact_email: request.contact_email.clone(),
            event_id: Some(request.event_id),
            skip_conflicts: false,
            // An operator's event may take place in the organisation's own approved booking.
            use_own: true,
        },
    )
    .await;
    let placed = match placed {
        Ok(placed) => placed,
        Err(PlaceError::Conflicts(conflicts)) => {
            let list: Vec<SlotConflict> = conflicts
                .into_iter()
                .map(|c| SlotConflict {
                    starts_at: c.starts_at,
                    ends_at: c.ends_at,
                    reason: c.reason,
                })
                .collect();
            let reason = format!("{} slot(s) already taken or closed", list.len());
            return refuse(state, txn, correlation.clone(), request, reason, list).await;
        }
        // On PostgreSQL an exclusion violation aborted the transaction: retry the whole message.
        Err(PlaceError::Db(e)) => return Err(e.into()),
    };
    if let Some(org) = request.organisation_id
        && let Some(limits) = state.settings.booking.quotas.get(&kind).copied()
    {
        // A slot in the organisation's own booking was counted when that booking was made.
        let slots: Vec<_> = placed
            .bookings
            .iter()
            .filter(|b| b.uses_booking_id.is_none())
            .map(|b| (b.starts_at, b.ends_at))
            .collect();
        let zone = state.settings.time_zone;
        let excesses = quota::excesses(txn, &limits, zone, org, &kind, &slots).await?;
        if !excesses.is_empty() {
            // Undo the rows just written (the event's old holds stay released: it asked for new
            // slots) and tell the scheduler why.
            let ids: Vec<uuid::Uuid> = placed.bookings.iter().map(|b| b.id).collect();
            bookings::remove(txn, ids).await?;
            let reason = excesses
                .iter()
                .map(|e| {
                    format!(
                        "the organisation's {} for spaces of kind {} in {} would be passed by {:.2} hour(s)",
                        e.quota, e.kind, e.period, e.over_by_hours
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            return refuse(state, txn, correlation.clone(), request, reason, vec![]).await;
        }
    }
    let Some(summary) = summary(&placed.bookings, funding_line) else {
        return Ok(());
    };
    if request.approve {
        state
            .outbox
            .add(
                txn,
                &BookingApproved {
                    version: 1,
                    booking: summary,
                },
                correlation,
            )
            .await?;
    } else {
        state
            .outbox
            .add(
                txn,
                &BookingRequested {
                    version: 1,
                    booking: summary,
                },
                correlation,
            )
            .await?;
    }
    Ok(())
}

/// Frees the slots of an event that no longer needs them, saying so.
pub async fn released(
    state: &AppState,
    txn: &DatabaseTransaction,
    release: &SlotReleased,
    correlation: Option<String>,
) -> Result<(), HandleError> {
    release_event(
        state,
        txn,
        correlation,
        release.event_id,
        &release.reason,
        true,
    )
    .await
}

/// Cancels every live booking held for `event_id`.
async fn release_event(
    state: &AppState,
    txn: &DatabaseTransaction,
    correlation: Option<String>,
    event_id: uuid::Uuid,
    reason: &str,
    announce: bool,
) -> Result<(), HandleError> {
    // Holds are released: no tree change may be rewriting them meanwhile; the rows are locked
    // (ids ascending, as the booking API locks them) so a cancel at the same moment waits and
    // then finds them cancelled.
    tree_lock::share(txn).await?;
    let live = bookings::lock_live_of_event(txn, event_id).await?;
    if live.is_empty() {
        return Ok(());
    }
    let ids: Vec<uuid::Uuid> = live.iter().map(|b| b.id).collect();
    let now = piazza_shared::clock::now();
    let (from, to) = (BookingStatus::LIVE, BookingStatus::Cancelled);
    bookings::set_status(txn, &ids, &from, to, Some(reason), now).await?;
    if announce && let Some(summary) = announced(txn, &live).await? {
        let message = BookingCancelled {
            version: 1,
            booking: summary,
            reason: Some(reason.to_string()),
        };
        state.outbox.add(txn, &message, correlation).await?;
    }
    Ok(())
}
