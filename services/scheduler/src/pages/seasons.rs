//! The season planner: each season's events space by space in time order, with clashes (same
//! audience or same operator at the same time, from the clash view) and events still needing a
//! space highlighted, and the season's publication.

use super::state::PageState;
use crate::{
    db::{events, occurrences, spaces},
    ops::seasons,
    routes::clashes,
};
use axum::{extract::State, response::Response};
use minijinja::context;
use piazza_shared::{
    http::{ApiError, Path},
    time::parse_zone,
    web::{AdminOnly, CsrfForm, PageCtx, SignedIn, page::see_other, words},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

pub async fn list(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    match seasons::list(&state.app).await {
        Ok(list) => {
            let rows: Vec<_> = list
                .iter()
                .map(|s| {
                    context! {
                        id => s.id.to_string(),
                        name => s.name,
                        from => words::date(s.starts_on, ctx.lang),
                        to => words::date(s.ends_on, ctx.lang),
                        status => serde_json::to_value(s.status).ok().and_then(|v| v.as_str().map(str::to_string)),
                    }
                })
                .collect();
            ctx.render(
                &state.templates,
                "seasons.html",
                context! { seasons => rows },
            )
        }
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

pub async fn planner(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    match plan(&state, &ctx, caller, id).await {
        Ok(page) => ctx.render(&state.templates, "planner.html", page),
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

async fn plan(
    state: &PageState,
    ctx: &PageCtx,
    caller: piazza_shared::auth::Caller,
    id: Uuid,
) -> Result<minijinja::Value, ApiError> {
    let conn = state.app.db.conn();
    let season = seasons::get(&state.app, Some(&caller), id).await?;
    let axum::Json(clash_view) =
        clashes::clashes(State(state.app.clone()), caller, Path(id)).await?;
    let season_events = events::Entity::find()
        .filter(events::Column::SeasonId.eq(id))
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = season_events.iter().map(|e| e.id).collect();
    let rows = if ids.is_empty() {
        Vec::new()
    } else {
        occurrences::Entity::find()
            .filter(occurrences::Column::EventId.is_in(ids))
            .order_by_asc(occurrences::Column::StartsAt)
            .all(conn)
            .await?
    };
    let places: HashMap<Uuid, spaces::Model> = spaces::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let by_id: HashMap<Uuid, &events::Model> = season_events.iter().map(|e| (e.id, e)).collect();
    // Why each event is highlighted: its clashes with others, in words.
    let mut notes: HashMap<Uuid, Vec<String>> = HashMap::new();
    for clash in &clash_view.clashes {
        let why = match clash.kind {
            clashes::ClashKind::Audience => ctx.t("stesso pubblico", "same audience"),
            clashes::ClashKind::Operator => ctx.t("stesso operatore", "same operator"),
        };
        let [a, b] = &clash.events;
        notes
            .entry(a.id)
            .or_default()
            .push(format!("{why}: {}", b.title));
        notes
            .entry(b.id)
            .or_default()
            .push(format!("{why}: {}", a.title));
    }
    let needs: HashMap<Uuid, Option<String>> = clash_view
        .needs_space
        .iter()
        .map(|w| (w.event.id, w.reason.clone()))
        .collect();
    let mut lanes: BTreeMap<String, Vec<minijinja::Value>> = BTreeMap::new();
    for o in &rows {
        let Some(event) = by_id.get(&o.event_id) else {
            continue;
        };
        let lane = event
            .space_id
            .and_then(|s| places.get(&s))
            .map(|s| format!("{} — {}", s.name, s.building))
            .unwrap_or_else(|| ctx.t("Senza spazio", "No space").to_string());
        let zone = parse_zone(&event.time_zone).unwrap_or(state.app.settings.time_zone);
        lanes.entry(lane).or_default().push(context! {
            event_id => event.id.to_string(),
            title => event.title,
            when => words::span(o.starts_at, o.ends_at, zone, ctx.lang),
            status => event.status,
            status_text => words::status(&event.status, ctx.lang),
            cancelled => o.status == "cancelled",
            clashes => notes.get(&event.id).cloned().unwrap_or_default(),
            needs_space => needs.contains_key(&event.id),
            needs_reason => needs.get(&event.id).cloned().flatten(),
        });
    }
    let lanes: Vec<_> = lanes
        .into_iter()
        .map(|(name, items)| context! { name => name, items => items })
        .collect();
    Ok(context! {
        season => context! {
            id => season.id.to_string(),
            name => season.name,
            from => words::date(season.starts_on, ctx.lang),
            to => words::date(season.ends_on, ctx.lang),
            status => serde_json::to_value(season.status).ok().and_then(|v| v.as_str().map(str::to_string)),
        },
        lanes => lanes,
        clash_count => clash_view.clashes.len(),
        needs_count => clash_view.needs_space.len(),
        done => ctx.param("done"),
        failed => ctx.param("failed"),
    })
}

pub async fn publish(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    match seasons::publish(&state.app, &caller, id)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => see_other(&format!("/admin/seasons/{id}?done=published")),
        Err(ApiError::Conflict { detail, .. }) => {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("failed", &detail);
            see_other(&format!("/admin/seasons/{id}?{}", query.finish()))
        }
        Err(error) => ctx.api_error(&state.templates, error),
    }
}
