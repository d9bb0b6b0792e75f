//! The booking side of the slot saga: hold (or refuse) the space an event needs, answering
//! under the request's correlation id, and free it again when the event lets it go.

use crate::{
    db::{bookings, spaces},
    domain::{BookingStatus, SpaceStatus},
    opening,
    placement::{self, PlaceError},
    quota,
    routes::bookings::summary,
    state::AppState,
    tree_lock,
};
use piazza_shared::{
    Envelope,
    bus::HandleError,
    contracts::{
        booking::{
            BookingApproved, BookingCancelled, BookingRejected, BookingRequested, SlotConflict,
        },
        scheduling::{SlotReleased, SlotRequested},
    },
    runtime::decode,
    time::parse_zone,
};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};

/// Refuses a slot request: no booking is written, the scheduler learns why.
async fn refuse(
    state: &AppState,
    txn: &DatabaseTransaction,
    envelope: &Envelope,
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
    };
    state
        .outbox
        .add(txn, &message, envelope.correlationid.clone())
        .await?;
    Ok(())
}

pub async fn requested(
    state: &AppState,
    txn: &DatabaseTransaction,
    envelope: &Envelope,
) -> Result<(), HandleError> {
    let request: SlotRequested = decode(envelope)?;
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
        envelope,
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
            envelope,
            &request,
            "no such space".into(),
            vec![],
        )
        .await;
    };
    if space.status != SpaceStatus::Open.as_str() {
        let reason = format!("the space is {}", space.status.replace('_', " "));
        return refuse(state, txn, envelope, &request, reason, vec![]).await;
    }
    if request.slots.is_empty() || request.slots.iter().any(|s| s.ends_at <= s.starts_at) {
        return refuse(
            state,
            txn,
            envelope,
            &request,
            "the slots are empty or end before they start".into(),
            vec![],
        )
        .await;
    }
    if let Some(attendees) = request.attendees
        && attendees > u32::try_from(space.capacity).unwrap_or(0)
    {
        let reason = format!("the space holds at most {} people", space.capacity);
        return refuse(state, txn, envelope, &request, reason, vec![]).await;
    }
    let zone = parse_zone(&space.time_zone).unwrap_or(state.settings.time_zone);
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
        return refuse(state, txn, envelope, &request, reason, outside).await;
    }
    let status = if request.approve {
        BookingStatus::Approved
    } else {
        BookingStatus::Requested
    };
    let kind = space.kind.clone();
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
            return refuse(state, txn, envelope, &request, reason, list).await;
        }
        // On PostgreSQL an exclusion violation aborted the transaction: retry the whole message.
        Err(PlaceError::Db(e)) => return Err(e.into()),
    };
    if let Some(org) = request.organisation_id
        && let Some(limits) = state.settings.booking.quotas.get(&kind).copied()
    {
        let slots: Vec<_> = placed
            .bookings
            .iter()
            .map(|b| (b.starts_at, b.ends_at))
            .collect();
        let zone = state.settings.time_zone;
        let excesses = quota::excesses(txn, &limits, zone, org, &kind, &slots).await?;
        if !excesses.is_empty() {
            // Undo the rows just written (the event's old holds stay released: it asked for new
            // slots) and tell the scheduler why.
            let ids: Vec<uuid::Uuid> = placed.bookings.iter().map(|b| b.id).collect();
            placement::release(txn, ids.clone()).await?;
            bookings::Entity::delete_many()
                .filter(bookings::Column::Id.is_in(ids))
                .exec(txn)
                .await?;
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
            return refuse(state, txn, envelope, &request, reason, vec![]).await;
        }
    }
    let Some(summary) = summary(&placed.bookings) else {
        return Ok(());
    };
    let correlation = envelope.correlationid.clone();
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

pub async fn released(
    state: &AppState,
    txn: &DatabaseTransaction,
    envelope: &Envelope,
) -> Result<(), HandleError> {
    let release: SlotReleased = decode(envelope)?;
    release_event(
        state,
        txn,
        envelope,
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
    envelope: &Envelope,
    event_id: uuid::Uuid,
    reason: &str,
    announce: bool,
) -> Result<(), HandleError> {
    let live_statuses = [
        BookingStatus::Requested.as_str(),
        BookingStatus::Approved.as_str(),
    ];
    // Holds are released: no tree change may be rewriting them meanwhile; the rows are locked
    // (ids ascending, as the booking API locks them) so a cancel at the same moment waits and
    // then finds them cancelled.
    tree_lock::share(txn).await?;
    let live = bookings::Entity::find()
        .filter(bookings::Column::EventId.eq(event_id))
        .filter(bookings::Column::Status.is_in(live_statuses))
        .order_by_asc(bookings::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await?;
    if live.is_empty() {
        return Ok(());
    }
    let ids: Vec<uuid::Uuid> = live.iter().map(|b| b.id).collect();
    bookings::Entity::update_many()
        .col_expr(
            bookings::Column::Status,
            Expr::value(BookingStatus::Cancelled.as_str()),
        )
        .col_expr(
            bookings::Column::Reason,
            Expr::value(Some(reason.to_string())),
        )
        .col_expr(
            bookings::Column::UpdatedAt,
            Expr::value(piazza_shared::clock::now()),
        )
        .filter(bookings::Column::Id.is_in(ids.clone()))
        .filter(bookings::Column::Status.is_in(live_statuses))
        .exec(txn)
        .await?;
    placement::release(txn, ids).await?;
    if announce && let Some(summary) = summary(&live) {
        let message = BookingCancelled {
            version: 1,
            booking: summary,
            reason: Some(reason.to_string()),
        };
        state
            .outbox
            .add(txn, &message, envelope.correlationid.clone())
            .await?;
    }
    Ok(())
}
