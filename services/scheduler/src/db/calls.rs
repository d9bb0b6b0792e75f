//! `calls`: a call for ideas for a season, open between two instants.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub season_id: Uuid,
    pub title: String,
    pub description: String,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    /// A JSON list of category codes: the fields the call asks ideas in.
    pub fields: Json,
    /// It also takes ideas from people without an account (`/api/v1/ideas`).
    pub accepts_ideas: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The fields it asks ideas in (codes no longer known are left out).
    pub fn fields(&self) -> Vec<piazza_shared::contracts::Category> {
        let codes: Vec<String> = serde_json::from_value(self.fields.clone()).unwrap_or_default();
        codes
            .iter()
            .filter_map(|c| piazza_shared::contracts::Category::parse(c))
            .collect()
    }
}
