//! What stands in the way of a booking's slots: for each slot, a closure of the space, of a
//! space inside it or above it, a live hold of the space or of a space inside it (stretched by
//! the buffers), or an earlier slot of the same request. Read in the caller's transaction, under
//! the tree lock when the answer decides a write ([`super::placement`]). A slot an
//! organisation's own booking covers ([`super::own::covering`]) is not in that booking's way.

use super::{bookings, closures, holds, holds::occupied, spaces, tree::SpaceTree};
use crate::domain::{Conflict, Obstacle};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

fn overlaps(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Finds what stands in the way of each slot; the holds of the booking `covering` names for a
/// slot are not in its way.
pub async fn find_conflicts(
    conn: &impl ConnectionTrait,
    tree: &SpaceTree,
    space: &spaces::Model,
    slots: &[(DateTime<Utc>, DateTime<Utc>)],
    covering: &HashMap<(DateTime<Utc>, DateTime<Utc>), Uuid>,
) -> Result<Vec<Conflict>, DbErr> {
    if slots.is_empty() {
        return Ok(Vec::new());
    }
    let held = tree.held_by(space.id);
    let related = tree.related(space.id);
    let occupied_slots: Vec<_> = slots.iter().map(|&(s, e)| occupied(space, s, e)).collect();
    let span_start = occupied_slots.iter().map(|o| o.0).min().unwrap_or_default();
    let span_end = occupied_slots.iter().map(|o| o.1).max().unwrap_or_default();

    let existing = holds::Entity::find()
        .filter(holds::Column::SpaceId.is_in(held.clone()))
        .filter(holds::Column::StartsAt.lt(span_end))
        .filter(holds::Column::EndsAt.gt(span_start))
        .all(conn)
        .await?;
    let closed = closures::Entity::find()
        .filter(closures::Column::SpaceId.is_in(related))
        .filter(closures::Column::StartsAt.lt(span_end))
        .filter(closures::Column::EndsAt.gt(span_start))
        .all(conn)
        .await?;
    let statuses: HashMap<Uuid, (String, Option<Uuid>)> = if existing.is_empty() {
        HashMap::new()
    } else {
        let ids: Vec<Uuid> = existing.iter().map(|h| h.booking_id).collect();
        bookings::Entity::find()
            .filter(bookings::Column::Id.is_in(ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|b| (b.id, (b.status, b.organisation_id)))
            .collect()
    };

    let mut conflicts = Vec::new();
    for (i, (&(start, end), &occupied)) in slots.iter().zip(&occupied_slots).enumerate() {
        let mut found: Option<Conflict> = None;
        if let Some(c) = closed
            .iter()
            .find(|c| overlaps(occupied, (c.starts_at, c.ends_at)))
        {
            found = Some(Conflict {
                starts_at: start,
                ends_at: end,
                reason: format!("closed: {}", c.reason),
                booking_id: None,
                organisation_id: None,
                space_id: c.space_id,
                obstacle: Obstacle::Closed,
            });
        } else if let Some(h) = existing.iter().find(|h| {
            overlaps(occupied, (h.starts_at, h.ends_at))
                && covering.get(&(start, end)) != Some(&h.booking_id)
        }) {
            let (status, owner) = statuses
                .get(&h.booking_id)
                .map(|(s, o)| (s.as_str(), *o))
                .unwrap_or(("held", None));
            found = Some(Conflict {
                starts_at: start,
                ends_at: end,
                reason: format!(
                    "overlaps {} {status} booking",
                    if status.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    }
                ),
                booking_id: Some(h.booking_id),
                organisation_id: owner,
                space_id: h.space_id,
                obstacle: Obstacle::Overlap,
            });
        } else if let Some(j) = occupied_slots[..i]
            .iter()
            .position(|o| overlaps(occupied, *o))
        {
            found = Some(Conflict {
                starts_at: start,
                ends_at: end,
                reason: format!("overlaps occurrence {} of the same request", j + 1),
                booking_id: None,
                organisation_id: None,
                space_id: space.id,
                obstacle: Obstacle::Overlap,
            });
        }
        conflicts.extend(found);
    }
    Ok(conflicts)
}
