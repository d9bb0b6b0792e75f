//! Sign-off rules, as data an administrator edits: a rule matches a booking request by the
//! space's kind and/or a number of attendees at or above a threshold (and, when it names one,
//! a space or building: the space itself or anything under it), and names the sectors that must
//! sign it off. A request matching rules waits for the union of their sectors
//! ([`needed`]); each sector decides in its own queue ([`queue`]) through
//! [`crate::ops::bookings::signoff`]. A request matching none keeps the single administrator's
//! approval.

use super::sectors::known;
use crate::{
    db::{bookings, signoffs, spaces, tree::SpaceTree},
    domain::{BookingStatus, SpaceKind},
    error::BookingError,
    state::AppState,
    views::BookingView,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    http::{ApiError, Violations},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A sign-off rule.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RuleView {
    pub id: Uuid,
    pub name: String,
    /// Bookings of spaces of this kind match (with the other criteria set).
    pub space_kind: Option<SpaceKind>,
    /// Bookings of at least this many attendees match (with the other criteria set).
    pub min_attendees: Option<u32>,
    /// Bookings of this space or of anything under it (a building's rooms) match.
    pub space_id: Option<Uuid>,
    /// The sectors that must sign off a matching booking, by code.
    pub sectors: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl From<signoffs::rule::Model> for RuleView {
    fn from(m: signoffs::rule::Model) -> Self {
        Self {
            sectors: m.codes(),
            id: m.id,
            name: m.name,
            space_kind: m.space_kind.as_deref().and_then(SpaceKind::parse),
            min_attendees: m.min_attendees.and_then(|n| u32::try_from(n).ok()),
            space_id: m.space_id,
            created_at: m.created_at,
        }
    }
}

/// A rule to write: at least one of `space_kind`, `min_attendees` and `space_id`, and at least
/// one sector. Every criterion set must hold for a booking to match.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRule {
    #[schema(max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    pub space_kind: Option<SpaceKind>,
    #[serde(default)]
    #[schema(minimum = 1)]
    pub min_attendees: Option<i64>,
    #[serde(default)]
    pub space_id: Option<Uuid>,
    /// Sector codes, at least one.
    pub sectors: Vec<String>,
}

/// One sector's sign-off of a booking.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignoffView {
    pub booking_id: Uuid,
    pub sector: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

impl From<signoffs::signoff::Model> for SignoffView {
    fn from(m: signoffs::signoff::Model) -> Self {
        Self {
            booking_id: m.booking_id,
            sector: m.sector,
            status: m.status,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            reason: m.reason,
        }
    }
}

/// A booking in a sector's queue, with every sector's sign-off of it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueItem {
    pub booking: BookingView,
    pub signoffs: Vec<SignoffView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueFilter {
    /// The sector's code; the caller must belong to it.
    pub sector: String,
    /// `pending` (the default), `approved` or `rejected`.
    #[serde(default)]
    pub status: Option<String>,
}

/// Every rule, oldest first (administrators).
pub async fn rules(state: &AppState, caller: &Caller) -> Result<Vec<RuleView>, BookingError> {
    caller.require(&[Role::Admin])?;
    Ok(signoffs::rules(state.db.conn())
        .await?
        .into_iter()
        .map(RuleView::from)
        .collect())
}

/// The rule `body` checked: the model to store, or the 422 naming each field at fault.
async fn checked(
    conn: &impl ConnectionTrait,
    id: Uuid,
    body: NewRule,
) -> Result<signoffs::rule::Model, BookingError> {
    let mut v = Violations::new();
    let name = body.name.trim().to_string();
    v.check(!name.is_empty(), "name", "must not be empty");
    v.check(
        name.chars().count() <= 200,
        "name",
        "must be at most 200 characters",
    );
    v.check(
        body.space_kind.is_some() || body.min_attendees.is_some() || body.space_id.is_some(),
        "space_kind",
        "a rule matches by space_kind, min_attendees or space_id: give at least one",
    );
    if let Some(n) = body.min_attendees {
        v.check(
            (1..=1_000_000).contains(&n),
            "min_attendees",
            "must be between 1 and 1000000",
        );
    }
    v.check(
        !body.sectors.is_empty(),
        "sectors",
        "name at least one sector",
    );
    if let Some(space) = body.space_id {
        let found = spaces::Entity::find_by_id(space).one(conn).await?;
        v.check(found.is_some(), "space_id", "no such space");
    }
    v.finish()?;
    let codes = known(conn, "sectors", &body.sectors).await?;
    Ok(signoffs::rule::Model {
        id,
        name,
        space_kind: body.space_kind.map(|k| k.as_str().to_string()),
        min_attendees: body.min_attendees.and_then(|n| i32::try_from(n).ok()),
        space_id: body.space_id,
        sectors: codes.join(","),
        created_at: piazza_shared::clock::now(),
    })
}

/// Writes a rule (administrators).
pub async fn add_rule(
    state: &AppState,
    caller: &Caller,
    body: NewRule,
) -> Result<RuleView, BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let unit = state.begin().await?;
    let model = checked(&*unit, Uuid::now_v7(), body).await?;
    signoffs::rule::Entity::insert(signoffs::rule::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    let view = RuleView::from(model);
    let after = serde_json::to_value(&view).ok();
    unit.audit(&claims, "signoff_rule.create", view.id, None, after)
        .await?;
    unit.commit().await?;
    Ok(view)
}

/// Rewrites rule `id` whole (administrators); requests already waiting keep their sign-offs.
pub async fn update_rule(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: NewRule,
) -> Result<RuleView, BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let unit = state.begin().await?;
    let Some(before) = signoffs::rule::Entity::find_by_id(id).one(&*unit).await? else {
        return Err(ApiError::NotFound("sign-off rule").into());
    };
    let mut model = checked(&*unit, id, body).await?;
    model.created_at = before.created_at;
    signoffs::rule::Entity::update(signoffs::rule::ActiveModel::from(model.clone()).reset_all())
        .exec(&*unit)
        .await?;
    let (before, after) = (RuleView::from(before), RuleView::from(model));
    let (b, a) = (
        serde_json::to_value(&before).ok(),
        serde_json::to_value(&after).ok(),
    );
    unit.audit(&claims, "signoff_rule.update", id, b, a).await?;
    unit.commit().await?;
    Ok(after)
}

