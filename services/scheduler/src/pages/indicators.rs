//! `/admin/indicators`: the scheduler's indicators for administrators and evaluators — events
//! published per category, confirmed registrations and distinct young people registered —
//! as bar charts drawn server-side in SVG, and the same table as CSV. Aggregates only. The
//! period is a season's by default (the one under way, else the next, else the latest), picked
//! from a list, or any period given by its dates.

use super::state::PageState;
use crate::{
    db::{events, registrations},
    ops::seasons,
    views::SeasonView,
};
use axum::{extract::State, response::Response};
use chrono::{Datelike, NaiveDate};
use minijinja::{context, value::Serde};
use piazza_shared::{
    http::ApiError,
    time::{Bound, parse_bound},
    web::{
        AdminOrEvaluator, PageCtx, SignedIn, chart,
        csv::{Cell, Csv},
        words,
    },
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// One category's figures.
#[derive(Debug, Default, Clone, serde::Serialize)]
struct Row {
    category: String,
    label: String,
    events: u64,
    registrations: u64,
}

struct Figures {
    from: NaiveDate,
    to: NaiveDate,
    /// The season the period is, when it is one.
    season: Option<Uuid>,
    seasons: Vec<SeasonView>,
    rows: Vec<Row>,
    people: usize,
}

async fn figures(state: &PageState, ctx: &PageCtx) -> Result<Figures, ApiError> {
    let zone = state.app.settings.time_zone;
    let today = piazza_shared::clock::now()
        .with_timezone(&zone)
        .date_naive();
    let seasons = seasons::list(&state.app).await?;
    let chosen = Uuid::parse_str(ctx.param("season"))
        .ok()
        .and_then(|id| seasons.iter().find(|s| s.id == id));
    let dates_given = !ctx.param("from").is_empty() || !ctx.param("to").is_empty();
    // Without a choice: the season under way, else the next to come, else the latest.
    let default = || {
        seasons
            .iter()
            .find(|s| s.starts_on <= today && today <= s.ends_on)
            .or_else(|| {
                seasons
                    .iter()
                    .filter(|s| s.starts_on > today)
                    .min_by_key(|s| s.starts_on)
            })
            .or_else(|| seasons.iter().max_by_key(|s| s.ends_on))
    };
    let season = match (chosen, dates_given) {
        (Some(season), _) => Some(season),
        (None, true) => None,
        (None, false) => default(),
    };
    let (from, to) = match season {
        Some(s) => (s.starts_on, s.ends_on),
        None => (
            NaiveDate::parse_from_str(ctx.param("from"), "%Y-%m-%d")
                .unwrap_or_else(|_| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today)),
            NaiveDate::parse_from_str(ctx.param("to"), "%Y-%m-%d")
                .unwrap_or_else(|_| NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today)),
        ),
    };
    let season = season.map(|s| s.id);
    let start = parse_bound(&from.to_string(), zone, Bound::Start)
        .map_err(|m| ApiError::field("from", m))?;
    let end =
        parse_bound(&to.to_string(), zone, Bound::End).map_err(|m| ApiError::field("to", m))?;
    let conn = state.app.db.conn();
    let published = events::Entity::find()
        .filter(events::Column::PublishedAt.is_not_null())
        .filter(events::Column::StartsAt.lt(end))
        .filter(events::Column::EndsAt.gt(start))
        .all(conn)
        .await?;
    let mut rows: BTreeMap<String, Row> = words::categories(ctx.lang)
        .into_iter()
        .map(|(k, label)| {
            (
                k.to_string(),
                Row {
                    category: k.into(),
                    label: label.into(),
                    ..Row::default()
                },
            )
        })
        .collect();
    let ids: Vec<_> = published.iter().map(|e| e.id).collect();
    let registered = if ids.is_empty() {
        Vec::new()
    } else {
        registrations::Entity::find()
            .filter(registrations::Column::EventId.is_in(ids))
            .filter(registrations::Column::Status.eq("confirmed"))
            .all(conn)
            .await?
    };
    let mut people = HashSet::new();
    for event in &published {
        let categories: Vec<String> =
            serde_json::from_value(event.categories.clone()).unwrap_or_default();
        let count = registered
            .iter()
            .filter(|r| r.event_id == Some(event.id))
            .count() as u64;
        for c in categories {
            if let Some(row) = rows.get_mut(&c) {
                row.events += 1;
                row.registrations += count;
            }
        }
    }
    for r in &registered {
        people.insert(r.email_key.clone());
    }
    // Vocabulary order, not alphabetical keys.
    let order: Vec<&str> = words::categories(ctx.lang)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut rows: Vec<Row> = rows.into_values().collect();
    rows.sort_by_key(|r| order.iter().position(|k| *k == r.category));
    Ok(Figures {
        from,
        to,
        season,
        seasons,
        rows,
        people: people.len(),
    })
}

fn bars(rows: &[Row], value: fn(&Row) -> u64) -> minijinja::Value {
    let rows: Vec<(String, f64, String)> = rows
        .iter()
        .map(|r| (r.label.clone(), value(r) as f64, value(r).to_string()))
        .collect();
    chart::bars(&rows)
}

pub async fn page(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<AdminOrEvaluator>,
) -> Response {
    match figures(&state, &ctx).await {
        Ok(f) => ctx.render(
            &state.templates,
            "indicators.html",
            context! {
                from => f.from.to_string(),
                to => f.to.to_string(),
                period => format!("{} – {}", words::date(f.from, ctx.lang), words::date(f.to, ctx.lang)),
                season => f.season.map(|id| id.to_string()),
                season_name => f.season.and_then(|id| f.seasons.iter().find(|s| s.id == id)).map(|s| s.name.clone()),
                seasons => f.seasons.iter().map(|s| context! { id => s.id.to_string(), name => &s.name }).collect::<Vec<_>>(),
                events_total => words::count(f.rows.iter().map(|r| r.events).sum(), ("evento pubblicato", "eventi pubblicati"), ("event published", "events published"), ctx.lang),
                rows => Serde(&f.rows),
                people => f.people,
                events_chart => bars(&f.rows, |r| r.events),
                registrations_chart => bars(&f.rows, |r| r.registrations),
            },
        ),
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

/// The same figures as CSV (RFC 4180), for spreadsheets.
pub async fn csv(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<AdminOrEvaluator>,
) -> Response {
    let f = match figures(&state, &ctx).await {
        Ok(f) => f,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let mut csv = Csv::new(&["category", "events_published", "registrations_confirmed"]);
    for r in &f.rows {
        csv.row([
            Cell::from(r.category.as_str()),
            Cell::from(r.events),
            Cell::from(r.registrations),
        ]);
    }
    csv.row([Cell::from("all"), Cell::Empty, Cell::from(f.people)]);
    piazza_shared::web::csv::download("piazza-indicators", f.from, f.to, csv)
}
