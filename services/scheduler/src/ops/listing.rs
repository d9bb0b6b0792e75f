//! The public calendar: the occurrences of published events with filters (dates, category, age,
//! space, season, programme, words in the title or description) and a cursor, for
//! `GET /api/v1/events` and the calendar page. The filters and the query are shared with the
//! iCalendar feed.

use crate::views::OccurrenceItem;
use crate::{
    db::{events, occurrences, spaces},
    domain::EventStatus,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    contracts::Category,
    http::{ApiError, Violations, page},
    time::{Bound, parse_bound},
};
use sea_orm::{
    ColumnTrait, Condition, DatabaseBackend, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, SimpleExpr},
};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarFilter {
    /// RFC 3339 instant or `YYYY-MM-DD`; default now.
    pub from: Option<String>,
    /// RFC 3339 instant or `YYYY-MM-DD` (that whole day included).
    pub to: Option<String>,
    pub category: Option<Category>,
    /// Only events open to this age.
    pub age: Option<u8>,
    pub space_id: Option<Uuid>,
    pub season_id: Option<Uuid>,
    pub programme_id: Option<Uuid>,
    /// Words that must all appear in the title or a description (any case), e.g. `jazz cortile`.
    #[param(max_length = 200)]
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// What the public may see, read from a [`CalendarFilter`].
#[derive(Debug, Clone)]
pub struct PublicFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub category: Option<Category>,
    pub age: Option<u8>,
    pub space_id: Option<Uuid>,
    pub season_id: Option<Uuid>,
    pub programme_id: Option<Uuid>,
    /// Lower-case words, each to be found (see [`CalendarFilter::q`]).
    pub words: Vec<String>,
}

/// The words of a search, lower case, at most six of them.
fn search_words(q: Option<&str>) -> Vec<String> {
    q.unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .take(6)
        .collect()
}

impl PublicFilter {
    /// Reads the bounds (a date is read in the configured zone); `default_from` when none.
    pub fn read(
        filter: &CalendarFilter,
        zone: chrono_tz::Tz,
        default_from: Option<DateTime<Utc>>,
    ) -> Result<Self, ApiError> {
        let mut v = Violations::new();
        let from = match &filter.from {
            Some(f) => v.take("from", parse_bound(f, zone, Bound::Start)),
            None => default_from,
        };
        let to = filter
            .to
            .as_deref()
            .and_then(|t| v.take("to", parse_bound(t, zone, Bound::End)));
        if let (Some(from), Some(to)) = (from, to) {
            v.check(to > from, "to", "must be after from");
        }
        if let Some(q) = &filter.q {
            v.check(
                q.chars().count() <= 200,
                "q",
                "must be at most 200 characters",
            );
        }
        v.finish()?;
        Ok(Self {
            from,
            to,
            category: filter.category,
            age: filter.age,
            space_id: filter.space_id,
            season_id: filter.season_id,
            programme_id: filter.programme_id,
            words: search_words(filter.q.as_deref()),
        })
    }

    /// The condition on occurrences joined with their events: events that were made public
    /// (published, or completed or cancelled since), matching every filter.
    pub fn condition(&self, backend: DatabaseBackend) -> Condition {
        let mut condition = Condition::all()
            .add(events::Column::PublishedAt.is_not_null())
            .add(events::Column::Status.is_in([
                EventStatus::Published.as_str(),
                EventStatus::Completed.as_str(),
                EventStatus::Cancelled.as_str(),
            ]));
        if let Some(from) = self.from {
            condition = condition.add(occurrences::Column::EndsAt.gt(from));
        }
        if let Some(to) = self.to {
            condition = condition.add(occurrences::Column::StartsAt.lt(to));
        }
        if let Some(space) = self.space_id {
            condition = condition.add(events::Column::SpaceId.eq(space));
        }
        if let Some(season) = self.season_id {
            condition = condition.add(events::Column::SeasonId.eq(season));
        }
        if let Some(programme) = self.programme_id {
            condition = condition.add(events::Column::ProgrammeId.eq(programme));
        }
        if let Some(age) = self.age {
            let age = i32::from(age);
            condition = condition
                .add(
                    Condition::any()
                        .add(events::Column::AgeMin.is_null())
                        .add(events::Column::AgeMin.lte(age)),
                )
                .add(
                    Condition::any()
                        .add(events::Column::AgeMax.is_null())
                        .add(events::Column::AgeMax.gte(age)),
                );
        }
        if let Some(category) = self.category {
            condition = condition.add(has_category(backend, category));
        }
        for word in &self.words {
            condition = condition.add(has_word(backend, word));
        }
        condition
    }
}