/// Deletes rule `id` (administrators); requests already waiting keep their sign-offs.
pub async fn delete_rule(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let unit = state.begin().await?;
    let Some(before) = signoffs::rule::Entity::find_by_id(id).one(&*unit).await? else {
        return Err(ApiError::NotFound("sign-off rule").into());
    };
    signoffs::rule::Entity::delete_by_id(id)
        .exec(&*unit)
        .await?;
    let b = serde_json::to_value(RuleView::from(before)).ok();
    unit.audit(&claims, "signoff_rule.delete", id, b, None)
        .await?;
    unit.commit().await?;
    Ok(())
}

/// Whether `rule` matches a request of `attendees` people for `space`, whose ancestors are
/// `above`.
fn matches(
    rule: &signoffs::rule::Model,
    space: &spaces::Model,
    above: &[Uuid],
    attendees: i32,
) -> bool {
    rule.space_kind.as_ref().is_none_or(|k| *k == space.kind)
        && rule.min_attendees.is_none_or(|n| attendees >= n)
        && rule
            .space_id
            .is_none_or(|s| s == space.id || above.contains(&s))
}

/// The sectors (codes, each once) that must sign off a request of `attendees` people for
/// `space`: the union over the rules it matches; empty when it matches none.
pub async fn needed(
    conn: &impl ConnectionTrait,
    space: &spaces::Model,
    attendees: i32,
) -> Result<Vec<String>, BookingError> {
    let rules = signoffs::rules(conn).await?;
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let above = SpaceTree::load(conn).await?.ancestors(space.id);
    let mut codes: Vec<String> = rules
        .iter()
        .filter(|r| matches(r, space, &above, attendees))
        .flat_map(|r| r.codes())
        .collect();
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// The requests waiting in (or decided by) `sector`'s queue, oldest first: members of the
/// sector only.
pub async fn queue(
    state: &AppState,
    caller: &Caller,
    filter: QueueFilter,
) -> Result<Vec<QueueItem>, BookingError> {
    let claims = caller.require(&[Role::Admin])?;
    let status = filter.status.as_deref().unwrap_or(signoffs::PENDING);
    if ![signoffs::PENDING, signoffs::APPROVED, signoffs::REJECTED].contains(&status) {
        return Err(ApiError::field("status", "must be pending, approved or rejected").into());
    }
    if !claims.in_sector(&filter.sector) {
        return Err(ApiError::Forbidden(format!(
            "only members of the sector {} see its queue",
            filter.sector
        ))
        .into());
    }
    let conn = state.db.conn();
    let rows = signoffs::queue(conn, &filter.sector, status).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.booking_id).collect();
    let booked = bookings::Entity::find()
        .filter(bookings::Column::Id.is_in(ids.clone()))
        .all(conn)
        .await?;
    let all = signoffs::of_bookings(conn, &ids).await?;
    Ok(rows
        .iter()
        .filter_map(|r| booked.iter().find(|b| b.id == r.booking_id))
        // A pending sign-off of a request cancelled meanwhile is nothing to decide.
        .filter(|b| status != signoffs::PENDING || b.status() == BookingStatus::Requested)
        .map(|b| QueueItem {
            booking: BookingView::from(b.clone()),
            signoffs: all
                .iter()
                .filter(|s| s.booking_id == b.id)
                .cloned()
                .map(SignoffView::from)
                .collect(),
        })
        .collect())
}

/// The sign-offs of the requests whose first occurrences are `ids` (administrators), for the
/// pages that show which sectors have signed.
pub async fn of_requests(
    state: &AppState,
    caller: &Caller,
    ids: &[Uuid],
) -> Result<Vec<SignoffView>, BookingError> {
    caller.require(&[Role::Admin])?;
    Ok(signoffs::of_bookings(state.db.conn(), ids)
        .await?
        .into_iter()
        .map(SignoffView::from)
        .collect())
}
