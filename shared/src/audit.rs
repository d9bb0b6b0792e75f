//! The audit log of administrative actions: who (the caller's account, email and role), what (an
//! action such as `space.update` and its target), when, and the item before and after as JSON.
//! Each service keeps its own `audit_log` table and writes an entry in the same transaction as
//! the action, so an action is never without its entry nor an entry without its action.
//! `GET /api/v1/audit` (administrators) reads the tables of every service the listener serves.

use crate::{
    auth::{Caller, Claims, Keys, Role},
    db::Db,
    http::{ApiError, Page, Query, Violations, page},
    time::parse_instant,
};
use axum::{
    Router,
    extract::{FromRef, State},
    routing::get,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The `audit_log` table.
pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub at: DateTimeUtc,
        pub actor_id: Uuid,
        pub actor_email: String,
        pub actor_role: String,
        pub action: String,
        pub target: String,
        /// JSON of the item before the action; none for a creation.
        pub before: Option<String>,
        /// JSON of the item after the action.
        pub after: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Writes one entry; call it with the transaction of the action. `action` is `<item>.<verb>`;
/// the target is recorded as `<item>:<id>`. Pass `before` and `after` through [`json`].
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &Claims,
    action: &str,
    id: impl std::fmt::Display,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), DbErr> {
    let item = action.split('.').next().unwrap_or(action);
    let row = entity::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(crate::clock::now()),
        actor_id: Set(actor.sub),
        actor_email: Set(actor.email.clone()),
        actor_role: Set(actor.role.as_str().to_string()),
        action: Set(action.to_string()),
        target: Set(format!("{item}:{id}")),
        before: Set(before.map(|b| b.to_string())),
        after: Set(after.map(|a| a.to_string())),
    };
    entity::Entity::insert(row)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// An item as the JSON an entry keeps.
pub fn json<T: Serialize>(item: &T) -> Option<serde_json::Value> {
    serde_json::to_value(item).ok()
}

/// One entry as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    /// The service whose data changed.
    pub service: String,
    pub at: DateTime<Utc>,
    pub actor_id: Uuid,
    pub actor_email: String,
    pub actor_role: Role,
    /// `<item>.<verb>`, e.g. `space.update`, `booking.approve`, `event.publish`.
    pub action: String,
    /// `<item>:<id>`.
    pub target: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// Filters of `GET /api/v1/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// Entries at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Entries before this instant (RFC 3339).
    pub to: Option<String>,
    /// Only this actor: an account id or an email.
    pub actor: Option<String>,
    /// Only this action (`space.update`) or actions on this item (`space`).
    pub action: Option<String>,
    /// Entries per page, 1 to 500 (default 100).
    pub limit: Option<u64>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// What the audit route reads.
#[derive(Clone)]
pub struct AuditState {
    pub keys: Keys,
    pub databases: Arc<Vec<(&'static str, Db)>>,
}

impl FromRef<AuditState> for Keys {
    fn from_ref(state: &AuditState) -> Keys {
        state.keys.clone()
    }
}

pub fn router(state: AuditState) -> Router {
    Router::new()
        .route("/api/v1/audit", get(list))
        .with_state(state)
}

/// Administrative actions, newest first, from every service this listener serves.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    security(("bearer" = ["admin"])),
    params(AuditFilter),
    responses(
        (status = 200, body = Page<AuditEntry>),
        (status = 401, body = crate::http::Problem),
        (status = 403, body = crate::http::Problem),
        (status = 422, body = crate::http::Problem),
    )
)]
pub async fn list(
    State(state): State<AuditState>,
    caller: Caller,
    Query(filter): Query<AuditFilter>,
) -> Result<axum::Json<Page<AuditEntry>>, ApiError> {
    caller.require(&[Role::Admin])?;
    let limit = page::limit(filter.limit)?;
    let after: Option<(DateTime<Utc>, Uuid)> = page::decode_cursor(filter.cursor.as_deref())?;
    let mut v = Violations::new();
    let from = filter
        .from
        .as_deref()
        .and_then(|f| v.take("from", parse_instant(f)));
    let to = filter
        .to
        .as_deref()
        .and_then(|t| v.take("to", parse_instant(t)));
    if let (Some(f), Some(t)) = (from, to) {
        v.check(t > f, "to", "must be after from");
    }
    if let Some(action) = &filter.action {
        v.check(
            !action.is_empty() && action.len() <= 100,
            "action",
            "must be 1 to 100 characters",
        );
    }
    if let Some(actor) = &filter.actor {
        v.check(
            !actor.is_empty() && actor.len() <= 320,
            "actor",
            "must be an account id or an email",
        );
    }
    v.finish()?;
    use entity::Column as C;
    let mut condition = Condition::all();
    if let Some(f) = from {
        condition = condition.add(C::At.gte(f));
    }
    if let Some(t) = to {
        condition = condition.add(C::At.lt(t));
    }
    if let Some(actor) = &filter.actor {
        condition = condition.add(match Uuid::parse_str(actor) {
            Ok(id) => C::ActorId.eq(id),
            Err(_) => C::ActorEmail.eq(actor.trim().to_lowercase()),
        });
    }
    if let Some(action) = &filter.action {
        condition = condition.add(
            Condition::any()
                .add(C::Action.eq(action.as_str()))
                .add(C::Action.starts_with(format!("{action}."))),
        );
    }
    if let Some((at, id)) = after {
        condition = condition.add(
            Condition::any()
                .add(C::At.lt(at))
                .add(Condition::all().add(C::At.eq(at)).add(C::Id.lt(id))),
        );
    }
    let mut rows = Vec::new();
    for (service, db) in state.databases.iter() {
        let found = entity::Entity::find()
            .filter(condition.clone())
            .order_by_desc(C::At)
            .order_by_desc(C::Id)
            .limit(limit + 1)
            .all(db.conn())
            .await?;
        rows.extend(found.into_iter().map(|row| (*service, row)));
    }
    rows.sort_by_key(|(_, row)| std::cmp::Reverse((row.at, row.id)));
    Ok(axum::Json(page::page(
        rows,
        limit,
        |(_, row)| (row.at, row.id),
        |(service, row)| AuditEntry {
            id: row.id,
            service: service.to_string(),
            at: row.at,
            actor_id: row.actor_id,
            actor_email: row.actor_email,
            actor_role: Role::parse(&row.actor_role).unwrap_or(Role::Admin),
            action: row.action,
            target: row.target,
            before: row.before.and_then(|b| serde_json::from_str(&b).ok()),
            after: row.after.and_then(|a| serde_json::from_str(&a).ok()),
        },
    )))
}
