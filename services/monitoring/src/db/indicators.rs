//! The `monitoring_indicators` table: the indicator framework, one row per indicator.

use crate::domain::indicators::{Indicator, IndicatorKind, Measure};
use piazza_shared::contracts::funding::FundingLine;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "monitoring_indicators")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub kind: String,
    pub name_it: String,
    pub name_en: String,
    pub definition_it: String,
    pub definition_en: String,
    pub unit: String,
    pub measure: String,
    pub funding_line: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The row as the domain reads it; `None` for a row whose kind or measure this version does
    /// not know (written by a newer one), which is left out rather than guessed at.
    pub fn view(self) -> Option<Indicator> {
        Some(Indicator {
            id: self.id,
            kind: IndicatorKind::parse(&self.kind)?,
            measure: Measure::parse(&self.measure)?,
            funding_line: match self.funding_line.as_deref() {
                None => None,
                Some(code) => Some(FundingLine::parse(code)?),
            },
            code: self.code,
            name_it: self.name_it,
            name_en: self.name_en,
            definition_it: self.definition_it,
            definition_en: self.definition_en,
            unit: self.unit,
            baseline: self.baseline,
            target: self.target,
            position: self.position,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Every indicator, in framework order.
pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<Indicator>, DbErr> {
    Ok(Entity::find()
        .order_by_asc(Column::Position)
        .order_by_asc(Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(Model::view)
        .collect())
}

/// The row with `code`, if any.
pub async fn by_code(conn: &impl ConnectionTrait, code: &str) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::Code.eq(code)).one(conn).await
}

/// The next position: after the last.
pub async fn next_position(conn: &impl ConnectionTrait) -> Result<i32, DbErr> {
    let last = Entity::find()
        .order_by_desc(Column::Position)
        .one(conn)
        .await?;
    Ok(last.map_or(10, |m| m.position.saturating_add(10)))
}
