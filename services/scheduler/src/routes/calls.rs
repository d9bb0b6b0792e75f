//! Calls for ideas — the season's co-design. An administrator opens a call with open and close
//! dates (and may close it early); operators send proposals to it while it is open (see
//! `proposals`). Opening a call is a message.

use super::input;
use crate::{
    db::calls,
    domain::{TextRule, check_text},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::call::{CallOpened, CallSummary},
    http::{ApiError, Json, Path, Problem, Query, Violations},
    time::{Bound, parse_bound},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCall {
    pub season_id: Uuid,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// RFC 3339 instant or `YYYY-MM-DD` (the start of that day).
    pub opens_at: String,
    /// RFC 3339 instant or `YYYY-MM-DD` (the end of that day).
    pub closes_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallView {
    pub id: Uuid,
    pub season_id: Uuid,
    pub title: String,
    pub description: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Whether it takes proposals now.
    pub open: bool,
    pub created_at: DateTime<Utc>,
}

fn call_view(m: calls::Model) -> CallView {
    let now = piazza_shared::clock::now();
    CallView {
        id: m.id,
        season_id: m.season_id,
        open: m.opens_at <= now && now < m.closes_at,
        title: m.title,
        description: m.description,
        opens_at: m.opens_at,
        closes_at: m.closes_at,
        created_at: m.created_at,
    }
}

/// Opens a call for ideas for a season.
#[utoipa::path(
    post,
    path = "/api/v1/calls",
    tag = "calls",
    security(("bearer" = ["admin"])),
    request_body = NewCall,
    responses(
        (status = 201, body = CallView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "Unknown season", body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn create_call(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewCall>,
) -> Result<(StatusCode, axum::Json<CallView>), ApiError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let zone = state.settings.time_zone;
    let mut v = Violations::new();
    let title = input::check_title(&mut v, &body.title);
    let description = check_text(&mut v, "description", &body.description, TextRule::LONG);
    let opens_at = v.take("opens_at", parse_bound(&body.opens_at, zone, Bound::Start));
    let closes_at = v.take("closes_at", parse_bound(&body.closes_at, zone, Bound::End));
    if let (Some(o), Some(c)) = (opens_at, closes_at) {
        v.check(c > o, "closes_at", "must be after opens_at");
        v.check(
            c > piazza_shared::clock::now(),
            "closes_at",
            "must be in the future",
        );
    }
    input::season(state.db.conn(), &mut v, Some(body.season_id)).await?;
    v.finish()?;
    let (Some(opens_at), Some(closes_at)) = (opens_at, closes_at) else {
        return Err(ApiError::field("opens_at", "is required"));
    };
    let model = calls::Model {
        id: Uuid::now_v7(),
        season_id: body.season_id,
        title,
        description,
        opens_at,
        closes_at,
        created_by: claims.sub,
        created_at: piazza_shared::clock::now(),
    };
    let txn = state.db.begin().await?;
    calls::Entity::insert(calls::ActiveModel::from(model.clone()))
        .exec_without_returning(&*txn)
        .await?;
    let message = CallOpened {
        version: 1,
        call: CallSummary {
            call_id: model.id,
            season_id: model.season_id,
            title: model.title.clone(),
            description: model.description.clone(),
            opens_at,
            closes_at,
        },
    };
    state
        .outbox
        .add(&*txn, &message, Some(model.id.to_string()))
        .await?;
    let after = audit::json(&call_view(model.clone()));
    audit::record(&*txn, &claims, "call.create", model.id, None, after).await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(call_id = %model.id, actor = %claims.sub, "call opened");
    Ok((StatusCode::CREATED, axum::Json(call_view(model))))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CallFilter {
    pub season_id: Option<Uuid>,
}

/// The calls for ideas (of a season), latest first.
#[utoipa::path(
    get,
    path = "/api/v1/calls",
    tag = "calls",
    security(()),
    params(CallFilter),
    responses((status = 200, body = Vec<CallView>), (status = 422, body = Problem))
)]
pub async fn list_calls(
    State(state): State<AppState>,
    Query(filter): Query<CallFilter>,
) -> Result<axum::Json<Vec<CallView>>, ApiError> {
    let mut query = calls::Entity::find().order_by_desc(calls::Column::OpensAt);
    if let Some(season) = filter.season_id {
        query = query.filter(calls::Column::SeasonId.eq(season));
    }
    let rows = query.all(state.db.conn()).await?;
    Ok(axum::Json(rows.into_iter().map(call_view).collect()))
}

pub(super) async fn find_call(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<calls::Model, ApiError> {
    calls::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("call"))
}

/// One call for ideas.
#[utoipa::path(
    get,
    path = "/api/v1/calls/{id}",
    tag = "calls",
    security(()),
    params(("id" = Uuid, Path, description = "Call id")),
    responses((status = 200, body = CallView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn get_call(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<CallView>, ApiError> {
    Ok(axum::Json(call_view(find_call(state.db.conn(), id).await?)))
}

/// Closes a call now, before its closing date.
#[utoipa::path(
    post,
    path = "/api/v1/calls/{id}/close",
    tag = "calls",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Call id")),
    responses(
        (status = 200, body = CallView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Already closed", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn close_call(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<CallView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let txn = state.db.begin().await?;
    let mut call = find_call(&*txn, id).await?;
    let now = piazza_shared::clock::now();
    if call.closes_at <= now {
        return Err(ApiError::conflict("the call is already closed", vec![]));
    }
    let before = audit::json(&call_view(call.clone()));
    call.closes_at = now;
    if call.opens_at > now {
        call.opens_at = now;
    }
    calls::ActiveModel::from(call.clone())
        .reset_all()
        .update(&*txn)
        .await?;
    let after = audit::json(&call_view(call.clone()));
    audit::record(&*txn, &caller.0, "call.close", id, before, after).await?;
    txn.commit().await?;
    tracing::info!(call_id = %id, actor = %caller.0.sub, "call closed early");
    Ok(axum::Json(call_view(call)))
}
