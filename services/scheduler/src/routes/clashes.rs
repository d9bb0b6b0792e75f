//! `GET /api/v1/seasons/{id}/clashes` over [`crate::ops::clashes`].

pub use crate::ops::clashes::{Clash, ClashKind, ClashView, EventRef, WaitingForSpace};
use crate::state::AppState;
use axum::extract::State;
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Path, Problem},
};
use uuid::Uuid;

/// The season's clashes.
#[utoipa::path(
    get,
    path = "/api/v1/seasons/{id}/clashes",
    tag = "seasons",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Season id")),
    responses(
        (status = 200, body = ClashView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn clashes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ClashView>, ApiError> {
    Ok(axum::Json(
        crate::ops::clashes::clashes(&state, &caller, id).await?,
    ))
}
