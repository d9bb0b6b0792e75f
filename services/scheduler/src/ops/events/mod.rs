//! Events: the steps every way of making an event shares (an administrator's, an operator's
//! proposal, an accepted call proposal).

pub mod changes;
pub mod create;
pub mod hold;
pub mod image;
pub mod lifecycle;
pub mod occurrences;

use crate::{
    db::{events, occurrences as occurrence_rows},
    error::SchedulerError,
    schedule::{self, announce},
    state::AppState,
    views::EventView,
};
use chrono::{DateTime, Utc};
use piazza_shared::auth::Caller;
use piazza_shared::http::ApiError;
use piazza_shared::unit::Unit;
use sea_orm::EntityTrait;
use uuid::Uuid;

/// Stores a new event and its occurrences, and asks booking for its space.
pub async fn store_new(
    unit: &Unit,
    event: &mut events::Model,
    rows: &[occurrence_rows::Model],
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let conn: &sea_orm::DatabaseTransaction = unit;
    announce::request_slots(conn, unit.outbox(), event, rows, now).await?;
    events::Entity::insert(events::ActiveModel::from(event.clone()))
        .exec_without_returning(conn)
        .await?;
    occurrence_rows::insert_occurrences(conn, rows).await
}

/// Refuses a change made through the events API or pages to a co-design table's meeting: its
/// table moves or calls it off (`ops::tables::meetings`), so the change is the table's, audited
/// as the table's, and the meeting and its event never disagree.
pub(crate) async fn refuse_meeting(
    conn: &impl sea_orm::ConnectionTrait,
    id: Uuid,
) -> Result<(), SchedulerError> {
    if crate::db::tables::is_meeting(conn, id).await? {
        return Err(ApiError::refused(
            "meeting_managed_by_table",
            "this event is a co-design table's meeting: change it from its table",
            Vec::new(),
        )
        .into());
    }
    Ok(())
}

/// Whether `caller` may see an event that is not public.
pub fn may_see_unpublished(caller: Option<&Caller>, event: &events::Model) -> bool {
    caller.is_some_and(|c| c.is_admin() || (c.0.org.is_some() && c.0.org == event.organisation_id))
}

/// One event with its occurrences: public once published; before that, only administrators and
/// its organisation (for anyone else it does not exist).
pub async fn get(
    state: &AppState,
    caller: Option<&Caller>,
    id: Uuid,
) -> Result<EventView, SchedulerError> {
    let loaded = schedule::load(state.db.conn(), id).await?;
    if !announce::is_public(&loaded.event) && !may_see_unpublished(caller, &loaded.event) {
        return Err(ApiError::NotFound("event").into());
    }
    let mut view = EventView::new(loaded.event, loaded.occurrences, loaded.space.as_ref());
    view.image = image::image_views(state.db.conn(), &[id])
        .await?
        .remove(&id);
    Ok(view)
}
