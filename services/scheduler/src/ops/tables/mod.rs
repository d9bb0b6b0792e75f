//! Co-design tables — the strategy's governance. An administrator sets up a table (a co-design
//! table, or one of the social-services network's) with a theme and the funding line it serves,
//! and seats its members: organisations, the Comune's sectors, and invited people such as young
//! people's representatives. Tables are public; invited people's names and addresses are shown
//! to administrators only. Meetings are in [`meetings`].

pub mod meetings;

use crate::{
    db::tables::{member, table},
    domain::{
        TextRule, check_text,
        tables::{MemberKind, TableKind},
    },
    error::SchedulerError,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::{FundingLine, sector},
    email::{normalise_email, plausible_email},
    http::{ApiError, Page, Violations},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTable {
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub name: String,
    /// What the table works on, e.g. "Reactivating the former Santa Monica school".
    #[schema(
        max_length = 2000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub theme: String,
    /// Default `codesign`; a `social_services` table keeps its minutes internal.
    #[serde(default)]
    pub kind: Option<TableKind>,
    /// The line of funding the table's work serves.
    #[serde(default)]
    pub funding_line: Option<FundingLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TableView {
    pub id: Uuid,
    pub name: String,
    pub theme: String,
    pub kind: TableKind,
    pub funding_line: Option<FundingLine>,
    /// Whether its minutes are published (co-design tables) or internal (social services).
    pub minutes_public: bool,
    pub created_at: DateTime<Utc>,
}

pub fn table_view(m: &table::Model) -> TableView {
    let kind = kind_of(m);
    TableView {
        id: m.id,
        name: m.name.clone(),
        theme: m.theme.clone(),
        kind,
        funding_line: m.funding_line.as_deref().and_then(FundingLine::parse),
        minutes_public: kind.minutes_public(),
        created_at: m.created_at,
    }
}

pub fn kind_of(m: &table::Model) -> TableKind {
    TableKind::parse(&m.kind).unwrap_or(TableKind::SocialServices)
}

/// Every item in one page: tables, members and meetings are few.
pub fn whole<T>(items: Vec<T>) -> Page<T> {
    Page {
        items,
        next_cursor: None,
    }
}

/// Sets up a table (administrators).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: NewTable,
) -> Result<TableView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let mut v = Violations::new();
    let name = check_text(&mut v, "name", &body.name, TextRule::NAME);
    let theme = check_text(
        &mut v,
        "theme",
        &body.theme,
        TextRule {
            required: true,
            max: 2000,
        },
    );
    v.finish()?;
    let now = piazza_shared::clock::now();
    let model = table::Model {
        id: Uuid::now_v7(),
        name,
        theme,
        kind: body.kind.unwrap_or(TableKind::Codesign).as_str().into(),
        funding_line: body.funding_line.map(|f| f.as_str().into()),
        created_by: claims.sub,
        created_at: now,
        updated_at: now,
    };
    let unit = state.begin().await?;
    table::Entity::insert(table::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    let view = table_view(&model);
    unit.audit(claims, "table.create", model.id, None, audit::json(&view))
        .await?;
    unit.commit().await?;
    tracing::info!(table_id = %model.id, actor = %claims.sub, "co-design table set up");
    Ok(view)
}

/// Every table, by name. Public.
pub async fn list(state: &AppState) -> Result<Vec<TableView>, SchedulerError> {
    let rows = table::Entity::find()
        .order_by_asc(table::Column::Name)
        .all(state.db.conn())
        .await?;
    Ok(rows.iter().map(table_view).collect())
}

/// The table `id`, or 404.
pub(crate) async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<table::Model, ApiError> {
    table::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("table"))
}

