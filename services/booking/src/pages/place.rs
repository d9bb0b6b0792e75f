//! `/spaces/{id}`: one space as anyone may see it — where it is, how many it holds, its
//! equipment and accessibility in the reader's language, its weekly opening hours, the map, and a
//! link to request it.

use super::{
    map, rows,
    spaces::{DAYS, kind_name},
    state::PageState,
};
use crate::ops::spaces::{self, SpaceFilter};
use axum::{extract::State, response::Response};
use minijinja::{context, value::Serde};
use piazza_shared::{
    http::{ApiError, Path},
    web::PageCtx,
};
use uuid::Uuid;

/// `GET /spaces/{id}` (public, like the catalogue in the API).
pub async fn page(State(state): State<PageState>, ctx: PageCtx, Path(id): Path<Uuid>) -> Response {
    let space = match spaces::get(&state.app, id).await.map_err(ApiError::from) {
        Ok(space) => space,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    // The whole catalogue, for the coordinates of the building a room stands in.
    let all = match rows::all_spaces(&state.app, SpaceFilter::default()).await {
        Ok(all) => all,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let hours: Vec<(&str, String)> = DAYS
        .iter()
        .map(|(day, _, it, en)| {
            let windows: Vec<String> = space
                .opening_hours
                .iter()
                .filter(|h| h.weekday == *day)
                .map(|h| format!("{}–{}", h.opens, h.closes))
                .collect();
            let text = if windows.is_empty() {
                ctx.t("chiuso", "closed").to_string()
            } else {
                windows.join(", ")
            };
            (ctx.lang.pick(it, en), text)
        })
        .collect();
    let parent = space
        .parent_id
        .and_then(|p| all.iter().find(|s| s.id == p))
        .map(|p| context! { id => p.id.to_string(), name => p.name.clone() });
    let drawn = map::map(std::slice::from_ref(&space), &all);
    let row = rows::SpaceRow::new(&space, ctx.lang);
    ctx.render(
        &state.templates,
        "space_view.html",
        context! {
            space => Serde(row),
            kind => kind_name(space.kind, ctx.lang),
            parent => parent,
            always_open => space.opening_hours.is_empty(),
            hours => hours,
            map => Serde(drawn),
        },
    )
}
