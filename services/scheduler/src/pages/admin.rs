//! `/admin/events`: every event that is not over, whatever its state, with its space's state and
//! its repetition in words; those ready are published from here (the same op as
//! `POST /api/v1/events/{id}/publish`), the others edited, scheduled or cancelled
//! (`event_admin.rs`).

use super::{event_admin::back_with, repeat, state::PageState};
use crate::{db::events, ops::events::lifecycle};
use axum::{extract::State, response::Response};
use chrono::Duration;
use minijinja::context;
use piazza_shared::{
    http::{ApiError, Path},
    time::parse_zone,
    web::{AdminOnly, CsrfForm, SignedIn, words},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// How many events the page lists at most.
const SHOWN: u64 = 300;

pub async fn events(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    let rows = events::Entity::find()
        .filter(events::Column::EndsAt.gt(piazza_shared::clock::now() - Duration::days(1)))
        .filter(crate::ops::pathways::not_a_pathway_event())
        .order_by_asc(events::Column::StartsAt)
        .limit(SHOWN)
        .all(state.app.db.conn())
        .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(error) => return ctx.api_error(&state.templates, ApiError::from(error)),
    };
    let items: Vec<_> = rows
        .iter()
        .map(|e| {
            let zone = parse_zone(&e.time_zone).unwrap_or(state.app.settings.time_zone);
            let publishable = matches!(e.status.as_str(), "draft" | "proposed" | "scheduled")
                && (e.space_id.is_none() || e.space_status == "confirmed");
            context! {
                id => e.id.to_string(),
                title => &e.title,
                when => words::span(e.starts_at, e.ends_at, zone, ctx.lang),
                recurring => e.recurrence.is_some(),
                repeats => e.recurrence.as_deref().map(|r| repeat::rule_words(r, ctx.lang)),
                schedulable => matches!(e.status.as_str(), "draft" | "proposed" | "needs_space"),
                editable => !matches!(e.status.as_str(), "cancelled" | "completed"),
                organisation => &e.organisation_name,
                status => &e.status,
                status_text => words::status(&e.status, ctx.lang),
                space_status => &e.space_status,
                space_text => if e.space_id.is_some() { words::status(&e.space_status, ctx.lang) } else { String::new() },
                space_reason => &e.space_reason,
                publishable => publishable,
            }
        })
        .collect();
    ctx.render(
        &state.templates,
        "admin_events.html",
        context! { events => items, done => ctx.param("done"), failed => ctx.param("failed") },
    )
}

pub async fn publish(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    let result = lifecycle::publish(&state.app, &caller, id).await;
    back_with(&ctx, "published", result.map(|_| ()))
}