/// One table. Public.
pub async fn get(state: &AppState, id: Uuid) -> Result<TableView, SchedulerError> {
    Ok(table_view(&find(state.db.conn(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub kind: MemberKind,
    /// The organisation's or the person's name (not for a sector).
    #[serde(default)]
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub name: Option<String>,
    /// A sector's code (`programming`, `design`, `maintenance`, `mobility_civil_protection`,
    /// `urban_planning`, `commerce_crafts`, `culture`, `social_policies`), for a sector.
    #[serde(default)]
    pub sector: Option<String>,
    /// An invited person's address (optional).
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// An invited person's role, a snake_case word such as `youth_representative`.
    #[serde(default)]
    #[schema(max_length = 64, pattern = "^[a-z][a-z0-9_]*$")]
    pub role: Option<String>,
}

/// A member as shown: an invited person's name and address only to administrators.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberView {
    pub id: Uuid,
    pub kind: MemberKind,
    /// The organisation's or sector's name; a person's name for administrators only.
    pub name: Option<String>,
    pub sector: Option<String>,
    /// Administrators only.
    pub email: Option<String>,
    pub role: Option<String>,
}

pub fn member_view(m: &member::Model, admin: bool) -> MemberView {
    let kind = MemberKind::parse(&m.kind).unwrap_or(MemberKind::Person);
    let personal = kind == MemberKind::Person;
    MemberView {
        id: m.id,
        kind,
        name: (!personal || admin).then(|| m.name.clone()),
        sector: m.sector.clone(),
        email: if admin { m.email.clone() } else { None },
        role: m.role.clone(),
    }
}

fn is_admin(caller: Option<&Caller>) -> bool {
    caller.is_some_and(Caller::is_admin)
}

/// Seats a member at a table (administrators).
pub async fn add_member(
    state: &AppState,
    caller: &Caller,
    table_id: Uuid,
    body: NewMember,
) -> Result<MemberView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let mut v = Violations::new();
    let name: String;
    let mut sector_code = None;
    let mut email = None;
    let mut role = None;
    match body.kind {
        MemberKind::Sector => {
            let code = body.sector.as_deref().unwrap_or_default().trim();
            v.check(
                sector::is_code(code),
                "sector",
                "must be a sector code (a-z, digits, _)",
            );
            v.check(body.name.is_none(), "name", "a sector is named by its code");
            v.check(body.email.is_none(), "email", "only for an invited person");
            name = code.to_string();
            sector_code = Some(code.to_string());
        }
        MemberKind::Organisation | MemberKind::Person => {
            name = check_text(
                &mut v,
                "name",
                body.name.as_deref().unwrap_or_default(),
                TextRule::NAME,
            );
            v.check(body.sector.is_none(), "sector", "only for a sector");
            if body.kind == MemberKind::Organisation {
                v.check(body.email.is_none(), "email", "only for an invited person");
            }
            if let Some(address) = body
                .email
                .as_deref()
                .filter(|_| body.kind == MemberKind::Person)
            {
                let ok = address.len() <= 254 && plausible_email(address.trim());
                v.check(ok, "email", "is not an email address");
                email = Some(normalise_email(address));
            }
        }
    }
    if let Some(given) = body.role.as_deref() {
        let ok = !given.is_empty()
            && given.len() <= 64
            && given.starts_with(|c: char| c.is_ascii_lowercase())
            && given
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        v.check(
            ok,
            "role",
            "must be a snake_case word of at most 64 characters",
        );
        role = Some(given.to_string());
    }
    v.finish()?;
    let unit = state.begin().await?;
    find(&*unit, table_id).await?;
    let model = member::Model {
        id: Uuid::now_v7(),
        table_id,
        kind: body.kind.as_str().into(),
        name,
        sector: sector_code,
        email,
        role,
        created_at: piazza_shared::clock::now(),
    };
    member::Entity::insert(member::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    // The audit log is read by administrators only, so it may name the person.
    let view = member_view(&model, true);
    unit.audit(
        claims,
        "table.member_add",
        table_id,
        None,
        audit::json(&view),
    )
    .await?;
    unit.commit().await?;
    tracing::info!(%table_id, member_id = %model.id, actor = %claims.sub, "member seated");
    Ok(view)
}

/// A table's members in the order they were seated. Public, without personal data unless the
/// caller is an administrator.
pub async fn members(
    state: &AppState,
    caller: Option<&Caller>,
    table_id: Uuid,
) -> Result<Vec<MemberView>, SchedulerError> {
    let conn = state.db.conn();
    find(conn, table_id).await?;
    let rows = member::Entity::find()
        .filter(member::Column::TableId.eq(table_id))
        .order_by_asc(member::Column::CreatedAt)
        .order_by_asc(member::Column::Id)
        .all(conn)
        .await?;
    let admin = is_admin(caller);
    Ok(rows.iter().map(|m| member_view(m, admin)).collect())
}

/// Takes a member off a table (administrators).
pub async fn remove_member(
    state: &AppState,
    caller: &Caller,
    table_id: Uuid,
    member_id: Uuid,
) -> Result<(), SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let row = member::Entity::find_by_id(member_id)
        .filter(member::Column::TableId.eq(table_id))
        .one(&*unit)
        .await?
        .ok_or(ApiError::NotFound("member"))?;
    member::Entity::delete_by_id(member_id).exec(&*unit).await?;
    let before = audit::json(&member_view(&row, true));
    unit.audit(claims, "table.member_remove", table_id, before, None)
        .await?;
    unit.commit().await?;
    Ok(())
}