/// The event's title or one of its descriptions holds `word` (lower case), whatever the case.
fn has_word(backend: DatabaseBackend, word: &str) -> SimpleExpr {
    // The word is a value, never SQL; its own `%`, `_` and `\` are escaped for LIKE.
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let needle = format!("%{escaped}%");
    let text = r#"LOWER("events"."title" || ' ' || "events"."description" || ' ' || "events"."description_en")"#;
    match backend {
        DatabaseBackend::Postgres => {
            Expr::cust_with_values(format!(r"{text} LIKE $1 ESCAPE '\'"), [needle])
        }
        _ => Expr::cust_with_values(format!(r"{text} LIKE ? ESCAPE '\'"), [needle]),
    }
}

/// `events.categories` (a JSON array of names) holds `category`.
fn has_category(backend: DatabaseBackend, category: Category) -> SimpleExpr {
    let needle = format!("%\"{}\"%", category.as_str());
    match backend {
        DatabaseBackend::Postgres => {
            Expr::cust_with_values(r#"CAST("events"."categories" AS TEXT) LIKE $1"#, [needle])
        }
        _ => Expr::cust_with_values(r#""events"."categories" LIKE ?"#, [needle]),
    }
}

/// Spaces by id, for naming the places of many events at once.
pub async fn places_of(
    conn: &impl sea_orm::ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, spaces::Model>, ApiError> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(spaces::Entity::find()
        .filter(spaces::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// The public calendar: occurrences of published events, in time order, a page at a time.
/// Occurrences called off stay listed with `status: cancelled`.
pub async fn list(
    state: &AppState,
    filter: CalendarFilter,
) -> Result<page::Page<OccurrenceItem>, ApiError> {
    let limit = page::limit(filter.limit)?;
    let after: Option<(DateTime<Utc>, Uuid)> = page::decode_cursor(filter.cursor.as_deref())?;
    let public = PublicFilter::read(
        &filter,
        state.settings.time_zone,
        Some(piazza_shared::clock::now()),
    )?;
    let conn = state.db.conn();
    let mut query = public_occurrences(&public, state.db.backend());
    if let Some((at, id)) = after {
        // A row value, so the (starts_at, id) index serves the page directly.
        query = query.filter(
            Expr::tuple([
                Expr::col((occurrences::Entity, occurrences::Column::StartsAt)),
                Expr::col((occurrences::Entity, occurrences::Column::Id)),
            ])
            .gt(Expr::tuple([Expr::value(at), Expr::value(id)])),
        );
    }
    let rows: Vec<occurrences::Brief> = query
        .limit(limit + 1)
        .into_model::<occurrences::Brief>()
        .all(conn)
        .await?;
    let events = events_by_id(conn, distinct(rows.iter().map(|o| o.event_id))).await?;
    let places = places_of(conn, events.values().filter_map(|e| e.space_id)).await?;
    let ids: Vec<Uuid> = events.keys().copied().collect();
    let mut images = crate::ops::events::image::image_views(conn, &ids).await?;
    let templates: HashMap<Uuid, OccurrenceItem> = events
        .values()
        .map(|e| {
            let place = e.space_id.and_then(|s| places.get(&s));
            let mut template = OccurrenceItem::template(e, place);
            template.image = images.remove(&e.id);
            (e.id, template)
        })
        .collect();
    let rows: Vec<occurrences::Brief> = rows
        .into_iter()
        .filter(|o| templates.contains_key(&o.event_id))
        .collect();
    Ok(page::page(
        rows,
        limit,
        |o| (o.starts_at, o.id),
        |o| templates[&o.event_id].at(&o),
    ))
}

/// The occurrences the public may see, in time order, as [`occurrences::Brief`] rows.
pub fn public_occurrences(
    public: &PublicFilter,
    backend: DatabaseBackend,
) -> sea_orm::Select<occurrences::Entity> {
    use sea_orm::RelationTrait;
    occurrences::Entity::find()
        .select_only()
        .columns(occurrences::Brief::COLUMNS)
        .join(
            sea_orm::JoinType::InnerJoin,
            occurrences::Relation::Event.def(),
        )
        .filter(public.condition(backend))
        .order_by_asc(occurrences::Column::StartsAt)
        .order_by_asc(occurrences::Column::Id)
}

/// Each id once.
pub fn distinct(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Events by id with one query; for views that list many.
pub async fn events_by_id(
    conn: &impl sea_orm::ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, events::Model>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(events::Entity::find()
        .filter(events::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect())
}
