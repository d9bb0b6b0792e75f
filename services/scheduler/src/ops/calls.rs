//! Calls for ideas — the season's co-design. An administrator opens a call with open and close
//! dates (and may close it early); operators send proposals to it while it is open (see
//! [`super::proposals`]). Opening a call is a message.

use crate::{
    db::calls,
    domain::{TextRule, check_text},
    error::SchedulerError,
    ops::input,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::{
        Category,
        call::{CallOpened, CallSummary},
    },
    http::{ApiError, Violations},
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
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub title: String,
    #[serde(default)]
    #[schema(
        max_length = 10000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub description: String,
    /// RFC 3339 instant or `YYYY-MM-DD` (the start of that day).
    pub opens_at: String,
    /// RFC 3339 instant or `YYYY-MM-DD` (the end of that day).
    pub closes_at: String,
    /// The fields it asks ideas in: operators of organisations working in one of them are
    /// emailed when it opens.
    #[serde(default)]
    pub fields: Vec<Category>,
    /// It also takes ideas from people without an account (`POST /api/v1/ideas`). Default false.
    #[serde(default)]
    pub accepts_ideas: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallView {
    pub id: Uuid,
    pub season_id: Uuid,
    pub title: String,
    pub description: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// The fields it asks ideas in.
    pub fields: Vec<Category>,
    /// Whether it takes proposals now.
    pub open: bool,
    /// It also takes ideas from people without an account, on its public idea page.
    #[serde(default)]
    pub accepts_ideas: bool,
    pub created_at: DateTime<Utc>,
}

fn call_view(m: calls::Model) -> CallView {
    let now = piazza_shared::clock::now();
    CallView {
        id: m.id,
        season_id: m.season_id,
        open: m.opens_at <= now && now < m.closes_at,
        fields: m.fields(),
        accepts_ideas: m.accepts_ideas,
        title: m.title,
        description: m.description,
        opens_at: m.opens_at,
        closes_at: m.closes_at,
        created_at: m.created_at,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CallFilter {
    pub season_id: Option<Uuid>,
}

/// Opens a call for ideas for a season (administrators).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: NewCall,
) -> Result<CallView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let zone = state.settings.time_zone;
    let mut v = Violations::new();
    let title = input::check_title(&mut v, &input.title);
    let description = check_text(&mut v, "description", &input.description, TextRule::LONG);
    let opens_at = v.take("opens_at", parse_bound(&input.opens_at, zone, Bound::Start));
    let closes_at = v.take("closes_at", parse_bound(&input.closes_at, zone, Bound::End));
    if let (Some(o), Some(c)) = (opens_at, closes_at) {
        v.check(c > o, "closes_at", "must be after opens_at");
        v.check(
            c > piazza_shared::clock::now(),
            "closes_at",
            "must be in the future",
        );
    }
    let mut fields = input.fields.clone();
    fields.sort();
    fields.dedup();
    input::season(state.db.conn(), &mut v, Some(input.season_id)).await?;
    v.finish()?;
    let (Some(opens_at), Some(closes_at)) = (opens_at, closes_at) else {
        return Err(ApiError::field("opens_at", "is required").into());
    };
    let model = calls::Model {
        id: Uuid::now_v7(),
        season_id: input.season_id,
        title,
        description,
        opens_at,
        closes_at,
        created_by: claims.sub,
        created_at: piazza_shared::clock::now(),
        fields: serde_json::to_value(&fields).unwrap_or_default(),
        accepts_ideas: input.accepts_ideas,
    };
    let unit = state.begin().await?;
    calls::Entity::insert(calls::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
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
            fields,
        },
    };
    unit.publish(&message, Some(model.id.to_string())).await?;
    let after = audit::json(&call_view(model.clone()));
    unit.audit(claims, "call.create", model.id, None, after)
        .await?;
    unit.commit().await?;
    tracing::info!(call_id = %model.id, actor = %claims.sub, "call opened");
    Ok(call_view(model))
}

/// The calls for ideas (of a season), latest first. Public.
pub async fn list(state: &AppState, filter: CallFilter) -> Result<Vec<CallView>, SchedulerError> {
    let mut query = calls::Entity::find().order_by_desc(calls::Column::OpensAt);
    if let Some(season) = filter.season_id {
        query = query.filter(calls::Column::SeasonId.eq(season));
    }
    let rows = query.all(state.db.conn()).await?;
    Ok(rows.into_iter().map(call_view).collect())
}

/// The call `id`, or 404.
pub(crate) async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<calls::Model, ApiError> {
    calls::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("call"))
}

/// One call for ideas. Public.
pub async fn get(state: &AppState, id: Uuid) -> Result<CallView, SchedulerError> {
    Ok(call_view(find(state.db.conn(), id).await?))
}

/// Closes a call now, before its closing date (administrators).
pub async fn close(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<CallView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let mut call = find(&*unit, id).await?;
    let now = piazza_shared::clock::now();
    if call.closes_at <= now {
        return Err(SchedulerError::CallClosed);
    }
    let before = audit::json(&call_view(call.clone()));
    call.closes_at = now;
    if call.opens_at > now {
        call.opens_at = now;
    }
    calls::ActiveModel::from(call.clone())
        .reset_all()
        .update(&*unit)
        .await?;
    let after = audit::json(&call_view(call.clone()));
    unit.audit(claims, "call.close", id, before, after).await?;
    unit.commit().await?;
    tracing::info!(call_id = %id, actor = %claims.sub, "call closed early");
    Ok(call_view(call))
}
